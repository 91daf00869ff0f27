"""Calendar invitations in the emails the real server sends (iMIP, RFC 6047): the feeds'
UIDs, a SEQUENCE that rises with every update, cancellation and return, a CANCEL for
each way a seat ends, and the region's mailbox as ORGANIZER."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest

from events.db import fetch
from tests.events.calendar.test_personal import _register
from tests.events.calendar.test_personal import _sessions as sessions
from tests.support import icaljs
from tests.support.clock import days_from_today
from tests.support.mailbox import calendar_bytes, invitation_layout, layout, mail, read_calendar
from tests.support.polling import eventually
from tests.support.world import auth

DAYS = 12
START = days_from_today(DAYS)
MAILBOX = "colorado@events.nscp.test"


@pytest.fixture(scope="module")
def ical_js():
    return icaljs.install()


def _sessions(*titles: str) -> list[dict]:
    return sessions(*titles, days=DAYS)


async def _invitation(smtp, person, subject: str, ical_js, count: int = 1):
    """The ``count``-th email with ``subject``: (METHOD, {UID: VEVENT})."""
    received = (await mail(smtp, person.email, subject, count))[count - 1]
    calendar, read = read_calendar(calendar_bytes(received.message), ical_js)
    method = str(calendar["METHOD"])
    assert layout(received.message) == invitation_layout(method)
    assert read["method"] == method
    return method, {str(v["UID"]): v for v in calendar.walk("VEVENT")}


def _sequences(vevents: dict) -> dict[str, int]:
    return {uid: int(v["SEQUENCE"]) for uid, v in vevents.items()}


async def _feed(client, slug: str) -> dict[str, icalendar.Event]:
    response = await client.get(f"/calendar/events/{slug}.ics")
    assert response.status_code == 200, response.text
    calendar = icalendar.Calendar.from_ical(response.content)
    return {str(v["UID"]): v for v in calendar.walk("VEVENT")}


async def test_a_confirmation_invites_to_every_session_with_the_feeds_uids(
    client, world, smtp_server, ical_js
):
    await fetch("UPDATE region SET mailbox = {} WHERE slug = 'colorado'", MAILBOX)
    event = await world.create_event(
        client, title="Resilient Grids", sessions=_sessions("Morning", "Afternoon")
    )
    person = await world.member(name="Ana Nguyen")

    await _register(client, event, person)

    method, vevents = await _invitation(smtp_server, person, "Registered: Resilient Grids", ical_js)
    feed = await _feed(client, event["slug"])
    assert method == "REQUEST"
    assert vevents.keys() == feed.keys() and len(feed) == 2
    for uid, vevent in vevents.items():
        assert int(vevent["SEQUENCE"]) == int(feed[uid]["SEQUENCE"]) == 0
        assert vevent["DTSTART"].dt == feed[uid]["DTSTART"].dt
        assert vevent["DTEND"].dt == feed[uid]["DTEND"].dt
        assert str(vevent["ORGANIZER"]) == f"mailto:{MAILBOX}"
        assert vevent["ORGANIZER"].params["CN"] == "Colorado Smart Cities Alliance"
        assert str(vevent["ATTENDEE"]) == f"mailto:{person.email}"
        assert vevent["ATTENDEE"].params["CN"] == "Ana Nguyen"
        assert vevent["STATUS"] == "CONFIRMED"
    # The member's own feed holds the same sessions under the same UIDs.
    link = (await client.get("/api/me/calendar", headers=person.headers)).json()
    own = await client.get(link["url"].removeprefix(str(client.base_url).rstrip("/")))
    assert own.status_code == 200, own.text
    mine = icalendar.Calendar.from_ical(own.content).walk("VEVENT")
    assert {str(v["UID"]) for v in mine} == vevents.keys()


async def test_without_a_region_mailbox_the_sender_organizes(client, world, smtp_server, ical_js):
    event = await world.create_event(client, title="Broadband Mapping")
    person = await world.member()

    await _register(client, event, person)

    [received] = await mail(smtp_server, person.email, "Registered: Broadband Mapping")
    assert received.message["Reply-To"] is None
    calendar, _ = read_calendar(calendar_bytes(received.message), ical_js)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["ORGANIZER"]) == "mailto:no-reply@localhost"
    assert vevent["ORGANIZER"].params["CN"] == "Convene"


async def test_updates_cancellations_and_returns_each_raise_the_sequence(
    client, world, smtp_server, ical_js
):
    """REQUEST 0, changed: REQUEST 1, cancelled: CANCEL 2, registered again: REQUEST 3,
    removed by an organizer: CANCEL 4; the feed's own SEQUENCE follows the revision."""
    event = await world.create_event(client, title="Curb Management")
    [session_id] = [s["id"] for s in event["sessions"]]
    person = await world.member()
    title, admin = event["title"], auth(world.admin)

    registration = await _register(client, event, person)
    _, requested = await _invitation(smtp_server, person, f"Registered: {title}", ical_js)

    later = START + timedelta(hours=1)
    changed = await client.patch(
        f"/api/manage/sessions/{session_id}",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=3)).isoformat()},
        headers=admin,
    )
    assert changed.status_code == 200, changed.text
    method, updated = await _invitation(smtp_server, person, f"Changed: {title}", ical_js)
    assert method == "REQUEST"
    [uid] = updated
    assert updated[uid]["DTSTART"].dt == later
    feed = await _feed(client, event["slug"])
    assert int(feed[uid]["SEQUENCE"]) == 1  # the session's revision

    cancelled = await client.delete(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert cancelled.status_code == 200, cancelled.text
    method, withdrawn = await _invitation(
        smtp_server, person, f"Registration cancelled: {title}", ical_js
    )
    assert method == "CANCEL" and withdrawn[uid]["STATUS"] == "CANCELLED"

    again = await _register(client, event, person)
    assert again["id"] == registration["id"] and again["status"] == "confirmed"
    method, returned = await _invitation(smtp_server, person, f"Registered: {title}", ical_js, 2)
    assert method == "REQUEST"

    removed = await client.delete(f"/api/manage/registrations/{registration['id']}", headers=admin)
    assert removed.status_code == 200, removed.text
    method, removal = await _invitation(
        smtp_server, person, f"Registration cancelled: {title}", ical_js, 2
    )
    assert method == "CANCEL"

    steps = [requested, updated, withdrawn, returned, removal]
    assert [_sequences(step)[uid] for step in steps] == [0, 1, 2, 3, 4]


async def test_cancelling_one_session_cancels_it_in_the_attendees_calendars(
    client, world, smtp_server, ical_js
):
    event = await world.create_event(
        client, title="GIS Week", capacity=1, sessions=_sessions("Monday", "Tuesday")
    )
    seated, waiting = await world.members(2)
    await _register(client, event, seated)
    assert (await _register(client, event, waiting))["status"] == "waitlisted"
    _, before = await _invitation(smtp_server, seated, "Registered: GIS Week", ical_js)
    tuesday = event["sessions"][1]["id"]

    response = await client.post(
        f"/api/manage/sessions/{tuesday}/cancel", headers=auth(world.admin)
    )

    assert response.status_code == 200, response.text
    method, vevents = await _invitation(smtp_server, seated, "Session cancelled (Tuesday)", ical_js)
    [uid] = vevents
    assert method == "CANCEL" and uid.startswith(f"session-{tuesday}@")
    assert vevents[uid]["STATUS"] == "CANCELLED"
    assert int(vevents[uid]["SEQUENCE"]) > _sequences(before)[uid]
    assert int(vevents[uid]["SEQUENCE"]) == int(
        (await _feed(client, event["slug"]))[uid]["SEQUENCE"]
    )
    # The waitlisted member hears of it too, without a calendar part (they had none).
    [told] = await mail(smtp_server, waiting.email, "Session cancelled (Tuesday)")
    assert not [p for p in told.message.walk() if p.get_content_type() == "text/calendar"]


async def test_a_cancelled_event_sends_each_attendee_one_cancellation(
    client, world, smtp_server, ical_js
):
    event = await world.create_event(
        client, title="Zero Trust Summit", capacity=1, sessions=_sessions("Day 1", "Day 2")
    )
    seated, waiting = await world.members(2)
    seat = await _register(client, event, seated)
    queued = await _register(client, event, waiting)
    await mail(smtp_server, seated.email, "Registered: Zero Trust Summit")

    response = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )

    assert response.status_code == 200, response.text
    method, vevents = await _invitation(
        smtp_server, seated, "Cancelled: Zero Trust Summit", ical_js
    )
    assert method == "CANCEL" and len(vevents) == 2
    assert {str(v["STATUS"]) for v in vevents.values()} == {"CANCELLED"}
    [told] = await mail(smtp_server, waiting.email, "Cancelled: Zero Trust Summit")
    assert not [p for p in told.message.walk() if p.get_content_type() == "text/calendar"]
    # Once each, and as nothing else: no per-session or per-registration cancellations.
    again = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )
    assert again.status_code == 200, again.text

    async def all_sent() -> list[dict]:
        rows = await fetch(
            "SELECT registration, kind, sent_at FROM notification "
            "WHERE registration IN ({}, {}) AND kind <> 'registered'",
            seat["id"],
            queued["id"],
        )
        return rows if rows and all(row["sent_at"] for row in rows) else []

    rows = await eventually(all_sent)
    assert sorted((row["registration"], row["kind"]) for row in rows) == sorted(
        [(seat["id"], "event_cancelled"), (queued["id"], "event_cancelled")]
    )
    for person in (seated, waiting):
        assert len(smtp_server.received(person.email, "Cancelled: Zero Trust Summit")) == 1
