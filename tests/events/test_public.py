"""The public API: the event catalogue, regions, topics, errors, schema and health."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

from tests.support.clock import days_from_today
from tests.support.world import auth

PROBLEM_JSON = "application/problem+json"


def _at(days: int) -> datetime:
    return days_from_today(days)


def _sessions(*days: float, hours: int = 2) -> list[dict]:
    return [
        {
            "title": f"Session {n}",
            "starts_at": _at(day).isoformat(),
            "ends_at": (_at(day) + timedelta(hours=hours)).isoformat(),
        }
        for n, day in enumerate(days, start=1)
    ]


async def _slugs(client, **params) -> list[str]:
    response = await client.get("/api/events", params=params)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


@pytest.fixture
async def catalogue(client, world) -> dict[str, dict]:
    """Four published events that differ in region, topic, kind, date and title, and a draft."""
    events = {
        "denver": await world.create_event(
            client,
            slug="denver-cyber",
            title="Denver Cyber Defense",
            kind="workshop",
            regions=["colorado"],
            topics=["cybersecurity"],
            sessions=_sessions(5),
        ),
        "phoenix": await world.create_event(
            client,
            slug="phoenix-transit",
            title="Phoenix Transit Webinar",
            kind="webinar",
            regions=["the-connective"],
            topics=["transportation"],
            venue=None,
            online_url="https://meet.example/transit",
            sessions=_sessions(15),
        ),
        "summit": await world.create_event(
            client,
            slug="joint-summit",
            title="Joint Resilience Summit",
            kind="conference",
            regions=["colorado", "the-connective"],
            topics=["resilience", "environment"],
            sessions=_sessions(30, 31),
        ),
        "national": await world.create_event(
            client,
            slug="national-track",
            title="National Connectivity Track",
            kind="training_track",
            regions=["national"],
            topics=["connectivity"],
            summary="Broadband for every county",
            sessions=_sessions(45, 52, 59),
        ),
    }
    await world.create_event(client, slug="hidden-draft", title="Denver Draft", publish=False)
    return events


# --- list filters ---------------------------------------------------------------------------


async def test_list_shows_published_events_in_date_order(client, catalogue):
    assert await _slugs(client) == [
        "denver-cyber",
        "phoenix-transit",
        "joint-summit",
        "national-track",
    ]


async def test_list_filters_by_region(client, catalogue):
    assert await _slugs(client, region="colorado") == ["denver-cyber", "joint-summit"]
    assert await _slugs(client, region="the-connective") == ["phoenix-transit", "joint-summit"]
    assert await _slugs(client, region="atlantis") == []


async def test_list_filters_by_topic(client, catalogue):
    assert await _slugs(client, topic="environment") == ["joint-summit"]
    assert await _slugs(client, topic="cybersecurity") == ["denver-cyber"]


async def test_list_filters_by_kind(client, catalogue):
    assert await _slugs(client, kind="webinar") == ["phoenix-transit"]
    assert await _slugs(client, kind="training_track") == ["national-track"]


async def test_list_refuses_unknown_kind(client, catalogue):
    response = await client.get("/api/events", params={"kind": "party"})
    assert response.status_code == 400
    assert response.json()["code"] == "validation_failed"


async def test_list_filters_by_date_window(client, catalogue):
    assert await _slugs(client, **{"from": _at(10).isoformat()}) == [
        "phoenix-transit",
        "joint-summit",
        "national-track",
    ]
    assert await _slugs(client, to=_at(20).isoformat()) == ["denver-cyber", "phoenix-transit"]
    window = {"from": _at(10).isoformat(), "to": _at(40).isoformat()}
    assert await _slugs(client, **window) == ["phoenix-transit", "joint-summit"]


async def test_date_window_compares_instants_not_local_clock_times(client, catalogue):
    start = datetime.fromisoformat(catalogue["denver"]["starts_at"])
    # An hour into the 2-hour event, written in Denver's offset: the event is still on.
    during = (start + timedelta(hours=1)).astimezone(timezone(timedelta(hours=-7)))
    assert "denver-cyber" in await _slugs(client, **{"from": during.isoformat()})
    # An hour after it ended, written in Tokyo's offset: it is over.
    after = (start + timedelta(hours=3)).astimezone(timezone(timedelta(hours=9)))
    assert "denver-cyber" not in await _slugs(client, **{"from": after.isoformat()})
    # "to" just after it starts, in Denver's offset, includes it.
    assert "denver-cyber" in await _slugs(client, to=during.isoformat())


async def test_list_filters_by_text_in_title_or_summary(client, catalogue):
    assert await _slugs(client, q="transit") == ["phoenix-transit"]
    assert await _slugs(client, q="DENVER") == ["denver-cyber"]  # not the draft
    assert await _slugs(client, q="broadband") == ["national-track"]
    assert await _slugs(client, q="nothing like this") == []


async def test_list_combines_filters(client, catalogue):
    assert await _slugs(client, region="colorado", kind="conference") == ["joint-summit"]
    assert await _slugs(client, region="colorado", topic="transportation") == []


async def test_list_paginates(client, catalogue):
    first = (await client.get("/api/events", params={"per_page": 3})).json()
    second = (await client.get("/api/events", params={"per_page": 3, "page": 2})).json()
    assert (first["total"], first["page"], first["per_page"]) == (4, 1, 3)
    assert (second["total"], second["page"], second["per_page"]) == (4, 2, 3)
    assert [e["slug"] for e in first["items"]] == [
        "denver-cyber",
        "phoenix-transit",
        "joint-summit",
    ]
    assert [e["slug"] for e in second["items"]] == ["national-track"]
    beyond = (await client.get("/api/events", params={"per_page": 3, "page": 3})).json()
    assert beyond["items"] == [] and beyond["total"] == 4


async def test_filtered_total_counts_only_matches(client, catalogue):
    page = (await client.get("/api/events", params={"region": "colorado", "per_page": 1})).json()
    assert page["total"] == 2
    assert len(page["items"]) == 1


@pytest.mark.parametrize("params", [{"per_page": 0}, {"per_page": 1000}, {"page": 0}])
async def test_list_refuses_out_of_range_paging(client, params):
    response = await client.get("/api/events", params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["code"] == "validation_failed"


async def test_list_summaries_describe_each_event(client, world, catalogue):
    items = {e["slug"]: e for e in (await client.get("/api/events")).json()["items"]}
    summit = items["joint-summit"]
    assert summit["regions"] == ["colorado", "the-connective"]
    assert summit["topics"] == ["environment", "resilience"]
    assert summit["kind"] == "conference"
    assert summit["online"] is False
    assert summit["venue_name"] == "City Hall"
    assert summit["registration_open"] is True
    assert summit["url"].endswith("/events/joint-summit")
    assert items["phoenix-transit"]["online"] is True
    assert "online_url" not in items["phoenix-transit"]


async def test_cancelled_event_stays_listed_as_cancelled(client, world, catalogue):

    await client.post("/api/manage/events/denver-cyber/cancel", headers=auth(world.admin))
    items = {e["slug"]: e for e in (await client.get("/api/events")).json()["items"]}
    assert items["denver-cyber"]["status"] == "cancelled"
    assert items["denver-cyber"]["registration_open"] is False


# --- detail ---------------------------------------------------------------------------------


async def test_detail_has_sessions_seats_regions_and_topics(client, world, server):
    event = await world.create_event(
        client,
        slug="full-house",
        capacity=2,
        regions=["colorado", "national"],
        topics=["resilience", "connectivity"],
        sessions=_sessions(7, 8),
    )
    people = await world.members(3)
    for person in people:
        await client.post("/api/events/full-house/registration", headers=person.headers)

    response = await client.get("/api/events/full-house")
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["slug"] == event["slug"]
    assert [s["title"] for s in detail["sessions"]] == ["Session 1", "Session 2"]
    assert all(s["status"] == "scheduled" and s["revision"] == 0 for s in detail["sessions"])
    assert detail["capacity"] == 2
    assert detail["seats_taken"] == 2
    assert detail["seats_left"] == 0
    assert detail["waitlist_length"] == 1
    assert [r["slug"] for r in detail["regions"]] == ["colorado", "national"]
    colorado = detail["regions"][0]
    assert colorado == {
        "slug": "colorado",
        "name": "Colorado Smart Cities Alliance",
        "timezone": "America/Denver",
        "is_national": False,
        "calendar": {
            "ics": f"{server}/calendar/regions/colorado.ics",
            "webcal": f"webcal://{server.split('://')[1]}/calendar/regions/colorado.ics",
            "google": None,
            "outlook": None,
            "outlook_office": None,
        },
    }
    assert detail["regions"][1]["is_national"] is True
    assert [t["slug"] for t in detail["topics"]] == ["connectivity", "resilience"]
    assert detail["starts_at"] == detail["sessions"][0]["starts_at"]
    assert detail["ends_at"] == detail["sessions"][1]["ends_at"]
    assert detail["online_url"] is None


async def test_detail_of_unlimited_event_has_no_seat_limit(client, world):
    await world.create_event(client, slug="open-door")
    detail = (await client.get("/api/events/open-door")).json()
    assert detail["capacity"] is None
    assert detail["seats_left"] is None
    assert detail["waitlist_length"] == 0


async def test_detail_never_reveals_the_join_link(client, world):
    link = "https://meet.example/very-secret"
    await world.create_event(
        client, slug="online-only", kind="webinar", venue=None, online_url=link
    )
    response = await client.get("/api/events/online-only")
    detail = response.json()
    assert detail["online"] is True
    assert detail.get("online_url") is None
    assert link not in response.text


async def test_unknown_event_is_a_problem_document(client, world):
    response = await client.get("/api/events/no-such-event")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    assert problem["type"] == "urn:convene:problem:not_found"
    assert problem["title"] == "Not found"
    assert problem["status"] == 404
    assert "no-such-event" in problem["detail"]
    assert problem["code"] == "not_found"
    assert problem["instance"] == "/api/events/no-such-event"


async def test_unknown_route_is_a_problem_document(client):
    response = await client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    assert response.json()["code"] == "not_found"


# --- regions, topics, schema, health --------------------------------------------------------


async def test_regions_are_listed_with_their_time_zones(client, world):
    response = await client.get("/api/regions")
    assert response.status_code == 200
    regions = {r["slug"]: r for r in response.json()}
    assert set(regions) == {"colorado", "the-connective", "national"}
    assert regions["the-connective"]["timezone"] == "America/Phoenix"
    assert regions["national"]["is_national"] is True
    assert regions["colorado"]["is_national"] is False


async def test_topics_are_listed(client, world):
    response = await client.get("/api/topics")
    assert response.status_code == 200
    assert sorted(t["slug"] for t in response.json()) == [
        "connectivity",
        "cybersecurity",
        "environment",
        "resilience",
        "transportation",
    ]
    assert all(t["name"] for t in response.json())


async def test_openapi_document_lists_the_api(client):
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Convene"
    paths = document["paths"]
    assert "get" in paths["/api/events"]
    assert "/api/events/{slug}" in paths
    assert "/api/manage/events" in paths
    parameters = {p["name"] for p in paths["/api/events"]["get"]["parameters"]}
    assert {"region", "topic", "kind", "from", "to", "q", "page", "per_page"} <= parameters


async def test_health_reports_database_and_broker(client):
    response = await client.get("/health")
    assert response.status_code == 200
    expected_broker = "redis" if os.environ.get("REDIS_URL") else "in-process"
    redis = True if os.environ.get("REDIS_URL") else None
    assert response.json() == {
        "status": "ok",
        "database": True,
        "redis": redis,
        "broker": expected_broker,
    }


async def test_text_search_treats_wildcards_literally(client, world):
    await world.create_event(client, title="Cyber_Security Basics")
    await world.create_event(client, title="Cybersecurity Advanced")
    found = (await client.get("/api/events", params={"q": "cyber_sec"})).json()
    assert [item["title"] for item in found["items"]] == ["Cyber_Security Basics"]


async def test_a_draft_cancelled_before_publishing_never_becomes_public(client, world):
    draft = await world.create_event(client, publish=False)
    await client.post(f"/api/manage/events/{draft['slug']}/cancel", headers=auth(world.admin))
    assert (await client.get(f"/api/events/{draft['slug']}")).status_code == 404
    listed = (await client.get("/api/events")).json()["items"]
    assert draft["slug"] not in {item["slug"] for item in listed}
    assert (await client.get(f"/calendar/events/{draft['slug']}.ics")).status_code == 404


async def test_the_first_region_given_hosts_the_event(client, world):
    event = await world.create_event(client, regions=["the-connective", "colorado"])
    detail = (await client.get(f"/api/events/{event['slug']}")).json()
    assert [region["slug"] for region in detail["regions"]] == ["the-connective", "colorado"]
