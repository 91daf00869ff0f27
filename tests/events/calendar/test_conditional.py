"""Conditional GET (ETag, Last-Modified, 304) and gzip on every feed kind."""

from __future__ import annotations

import asyncio
import gzip
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from tests.support.clock import days_from_today
from tests.support.feeds import get_feed, path_of
from tests.support.world import auth


def _sessions(*titles: str) -> list[dict]:
    start = days_from_today(14)
    return [
        {
            "title": title,
            "starts_at": (start + timedelta(days=n)).isoformat(),
            "ends_at": (start + timedelta(days=n, hours=2)).isoformat(),
        }
        for n, title in enumerate(titles)
    ]


async def _next_second() -> None:
    """HTTP dates have whole seconds: make the next change land in a later one."""
    await asyncio.sleep(1.05)


async def _feeds(client, world) -> tuple[dict, list[str]]:
    event = await world.create_event(client, sessions=_sessions("Main", "Second"))
    person = await world.member()
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code == 201
    link = (await client.get("/api/me/calendar", headers=person.headers)).json()
    paths = [
        f"/calendar/events/{event['slug']}.ics",
        "/calendar/all.ics",
        "/calendar/all.ics?region=colorado&topic=cybersecurity",
        "/calendar/regions/colorado.ics",
        path_of(link["url"]),
    ]
    return event, paths


