"""Request bodies, through the real server: whatever a client sends, the answer is a 4xx
problem, never a 500; JSON types are strict; text is cleaned or refused on the way in
(events.bodies, events.text)."""

from __future__ import annotations

import httpx
import pytest

from events.db import fetch, fetch_one
from tests.events.web.test_console import console, csrf_of
from tests.support.world import auth

PROBLEM_JSON = "application/problem+json"
DEEP_ARRAYS = b"[" * 1000 + b"]" * 1000  # 2 kB
DEEP_OBJECTS = b'{"a":' * 1000 + b"1" + b"}" * 1000
# Every route that reads a JSON body: (method, path); {slug} and ids are filled in below.
JSON_ROUTES = [
    ("POST", "/api/events/{slug}/registration"),
    ("POST", "/api/manage/events"),
    ("PATCH", "/api/manage/events/{slug}"),
    ("POST", "/api/manage/events/{slug}/sessions"),
    ("PATCH", "/api/manage/sessions/{session}"),
    ("POST", "/api/manage/sessions/{session}/attendance"),
    ("POST", "/api/manage/members"),
    ("POST", "/api/manage/members/1/tokens"),
    ("PUT", "/api/manage/events/{slug}/certificate-rule"),
    ("POST", "/api/manage/certificates/abc/revoke"),
    ("POST", "/api/manage/certificates/abc/reissue"),
    ("POST", "/api/manage/faq"),
    ("PATCH", "/api/manage/faq/1"),
]
UNDECODABLE = {
    "deep arrays": DEEP_ARRAYS,
    "deep objects": DEEP_OBJECTS,
    "invalid UTF-8": b'{"answers": {"a": "\xff\xfe"}}',
    "lone surrogate": b'{"title": "\\ud800"}',
    "truncated": b'{"title": ',
    "not JSON": b"title=hello",
}


def _assert_problem(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == code, body
    return body


@pytest.mark.parametrize("name", list(UNDECODABLE))
async def test_an_undecodable_json_body_is_a_400_on_every_route(client, world, name):
    event = await world.create_event(client)
    fill = {"slug": event["slug"], "session": event["sessions"][0]["id"]}
    member = await world.member()
    for method, template in JSON_ROUTES:
        path = template.format(**fill)
        token = member.token if path.startswith("/api/events") else world.admin
        for headers in ({}, auth(token)):  # without a token too: the body is read first
            response = await client.request(
                method,
                path,
                content=UNDECODABLE[name],
                headers={"Content-Type": "application/json", **headers},
            )
            assert response.status_code in (400, 401), (method, path, response.text)
            if response.status_code == 400:
                _assert_problem(response, 400, "malformed_body")


async def test_deep_json_is_refused_before_authentication(client, world):
    response = await client.post(
        "/api/manage/events", content=DEEP_ARRAYS, headers={"Content-Type": "application/json"}
    )
    body = _assert_problem(response, 400, "malformed_body")
    assert "Traceback" not in response.text and body["status"] == 400


@pytest.mark.parametrize(
    "field, value",
    [("capacity", "10"), ("members_only", "true"), ("credit_hours", "1.5"), ("capacity", 10.0)],
)
async def test_json_types_are_strict(client, world, field, value):
    event = await world.create_event(client)
    response = await client.patch(
        f"/api/manage/events/{event['slug']}", json={field: value}, headers=auth(world.admin)
    )
    body = _assert_problem(response, 400, "validation_failed")
    [error] = body["errors"]
    assert error["key"] == field and error["source"] == "body"
    assert "got `str`" in error["message"] or "got `float`" in error["message"]


async def test_strings_for_ids_are_refused_in_lists_too(client, world):
    event = await world.create_event(client)
    response = await client.post(
        f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance",
        json={"registration_ids": ["1"]},
        headers=auth(world.admin),
    )
    body = _assert_problem(response, 400, "validation_failed")
    assert body["errors"][0]["key"] == "registration_ids[0]"


async def test_huge_numbers_are_refused_not_crashed_on(client, world):
    event = await world.create_event(client)
    for value in (b"1" + b"0" * 5000, b"1e999", b"-1e999"):
        response = await client.patch(
            f"/api/manage/events/{event['slug']}",
            content=b'{"credit_hours": ' + value + b"}",
            headers={"Content-Type": "application/json", **auth(world.admin)},
        )
        assert response.status_code in (400, 422), response.text


QUESTIONS = [{"key": "diet", "label": "Dietary needs", "kind": "text"}]


@pytest.mark.parametrize(
    "answers",
    [{"diet": "none\x00"}, {"diet\x00": "none"}, {"diet": "\x00"}],
    ids=["value", "key", "only"],
)
async def test_nul_in_registration_answers_is_invalid_value(client, world, answers):
    event = await world.create_event(client, questions=QUESTIONS)
    member = await world.member()
    response = await client.post(
        f"/api/events/{event['slug']}/registration",
        json={"answers": answers},
        headers=member.headers,
    )
    _assert_problem(response, 422, "invalid_value")
    assert await fetch("SELECT id FROM registration WHERE member = {}", member.id) == []


async def test_nul_in_question_labels_and_nested_values_is_invalid_value(client, world):
    event = await world.create_event(client)
    for questions in (
        [{"key": "diet", "label": "Diet\x00"}],
        [{"key": "diet", "label": "Diet", "kind": "choice", "choices": ["a", "b\x00"]}],
    ):
        response = await client.patch(
            f"/api/manage/events/{event['slug']}",
            json={"questions": questions},
            headers=auth(world.admin),
        )
        _assert_problem(response, 422, "invalid_value")
    row = await fetch_one("SELECT questions FROM event WHERE slug = {}", event["slug"])
    assert "\\u0000" not in str(row["questions"]) and "\x00" not in str(row["questions"])


async def test_pasted_control_characters_are_cleaned_and_line_breaks_kept(client, world):
    event = await world.create_event(client, questions=QUESTIONS)
    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={
            "title": "Signals\x0bfor\x07all\x7f\x85",
            "description": "Line one\nLine\ttwo\r\n\x0cpage two",
        },
        headers=auth(world.admin),
    )
    assert response.status_code == 200, response.text
    changed = response.json()
    assert changed["title"] == "Signals for all  "
    assert changed["description"] == "Line one\nLine\ttwo\r\n page two"
    member = await world.member()
    registered = await client.post(
        f"/api/events/{event['slug']}/registration",
        json={"answers": {"diet": "vegan\x0b, no nuts"}},
        headers=member.headers,
    )
    assert registered.status_code == 201, registered.text
    assert registered.json()["answers"] == {"diet": "vegan , no nuts"}


