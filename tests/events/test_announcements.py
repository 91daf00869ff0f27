"""Organizers' announcements over the API, through the real server: audiences (statuses,
check-ins, sessions), preview, sending through the outbox, the log and its delivery
states, confinement to the organizer's regions, refusals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx

from events.db import fetch, fetch_one
from tests.support.certificates import check_in, held_event, register, session
from tests.support.polling import eventually
from tests.support.world import Person, World, auth


@dataclass
class Cast:
    """An event (capacity 3, sessions A and B): three confirmed, one waitlisted; the first
    confirmed checked in to A, the second to B, the third nowhere."""

    event: dict
    confirmed: list[Person]
    registrations: dict[int, int]  # member id -> registration id
    waitlisted: Person
    session_a: int
    session_b: int

    @property
    def slug(self) -> str:
        return self.event["slug"]

    def url(self, tail: str = "") -> str:
        return f"/api/manage/events/{self.slug}/announcements{tail}"


async def cast(client: httpx.AsyncClient, world: World) -> Cast:
    event = await held_event(
        client, world, capacity=3, sessions=[session("A", 2), session("B", 2, day=1)]
    )
    people = await world.members(4)
    registrations = {}
    for person in people[:3]:
        registrations[person.id] = await register(client, event, person)
    waiting = await client.post(
        f"/api/events/{event['slug']}/registration", headers=people[3].headers
    )
    assert waiting.json()["status"] == "waitlisted", waiting.text
    registrations[people[3].id] = waiting.json()["id"]
    a, b = (s["id"] for s in event["sessions"])
    await check_in(client, world, a, registrations[people[0].id])
    await check_in(client, world, b, registrations[people[1].id])
    assert await eventually(outbox_empty)  # their registration messages are out
    return Cast(event, people[:3], registrations, people[3], a, b)


async def outbox_empty() -> bool:
    row = await fetch_one(
        "SELECT COUNT(*) AS n FROM notification WHERE sent_at IS NULL AND failed_at IS NULL"
    )
    return row["n"] == 0


async def names(client, world, c: Cast, statuses: list[str], session: int | None = None):
    response = await client.post(
        c.url("/preview"),
        json={"statuses": statuses, "session": session},
        headers=auth(world.colorado_organizer),
    )
    assert response.status_code == 200, response.text
    return response.json()


def member_names(*people: Person) -> list[str]:
    return sorted(f"Member {p.email.split('@')[0][1:]}" for p in people)


async def test_audiences_by_status_check_in_and_session(client, world):
    c = await cast(client, world)
    first, second, third = c.confirmed
    expectations = [
        (["confirmed"], None, [first, second, third]),
        (["waitlisted"], None, [c.waitlisted]),
        (["pending"], None, []),
        (["checked_in"], None, [first, second]),
        (["checked_in"], c.session_a, [first]),
        (["not_checked_in"], None, [third]),
        (["not_checked_in"], c.session_a, [second, third]),
        (["waitlisted", "checked_in"], c.session_b, [c.waitlisted, second]),
        (["confirmed", "checked_in"], None, [first, second, third]),  # each counted once
    ]
    for statuses, session_id, expected in expectations:
        preview = await names(client, world, c, statuses, session_id)
        assert preview["recipients"] == len(expected), (statuses, session_id, preview)
        assert preview["sample"] == member_names(*expected), (statuses, session_id)


async def test_pending_registrations_are_an_audience(client, world):
    event = await world.create_event(client, approval_required=True)
    person = await world.member()
    await client.post(f"/api/events/{event['slug']}/registration", headers=person.headers)
    response = await client.post(
        f"/api/manage/events/{event['slug']}/announcements/preview",
        json={"statuses": ["pending"]},
        headers=auth(world.admin),
    )
    assert response.json()["recipients"] == 1, response.text


async def test_the_preview_counts_channels_and_who_turned_announcements_off(client, world):
    c = await cast(client, world)
    first, second, third = c.confirmed
    await fetch(
        "INSERT INTO slack_identity (member, team_id, user_id) VALUES ({}, 'T1', 'U1')", first.id
    )
    await fetch("UPDATE member SET notify_channels = 'both' WHERE id = {}", second.id)
    await fetch("UPDATE member SET announcement_emails = FALSE WHERE id = {}", third.id)
    preview = await names(client, world, c, ["confirmed"])
    # first: Slack only (linked, auto); second: email ('both', but no Slack link); third: none
    assert preview["channels"] == {"slack": 1, "email": 1}
    assert preview["recipients"] == 3 and preview["unreachable"] == 1
    assert await fetch("SELECT id FROM announcement") == []  # a preview writes nothing


async def test_sending_writes_one_row_per_recipient_and_delivers_by_email(
    client, world, smtp_server
):
    c = await cast(client, world)
    everyone = [*c.confirmed, c.waitlisted]
    before = {p.email: len(smtp_server.received(p.email)) for p in everyone}
    response = await client.post(
        c.url(),
        json={
            "subject": "  Parking\nchanged ",
            "body": "Use the east garage.\n\nThanks!",
            "audience": {"statuses": ["not_checked_in", "waitlisted"], "session": c.session_a},
        },
        headers=auth(world.colorado_organizer),
    )
    assert response.status_code == 201, response.text
    sent = response.json()
    assert sent["subject"] == "Parking changed"  # one line: it is an email's subject
    assert sent["sent_by"] == "Colorado" and sent["recipients"] == 3
    assert sent["audience"] == {
        "statuses": ["not_checked_in", "waitlisted"],
        "session": c.session_a,
    }
    recipients = [c.confirmed[1], c.confirmed[2], c.waitlisted]
    rows = await fetch(
        "SELECT registration, channel FROM notification WHERE kind = 'announcement' "
        "AND subject = {}",
        sent["id"],
    )
    assert sorted(r["registration"] for r in rows) == sorted(
        c.registrations[p.id] for p in recipients
    )
    assert {r["channel"] for r in rows} == {"email"}
    assert await eventually(outbox_empty)
    after = {p.email: len(smtp_server.received(p.email)) for p in everyone}
    assert {email: after[email] - before[email] for email in after} == {
        p.email: int(p in recipients) for p in everyone
    }

    async def delivered():
        log = await client.get(c.url(), headers=auth(world.colorado_organizer))
        item = log.json()["items"][0]
        return item if item["total"]["sent"] == 3 else None

    item = await eventually(delivered)
    assert item and item["deliveries"]["email"]["sent"] == 3
    assert item["deliveries"]["slack"] == {
        "queued": 0,
        "sent": 0,
        "skipped": 0,
        "retrying": 0,
        "failed": 0,
    }
    detail = await client.get(c.url(f"/{sent['id']}"), headers=auth(world.colorado_organizer))
    assert detail.status_code == 200, detail.text
    rows = detail.json()["deliveries"]["items"]
    assert sorted(row["member"] for row in rows) == member_names(*recipients)
    assert {(row["channel"], row["state"], row["attempts"]) for row in rows} == {
        ("email", "sent", 1)
    }


async def test_the_log_shows_every_delivery_state(client, world, smtp_server):
    c = await cast(client, world)
    response = await client.post(
        c.url(),
        json={"subject": "Hello", "body": "Hi", "audience": {"statuses": ["confirmed"]}},
        headers=auth(world.admin),
    )
    announcement = response.json()["id"]
    first, second, third = (c.registrations[p.id] for p in c.confirmed)

    async def all_sent():
        row = await fetch_one(
            "SELECT COUNT(*) AS n FROM notification WHERE subject = {} AND sent_at IS NOT NULL "
            "AND kind = 'announcement'",
            announcement,
        )
        return row["n"] == 3

    assert await eventually(all_sent)
    # What a relay's refusals and a member's opt-out leave behind (the sink accepts all).
    later = datetime.now(UTC) + timedelta(days=1)
    of = "WHERE registration = {} AND kind = 'announcement'"
    await fetch(
        "UPDATE notification SET sent_at = NULL, failed_at = {}, last_error = 'refused: 550', "
        f"outcome = 'failed' {of}",
        later,
        first,
    )
    await fetch(
        "UPDATE notification SET sent_at = NULL, last_error = 'timeout', next_attempt_at = {} "
        + of,
        later,
        second,
    )
    await fetch(f"UPDATE notification SET outcome = 'skipped' {of}", third)
    detail = (await client.get(c.url(f"/{announcement}"), headers=auth(world.admin))).json()
    assert detail["announcement"]["total"] == {
        "queued": 0,
        "sent": 0,
        "skipped": 1,
        "retrying": 1,
        "failed": 1,
    }
    by_state = {row["state"]: row for row in detail["deliveries"]["items"]}
    assert by_state["failed"]["last_error"] == "refused: 550"
    assert by_state["retrying"]["next_attempt_at"] is not None
    retrying = await client.get(c.url(f"/{announcement}?state=retrying"), headers=auth(world.admin))
    assert [row["state"] for row in retrying.json()["deliveries"]["items"]] == ["retrying"]


async def test_organizers_of_other_regions_and_check_in_staff_are_refused(client, world):
    c = await cast(client, world)
    sent = await client.post(
        c.url(),
        json={"subject": "Hi", "body": "Hello", "audience": {"statuses": ["confirmed"]}},
        headers=auth(world.admin),
    )
    assert sent.status_code == 201, sent.text
    preview = {"statuses": ["confirmed"]}
    body = {"subject": "Hi", "body": "Hello", "audience": preview}
    for token in (world.connective_organizer, world.checkin_staff):
        for method, path, json in [
            ("POST", c.url("/preview"), preview),
            ("POST", c.url(), body),
            ("GET", c.url(), None),
            ("GET", c.url(f"/{sent.json()['id']}"), None),
        ]:
            response = await client.request(method, path, json=json, headers=auth(token))
            assert response.status_code == 403, (token, method, path, response.text)
    count = await fetch_one("SELECT COUNT(*) AS n FROM announcement")
    assert count["n"] == 1


async def test_refusals_say_why(client, world):
    c = await cast(client, world)
    headers = auth(world.colorado_organizer)
    cases = [
        ({"subject": "", "body": "x", "audience": {"statuses": ["confirmed"]}}, 400, None),
        ({"subject": "x" * 201, "body": "x", "audience": {"statuses": ["confirmed"]}}, 400, None),
        (
            {"subject": "x", "body": "x" * 10_001, "audience": {"statuses": ["confirmed"]}},
            400,
            None,
        ),
        ({"subject": "x", "body": "x", "audience": {"statuses": ["bogus"]}}, 400, None),
        ({"subject": "x", "body": "x", "audience": {"statuses": []}}, 400, None),
        (
            {"subject": "   ", "body": "x", "audience": {"statuses": ["confirmed"]}},
            422,
            "invalid_subject",
        ),
        (
            {"subject": "x", "body": " \n ", "audience": {"statuses": ["confirmed"]}},
            422,
            "invalid_body",
        ),
        (
            {
                "subject": "x",
                "body": "x",
                "audience": {"statuses": ["confirmed"], "session": 999999},
            },
            422,
            "unknown_session",
        ),
        (
            {"subject": "x", "body": "x", "audience": {"statuses": ["pending"]}},
            409,
            "no_recipients",
        ),
    ]
    for body, status, reason in cases:
        response = await client.post(c.url(), json=body, headers=headers)
        assert response.status_code == status, (body, response.text)
        if reason:
            assert response.json()["reason"] == reason, response.text
    assert await fetch("SELECT id FROM announcement") == []
    assert await fetch("SELECT id FROM notification WHERE kind = 'announcement'") == []

    draft = await world.create_event(client, publish=False)
    response = await client.post(
        f"/api/manage/events/{draft['slug']}/announcements",
        json={"subject": "x", "body": "x", "audience": {"statuses": ["confirmed"]}},
        headers=auth(world.admin),
    )
    assert response.status_code == 409 and response.json()["reason"] == "event_not_published"
    missing = await client.get(c.url("/999999"), headers=headers)
    assert missing.status_code == 404


async def test_a_cancelled_event_may_still_explain_itself(client, world, smtp_server):
    c = await cast(client, world)
    cancelled = await client.post(f"/api/manage/events/{c.slug}/cancel", headers=auth(world.admin))
    assert cancelled.status_code == 200
    response = await client.post(
        c.url(),
        json={
            "subject": "Why",
            "body": "The venue flooded.",
            "audience": {"statuses": ["confirmed"]},
        },
        headers=auth(world.admin),
    )
    assert response.status_code == 201, response.text
    assert response.json()["recipients"] == 3
