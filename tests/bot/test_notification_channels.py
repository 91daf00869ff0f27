"""A Slack-linked member's choice of channels, and the Slack texts of the newer kinds of
message (approved, declined, registration and session cancelled), through the real server,
the fake Slack and the SMTP server on loopback."""

from __future__ import annotations

from datetime import timedelta

from events.db import fetch, fetch_one
from events.enums import NotificationKind
from events.services import notifications
from tests.bot.test_notifications import (
    _dm,
    slack_notifier,  # noqa: F401 - a fixture
)
from tests.bot.test_notifications import _link_slack as link_slack
from tests.support.clock import days_from_today
from tests.support.mailbox import mail
from tests.support.polling import eventually
from tests.support.world import auth

WAIT = 15


async def _link_slack(person, choice: str = "auto") -> str:
    """Linked to a Slack account (the user id), with this choice of channels."""
    user_id = await link_slack(person)
    await fetch("UPDATE member SET notify_channels = {} WHERE id = {}", choice, person.id)
    return user_id


async def _register(client, event: dict, person) -> dict:
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _channels_sent(registration_id: int, kind: str) -> list[str]:
    rows = await fetch(
        "SELECT channel FROM notification WHERE registration = {} AND kind = {} "
        "AND sent_at IS NOT NULL ORDER BY channel",
        registration_id,
        kind,
    )
    return [row["channel"] for row in rows]


async def test_a_member_who_chose_both_gets_a_dm_and_an_email(client, world, slack, smtp_server):
    event = await world.create_event(client, title="Digital Equity Forum")
    person = await world.member()
    user_id = await _link_slack(person, "both")

    registration = await _register(client, event, person)

    await _dm(slack, user_id, "confirmed", "Digital Equity Forum")
    [received] = await mail(smtp_server, person.email, "Registered: Digital Equity Forum")
    assert [p.get_content_type() for p in received.message.walk()][-1] == "application/ics"
    assert await eventually(lambda: _both_sent(registration["id"]), timeout=WAIT), (
        "both rows were not sent"
    )


async def _both_sent(registration_id: int) -> bool:
    return await _channels_sent(registration_id, "registered") == ["email", "slack"]


async def test_a_linked_member_on_auto_gets_slack_only(client, world, slack, smtp_server):
    event = await world.create_event(client, title="Transit Signal Priority")
    person = await world.member()
    user_id = await _link_slack(person)

    registration = await _register(client, event, person)

    await _dm(slack, user_id, "confirmed", "Transit Signal Priority")
    assert await eventually(
        lambda: _channels_sent(registration["id"], "registered"), timeout=WAIT
    ) == ["slack"]
    rows = await fetch(
        "SELECT channel FROM notification WHERE registration = {}", registration["id"]
    )
    assert [row["channel"] for row in rows] == ["slack"]  # no email row was ever made
    assert smtp_server.received(person.email) == []


async def test_slack_members_hear_of_decisions_and_cancellations(client, world, slack):
    admin = auth(world.admin)
    event = await world.create_event(
        client,
        title="Smart Parking Lab",
        approval_required=True,
        sessions=[
            {
                "title": title,
                "starts_at": days_from_today(day).isoformat(),
                "ends_at": (days_from_today(day) + timedelta(hours=2)).isoformat(),
            }
            for day, title in [(10, "Lab A"), (11, "Lab B")]
        ],
    )
    approved, declined = await world.members(2)
    approved_user, declined_user = await _link_slack(approved), await _link_slack(declined)
    first = await _register(client, event, approved)
    second = await _register(client, event, declined)

    response = await client.post(f"/api/manage/registrations/{first['id']}/approve", headers=admin)
    assert response.status_code == 200, response.text
    await _dm(slack, approved_user, "approved your registration", "confirmed", "Smart Parking Lab")

    response = await client.post(f"/api/manage/registrations/{second['id']}/decline", headers=admin)
    assert response.status_code == 200, response.text
    await _dm(slack, declined_user, "declined your registration", "Smart Parking Lab")

    lab_b = event["sessions"][1]["id"]
    response = await client.post(f"/api/manage/sessions/{lab_b}/cancel", headers=admin)
    assert response.status_code == 200, response.text
    await _dm(slack, approved_user, "A session of", "has been cancelled", "Lab B")

    response = await client.delete(
        f"/api/events/{event['slug']}/registration", headers=approved.headers
    )
    assert response.status_code == 200, response.text
    await _dm(slack, approved_user, "Your registration for", "has been cancelled")


async def test_slack_members_hear_announcements(client, world, slack, slack_notifier):  # noqa: F811
    event = await world.create_event(client, title="Flood Sensors Meetup")
    person = await world.member()
    user_id = await _link_slack(person)
    registration = await _register(client, event, person)
    announcement = await fetch_one(
        "INSERT INTO announcement (event, subject, body, audience, recipients, created_at) "
        "VALUES ((SELECT id FROM event WHERE slug = {}), {}, {}, {}, 1, {}) RETURNING id",
        event["slug"],
        "Room change",
        "We moved to <Room 2> & the coffee is on us.",
        "{}",
        days_from_today(-1),
    )

    await notifications.record(
        NotificationKind.announcement, [registration["id"]], subject=announcement["id"]
    )
    [row] = await fetch(
        "SELECT id FROM notification WHERE registration = {} AND kind = 'announcement'",
        registration["id"],
    )
    await notifications.deliver(row["id"])

    dm = await _dm(slack, user_id, "Room change", "Flood Sensors Meetup")
    assert "We moved to &lt;Room 2&gt; &amp; the coffee is on us." in dm.params["text"]
