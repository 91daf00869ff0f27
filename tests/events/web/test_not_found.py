"""Addresses no route matches, through the real server: a page for people, problem+json for
programs (events.errors._not_found)."""

from __future__ import annotations

import pytest

from tests.events.web.test_pages import assert_accessible

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def _assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and body["status"] == status
    return body


@pytest.mark.parametrize("path", ["/nope", "/events/x/y/z", "/apiary", "/static/nope.html"])
async def test_a_browser_gets_the_page_not_found(client, path):
    response = await client.get(path, headers={"Accept": BROWSER})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Page not found</h1>" in response.text
    assert "Accept" in response.headers["vary"]
    assert_accessible(response.text)


@pytest.mark.parametrize(
    "accept",
    [None, "*/*", "application/json", "application/problem+json", "text/html;q=0.5, */*"],
)
async def test_programs_get_problem_json(client, accept):
    headers = {"Accept": accept} if accept else {}
    response = await client.get("/nope", headers=headers)
    body = _assert_problem(response, 404, "not_found")
    assert body["instance"] == "/nope"
    assert "Accept" in response.headers["vary"]  # the same address answers browsers in HTML


# (/schema/<anything> is a route: Litestar's OpenAPI controller answers its own 404 there.)
@pytest.mark.parametrize("path", ["/api/nope", "/api/events/x/y", "/slack/nope", "/calendar/x.ics"])
async def test_machine_paths_answer_json_even_to_browsers(client, path):
    _assert_problem(await client.get(path, headers={"Accept": BROWSER}), 404, "not_found")


async def test_an_unknown_event_in_the_api_stays_problem_json(client, world):
    response = await client.get("/api/events/no-such", headers={"Accept": BROWSER})
    _assert_problem(response, 404, "not_found")


async def test_a_wrong_method_is_a_405_with_its_reason(client):
    response = await client.post("/events", headers={"Accept": BROWSER})
    _assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]
    api = await client.delete("/api/events", headers={"Accept": "application/json"})
    _assert_problem(api, 405, "method_not_allowed")
