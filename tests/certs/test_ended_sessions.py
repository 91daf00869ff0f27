"""Certificates count only sessions that have ended: a check-in at a session still running,
or at one moved to a later date, earns nothing yet, and the refusal says why.

Sessions run for days or lie weeks away, so no test is near an edge of "ended"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from certs.eligibility import Rule, SessionAttendance, evaluate
from events.enums import EventKind
from tests.support.certificates import (
    bulk_issue,
    check_in,
    held_event,
    issue_one,
    register,
)
from tests.support.world import auth

NOW = datetime.now(UTC).replace(microsecond=0)
NOT_ENDED = "The session “{}” has not ended yet; it counts once it has."


def test_a_session_not_ended_counts_for_nothing():
    sessions = [
        SessionAttendance(1, "Day one", Decimal("6"), required=True, attended=True, ended=False),
        SessionAttendance(2, "Day two", Decimal("6"), required=False, attended=True),
    ]
    track = evaluate(EventKind.training_track, Rule(min_sessions=2), sessions)
    assert not track.eligible
    assert track.attended_sessions == 1 and track.attended_hours == Decimal("6.00")
    assert track.missing == [
        "Attend the required session “Day one”.",
        "Attend at least 2 sessions in all (attended 1).",
        NOT_ENDED.format("Day one"),
    ]
    workshop = evaluate(EventKind.workshop, Rule(min_sessions=1), sessions[:1])
    assert not workshop.eligible and NOT_ENDED.format("Day one") in workshop.missing


async def test_a_session_still_running_earns_no_certificate(client, world):
    running = {
        "title": "Hackathon",
        "starts_at": (NOW - timedelta(days=1)).isoformat(),
        "ends_at": (NOW + timedelta(days=1)).isoformat(),
    }
    event = await world.create_event(client, sessions=[running], credit_hours=8)
    person = await world.member()
    registration_id = await register(client, event, person)
    await check_in(client, world, event["sessions"][0]["id"], registration_id)  # open: started

    issued = await issue_one(client, registration_id, world.admin)
    assert issued.status_code == 409, issued.text
    assert issued.json()["reason"] == "not_eligible"
    assert NOT_ENDED.format("Hackathon") in issued.json()["missing"]
    job = await bulk_issue(client, event, world.admin)
    assert job["total"] == 0
    mine = await client.get(f"/api/events/{event['slug']}/certificate", headers=person.headers)
    assert mine.json()["eligible"] is False
    assert NOT_ENDED.format("Hackathon") in mine.json()["missing"]


async def test_a_session_moved_to_a_later_date_no_longer_counts(client, world):
    event = await held_event(client, world)
    registration_id = await register(client, event, await world.member())
    session_id = event["sessions"][0]["id"]
    await check_in(client, world, session_id, registration_id)
    later = NOW + timedelta(days=30)
    moved = await client.patch(
        f"/api/manage/sessions/{session_id}",
        json={"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=3)).isoformat()},
        headers=auth(world.admin),
    )
    assert moved.status_code == 200, moved.text

    issued = await issue_one(client, registration_id, world.admin)
    assert issued.status_code == 409, issued.text
    assert NOT_ENDED.format("Main") in issued.json()["missing"]
