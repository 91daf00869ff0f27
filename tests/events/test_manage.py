"""Organizer endpoints (/api/manage/...): who may do what, and what each change does."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest

from events.db import fetch
from tests.support.certificates import held_event
from tests.support.clock import days_from_today
from tests.support.world import auth

PROBLEM_JSON = "application/problem+json"


def _start(days: int = 10) -> datetime:
    return days_from_today(days)


def _session(title: str = "Main", days: int = 10, hours: int = 2, **fields) -> dict:
    start = _start(days)
    return {
        "title": title,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
        **fields,
    }


def _event_body(slug: str, **fields) -> dict:
    return {
        "slug": slug,
        "title": "Refused Event",
        "kind": "workshop",
        "timezone": "America/Denver",
        "regions": ["colorado"],
        "venue": {"name": "City Hall"},
        "sessions": [_session()],
        **fields,
    }


def _assert_problem(response, status: int, code: str, reason: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == code
    if reason is not None:
        assert body["reason"] == reason
    return body


async def _register(client, slug: str, person, answers: dict | None = None) -> dict:
    response = await client.post(
        f"/api/events/{slug}/registration", json={"answers": answers or {}}, headers=person.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


# --- authorization per region -------------------------------------------------------------


async def _manage_calls(client, event: dict, token: str) -> dict[str, int]:
    """Every organizer action on the event, as ``token``; returns action -> status."""
    slug = event["slug"]
    session_id = event["sessions"][0]["id"]
    headers = auth(token)
    calls = {
        "update": client.patch(
            f"/api/manage/events/{slug}", json={"title": "New"}, headers=headers
        ),
        "registrations": client.get(f"/api/manage/events/{slug}/registrations", headers=headers),
        "add_session": client.post(
            f"/api/manage/events/{slug}/sessions", json=_session("Extra", days=11), headers=headers
        ),
        "check_in": client.post(
            f"/api/manage/sessions/{session_id}/attendance",
            json={"registration_ids": [event["registration_id"]]},
            headers=headers,
        ),
        "publish": client.post(f"/api/manage/events/{slug}/publish", headers=headers),
        "cancel": client.post(f"/api/manage/events/{slug}/cancel", headers=headers),
    }
    statuses = {}
    for name, call in calls.items():  # in order: cancel last
        response = await call
        statuses[name] = response.status_code
        if response.status_code == 403:
            _assert_problem(response, 403, "forbidden")
    return statuses


async def _connective_event(client, world, **fields) -> dict:
    """An event held days ago, so that its session can be checked in."""
    event = await held_event(client, world, **{"regions": ["the-connective"], **fields})
    person = await world.member("phoenix")
    event["registration_id"] = (await _register(client, event["slug"], person))["id"]
    return event


async def test_region_organizer_is_forbidden_everything_on_another_regions_event(client, world):
    event = await _connective_event(client, world)
    statuses = await _manage_calls(client, event, world.colorado_organizer)
    assert statuses == dict.fromkeys(statuses, 403)
    detail = await client.get(f"/api/events/{event['slug']}")
    assert detail.json()["title"] == event["title"]
    assert detail.json()["status"] == "published"
    assert len(detail.json()["sessions"]) == 1


async def test_admin_can_manage_any_regions_event(client, world):
    event = await _connective_event(client, world)
    statuses = await _manage_calls(client, event, world.admin)
    assert statuses == {
        "update": 200,
        "registrations": 200,
        "add_session": 201,
        "check_in": 200,
        "publish": 200,
        "cancel": 200,
    }


@pytest.mark.parametrize("organizer", ["colorado_organizer", "connective_organizer"])
async def test_co_hosted_event_is_manageable_by_each_host_region(client, world, organizer):
    event = await _connective_event(client, world, regions=["colorado", "the-connective"])
    statuses = await _manage_calls(client, event, getattr(world, organizer))
    assert set(statuses.values()) <= {200, 201}, statuses


async def test_region_organizer_cannot_create_event_only_in_another_region(client, world):
    response = await client.post(
        "/api/manage/events",
        json=_event_body("elsewhere", regions=["the-connective"]),
        headers=auth(world.colorado_organizer),
    )
    _assert_problem(response, 403, "forbidden")
    missing = await client.get("/api/manage/events/elsewhere", headers=auth(world.admin))
    assert missing.status_code == 404


async def test_region_organizer_can_create_event_in_own_region(client, world):
    event = await world.create_event(client, token=world.colorado_organizer)
    assert event["status"] == "published"


async def test_region_organizer_lists_only_own_regions_events(client, world):
    mine = await world.create_event(client, regions=["colorado"])
    await world.create_event(client, regions=["the-connective"])
    response = await client.get("/api/manage/events", headers=auth(world.colorado_organizer))
    assert [item["slug"] for item in response.json()["items"]] == [mine["slug"]]
    everything = await client.get("/api/manage/events", headers=auth(world.admin))
    assert everything.json()["total"] == 2


# --- check-in staff -------------------------------------------------------------------------


async def test_checkin_staff_can_list_attendees_and_check_in_at_own_region(client, world):
    event = await held_event(client, world)
    person = await world.member()
    registration = await _register(client, event["slug"], person)
    session_id = event["sessions"][0]["id"]
    headers = auth(world.checkin_staff)

    checked = await client.post(
        f"/api/manage/sessions/{session_id}/attendance",
        json={"registration_ids": [registration["id"]]},
        headers=headers,
    )
    assert checked.status_code == 200, checked.text
    listed = await client.get(f"/api/manage/sessions/{session_id}/attendance", headers=headers)
    assert [c["registration_id"] for c in listed.json()] == [registration["id"]]
    attendees = await client.get(
        f"/api/manage/events/{event['slug']}/registrations", headers=headers
    )
    assert attendees.status_code == 200


async def test_checkin_staff_cannot_check_in_at_another_region(client, world):
    event = await _connective_event(client, world)
    response = await client.post(
        f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance",
        json={"registration_ids": [event["registration_id"]]},
        headers=auth(world.checkin_staff),
    )
    _assert_problem(response, 403, "forbidden")


async def test_checkin_staff_cannot_change_registrations_or_the_event(client, world):
    event = await world.create_event(client, capacity=1)
    first, second = await world.members(2)
    confirmed = await _register(client, event["slug"], first)
    waitlisted = await _register(client, event["slug"], second)
    assert waitlisted["status"] == "waitlisted"
    headers = auth(world.checkin_staff)
    base = "/api/manage/registrations"
    responses = [
        await client.post(f"{base}/{confirmed['id']}/approve", headers=headers),
        await client.post(f"{base}/{confirmed['id']}/decline", headers=headers),
        await client.post(f"{base}/{waitlisted['id']}/promote", headers=headers),
        await client.delete(f"{base}/{confirmed['id']}", headers=headers),
        await client.patch(
            f"/api/manage/events/{event['slug']}", json={"title": "Mine"}, headers=headers
        ),
        await client.post(
            f"/api/manage/events/{event['slug']}/sessions", json=_session(), headers=headers
        ),
        await client.post(f"/api/manage/events/{event['slug']}/cancel", headers=headers),
        await client.post("/api/manage/events", json=_event_body("staff-event"), headers=headers),
    ]
    for response in responses:
        _assert_problem(response, 403, "forbidden")
    mine = await client.get(f"/api/events/{event['slug']}/registration", headers=second.headers)
    assert mine.json()["status"] == "waitlisted"
    detail = await client.get(f"/api/events/{event['slug']}")
    assert detail.json()["title"] == event["title"]
    assert detail.json()["status"] == "published"


# --- authentication -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer cvo_not-a-real-token"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
    ],
    ids=["missing", "unknown", "wrong-scheme", "empty"],
)
async def test_manage_requires_a_valid_organizer_token(client, world, headers):
    response = await client.get("/api/manage/events", headers=headers)
    body = _assert_problem(response, 401, "not_authenticated")
    assert body["status"] == 401


async def test_member_token_is_not_an_organizer_token(client, world):
    person = await world.member()
    response = await client.get("/api/manage/events", headers=person.headers)
    _assert_problem(response, 401, "not_authenticated")


# --- create validation ----------------------------------------------------------------------


async def _refused_create(client, world, body: dict, status: int, code: str, reason: str | None):
    before = await client.get("/api/manage/events", headers=auth(world.admin))
    response = await client.post("/api/manage/events", json=body, headers=auth(world.admin))
    _assert_problem(response, status, code, reason)
    missing = await client.get(f"/api/manage/events/{body['slug']}", headers=auth(world.admin))
    assert missing.status_code == 404, missing.text
    after = await client.get("/api/manage/events", headers=auth(world.admin))
    assert after.json()["total"] == before.json()["total"]


async def test_create_refuses_unknown_timezone(client, world):
    body = _event_body("bad-tz", timezone="Mars/Olympus_Mons")
    await _refused_create(client, world, body, 422, "invalid_input", "invalid_timezone")


async def test_create_refuses_naive_session_datetime(client, world):
    session = _session()
    session["starts_at"] = session["starts_at"].removesuffix("+00:00")
    body = _event_body("naive", sessions=[session])
    await _refused_create(client, world, body, 422, "invalid_input", "naive_datetime")


async def test_create_refuses_session_ending_before_it_starts(client, world):
    session = _session()
    session["starts_at"], session["ends_at"] = session["ends_at"], session["starts_at"]
    body = _event_body("backwards", sessions=[session])
    await _refused_create(client, world, body, 422, "invalid_input", "invalid_session_times")


async def test_create_refuses_unknown_region(client, world):
    body = _event_body("nowhere", regions=["colorado", "atlantis"])
    await _refused_create(client, world, body, 422, "invalid_input", "unknown_region")


async def test_create_refuses_unknown_topic(client, world):
    body = _event_body("no-topic", topics=["astrology"])
    await _refused_create(client, world, body, 422, "invalid_input", "unknown_topic")


async def test_create_refuses_registration_closing_before_it_opens(client, world):
    opens = _start(2)
    body = _event_body(
        "bad-window",
        registration_opens_at=opens.isoformat(),
        registration_closes_at=(opens - timedelta(hours=1)).isoformat(),
    )
    await _refused_create(client, world, body, 422, "invalid_input", "invalid_registration_window")


async def test_create_refuses_duplicate_question_keys(client, world):
    question = {"key": "diet", "label": "Dietary needs"}
    body = _event_body("dup-questions", questions=[question, question])
    await _refused_create(client, world, body, 422, "invalid_input", "duplicate_question")


async def test_create_refuses_unknown_json_field(client, world):
    body = _event_body("extra-field", colour="teal")
    await _refused_create(client, world, body, 400, "validation_failed", None)


async def test_create_refuses_taken_slug_and_keeps_the_original(client, world):
    original = await world.create_event(client, title="The Original")
    body = _event_body(original["slug"], title="The Impostor", regions=["the-connective"])
    response = await client.post("/api/manage/events", json=body, headers=auth(world.admin))
    _assert_problem(response, 409, "conflict", "slug_taken")
    kept = await client.get(f"/api/manage/events/{original['slug']}", headers=auth(world.admin))
    assert kept.json()["title"] == "The Original"
    assert [r["slug"] for r in kept.json()["regions"]] == ["colorado"]
    assert len(kept.json()["sessions"]) == 1
    listed = await client.get("/api/manage/events", headers=auth(world.admin))
    assert listed.json()["total"] == 1


async def test_create_returns_the_draft_with_its_sessions(client, world):
    response = await client.post(
        "/api/manage/events",
        json=_event_body("fresh", sessions=[_session("One", days=10), _session("Two", days=11)]),
        headers=auth(world.admin),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "draft"
    assert [s["title"] for s in body["sessions"]] == ["One", "Two"]
    assert all(s["revision"] == 0 and s["status"] == "scheduled" for s in body["sessions"])


# --- drafts and publishing ------------------------------------------------------------------


async def test_publishing_a_draft_without_sessions_is_refused(client, world):
    draft = await world.create_event(client, publish=False, sessions=[])
    response = await client.post(
        f"/api/manage/events/{draft['slug']}/publish", headers=auth(world.admin)
    )
    _assert_problem(response, 409, "conflict", "no_sessions")
    still = await client.get(f"/api/manage/events/{draft['slug']}", headers=auth(world.admin))
    assert still.json()["status"] == "draft"


async def test_publishing_a_draft_without_venue_or_link_is_refused(client, world):
    draft = await world.create_event(client, publish=False, venue=None)
    response = await client.post(
        f"/api/manage/events/{draft['slug']}/publish", headers=auth(world.admin)
    )
    _assert_problem(response, 409, "conflict", "no_location")


async def test_draft_is_invisible_publicly_but_listed_for_organizers(client, world):
    draft = await world.create_event(client, publish=False)
    assert draft["status"] == "draft"
    public = await client.get(f"/api/events/{draft['slug']}")
    _assert_problem(public, 404, "not_found")
    listing = await client.get("/api/events")
    assert draft["slug"] not in [item["slug"] for item in listing.json()["items"]]
    managed = await client.get("/api/manage/events", headers=auth(world.colorado_organizer))
    assert draft["slug"] in [item["slug"] for item in managed.json()["items"]]
    drafts = await client.get(
        "/api/manage/events", params={"status": "draft"}, headers=auth(world.admin)
    )
    assert [item["slug"] for item in drafts.json()["items"]] == [draft["slug"]]


async def test_publishing_makes_the_draft_public(client, world):
    draft = await world.create_event(client, publish=False)
    response = await client.post(
        f"/api/manage/events/{draft['slug']}/publish", headers=auth(world.admin)
    )
    assert response.json()["status"] == "published"
    public = await client.get(f"/api/events/{draft['slug']}")
    assert public.status_code == 200


# --- session changes and revisions ----------------------------------------------------------


async def _patch_session(client, world, session_id: int, changes: dict) -> dict:
    response = await client.patch(
        f"/api/manage/sessions/{session_id}", json=changes, headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text
    return {s["id"]: s for s in response.json()["sessions"]}[session_id]


async def test_moving_a_session_bumps_its_revision_once(client, world):
    event = await world.create_event(client)
    session = event["sessions"][0]
    later = _start(12)
    changed = await _patch_session(
        client,
        world,
        session["id"],
        {"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
    )
    assert changed["revision"] == session["revision"] + 1
    assert datetime.fromisoformat(changed["starts_at"]) == later


async def test_renaming_a_session_keeps_its_revision(client, world):
    event = await world.create_event(client)
    session = event["sessions"][0]
    changed = await _patch_session(client, world, session["id"], {"title": "Renamed"})
    assert changed["title"] == "Renamed"
    assert changed["revision"] == session["revision"]


async def test_resending_the_same_time_keeps_the_revision(client, world):
    event = await world.create_event(client)
    session = event["sessions"][0]
    changed = await _patch_session(
        client, world, session["id"], {"starts_at": session["starts_at"]}
    )
    assert changed["revision"] == session["revision"]


async def test_relocating_a_session_bumps_its_revision(client, world):
    event = await world.create_event(client)
    session = event["sessions"][0]
    changed = await _patch_session(
        client, world, session["id"], {"location_name": "Room 101", "location_address": "Floor 1"}
    )
    assert changed["location_name"] == "Room 101"
    assert changed["revision"] == session["revision"] + 1


async def test_moving_a_session_end_before_its_start_is_refused(client, world):
    event = await world.create_event(client)
    session = event["sessions"][0]
    earlier = datetime.fromisoformat(session["starts_at"]) - timedelta(hours=1)
    response = await client.patch(
        f"/api/manage/sessions/{session['id']}",
        json={"ends_at": earlier.isoformat()},
        headers=auth(world.admin),
    )
    _assert_problem(response, 422, "invalid_input", "invalid_session_times")
    detail = await client.get(f"/api/manage/events/{event['slug']}", headers=auth(world.admin))
    assert detail.json()["sessions"][0] == session


async def test_unknown_session_is_not_found(client, world):
    response = await client.patch(
        "/api/manage/sessions/999999", json={"title": "Ghost"}, headers=auth(world.admin)
    )
    _assert_problem(response, 404, "not_found")


async def test_moving_a_session_updates_the_event_dates(client, world):
    event = await world.create_event(client)
    later = _start(20)
    await _patch_session(
        client,
        world,
        event["sessions"][0]["id"],
        {"starts_at": later.isoformat(), "ends_at": (later + timedelta(hours=1)).isoformat()},
    )
    detail = (await client.get(f"/api/events/{event['slug']}")).json()
    assert datetime.fromisoformat(detail["starts_at"]) == later
    assert datetime.fromisoformat(detail["ends_at"]) == later + timedelta(hours=1)


async def test_cancelling_a_session_bumps_revision_and_marks_it_cancelled(client, world):
    event = await held_event(client, world, sessions=[_session("A", -10), _session("B", -9)])
    first, second = event["sessions"]
    response = await client.post(
        f"/api/manage/sessions/{first['id']}/cancel", headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text
    sessions = {s["id"]: s for s in response.json()["sessions"]}
    assert sessions[first["id"]]["status"] == "cancelled"
    assert sessions[first["id"]]["revision"] == first["revision"] + 1
    assert sessions[second["id"]]["revision"] == second["revision"]
    # the event now starts with its first session still scheduled
    assert datetime.fromisoformat(response.json()["starts_at"]) == datetime.fromisoformat(
        second["starts_at"]
    )
    again = await client.post(
        f"/api/manage/sessions/{first['id']}/cancel", headers=auth(world.admin)
    )
    assert {s["id"]: s for s in again.json()["sessions"]}[first["id"]]["revision"] == 1


async def test_cancelling_the_event_bumps_every_session(client, world):
    event = await held_event(client, world, sessions=[_session("A", -10), _session("B", -9)])
    response = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "cancelled"
    assert [s["revision"] for s in body["sessions"]] == [1, 1]
    public = await client.get(f"/api/events/{event['slug']}")
    assert public.json()["status"] == "cancelled"
    again = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )
    assert [s["revision"] for s in again.json()["sessions"]] == [1, 1]


async def test_cancelled_event_cannot_be_published_again(client, world):
    event = await world.create_event(client)
    await client.post(f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin))
    response = await client.post(
        f"/api/manage/events/{event['slug']}/publish", headers=auth(world.admin)
    )
    _assert_problem(response, 409, "conflict", "event_cancelled")


async def test_venue_change_bumps_only_sessions_without_their_own_location(client, world):
    event = await world.create_event(
        client,
        sessions=[_session("At the venue", 10), _session("Elsewhere", 11, location_name="Annex")],
    )
    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"venue": {"name": "Convention Center", "address": "700 14th St"}},
        headers=auth(world.admin),
    )
    assert response.status_code == 200, response.text
    revisions = {s["title"]: s["revision"] for s in response.json()["sessions"]}
    assert revisions == {"At the venue": 1, "Elsewhere": 0}
    assert response.json()["venue"]["name"] == "Convention Center"


async def test_resending_the_same_venue_bumps_no_revision(client, world):
    venue = {
        "name": "Convention Center",
        "address": "700 14th St",
        "latitude": 39.742,
        "longitude": -104.997,
    }
    event = await world.create_event(client, venue=venue)
    response = await client.patch(
        f"/api/manage/events/{event['slug']}", json={"venue": venue}, headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text
    assert [s["revision"] for s in response.json()["sessions"]] == [0]


async def test_published_event_cannot_lose_both_venue_and_join_link(client, world):
    event = await world.create_event(client)
    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"venue": None, "title": "Nowhere"},
        headers=auth(world.admin),
    )
    _assert_problem(response, 409, "conflict", "no_location")
    kept = await client.get(f"/api/manage/events/{event['slug']}", headers=auth(world.admin))
    assert kept.json()["venue"]["name"] == "City Hall"
    assert kept.json()["title"] == event["title"]


async def test_published_event_can_move_online(client, world):
    event = await world.create_event(client)
    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"venue": None, "online_url": "https://meet.example/moved"},
        headers=auth(world.admin),
    )
    assert response.status_code == 200, response.text
    assert response.json()["venue"] is None
    assert response.json()["online"] is True
    assert [s["revision"] for s in response.json()["sessions"]] == [1]


async def test_refused_capacity_change_leaves_the_event_untouched(client, world):
    event = await world.create_event(client, capacity=5)
    for person in await world.members(2):
        await _register(client, event["slug"], person)
    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"title": "Shrunk", "capacity": 1},
        headers=auth(world.admin),
    )
    _assert_problem(response, 409, "conflict", "capacity_below_confirmed")
    kept = await client.get(f"/api/manage/events/{event['slug']}", headers=auth(world.admin))
    assert kept.json()["title"] == event["title"]
    assert kept.json()["capacity"] == 5


async def test_event_title_change_bumps_no_revision(client, world):
    event = await world.create_event(client)
    response = await client.patch(
        f"/api/manage/events/{event['slug']}", json={"title": "Better"}, headers=auth(world.admin)
    )
    assert response.json()["title"] == "Better"
    assert [s["revision"] for s in response.json()["sessions"]] == [0]


async def test_adding_a_session_to_another_day_extends_the_event(client, world):
    event = await world.create_event(client)
    response = await client.post(
        f"/api/manage/events/{event['slug']}/sessions",
        json=_session("Day two", days=11),
        headers=auth(world.admin),
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert [s["title"] for s in body["sessions"]] == ["Main", "Day two"]
    assert datetime.fromisoformat(body["ends_at"]) == datetime.fromisoformat(
        body["sessions"][1]["ends_at"]
    )


# --- the organizer view ---------------------------------------------------------------------


async def test_organizer_view_includes_online_url_and_public_view_does_not(client, world):
    link = "https://meet.example/secret-room"
    event = await world.create_event(client, venue=None, online_url=link, kind="webinar")
    manager = await client.get(f"/api/manage/events/{event['slug']}", headers=auth(world.admin))
    assert manager.json()["online_url"] == link
    public = await client.get(f"/api/events/{event['slug']}")
    assert public.json()["online"] is True
    assert public.json().get("online_url") is None
    assert link not in public.text
    listing = await client.get("/api/events")
    assert link not in listing.text


# --- check-in -------------------------------------------------------------------------------


async def test_single_check_in_then_repeat_is_harmless(client, world):
    event = await held_event(client, world)
    person = await world.member()
    registration = await _register(client, event["slug"], person)
    url = f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance"
    body = {"registration_ids": [registration["id"]]}

    first = await client.post(url, json=body, headers=auth(world.admin))
    assert first.status_code == 200, first.text
    assert [c["registration_id"] for c in first.json()["checked_in"]] == [registration["id"]]
    assert first.json()["already_checked_in"] == []
    assert first.json()["checked_in"][0]["method"] == "manual"

    second = await client.post(url, json=body, headers=auth(world.admin))
    assert second.status_code == 200, second.text
    assert second.json() == {"checked_in": [], "already_checked_in": [registration["id"]]}
    listed = await client.get(url, headers=auth(world.admin))
    assert len(listed.json()) == 1


async def test_bulk_check_in_records_everyone_once(client, world):
    event = await held_event(client, world)
    people = await world.members(3)
    ids = [(await _register(client, event["slug"], p))["id"] for p in people]
    url = f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance"
    await client.post(url, json={"registration_ids": ids[:1]}, headers=auth(world.admin))

    response = await client.post(
        url, json={"registration_ids": ids + ids[:1], "method": "bulk"}, headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text
    assert sorted(c["registration_id"] for c in response.json()["checked_in"]) == sorted(ids[1:])
    assert {c["method"] for c in response.json()["checked_in"]} == {"bulk"}
    assert response.json()["already_checked_in"] == ids[:1]
    listed = await client.get(url, headers=auth(world.admin))
    assert sorted(c["registration_id"] for c in listed.json()) == sorted(ids)


async def test_waitlisted_registration_cannot_be_checked_in(client, world):
    event = await held_event(client, world, capacity=1)
    first, second = await world.members(2)
    confirmed = await _register(client, event["slug"], first)
    waitlisted = await _register(client, event["slug"], second)
    url = f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance"
    response = await client.post(
        url,
        json={"registration_ids": [confirmed["id"], waitlisted["id"]]},
        headers=auth(world.admin),
    )
    body = _assert_problem(response, 422, "invalid_input", "not_checkable")
    assert body["not_confirmed"] == [waitlisted["id"]]
    listed = await client.get(url, headers=auth(world.admin))
    assert listed.json() == []  # all or nothing


async def test_registration_of_another_event_cannot_be_checked_in(client, world):
    event = await held_event(client, world)
    other = await world.create_event(client)
    person = await world.member()
    registration = await _register(client, other["slug"], person)
    response = await client.post(
        f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance",
        json={"registration_ids": [registration["id"]]},
        headers=auth(world.admin),
    )
    body = _assert_problem(response, 422, "invalid_input", "not_checkable")
    assert body["unknown"] == [registration["id"]]


async def test_check_in_at_a_cancelled_session_is_refused(client, world):
    event = await world.create_event(client)
    person = await world.member()
    registration = await _register(client, event["slug"], person)
    session_id = event["sessions"][0]["id"]
    await client.post(f"/api/manage/sessions/{session_id}/cancel", headers=auth(world.admin))
    response = await client.post(
        f"/api/manage/sessions/{session_id}/attendance",
        json={"registration_ids": [registration["id"]]},
        headers=auth(world.admin),
    )
    _assert_problem(response, 409, "conflict", "session_cancelled")


async def test_undoing_a_check_in_removes_it(client, world):
    event = await held_event(client, world)
    a, b = await world.members(2)
    ids = [(await _register(client, event["slug"], p))["id"] for p in (a, b)]
    url = f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance"
    await client.post(url, json={"registration_ids": ids}, headers=auth(world.admin))

    response = await client.delete(f"{url}/{ids[0]}", headers=auth(world.checkin_staff))
    assert response.status_code == 204, response.text
    listed = await client.get(url, headers=auth(world.admin))
    assert [c["registration_id"] for c in listed.json()] == [ids[1]]
    again = await client.post(url, json={"registration_ids": ids[:1]}, headers=auth(world.admin))
    assert [c["registration_id"] for c in again.json()["checked_in"]] == ids[:1]


async def test_attendee_list_counts_sessions_attended(client, world):
    event = await held_event(client, world, sessions=[_session("A", -10), _session("B", -9)])
    a, b = await world.members(2)
    ra = await _register(client, event["slug"], a)
    rb = await _register(client, event["slug"], b)
    for session in event["sessions"]:
        await client.post(
            f"/api/manage/sessions/{session['id']}/attendance",
            json={"registration_ids": [ra["id"]]},
            headers=auth(world.admin),
        )
    await client.post(
        f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance",
        json={"registration_ids": [rb["id"]]},
        headers=auth(world.admin),
    )
    response = await client.get(
        f"/api/manage/events/{event['slug']}/registrations", headers=auth(world.admin)
    )
    attended = {
        row["registration_id"]: row["sessions_attended"] for row in response.json()["items"]
    }
    assert attended == {ra["id"]: 2, rb["id"]: 1}


async def test_attendee_list_filters_by_status_and_numbers_the_waitlist(client, world):
    event = await world.create_event(client, capacity=1)
    people = await world.members(3)
    ids = [(await _register(client, event["slug"], p))["id"] for p in people]
    response = await client.get(
        f"/api/manage/events/{event['slug']}/registrations",
        params={"status": "waitlisted"},
        headers=auth(world.admin),
    )
    rows = response.json()["items"]
    assert [r["registration_id"] for r in rows] == ids[1:]
    assert [r["waitlist_position"] for r in rows] == [1, 2]
    assert {r["organization"] for r in rows} == {"City and County of Denver"}


async def test_attendee_list_pages_keep_true_waitlist_positions(client, world):
    event = await world.create_event(client, capacity=1)
    for person in await world.members(5):
        await _register(client, event["slug"], person)
    response = await client.get(
        f"/api/manage/events/{event['slug']}/registrations",
        params={"page": 2, "per_page": 2},
        headers=auth(world.admin),
    )
    page = response.json()
    assert (page["total"], page["page"], page["per_page"]) == (5, 2, 2)
    assert [row["waitlist_position"] for row in page["items"]] == [2, 3]


# --- CSV export -----------------------------------------------------------------------------


async def test_csv_export_has_a_row_per_registration_with_answer_columns(client, world):
    questions = [
        {"key": "dietary", "label": "Dietary needs"},
        {"key": "role", "label": "Role", "kind": "choice", "choices": ["Staff", "Official"]},
    ]
    event = await world.create_event(client, questions=questions)
    a = await world.member(name="Ada Lovelace")
    b = await world.member(name="Grace Hopper")
    await _register(client, event["slug"], a, {"dietary": "vegan", "role": "Staff"})
    await _register(client, event["slug"], b, {"role": "Official"})

    response = await client.get(
        f"/api/manage/events/{event['slug']}/registrations.csv", headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    header, data = rows[0], rows[1:]
    assert header[:2] == ["registration_id", "name"]
    assert header[-2:] == ["dietary", "role"]
    assert len(data) == 2
    by_name = {row[header.index("name")]: dict(zip(header, row, strict=True)) for row in data}
    assert by_name["Ada Lovelace"]["dietary"] == "vegan"
    assert by_name["Ada Lovelace"]["role"] == "Staff"
    assert by_name["Grace Hopper"]["dietary"] == ""
    assert by_name["Grace Hopper"]["role"] == "Official"
    assert by_name["Ada Lovelace"]["email"] == a.email
    assert by_name["Ada Lovelace"]["status"] == "confirmed"


async def test_csv_export_defuses_formula_names(client, world):
    event = await world.create_event(client, questions=[{"key": "note", "label": "Anything else?"}])
    person = await world.member(name='=HYPERLINK("http://evil.example","x")')
    await _register(client, event["slug"], person, {"note": "@SUM(A1:A9)"})
    response = await client.get(
        f"/api/manage/events/{event['slug']}/registrations.csv", headers=auth(world.admin)
    )
    header, row = list(csv.reader(io.StringIO(response.text)))
    values = dict(zip(header, row, strict=True))
    assert values["name"] == "'" + '=HYPERLINK("http://evil.example","x")'
    assert values["note"] == "'@SUM(A1:A9)"


async def test_csv_export_is_forbidden_outside_own_region(client, world):
    event = await _connective_event(client, world)
    response = await client.get(
        f"/api/manage/events/{event['slug']}/registrations.csv",
        headers=auth(world.colorado_organizer),
    )
    _assert_problem(response, 403, "forbidden")


# --- members and their tokens ---------------------------------------------------------------


async def test_admin_creates_member_recognised_by_email_domain(client, world):
    response = await client.post(
        "/api/manage/members",
        json={"name": "Pat Doe", "email": "Pat.Doe@DenverGov.test"},
        headers=auth(world.admin),
    )
    assert response.status_code == 201, response.text
    member = response.json()
    assert member["email"] == "pat.doe@denvergov.test"
    assert member["organization"] == "City and County of Denver"
    assert member["organization_kind"] == "city"


async def test_member_from_a_subdomain_belongs_to_the_parent_organization(client, world):
    response = await client.post(
        "/api/manage/members",
        json={"name": "Sub Domain", "email": "it@dept.phoenix.test"},
        headers=auth(world.admin),
    )
    assert response.json()["organization"] == "City of Phoenix"


async def test_member_with_an_unknown_domain_has_no_organization(client, world):
    response = await client.post(
        "/api/manage/members",
        json={"name": "Nobody", "email": "nobody@elsewhere.test"},
        headers=auth(world.admin),
    )
    assert response.status_code == 201, response.text
    assert response.json()["organization"] is None


async def test_duplicate_member_email_is_a_conflict(client, world):
    body = {"name": "Twin", "email": "twin@denvergov.test"}
    await client.post("/api/manage/members", json=body, headers=auth(world.admin))
    response = await client.post("/api/manage/members", json=body, headers=auth(world.admin))
    _assert_problem(response, 409, "conflict", "email_taken")


async def test_issued_member_token_works_on_me(client, world):
    created = await client.post(
        "/api/manage/members",
        json={"name": "Token Holder", "email": "holder@phoenix.test"},
        headers=auth(world.admin),
    )
    member_id = created.json()["id"]
    issued = await client.post(
        f"/api/manage/members/{member_id}/tokens",
        json={"label": "laptop"},
        headers=auth(world.admin),
    )
    assert issued.status_code == 201, issued.text
    assert issued.json()["label"] == "laptop"
    token = issued.json()["token"]
    assert token.startswith("cvm_")
    me = await client.get("/api/me", headers=auth(token))
    assert me.status_code == 200, me.text
    assert me.json()["id"] == member_id
    assert me.json()["organization"] == "City of Phoenix"
    as_organizer = await client.get("/api/manage/events", headers=auth(token))
    _assert_problem(as_organizer, 401, "not_authenticated")


async def test_token_for_unknown_member_is_not_found(client, world):
    response = await client.post(
        "/api/manage/members/999999/tokens", json={}, headers=auth(world.admin)
    )
    _assert_problem(response, 404, "not_found")


async def test_region_organizer_cannot_create_members_or_issue_tokens(client, world):
    headers = auth(world.colorado_organizer)
    created = await client.post(
        "/api/manage/members", json={"name": "X", "email": "x@denvergov.test"}, headers=headers
    )
    _assert_problem(created, 403, "forbidden")
    person = await world.member()
    issued = await client.post(f"/api/manage/members/{person.id}/tokens", json={}, headers=headers)
    _assert_problem(issued, 403, "forbidden")
    staff = await client.post(
        f"/api/manage/members/{person.id}/tokens", json={}, headers=auth(world.checkin_staff)
    )
    _assert_problem(staff, 403, "forbidden")


async def test_csv_export_defuses_formula_emails(client, world):
    event = await world.create_event(client)
    created = await client.post(
        "/api/manage/members",
        json={"name": "Sneaky", "email": "=1+1@denvergov.test"},
        headers=auth(world.admin),
    )
    assert created.status_code == 201, created.text
    issued = await client.post(
        f"/api/manage/members/{created.json()['id']}/tokens", json={}, headers=auth(world.admin)
    )
    registered = await client.post(
        f"/api/events/{event['slug']}/registration", headers=auth(issued.json()["token"])
    )
    assert registered.status_code == 201, registered.text
    response = await client.get(
        f"/api/manage/events/{event['slug']}/registrations.csv", headers=auth(world.admin)
    )
    header, row = list(csv.reader(io.StringIO(response.text)))
    assert dict(zip(header, row, strict=True))["email"] == "'=1+1@denvergov.test"


async def test_values_the_database_cannot_store_are_4xx_and_write_nothing(client, world):
    event = await world.create_event(client)
    session_id = event["sessions"][0]["id"]
    too_long = await client.patch(
        f"/api/manage/sessions/{session_id}",
        json={"location_name": "x" * 201},
        headers=auth(world.admin),
    )
    assert too_long.status_code == 400, too_long.text
    # A NUL character: refused on the way in (events.text), whatever the database.
    nul = await client.post(
        "/api/manage/events",
        json={
            "slug": "nul-title",
            "title": "Broken\x00title",
            "kind": "workshop",
            "timezone": "America/Denver",
            "regions": ["colorado"],
        },
        headers=auth(world.admin),
    )
    assert nul.status_code == 422, nul.text
    assert nul.json()["code"] == "invalid_value"
    assert await fetch("SELECT id FROM event WHERE slug = 'nul-title'") == []
