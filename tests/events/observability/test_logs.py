"""Structured logs: JSON lines, a request id on each request's lines and in its answer, and
no personal data in what requests log (events.observability)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import httpx
import pytest

from tests.support.failing_app import FAILURE_PATH
from tests.support.polling import eventually
from tests.support.servers import app_server

LOG = Path(os.environ["CONVENE_DATA_DIR"]) / "observed-server.log"
GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def observed(database_url):
    """A server of its own that logs at INFO into a file, with one route that fails."""
    with app_server(
        log=LOG, factory="tests.support.failing_app:create_app", LOG_LEVEL="INFO"
    ) as base:
        yield base


def _lines() -> list[dict]:
    """Every line the server wrote, each a JSON object (else json.loads fails the test)."""
    return [json.loads(line) for line in LOG.read_text().splitlines() if line.strip()]


async def _logged(**fields) -> list[dict]:
    """The lines holding all of ``fields``, once the log writer has written them."""

    async def matching():
        return [line for line in _lines() if fields.items() <= line.items()]

    return await eventually(matching)


async def test_a_request_gets_an_id_that_its_log_line_carries(observed):
    async with httpx.AsyncClient(base_url=observed) as client:
        response = await client.get("/api/events")

    request_id = response.headers["X-Request-ID"]
    assert GENERATED_ID.fullmatch(request_id)
    [line] = await _logged(logger="convene.access", request_id=request_id)
    assert line["message"] == "request"
    assert (line["method"], line["route"], line["status"]) == ("GET", "/api/events", 200)
    assert line["level"] == "info" and "timestamp" in line and "duration_ms" in line


async def test_a_sane_incoming_request_id_is_kept_and_others_replaced(observed):
    async with httpx.AsyncClient(base_url=observed) as client:
        kept = await client.get("/api/events", headers={"X-Request-ID": "lb-7f3a.2:x_y"})
        replaced = [
            (await client.get("/api/events", headers={"X-Request-ID": value})).headers[
                "X-Request-ID"
            ]
            for value in ("two words", "x" * 129, "<script>", "a@b.test")
        ]

    assert kept.headers["X-Request-ID"] == "lb-7f3a.2:x_y"
    await _logged(logger="convene.access", request_id="lb-7f3a.2:x_y")
    assert all(GENERATED_ID.fullmatch(value) for value in replaced)


async def test_unmatched_paths_get_an_id_and_one_route_name(observed):
    async with httpx.AsyncClient(base_url=observed) as client:
        response = await client.get("/no/such/page/secret-in-a-path")

    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    [line] = await _logged(logger="convene.access", request_id=request_id)
    assert (line["route"], line["status"]) == ("<unmatched>", 404)
    assert "secret-in-a-path" not in LOG.read_text()


async def test_an_error_answers_and_logs_its_request_id(observed):
    async with httpx.AsyncClient(base_url=observed) as client:
        response = await client.get("/test/failure/s3cret-token-in-path")

    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    body = response.json()
    assert (body["code"], body["request_id"]) == ("internal_error", request_id)
    [error] = await _logged(logger="convene.errors", request_id=request_id)
    assert error["level"] == "error"
    assert "RuntimeError: a bug in a handler" in error["exception"]
    route = FAILURE_PATH.replace(":str", "")  # the route's template, as Litestar writes it
    assert error["message"] == f"unhandled error on GET {route}"
    [access] = await _logged(logger="convene.access", request_id=request_id)
    assert (access["route"], access["status"]) == (route, 500)
    assert "s3cret-token-in-path" not in LOG.read_text()


async def test_requests_log_no_addresses_or_tokens(observed, world):
    async with httpx.AsyncClient(base_url=observed) as client:
        event = await world.create_event(client)
        member = await world.member()
        registered = await client.post(
            f"/api/events/{event['slug']}/registration", headers=member.headers
        )
        feed = (await client.get("/api/me/calendar/", headers=member.headers)).json()
        fetched = await client.get(feed["url"])
        searched = await client.get("/api/events", params={"q": member.email})
        confirm = await client.get("/registrations/confirm/not-a-real-confirmation-token")

    assert registered.status_code == 201 and fetched.status_code == 200
    assert searched.status_code == 200 and confirm.status_code in (404, 410)
    for response in (registered, fetched, searched, confirm):
        await _logged(logger="convene.access", request_id=response.headers["X-Request-ID"])
    text = LOG.read_text()
    feed_token = feed["url"].rstrip("/").rsplit("/", 1)[-1].removesuffix(".ics")
    for secret in (member.email, member.token, feed_token, "not-a-real-confirmation-token"):
        assert secret not in text