async def test_an_unreadable_multipart_form_is_a_400_not_a_500(client, world):
    event = await world.create_event(client)
    body = b"--x\r\nContent-Disposition: form-data; name=email\r\n\r\n\xff\r\n--x--\r\n"
    charset = (
        b"--x\r\nContent-Disposition: form-data; name=email\r\n"
        b"Content-Type: text/plain; charset=no-such-charset\r\n\r\nhi\r\n--x--\r\n"
    )
    for path in ("/console/login", f"/events/{event['slug']}/register"):
        for content in (body, charset):
            response = await client.post(
                path, content=content, headers={"Content-Type": "multipart/form-data; boundary=x"}
            )
            assert response.status_code == 400, (path, response.text)


async def test_console_forms_refuse_nul_and_clean_pasted_controls(client, world):
    from tests.events.web.test_console_events import DENVER_NEW_EVENT, NEW

    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(NEW)
        nul = {**DENVER_NEW_EVENT, "title": "Nul\x00 Byte", "csrf": csrf_of(page.text)}
        refused = await browser.post(NEW, data=nul)
        assert refused.status_code == 422, refused.text
        pasted = {**nul, "title": "Pasted\x0bfrom\x07Word"}
        assert (await browser.post(NEW, data=pasted)).status_code == 303
    assert await fetch("SELECT id FROM event WHERE slug = 'nul-byte'") == []
    row = await fetch_one("SELECT title FROM event WHERE slug = 'pasted-from-word'")
    assert row is not None and row["title"] == "Pasted from Word"


async def test_schema_limits_are_the_columns_limits(client, world):
    """credit_hours is NUMERIC(5, 2): 999.99 is stored as sent, 1000 is refused up front
    (it used to pass the schema and fail in PostgreSQL); question lists as in the console."""
    event = await world.create_event(client)
    url = f"/api/manage/events/{event['slug']}"
    headers = auth(world.admin)
    too_many = await client.patch(url, json={"credit_hours": 1000}, headers=headers)
    assert _assert_problem(too_many, 400, "validation_failed")["errors"][0]["key"] == (
        "credit_hours"
    )
    most = await client.patch(url, json={"credit_hours": 999.99}, headers=headers)
    assert most.status_code == 200 and most.json()["credit_hours"] == 999.99, most.text
    question = {"key": "q", "label": "Q", "kind": "choice", "choices": ["a"]}
    for questions in (
        [{**question, "key": f"q{n}"} for n in range(21)],
        [{**question, "choices": ["c" * 301]}],
        [{**question, "choices": [str(n) for n in range(51)]}],
        [{**question, "label": "l" * 301}],
    ):
        refused = await client.patch(url, json={"questions": questions}, headers=headers)
        _assert_problem(refused, 400, "validation_failed")


async def test_ids_past_64_bits_are_4xx_on_every_route(client, world):
    """An id no column can hold (2**70) in any integer path parameter: refused, never a 500
    (SQLite's driver raised OverflowError where PostgreSQL's raises a DataError)."""
    document = (await client.get("/schema/openapi.json")).json()
    tried = 0
    for path, operations in document["paths"].items():
        integer_params = {
            parameter["name"]
            for operation in operations.values()
            for parameter in operation.get("parameters", [])
            if parameter["in"] == "path" and parameter["schema"].get("type") == "integer"
        }
        if not integer_params:
            continue
        url = path
        for name in integer_params:
            url = url.replace("{" + name + "}", str(2**70))
        url = url.replace("{slug}", "no-such-event").replace("{code}", "NOSUCHCODE")
        for method in operations:
            response = await client.request(method.upper(), url, json={}, headers=auth(world.admin))
            assert 400 <= response.status_code < 500, (method, url, response.text)
            tried += 1
    assert tried >= 8
