"""Every kind of message by email, end to end: the real server records it, delivers it after
the commit over SMTP to a real server on loopback, and the tests read what arrived with
Python's email package (MIME layout, headers) and its calendar invitation with icalendar,
the strict `ical` package and ical.js.

The members here have no Slack identity: email is their only channel. Reminders and
announcements are recorded by the tests themselves (at fixed instants) and delivered from
this process, to the same SMTP server, with the server's BASE_URL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from events.db import fetch, fetch_one
from events.enums import NotificationKind
from events.formatting import starts_in
from events.services import notifications, reminders
from tests.support import icaljs
from tests.support.certificates import check_in, held_event, issue_one, raw_code
from tests.support.clock import days_from_today
from tests.support.mailbox import (
    PLAIN_LAYOUT,
    calendar_bytes,
    invitation_layout,
    layout,
    mail,
    read_calendar,
    sending_from_tests,
)
from tests.support.polling import eventually
from tests.support.world import auth

MAILBOX = "colorado@events.nscp.test"
START = days_from_today(10)  # the server's own reminder sweep never finds these sessions


@pytest.fixture(scope="module")
def ical_js():
    return icaljs.install()


@pytest.fixture
async def mailbox(world):
    """The Colorado region has a mailbox: ORGANIZER of invitations, Reply-To of emails."""
    await fetch("UPDATE region SET mailbox = {} WHERE slug = 'colorado'", MAILBOX)
    return MAILBOX


def _session(title: str, day: int = 0, hours: int = 3) -> dict:
    starts = START + timedelta(days=day)
    return {
        "title": title,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=hours)).isoformat(),
    }


async def _register(client, event: dict, person, expected: str | None = None) -> dict:
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code in (200, 201), response.text
    if expected:
        assert response.json()["status"] == expected, response.text
    return response.json()


async def _ok(response) -> dict:
    assert response.status_code == 200, response.text
    return response.json()


def _check_headers(received, server: str, *, reply_to: str | None, unsubscribe: str | None):
    message = received.message
    assert message["Message-ID"] and message["Date"] and message["Auto-Submitted"]
    assert message["From"] == "Convene <no-reply@localhost>"
    if reply_to:
        assert message["Reply-To"].addresses[0].addr_spec == reply_to
    else:
        assert message["Reply-To"] is None
    if unsubscribe:
        value = str(message["List-Unsubscribe"])
        assert value.startswith(f"<{server}/me/unsubscribe/") and value.endswith(
            f"?list={unsubscribe}>"
        )
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    else:  # transactional: what happened to the member's own registration
        assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    for body in (received.text, received.html):
        assert f"{server}/me/preferences/" in body


async def _expect(
    smtp,
    person,
    subject: str,
    server: str,
    *,
    method: str | None = None,
    unsubscribe: str | None = None,
    reply_to: str | None = MAILBOX,
    count: int = 1,
):
    """The ``count``-th email with ``subject``; its layout and headers as each kind needs."""
    received = (await mail(smtp, person.email, subject, count))[count - 1]
    expected = invitation_layout(method) if method else PLAIN_LAYOUT
    assert layout(received.message) == expected, (subject, layout(received.message))
    _check_headers(received, server, reply_to=reply_to, unsubscribe=unsubscribe)
    return received


def _words(text: str) -> str:
    """Text as one line: the plain-text part wraps its sentences."""
    return " ".join(text.split())


def _vevents(received, ical_js) -> list:
    calendar, read = read_calendar(calendar_bytes(received.message), ical_js)
    assert read["method"] == calendar["METHOD"]
    for vevent, event in zip(calendar.walk("VEVENT"), read["events"], strict=True):
        assert (str(vevent["UID"]), int(vevent["SEQUENCE"])) == (event["uid"], event["sequence"])
    return calendar.walk("VEVENT")


def _sequences(vevents) -> dict[str, int]:
    return {str(v["UID"]): int(v["SEQUENCE"]) for v in vevents}


async def _feed(client, slug: str) -> dict[str, icalendar.Event]:
    response = await client.get(f"/calendar/events/{slug}.ics")
    assert response.status_code == 200, response.text
    return {str(v["UID"]): v for v in icalendar.Calendar.from_ical(response.content).walk("VEVENT")}


async def _deliver_recorded(kind: str, registration_id: int) -> None:
    """Deliver, from this process, what the test recorded (the server has no task for it)."""
    rows = await fetch(
        "SELECT id FROM notification WHERE registration = {} AND kind = {} AND channel = 'email'",
        registration_id,
        kind,
    )
    assert rows, f"no {kind} recorded"
    for row in rows:
        await notifications.deliver(row["id"])


async def _emailed_kinds(member_id: int) -> set[str]:
    rows = await fetch(
        "SELECT DISTINCT n.kind FROM notification n JOIN registration r ON r.id = n.registration "
        "WHERE r.member = {} AND n.channel = 'email' AND n.outcome = 'sent'",
        member_id,
    )
    return {row["kind"] for row in rows}


async def test_a_member_with_only_email_hears_of_every_kind_of_message(
    client, world, smtp_server, server, mailbox, ical_js
):
    admin = auth(world.admin)
    person = await world.member(name="Ana Nguyen")
    event = await world.create_event(
        client,
        title="Smart Streetlights 101",
        kind="webinar",
        venue=None,
        online_url="https://meet.example/streetlights",
        approval_required=True,
        sessions=[_session("Day one"), _session("Day two", day=1)],
    )
    title, (one, two) = event["title"], [s["id"] for s in event["sessions"]]

    # registered (pending): no seat, no invitation, no join link
    pending = await _register(client, event, person, "pending")
    received = await _expect(smtp_server, person, f"Awaiting approval: {title}", server)
    assert "waiting for an organizer's approval" in _words(received.text)
    assert "meet.example" not in received.text + received.html

    # approved: a seat, and an invitation for both sessions
    await _ok(
        await client.post(f"/api/manage/registrations/{pending['id']}/approve", headers=admin)
    )
    received = await _expect(smtp_server, person, f"Approved: {title}", server, method="REQUEST")
    first = _sequences(_vevents(received, ical_js))
    assert "https://meet.example/streetlights" in received.text  # a confirmed seat's link

    # event_changed: a new time, an updated REQUEST
    moved = START + timedelta(hours=2)
    await _ok(
        await client.patch(
            f"/api/manage/sessions/{one}",
            json={
                "starts_at": moved.isoformat(),
                "ends_at": (moved + timedelta(hours=3)).isoformat(),
            },
            headers=admin,
        )
    )
    received = await _expect(smtp_server, person, f"Changed: {title}", server, method="REQUEST")
    changed = _sequences(_vevents(received, ical_js))
    uid_one = next(uid for uid in changed if uid.startswith(f"session-{one}@"))
    assert changed[uid_one] > first[uid_one]

    # session_cancelled: a CANCEL of that session alone
    await _ok(await client.post(f"/api/manage/sessions/{two}/cancel", headers=admin))
    received = await _expect(
        smtp_server, person, "Session cancelled (Day two)", server, method="CANCEL"
    )
    [vevent] = _vevents(received, ical_js)
    assert str(vevent["UID"]).startswith(f"session-{two}@") and vevent["STATUS"] == "CANCELLED"

    # reminders, 24 hours and 1 hour before: List-Unsubscribe, the join link
    with sending_from_tests(server, smtp_server):
        for kind, now in [
            ("reminder_24h", moved - timedelta(hours=23)),
            ("reminder_1h", moved - timedelta(minutes=30)),
        ]:
            await reminders.record_due(now=now)
            await _deliver_recorded(kind, pending["id"])
            # Worded when it is sent: from today, the session is days away.
            subject = starts_in(moved, datetime.now(UTC), event["timezone"]).headline
            received = await _expect(
                smtp_server, person, f"{subject}: {title}", server, unsubscribe="reminders"
            )
            assert "https://meet.example/streetlights" in received.text

        # announcement: the organizers' words, List-Unsubscribe
        announcement = await fetch_one(
            "INSERT INTO announcement (event, subject, body, audience, recipients, created_at) "
            "VALUES ((SELECT id FROM event WHERE slug = {}), {}, {}, {}, 1, {}) RETURNING id",
            event["slug"],
            "Slides are up",
            "The slides are on the event page.\n\nSee you tomorrow!",
            "{}",
            START - timedelta(days=2),
        )
        await notifications.record(
            NotificationKind.announcement, [pending["id"]], subject=announcement["id"]
        )
        await _deliver_recorded("announcement", pending["id"])
    received = await _expect(
        smtp_server, person, f"Slides are up: {title}", server, unsubscribe="announcements"
    )
    assert "See you tomorrow!" in received.text and "See you tomorrow!" in received.html

    # registration_cancelled, then registered again, then event_cancelled
    cancelled = await client.delete(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    await _expect(smtp_server, person, f"Registration cancelled: {title}", server, method="CANCEL")
    await _register(client, event, person, "pending")
    await _expect(smtp_server, person, f"Awaiting approval: {title}", server, count=2)
    await _ok(await client.post(f"/api/manage/events/{event['slug']}/cancel", headers=admin))
    received = await _expect(smtp_server, person, f"Cancelled: {title}", server)
    assert "has been cancelled" in _words(received.text)  # pending: no seat, so no calendar part

    # promoted (from a waitlist), declined, certificate_issued: other events
    full = await world.create_event(client, capacity=1, title="Curb Data Day")
    holder = await world.member()
    await _register(client, full, holder, "confirmed")
    await _register(client, full, person, "waitlisted")
    received = await _expect(smtp_server, person, "On the waitlist: Curb Data Day", server)
    assert "number 1 on the waitlist" in _words(received.text)
    await client.delete(f"/api/events/{full['slug']}/registration", headers=holder.headers)
    await _expect(smtp_server, person, "A seat opened up: Curb Data Day", server, method="REQUEST")

    picky = await world.create_event(client, approval_required=True, title="Board Retreat")
    refused = await _register(client, picky, person, "pending")
    await _ok(
        await client.post(f"/api/manage/registrations/{refused['id']}/decline", headers=admin)
    )
    await _expect(smtp_server, person, "Registration declined: Board Retreat", server)

    held = await held_event(client, world, title="GIS for Planners")
    attended = await _register(client, held, person, "confirmed")
    await check_in(client, world, held["sessions"][0]["id"], attended["id"])
    issued = await issue_one(client, attended["id"], world.admin)
    assert issued.status_code == 200, issued.text
    code = raw_code(issued.json()["code"])
    received = await _expect(smtp_server, person, "Your certificate: GIS for Planners", server)
    for body in (received.text, received.html):
        assert f"{server}/certificates/{code}.pdf" in body and f"{server}/verify/{code}" in body

    assert await eventually(lambda: _all_kinds_sent(person.id), timeout=15), await _emailed_kinds(
        person.id
    )


async def _all_kinds_sent(member_id: int) -> bool:
    return await _emailed_kinds(member_id) == {kind.value for kind in NotificationKind}
