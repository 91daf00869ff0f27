"""The organizers' FAQ and questions API (/api/manage/faq, /api/manage/questions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot import faq
from events.db import fetch, fetch_one
from tests.support.world import auth

PROBLEM_JSON = "application/problem+json"
FAQ = "/api/manage/faq"
QUESTIONS = "/api/manage/questions"


def _assert_problem(response, status: int, code: str, reason: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["status"] == status
    assert body["code"] == code
    if reason is not None:
        assert body["reason"] == reason
    return body


def _entry(scope: str, question: str = "Is there parking?", answer: str = "Yes.", **owner):
    return {"scope": scope, "question": question, "answer": answer, **owner}


async def _create(client, token: str, body: dict) -> dict:
    response = await client.post(FAQ, json=body, headers=auth(token))
    assert response.status_code == 201, response.text
    return response.json()


async def _list(client, token: str, **params) -> dict:
    response = await client.get(FAQ, params=params, headers=auth(token))
    assert response.status_code == 200, response.text
    return response.json()


async def _event_id(slug: str) -> int:
    row = await fetch_one("SELECT id FROM event WHERE slug = {}", slug)
    assert row is not None
    return row["id"]


async def _count_entries() -> int:
    row = await fetch_one("SELECT COUNT(*) AS n FROM faq_entry")
    return row["n"]


# --- creating, per scope --------------------------------------------------------------------


async def test_admin_adds_an_entry_of_each_scope(client, world):
    event = await world.create_event(client)
    for_event = await _create(client, world.admin, _entry("event", event=event["slug"]))
    for_region = await _create(client, world.admin, _entry("region", region="the-connective"))
    for_all = await _create(client, world.admin, _entry("coalition", answer="  Trimmed.  "))

    assert (for_event["scope"], for_event["event"], for_event["region"]) == (
        "event",
        event["slug"],
        None,
    )
    assert (for_region["scope"], for_region["event"], for_region["region"]) == (
        "region",
        None,
        "the-connective",
    )
    assert (for_all["scope"], for_all["event"], for_all["region"]) == ("coalition", None, None)
    assert for_all["answer"] == "Trimmed."
    assert for_all["created_by"].startswith("organizer:")
    assert datetime.fromisoformat(for_all["created_at"]) <= datetime.now(UTC)
    assert len({for_event["id"], for_region["id"], for_all["id"]}) == 3


async def test_region_organizer_adds_entries_for_their_events_and_region(client, world):
    event = await world.create_event(client)  # Colorado
    token = world.colorado_organizer
    created = await _create(client, token, _entry("event", event=event["slug"]))
    assert created["event"] == event["slug"]
    created = await _create(client, token, _entry("region", region="colorado"))
    assert created["region"] == "colorado"


async def test_an_event_of_two_regions_is_curated_by_both(client, world):
    event = await world.create_event(client, regions=["colorado", "the-connective"])
    await _create(client, world.connective_organizer, _entry("event", event=event["slug"]))
    await _create(client, world.colorado_organizer, _entry("event", event=event["slug"]))


# --- who may curate -------------------------------------------------------------------------


async def test_organizers_are_confined_to_their_regions(client, world):
    colorado_event = await world.create_event(client)
    phoenix = auth(world.connective_organizer)
    response = await client.post(
        FAQ, json=_entry("event", event=colorado_event["slug"]), headers=phoenix
    )
    _assert_problem(response, 403, "forbidden")
    response = await client.post(FAQ, json=_entry("region", region="colorado"), headers=phoenix)
    _assert_problem(response, 403, "forbidden")
    response = await client.post(FAQ, json=_entry("region", region="national"), headers=phoenix)
    _assert_problem(response, 403, "forbidden")
    assert await _count_entries() == 0


async def test_only_admins_add_coalition_entries(client, world):
    for token in (world.colorado_organizer, world.connective_organizer):
        response = await client.post(FAQ, json=_entry("coalition"), headers=auth(token))
        _assert_problem(response, 403, "forbidden")
    assert await _count_entries() == 0


async def test_checkin_staff_cannot_curate_or_triage(client, world):
    event = await world.create_event(client)  # Colorado, the staff's region
    entry = await _create(client, world.admin, _entry("event", event=event["slug"]))
    staff = auth(world.checkin_staff)
    for body in (_entry("event", event=event["slug"]), _entry("region", region="colorado")):
        _assert_problem(await client.post(FAQ, json=body, headers=staff), 403, "forbidden")
    response = await client.patch(f"{FAQ}/{entry['id']}", json={"answer": "No"}, headers=staff)
    _assert_problem(response, 403, "forbidden")
    _assert_problem(await client.delete(f"{FAQ}/{entry['id']}", headers=staff), 403, "forbidden")
    _assert_problem(await client.get(FAQ, headers=staff), 403, "forbidden")
    _assert_problem(await client.get(QUESTIONS, headers=staff), 403, "forbidden")
    assert await _count_entries() == 1


async def test_every_route_needs_an_organizer_token(client, world):
    entry = await _create(client, world.admin, _entry("coalition"))
    member = await world.member()
    calls = [
        ("GET", FAQ, None),
        ("POST", FAQ, _entry("coalition")),
        ("PATCH", f"{FAQ}/{entry['id']}", {"answer": "Changed"}),
        ("DELETE", f"{FAQ}/{entry['id']}", None),
        ("GET", QUESTIONS, None),
    ]
    for headers in ({}, member.headers, auth("cvo_not-a-token")):
        for method, url, body in calls:
            response = await client.request(method, url, json=body, headers=headers)
            _assert_problem(response, 401, "not_authenticated")
    listed = await _list(client, world.admin)
    assert [(e["id"], e["answer"]) for e in listed["items"]] == [(entry["id"], "Yes.")]


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"question": ""}, "empty_question"),
        ({"question": "   \n "}, "empty_question"),
        ({"answer": ""}, "empty_answer"),
        ({"event": "no-such-event"}, "unknown_event"),
        ({"event": None}, "missing_event"),
        ({"region": "colorado"}, "unexpected_region"),
    ],
)
async def test_create_refuses_invalid_entries(client, world, fields, reason):
    event = await world.create_event(client)
    body = {**_entry("event", event=event["slug"]), **fields}
    response = await client.post(FAQ, json=body, headers=auth(world.admin))
    _assert_problem(response, 422, "invalid_input", reason)
    assert await _count_entries() == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (_entry("region", region="atlantis"), "unknown_region"),
        (_entry("region"), "missing_region"),
        (_entry("coalition", event="some-event"), "unexpected_event"),
        (_entry("coalition", region="colorado"), "unexpected_region"),
    ],
)
async def test_create_refuses_entries_owned_wrongly(client, world, body, reason):
    response = await client.post(FAQ, json=body, headers=auth(world.admin))
    _assert_problem(response, 422, "invalid_input", reason)


@pytest.mark.parametrize(
    "body",
    [
        _entry("galaxy"),  # no such scope
        _entry("coalition", question="x" * 501),
        _entry("coalition", answer="x" * 4001),
        {**_entry("coalition"), "colour": "teal"},  # unknown field
        {"scope": "coalition", "question": "Where?"},  # no answer
        _entry("event", event="Not A Slug!"),
        ["not", "an", "object"],
    ],
)
async def test_create_refuses_malformed_bodies(client, world, body):
    response = await client.post(FAQ, json=body, headers=auth(world.admin))
    _assert_problem(response, 400, "validation_failed")
    assert await _count_entries() == 0


async def test_the_longest_entry_allowed_is_kept_whole(client, world):
    body = _entry("coalition", question="q" * 500, answer="a" * 4000)
    created = await _create(client, world.admin, body)
    assert (len(created["question"]), len(created["answer"])) == (500, 4000)


async def test_malformed_queries_are_refused(client, world):
    admin = auth(world.admin)
    for url, params in [
        (FAQ, {"scope": "galaxy"}),
        (FAQ, {"per_page": 0}),
        (FAQ, {"page": "first"}),
        (QUESTIONS, {"status": "lost"}),
        (QUESTIONS, {"per_page": 101}),
    ]:
        response = await client.get(url, params=params, headers=admin)
        _assert_problem(response, 400, "validation_failed")
    for method, url in [("PATCH", f"{FAQ}/abc"), ("DELETE", f"{FAQ}/1.5"), ("GET", f"{FAQ}/1")]:
        response = await client.request(method, url, json={}, headers=admin)
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith(PROBLEM_JSON)
    response = await client.patch(f"{FAQ}/1", content=b"{not json", headers=admin)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith(PROBLEM_JSON)


# --- listing --------------------------------------------------------------------------------


async def _a_bit_of_everything(client, world) -> dict[str, dict]:
    colorado_event = await world.create_event(client)
    phoenix_event = await world.create_event(client, regions=["the-connective"])
    shared_event = await world.create_event(client, regions=["colorado", "the-connective"])
    admin = world.admin
    return {
        "colorado_event": await _create(
            client, admin, _entry("event", event=colorado_event["slug"])
        ),
        "phoenix_event": await _create(client, admin, _entry("event", event=phoenix_event["slug"])),
        "shared_event": await _create(client, admin, _entry("event", event=shared_event["slug"])),
        "colorado": await _create(client, admin, _entry("region", region="colorado")),
        "connective": await _create(client, admin, _entry("region", region="the-connective")),
        "national": await _create(client, admin, _entry("region", region="national")),
        "coalition": await _create(client, admin, _entry("coalition")),
    }


def _ids(page: dict) -> set[int]:
    return {entry["id"] for entry in page["items"]}


async def test_organizers_list_the_coalitions_entries_and_their_regions(client, world):
    entries = await _a_bit_of_everything(client, world)
    by = {name: entry["id"] for name, entry in entries.items()}

    everything = await _list(client, world.admin, per_page=100)
    assert _ids(everything) == set(by.values())
    assert everything["total"] == 7

    colorado = await _list(client, world.colorado_organizer)
    assert _ids(colorado) == {
        by["colorado_event"],
        by["shared_event"],
        by["colorado"],
        by["coalition"],
    }
    assert colorado["total"] == 4

    phoenix = await _list(client, world.connective_organizer)
    assert _ids(phoenix) == {
        by["phoenix_event"],
        by["shared_event"],
        by["connective"],
        by["coalition"],
    }


async def test_the_list_filters_by_scope_event_and_region(client, world):
    entries = await _a_bit_of_everything(client, world)
    by = {name: entry["id"] for name, entry in entries.items()}
    admin, colorado = world.admin, world.colorado_organizer

    regions = await _list(client, admin, scope="region")
    assert _ids(regions) == {by["colorado"], by["connective"], by["national"]}
    assert _ids(await _list(client, colorado, scope="region")) == {by["colorado"]}
    assert _ids(await _list(client, colorado, scope="coalition")) == {by["coalition"]}

    shared = entries["shared_event"]["event"]
    assert _ids(await _list(client, colorado, event=shared)) == {by["shared_event"]}
    phoenix_slug = entries["phoenix_event"]["event"]
    assert (await _list(client, colorado, event=phoenix_slug))["items"] == []  # not theirs
    assert _ids(await _list(client, admin, event=phoenix_slug)) == {by["phoenix_event"]}

    assert _ids(await _list(client, admin, region="the-connective")) == {by["connective"]}
    assert _ids(await _list(client, colorado, region="the-connective")) == set()
    assert (await _list(client, admin, region="atlantis"))["total"] == 0
    assert (await _list(client, admin, scope="event", event=shared))["total"] == 1


async def test_the_list_is_paginated(client, world):
    created = [
        (await _create(client, world.admin, _entry("coalition", question=f"Question {n}?")))["id"]
        for n in range(5)
    ]
    first = await _list(client, world.admin, per_page=2)
    second = await _list(client, world.admin, per_page=2, page=2)
    third = await _list(client, world.admin, per_page=2, page=3)
    assert (first["total"], first["page"], first["per_page"]) == (5, 1, 2)
    pages = [[e["id"] for e in page["items"]] for page in (first, second, third)]
    assert pages == [created[0:2], created[2:4], created[4:]]
    assert (await _list(client, world.admin, per_page=2, page=4))["items"] == []


# --- changing and removing ------------------------------------------------------------------


async def test_update_rewords_an_entry(client, world):
    event = await world.create_event(client)
    entry = await _create(client, world.admin, _entry("event", event=event["slug"]))
    headers = auth(world.colorado_organizer)
    url = f"{FAQ}/{entry['id']}"

    response = await client.patch(url, json={"answer": "  Garage on 14th.  "}, headers=headers)
    assert response.status_code == 200, response.text
    changed = response.json()
    assert (changed["question"], changed["answer"]) == (entry["question"], "Garage on 14th.")
    assert (changed["id"], changed["scope"], changed["event"]) == (
        entry["id"],
        "event",
        event["slug"],
    )

    response = await client.patch(url, json={"question": "Where to park?"}, headers=headers)
    assert response.json()["question"] == "Where to park?"
    assert response.json()["answer"] == "Garage on 14th."

    response = await client.patch(url, json={}, headers=headers)  # nothing to change
    assert response.status_code == 200, response.text
    assert response.json() == {**changed, "question": "Where to park?"}

    response = await client.patch(url, json={"question": " "}, headers=headers)
    _assert_problem(response, 422, "invalid_input", "empty_question")
    response = await client.patch(url, json={"scope": "coalition"}, headers=headers)
    _assert_problem(response, 400, "validation_failed")
    listed = await _list(client, world.admin)
    assert listed["items"][0]["question"] == "Where to park?"


async def test_update_and_delete_need_the_same_right_as_create(client, world):
    event = await world.create_event(client)
    entries = {
        "event": await _create(client, world.admin, _entry("event", event=event["slug"])),
        "region": await _create(client, world.admin, _entry("region", region="colorado")),
        "coalition": await _create(client, world.admin, _entry("coalition")),
    }
    phoenix, colorado = auth(world.connective_organizer), auth(world.colorado_organizer)
    for entry in entries.values():
        url = f"{FAQ}/{entry['id']}"
        response = await client.patch(url, json={"answer": "Hijacked"}, headers=phoenix)
        _assert_problem(response, 403, "forbidden")
        _assert_problem(await client.delete(url, headers=phoenix), 403, "forbidden")
    url = f"{FAQ}/{entries['coalition']['id']}"
    response = await client.patch(url, json={"answer": "Hijacked"}, headers=colorado)
    _assert_problem(response, 403, "forbidden")
    _assert_problem(await client.delete(url, headers=colorado), 403, "forbidden")
    assert {e["answer"] for e in (await _list(client, world.admin))["items"]} == {"Yes."}

    for name in ("event", "region"):
        response = await client.delete(f"{FAQ}/{entries[name]['id']}", headers=colorado)
        assert response.status_code == 204, response.text
    response = await client.delete(url, headers=auth(world.admin))
    assert response.status_code == 204, response.text
    assert await _count_entries() == 0


async def test_a_missing_entry_is_not_found(client, world):
    entry = await _create(client, world.admin, _entry("coalition"))
    url = f"{FAQ}/{entry['id']}"
    assert (await client.delete(url, headers=auth(world.admin))).status_code == 204
    for token in (world.admin, world.colorado_organizer):
        headers = auth(token)
        _assert_problem(await client.delete(url, headers=headers), 404, "not_found")
        response = await client.patch(url, json={"answer": "Back?"}, headers=headers)
        _assert_problem(response, 404, "not_found")
        response = await client.patch(f"{FAQ}/999999", json={}, headers=headers)
        _assert_problem(response, 404, "not_found")


async def test_entries_made_here_are_what_the_bot_finds(client, world):
    event = await world.create_event(client)
    event_id = await _event_id(event["slug"])
    colorado = world.region_ids["colorado"]
    entry = await _create(
        client,
        world.colorado_organizer,
        _entry(
            "event",
            event=event["slug"],
            question="Is there parking at City Hall?",
            answer="Yes: the garage on 14th Ave is free for attendees.",
        ),
    )
    hits = await faq.search("Is there parking at City Hall?", event_id=event_id, region_ids=[])
    assert [(h.entry_id, h.confidence) for h in hits] == [(entry["id"], 1.0)]
    assert hits[0].answer == "Yes: the garage on 14th Ave is free for attendees."
    assert await faq.search("parking at City Hall", event_id=None, region_ids=[colorado]) == []

    region_entry = await _create(
        client,
        world.colorado_organizer,
        _entry("region", region="colorado", question="Do I need a badge?", answer="At the door."),
    )
    hits = await faq.search("do i need a badge", event_id=None, region_ids=[colorado])
    assert [h.entry_id for h in hits] == [region_entry["id"]]

    url = f"{FAQ}/{entry['id']}"
    await client.patch(
        url, json={"question": "Where can I leave my bike?"}, headers=auth(world.admin)
    )
    hits = await faq.search("where can I leave my bike", event_id=event_id, region_ids=[])
    assert [h.entry_id for h in hits] == [entry["id"]]
    await client.delete(url, headers=auth(world.admin))
    assert await faq.search("where can I leave my bike", event_id=event_id, region_ids=[]) == []


# --- questions waiting for an answer --------------------------------------------------------


async def _question(
    event_id: int | None, text: str, status: str = "escalated", age: int = 0
) -> int:
    row = await fetch_one(
        "INSERT INTO question (team_id, channel_id, thread_ts, user_id, member, event, text, "
        "status, created_at) VALUES ('T1', 'C42', '1.1', 'U77', NULL, {}, {}, {}, {}) "
        "RETURNING id",
        event_id,
        text,
        status,
        datetime.now(UTC) - timedelta(minutes=age),
    )
    return row["id"]


async def test_pending_questions_are_confined_like_the_faq(client, world):
    colorado_event = await world.create_event(client)
    phoenix_event = await world.create_event(client, regions=["the-connective"])
    colorado_id, phoenix_id = (
        await _event_id(colorado_event["slug"]),
        await _event_id(phoenix_event["slug"]),
    )
    member = await world.member()
    older = await _question(colorado_id, "Is lunch served?", age=30)
    newer = await _question(colorado_id, "Can I bring a colleague?", age=5)
    phoenix = await _question(phoenix_id, "Is there shade?", age=20)
    nowhere = await _question(None, "Who runs the coalition?", age=10)
    resolved = await _question(colorado_id, "Wi-fi?", status="resolved", age=40)
    answered = await _question(None, "When?", status="answered", age=50)
    await fetch("UPDATE question SET member = {} WHERE id = {}", member.id, older)

    response = await client.get(QUESTIONS, headers=auth(world.colorado_organizer))
    assert response.status_code == 200, response.text
    page = response.json()
    assert [q["id"] for q in page["items"]] == [older, newer]  # oldest first
    assert page["total"] == 2
    first = page["items"][0]
    assert set(first) == {"id", "event", "text", "status", "asked_at", "channel_id", "user_id"}
    assert (first["event"], first["text"], first["status"]) == (
        colorado_event["slug"],
        "Is lunch served?",
        "escalated",
    )
    assert (first["channel_id"], first["user_id"]) == ("C42", "U77")
    assert member.email not in response.text

    page = (await client.get(QUESTIONS, headers=auth(world.connective_organizer))).json()
    assert [q["id"] for q in page["items"]] == [phoenix]

    page = (await client.get(QUESTIONS, headers=auth(world.admin))).json()
    assert [q["id"] for q in page["items"]] == [older, phoenix, nowhere, newer]
    assert page["items"][2]["event"] is None

    params = {"status": "resolved"}
    page = (
        await client.get(QUESTIONS, params=params, headers=auth(world.colorado_organizer))
    ).json()
    assert [q["id"] for q in page["items"]] == [resolved]
    params = {"status": "answered"}
    page = (
        await client.get(QUESTIONS, params=params, headers=auth(world.colorado_organizer))
    ).json()
    assert page["items"] == []  # about no event: admins only
    page = (await client.get(QUESTIONS, params=params, headers=auth(world.admin))).json()
    assert [q["id"] for q in page["items"]] == [answered]

    params = {"per_page": 1, "page": 2}
    page = (await client.get(QUESTIONS, params=params, headers=auth(world.admin))).json()
    assert ([q["id"] for q in page["items"]], page["total"]) == ([phoenix], 4)