async def _reschedule(client, world, event: dict) -> None:
    session = event["sessions"][0]
    start = datetime.fromisoformat(session["starts_at"]) + timedelta(hours=1)
    response = await client.patch(
        f"/api/manage/sessions/{session['id']}",
        json={"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=1)).isoformat()},
        headers=auth(world.admin),
    )
    assert response.status_code == 200, response.text


async def test_if_none_match_answers_304_with_no_body(client, world):
    _, paths = await _feeds(client, world)
    for path in paths:
        first = await get_feed(client, path)
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"'), "a strong ETag"
        assert first.headers["vary"] == "Accept-Encoding"
        for _ in range(2):
            again = await get_feed(client, path, if_none_match=etag)
            assert again.status_code == 304, path
            assert again.content == b""
            assert again.headers["etag"] == etag
        listed = await get_feed(client, path, if_none_match=f'"other", {etag}')
        assert listed.status_code == 304
        assert (await get_feed(client, path, if_none_match='"nope"')).status_code == 200


async def test_if_modified_since_answers_304(client, world):
    _, paths = await _feeds(client, world)
    for path in paths:
        first = await get_feed(client, path)
        last_modified = first.headers["last-modified"]
        assert last_modified.endswith(" GMT")
        assert parsedate_to_datetime(last_modified) <= datetime.now(UTC)
        again = await get_feed(client, path, if_modified_since=last_modified)
        assert again.status_code == 304, path
        assert again.content == b""
        older = parsedate_to_datetime(last_modified) - timedelta(seconds=1)
        stale = await get_feed(
            client, path, if_modified_since=older.strftime("%a, %d %b %Y %H:%M:%S GMT")
        )
        assert stale.status_code == 200
        garbled = await get_feed(client, path, if_modified_since="yesterday-ish")
        assert garbled.status_code == 200


async def test_a_change_makes_a_new_etag_and_the_next_conditional_request_200(client, world):
    event, paths = await _feeds(client, world)
    before = {path: await get_feed(client, path) for path in paths}
    await _next_second()
    await _reschedule(client, world, event)
    for path, old in before.items():
        etag_check = await get_feed(client, path, if_none_match=old.headers["etag"])
        assert etag_check.status_code == 200, path
        assert etag_check.headers["etag"] != old.headers["etag"]
        assert etag_check.content != old.content
        date_check = await get_feed(client, path, if_modified_since=old.headers["last-modified"])
        assert date_check.status_code == 200, path
        assert parsedate_to_datetime(date_check.headers["last-modified"]) > (
            parsedate_to_datetime(old.headers["last-modified"])
        )
        # And the new validators hold until the next change.
        assert (
            await get_feed(client, path, if_none_match=etag_check.headers["etag"])
        ).status_code == 304


async def test_gzip_is_its_own_representation(client, world):
    _, paths = await _feeds(client, world)
    for path in paths:
        plain = await get_feed(client, path)
        assert "content-encoding" not in plain.headers
        request = client.build_request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = await client.send(request, stream=True)
        try:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
        finally:
            await response.aclose()
        assert response.status_code == 200
        assert response.headers["content-encoding"] == "gzip"
        assert raw[:2] == b"\x1f\x8b"
        assert gzip.decompress(raw) == plain.content
        assert response.headers["etag"] != plain.headers["etag"]
        assert response.headers["vary"] == "Accept-Encoding"
        # httpx decodes it for us too.
        decoded = await get_feed(client, path, accept_encoding="gzip")
        assert decoded.content == plain.content
        # Each ETag validates only its own encoding.
        gz_etag = response.headers["etag"]
        assert (
            await get_feed(client, path, accept_encoding="gzip", if_none_match=gz_etag)
        ).status_code == 304
        assert (await get_feed(client, path, if_none_match=gz_etag)).status_code == 200
        assert (
            await get_feed(
                client, path, accept_encoding="gzip", if_none_match=plain.headers["etag"]
            )
        ).status_code == 200


async def test_personal_feed_changes_when_the_registration_changes(client, world, parse_ics):
    """A promotion from the waitlist changes the member's feed: no 304 for the old copy, and
    the VEVENT's LAST-MODIFIED moves so that clients apply the change."""
    event = await world.create_event(
        client,
        capacity=1,
        venue=None,
        online_url="https://meet.example.test/promoted",
        sessions=_sessions("Only"),
    )
    holder, waiting = await world.members(2)
    for person in (holder, waiting):
        await client.post(f"/api/events/{event['slug']}/registration", headers=person.headers)
    path = path_of((await client.get("/api/me/calendar", headers=waiting.headers)).json()["url"])
    before = await get_feed(client, path)
    [tentative] = parse_ics(before.content)["events"]
    assert tentative["status"] == "TENTATIVE"

    await _next_second()
    await client.delete(f"/api/events/{event['slug']}/registration", headers=holder.headers)

    after = await get_feed(client, path, if_modified_since=before.headers["last-modified"])
    assert after.status_code == 200
    [confirmed] = parse_ics(after.content)["events"]
    assert confirmed["status"] == "CONFIRMED"
    assert confirmed["last_modified"] > tentative["last_modified"]
    assert confirmed["dtstamp"] == confirmed["last_modified"]
    assert (await get_feed(client, path, if_none_match=before.headers["etag"])).status_code == 200


async def test_personal_feed_changes_when_a_registration_is_cancelled(client, world, parse_ics):
    first = await world.create_event(client, sessions=_sessions("Kept"))
    second = await world.create_event(client, sessions=_sessions("Dropped"))
    person = await world.member()
    for event in (first, second):
        await client.post(f"/api/events/{event['slug']}/registration", headers=person.headers)
    path = path_of((await client.get("/api/me/calendar", headers=person.headers)).json()["url"])
    before = await get_feed(client, path)
    assert len(parse_ics(before.content)["events"]) == 2

    await _next_second()
    await client.delete(f"/api/events/{second['slug']}/registration", headers=person.headers)

    after = await get_feed(client, path, if_modified_since=before.headers["last-modified"])
    assert after.status_code == 200
    assert [e["summary"] for e in parse_ics(after.content)["events"]] == [f"{first['title']}: Kept"]


async def test_a_waiter_moving_up_sees_a_new_last_modified(client, world, parse_ics):
    event = await world.create_event(client, capacity=1, sessions=_sessions("Only"))
    holder, first, second = await world.members(3)
    for person in (holder, first, second):
        await client.post(f"/api/events/{event['slug']}/registration", headers=person.headers)
    path = path_of((await client.get("/api/me/calendar", headers=second.headers)).json()["url"])
    before = await get_feed(client, path)
    [number_two] = parse_ics(before.content)["events"]
    assert "number 2 on the waitlist" in number_two["description"]

    await _next_second()
    await client.delete(f"/api/events/{event['slug']}/registration", headers=holder.headers)

    after = await get_feed(client, path, if_modified_since=before.headers["last-modified"])
    assert after.status_code == 200
    [number_one] = parse_ics(after.content)["events"]
    assert "number 1 on the waitlist" in number_one["description"]
    assert number_one["status"] == "TENTATIVE"
    assert number_one["last_modified"] > number_two["last_modified"]


async def test_a_weak_validator_matches_for_if_none_match(client, world):
    event = await world.create_event(client)
    path = f"/calendar/events/{event['slug']}.ics"
    etag = (await get_feed(client, path)).headers["etag"]
    again = await get_feed(client, path, **{"If-None-Match": f"W/{etag}"})
    assert again.status_code == 304


async def test_gzip_refused_with_q_zero_gets_identity(client, world):
    event = await world.create_event(client)
    response = await client.get(
        f"/calendar/events/{event['slug']}.ics", headers={"Accept-Encoding": "gzip;q=0"}
    )
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.content.startswith(b"BEGIN:VCALENDAR")


async def test_head_answers_the_headers_of_get_without_a_body(client, world):
    _, paths = await _feeds(client, world)
    for path in paths:
        full = await get_feed(client, path)
        head = await client.head(path, headers={"Accept-Encoding": "identity"})
        assert head.status_code == 200, path
        assert head.content == b""
        for name in ("etag", "content-type", "last-modified", "cache-control"):
            assert head.headers[name] == full.headers[name], (path, name)
    missing = await client.head("/calendar/events/no-such-event.ics")
    assert missing.status_code == 404 and missing.content == b""
