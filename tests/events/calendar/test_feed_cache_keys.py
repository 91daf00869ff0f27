"""Item 11.8: every feed has its own cache entry, keyed by all that shapes its output.

A region's feed and all.ics filtered by that region select the same events but are
different calendars (name, description, URL, zone), and an unknown region's feed is a 404
whatever all.ics was asked before it.
"""

from __future__ import annotations

from tests.support.feeds import get_feed, read_feed

REGION = "/calendar/regions/colorado.ics"
FILTERED = "/calendar/all.ics?region=colorado"


async def _both(client, parse_ics, first: str, second: str) -> dict[str, dict]:
    calendars = {path: await read_feed(client, parse_ics, path) for path in (first, second)}
    return calendars


def _assert_their_own(calendars: dict[str, dict], server: str, titles: set[str]) -> None:
    region, filtered = calendars[REGION], calendars[FILTERED]
    assert region["name"] == region["x_wr_calname"] == "Colorado Smart Cities Alliance"
    assert region["description"] == "Events of Colorado Smart Cities Alliance."
    assert region["url"] == f"{server}/regions/colorado"
    assert region["x_wr_timezone"] == "America/Denver"
    assert filtered["name"] == filtered["x_wr_calname"] == "NSCP events (region: colorado)"
    assert filtered["description"] == "Events of the National Smart Coalitions Partnership."
    assert filtered["url"] == f"{server}/events"
    assert filtered["x_wr_timezone"] is None
    for calendar in (region, filtered):
        assert {event["summary"].split(":")[0] for event in calendar["events"]} == titles


async def test_a_region_feed_and_all_ics_for_that_region_never_share_a_name(
    client, world, parse_ics, server
):
    first = await world.create_event(client, title="Curb Data")
    # The filtered feed first: it used to name the region's feed as well.
    _assert_their_own(await _both(client, parse_ics, FILTERED, REGION), server, {"Curb Data"})
    # A change rebuilds both; now the region's feed first.
    await world.create_event(client, title="Signal Timing")
    _assert_their_own(
        await _both(client, parse_ics, REGION, FILTERED), server, {"Curb Data", "Signal Timing"}
    )
    assert first["slug"]


async def test_an_unknown_region_stays_404_after_all_ics_was_asked_for_it(client, world):
    await world.create_event(client)
    for method in ("GET", "HEAD"):
        filtered = await client.request(
            method, "/calendar/all.ics?region=atlantis", headers={"accept-encoding": "identity"}
        )
        assert filtered.status_code == 200
        region = await client.request(
            method, "/calendar/regions/atlantis.ics", headers={"accept-encoding": "identity"}
        )
        assert region.status_code == 404, method
    assert (
        (await get_feed(client, "/calendar/regions/atlantis.ics"))
        .headers["content-type"]
        .startswith("application/problem+json")
    )
