"""Attendance is taken from shortly before a session starts (CHECKIN_OPENS_BEFORE), never
for a session ahead: the API, the console's check-in sheet and bulk check-in all refuse.

The sessions are 30 days ahead or days ago, so no test is near the window's edge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.events.web.test_console import HX, console, csrf_of
from tests.support.certificates import held_event, issue_one, register
from tests.support.servers import app_server
from tests.support.world import auth

AHEAD = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)


def _ahead(title: str = "Main") -> dict:
    return {
        "title": title,
        "starts_at": AHEAD.isoformat(),
        "ends_at": (AHEAD + timedelta(hours=3)).isoformat(),
    }


async def test_a_check_in_30_days_ahead_is_refused_and_earns_nothing(client, world):
    event = await world.create_event(client, sessions=[_ahead()], credit_hours=3)
    session_id = event["sessions"][0]["id"]
    ids = [await register(client, event, person) for person in await world.members(2)]
    url = f"/api/manage/sessions/{session_id}/attendance"

    for body in ({"registration_ids": ids[:1]}, {"registration_ids": ids, "method": "bulk"}):
        response = await client.post(url, json=body, headers=auth(world.admin))
        assert response.status_code == 409, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["reason"] == "check_in_not_open"
        assert datetime.fromisoformat(problem["opens_at"]) == AHEAD - timedelta(minutes=60)
        assert "60 minutes before it starts" in problem["detail"]

    listed = await client.get(url, headers=auth(world.admin))
    assert listed.json() == []
    issued = await issue_one(client, ids[0], world.admin)
    assert issued.status_code == 409, issued.text
    assert issued.json()["reason"] == "not_eligible"


async def test_the_window_is_a_setting(client, world):
    """With check-in opening 40 days ahead, the session 30 days ahead can be checked in;
    its certificate still waits until the session has ended, and says so."""
    event = await world.create_event(client, sessions=[_ahead("Field day")], credit_hours=3)
    person = await world.member()
    registration_id = await register(client, event, person)
    with app_server(CHECKIN_OPENS_BEFORE=str(40 * 24 * 60)) as base:
        async with httpx.AsyncClient(base_url=base, timeout=30) as early:
            response = await early.post(
                f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance",
                json={"registration_ids": [registration_id]},
                headers=auth(world.admin),
            )
            assert response.status_code == 200, response.text
            issued = await issue_one(early, registration_id, world.admin)
    assert issued.status_code == 409, issued.text
    assert (
        "The session “Field day” has not ended yet; it counts once it has."
        in (issued.json()["missing"])
    )
    mine = await client.get(f"/api/events/{event['slug']}/certificate", headers=person.headers)
    assert mine.json()["eligible"] is False
    assert mine.json()["attended_sessions"] == 0


async def test_the_console_sheet_says_when_check_in_opens_and_refuses_a_tap(client, world):
    event = await world.create_event(client, sessions=[_ahead()])
    session_id = event["sessions"][0]["id"]
    registration_id = await register(client, event, await world.member(name="Early Bird"))
    async with console(client, "door@nscp.test") as browser:
        sheet = await browser.get(f"/console/events/{event['slug']}/checkin")
        assert sheet.status_code == 200
        assert "Check-in for this session opens" in sheet.text
        tap = f"/console/events/{event['slug']}/checkin/{session_id}/{registration_id}"
        for headers in (HX, {}):
            refused = await browser.post(tap, data={"csrf": csrf_of(sheet.text)}, headers=headers)
            assert refused.status_code == 409, refused.text
            assert "Check-in for this session opens" in refused.text
    listed = await client.get(
        f"/api/manage/sessions/{session_id}/attendance", headers=auth(world.admin)
    )
    assert listed.json() == []


async def test_a_session_that_is_over_can_still_be_checked_in(client, world):
    """Attendance taken on paper is entered afterwards: the window has no end."""
    event = await held_event(client, world)
    registration_id = await register(client, event, await world.member())
    async with console(client, "door@nscp.test") as browser:
        sheet = await browser.get(f"/console/events/{event['slug']}/checkin")
        assert "Check-in for this session opens" not in sheet.text
        tap = f"/console/events/{event['slug']}/checkin/{event['sessions'][0]['id']}"
        row = await browser.post(
            f"{tap}/{registration_id}", headers={**HX, "X-CSRF-Token": csrf_of(sheet.text)}
        )
        assert row.status_code == 200 and "Checked in" in row.text
