"""The personal feed (/calendar/me/{token}.ics) and its link (/api/me/calendar), via ical.js."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from events.db import fetch
from tests.support.clock import days_from_today
from tests.support.feeds import by_summary, get_feed, path_of, read_feed
from tests.support.world import auth

JOIN_URL = "https://meet.example.test/j/room-8412?pwd=abc"


def _sessions(*titles: str, days: int = 14) -> list[dict]:
    start = days_from_today(days)
    return [
        {
            "title": title,
            "starts_at": (start + timedelta(days=n)).isoformat(),
            "ends_at": (start + timedelta(days=n, hours=2)).isoformat(),
        }
        for n, title in enumerate(titles)
    ]


async def _register(client, event: dict, person) -> dict:
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code in (200, 201), response.text
    return response.json()


async def _link(client, person) -> dict:
    response = await client.get("/api/me/calendar", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _feed(client, parse_ics, person) -> dict:
    return await read_feed(client, parse_ics, path_of((await _link(client, person))["url"]))


async def test_the_link_is_created_once_and_points_at_this_server(client, world, server):
    person = await world.member()
    first, second = await _link(client, person), await _link(client, person)
    assert first == second
    assert first["url"].startswith(f"{server}/calendar/me/") and first["url"].endswith(".ics")
    assert first["webcal"] == "webcal://" + first["url"].split("://", 1)[1]
    token = first["url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert len(token) == 43  # 256 bits, base64url
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert (await client.get("/api/me/calendar")).status_code == 401
    response = await get_feed(client, path_of(first["url"]))
    assert response.status_code == 200
    assert response.headers["cache-control"].startswith("private")


async def test_confirmed_online_registration_shows_the_join_url(client, world, parse_ics):
    event = await world.create_event(
        client,
        title="Cyber Drill",
        kind="webinar",
        venue=None,
        online_url=JOIN_URL,
        sessions=_sessions("Part 1", "Part 2"),
    )
    person = await world.member()
    assert (await _register(client, event, person))["status"] == "confirmed"

    calendar = await _feed(client, parse_ics, person)
    assert calendar["name"] == calendar["x_wr_calname"] == "My NSCP events"
    assert calendar["refresh_interval"] == {"value": "PT6H", "type": "duration"}
    assert calendar["x_published_ttl"] == "PT6H" and calendar["description"] and calendar["url"]
    assert len(calendar["events"]) == 2
    for read in calendar["events"]:
        assert read["status"] == "CONFIRMED"
        assert f"Join online: {JOIN_URL}" in read["description"]
        assert read["location"] == JOIN_URL
        assert read["has_attendee"] is False
    # The same sessions in the public feed: no join URL.
    public = (await get_feed(client, f"/calendar/events/{event['slug']}.ics")).text
    assert JOIN_URL not in public and "room-8412" not in public


async def test_an_in_person_registration_has_no_join_url(client, world, parse_ics):
    event = await world.create_event(client, sessions=_sessions("Main"))
    person = await world.member()
    await _register(client, event, person)
    [read] = (await _feed(client, parse_ics, person))["events"]
    assert read["status"] == "CONFIRMED"
    assert "Join online" not in read["description"]
    assert read["location"] == "City Hall, 1437 Bannock St, Denver, CO"


async def test_waitlisted_registrations_are_tentative_with_their_position(client, world, parse_ics):
    event = await world.create_event(
        client,
        title="Small Room",
        capacity=1,
        venue=None,
        online_url=JOIN_URL,
        sessions=_sessions("Only"),
    )
    holder, first, second = await world.members(3)
    for person in (holder, first, second):
        await _register(client, event, person)

    [held] = (await _feed(client, parse_ics, holder))["events"]
    [one] = (await _feed(client, parse_ics, first))["events"]
    [two] = (await _feed(client, parse_ics, second))["events"]
    assert held["status"] == "CONFIRMED" and JOIN_URL in held["description"]
    assert one["status"] == two["status"] == "TENTATIVE"
    assert "number 1 on the waitlist" in one["description"]
    assert "number 2 on the waitlist" in two["description"]
    for read in (one, two):
        assert JOIN_URL not in read["description"] and read["location"] == "Online"

    # The holder leaves: the head of the waitlist is promoted and gets the join URL.
    response = await client.delete(
        f"/api/events/{event['slug']}/registration", headers=holder.headers
    )
    assert response.status_code == 200
    assert (await _feed(client, parse_ics, holder))["events"] == []
    [promoted] = (await _feed(client, parse_ics, first))["events"]
    [moved_up] = (await _feed(client, parse_ics, second))["events"]
    assert promoted["status"] == "CONFIRMED"
    assert f"Join online: {JOIN_URL}" in promoted["description"]
    assert promoted["uid"] == one["uid"]
    assert moved_up["status"] == "TENTATIVE"
    assert "number 1 on the waitlist" in moved_up["description"]


async def test_pending_registrations_are_tentative(client, world, parse_ics):
    event = await world.create_event(
        client, approval_required=True, venue=None, online_url=JOIN_URL, sessions=_sessions("A")
    )
    person = await world.member()
    assert (await _register(client, event, person))["status"] == "pending"
    [read] = (await _feed(client, parse_ics, person))["events"]
    assert read["status"] == "TENTATIVE"
    assert "awaiting an organizer's approval" in read["description"]
    assert JOIN_URL not in read["description"]


async def test_a_member_sees_only_their_own_registrations(client, world, parse_ics):
    mine = await world.create_event(client, title="Mine", sessions=_sessions("A", "B"))
    theirs = await world.create_event(
        client, title="Theirs", venue=None, online_url=JOIN_URL, sessions=_sessions("C")
    )
    await world.create_event(client, title="Nobody's", sessions=_sessions("D"))
    me = await world.member(name="Ada Example")
    other = await world.member(name="Grace Example")
    await _register(client, mine, me)
    await _register(client, theirs, other)

    my_feed = (await get_feed(client, path_of((await _link(client, me))["url"]))).text
    their_feed = (await get_feed(client, path_of((await _link(client, other))["url"]))).text
    assert set(by_summary(parse_ics(my_feed))) == {"Mine: A", "Mine: B"}
    assert set(by_summary(parse_ics(their_feed))) == {"Theirs: C"}
    assert JOIN_URL not in my_feed and "Theirs" not in my_feed
    for feed in (my_feed, their_feed):
        assert "Ada Example" not in feed and "Grace Example" not in feed
        assert me.email not in feed and other.email not in feed
        assert "ATTENDEE" not in feed.upper()


async def test_a_member_with_no_registrations_gets_a_valid_empty_calendar(client, world, parse_ics):
    await world.create_event(client)
    person = await world.member()
    response = await get_feed(client, path_of((await _link(client, person))["url"]))
    assert response.status_code == 200
    calendar = parse_ics(response.content)
    assert calendar["events"] == []
    assert calendar["components"] == ["vtimezone"]  # a calendar needs one component
    assert calendar["name"] == "My NSCP events"


async def test_cancelled_registrations_leave_the_feed(client, world, parse_ics):
    event = await world.create_event(client, sessions=_sessions("Main"))
    person = await world.member()
    await _register(client, event, person)
    assert len((await _feed(client, parse_ics, person))["events"]) == 1
    await client.delete(f"/api/events/{event['slug']}/registration", headers=person.headers)
    assert (await _feed(client, parse_ics, person))["events"] == []


async def test_session_changes_reach_the_personal_feed(client, world, parse_ics):
    event = await world.create_event(client, sessions=_sessions("Day 1", "Day 2"))
    ids = {session["title"]: session["id"] for session in event["sessions"]}
    person = await world.member()
    await _register(client, event, person)
    before = by_summary(await _feed(client, parse_ics, person))

    new_start = days_from_today(40)
    admin = auth(world.admin)
    response = await client.patch(
        f"/api/manage/sessions/{ids['Day 1']}",
        json={
            "starts_at": new_start.isoformat(),
            "ends_at": (new_start + timedelta(hours=1)).isoformat(),
        },
        headers=admin,
    )
    assert response.status_code == 200
    response = await client.post(f"/api/manage/sessions/{ids['Day 2']}/cancel", headers=admin)
    assert response.status_code == 200

    after = by_summary(await _feed(client, parse_ics, person))
    day1, day2 = after[f"{event['title']}: Day 1"], after[f"{event['title']}: Day 2"]
    old1, old2 = before[f"{event['title']}: Day 1"], before[f"{event['title']}: Day 2"]
    assert day1["uid"] == old1["uid"] and day1["sequence"] > old1["sequence"]
    assert datetime.fromisoformat(day1["start"]) == new_start
    assert day1["status"] == "CONFIRMED"
    assert day2["uid"] == old2["uid"] and day2["sequence"] > old2["sequence"]
    assert day2["status"] == "CANCELLED"

    # 31 days after the cancellation the session has left the personal feed too.
    await fetch(
        "UPDATE event_session SET cancelled_at = {} WHERE id = {}",
        datetime.now(UTC) - timedelta(days=31),
        ids["Day 2"],
    )
    assert set(by_summary(await _feed(client, parse_ics, person))) == {f"{event['title']}: Day 1"}


async def test_a_cancelled_event_stays_in_the_personal_feed_as_cancelled(client, world, parse_ics):
    event = await world.create_event(client, sessions=_sessions("A", "B"))
    person = await world.member()
    await _register(client, event, person)
    response = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )
    assert response.status_code == 200
    calendar = await _feed(client, parse_ics, person)
    assert [read["status"] for read in calendar["events"]] == ["CANCELLED", "CANCELLED"]
    assert all(read["sequence"] == 1 for read in calendar["events"])


async def test_rotating_the_link_retires_the_old_one(client, world, parse_ics):
    event = await world.create_event(client, sessions=_sessions("Main"))
    person = await world.member()
    await _register(client, event, person)
    old = await _link(client, person)

    response = await client.post("/api/me/calendar/rotate", headers=person.headers)
    assert response.status_code == 200
    new = response.json()
    assert new["url"] != old["url"]
    assert (await get_feed(client, path_of(old["url"]))).status_code == 404
    assert len((await read_feed(client, parse_ics, path_of(new["url"])))["events"]) == 1
    assert await _link(client, person) == new


async def test_a_revoked_link_answers_404_and_a_new_one_can_be_made(client, world, parse_ics):
    person = await world.member()
    old = await _link(client, person)
    response = await client.delete("/api/me/calendar", headers=person.headers)
    assert response.status_code in (200, 204)
    assert (await get_feed(client, path_of(old["url"]))).status_code == 404
    fresh = await _link(client, person)
    assert fresh["url"] != old["url"]
    assert (await get_feed(client, path_of(fresh["url"]))).status_code == 200
    assert (await get_feed(client, path_of(old["url"]))).status_code == 404


async def test_made_up_tokens_answer_404(client, world):
    person = await world.member()
    real = (await _link(client, person))["url"].rsplit("/", 1)[1].removesuffix(".ics")
    flipped = real[:-1] + ("A" if real[-1] != "A" else "B")
    for token in (
        secrets.token_urlsafe(32),
        flipped,
        real[:-1],
        real + "A",
        "x",
        "",
        real.upper() if real.upper() != real else real.lower(),
    ):
        response = await get_feed(client, f"/calendar/me/{token}.ics")
        assert response.status_code == 404, token
        assert "calendar" not in response.headers.get("content-type", "")
    assert (await get_feed(client, f"/calendar/me/{real}")).status_code == 404  # no .ics


async def test_another_members_token_is_not_mine_after_rotation(client, world, parse_ics):
    """Each member's link is their own: rotating one leaves the other working."""
    event = await world.create_event(client, sessions=_sessions("Main"))
    a, b = await world.members(2)
    await _register(client, event, a)
    link_a, link_b = await _link(client, a), await _link(client, b)
    assert link_a["url"] != link_b["url"]
    await client.post("/api/me/calendar/rotate", headers=a.headers)
    response = await get_feed(client, path_of(link_b["url"]))
    assert response.status_code == 200
    assert parse_ics(response.content)["events"] == []


async def test_a_cancelled_online_event_gives_no_join_link(client, world, parse_ics):
    """The join link is for a seat at an event that takes place (as in the API)."""
    event = await world.create_event(
        client, kind="webinar", venue=None, online_url=JOIN_URL, sessions=_sessions("A")
    )
    person = await world.member()
    await _register(client, event, person)
    response = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )
    assert response.status_code == 200
    [read] = (await _feed(client, parse_ics, person))["events"]
    assert read["status"] == "CANCELLED"
    assert JOIN_URL not in read["description"] and read["location"] != JOIN_URL
