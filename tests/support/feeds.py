"""Helpers for the calendar feed tests: fetch a feed, read it with ical.js, compare instants."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx

IDENTITY = {"accept-encoding": "identity"}  # httpx asks for gzip unless told otherwise


async def get_feed(client: httpx.AsyncClient, path: str, **headers: str) -> httpx.Response:
    """GET a feed as the identity encoding (pass accept_encoding="gzip" to get gzip)."""
    sent = {**IDENTITY, **{k.replace("_", "-"): v for k, v in headers.items()}}
    return await client.get(path, headers=sent)


async def read_feed(
    client: httpx.AsyncClient, parse: Callable[[str | bytes], dict], path: str
) -> dict:
    """Fetch a feed that must exist and return what ical.js reads from it."""
    response = await get_feed(client, path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    return parse(response.content)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def instant(value: str | datetime) -> datetime:
    """An aware UTC datetime from an API string, an ical.js ISO string or a DB value."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert value.tzinfo is not None, f"naive time {value!r}"
    return value.astimezone(UTC)


def by_summary(calendar: dict) -> dict[str, dict]:
    events = {event["summary"]: event for event in calendar["events"]}
    assert len(events) == len(calendar["events"]), "summaries repeat"
    return events


def by_uid(calendar: dict) -> dict[str, dict]:
    events = {event["uid"]: event for event in calendar["events"]}
    assert len(events) == len(calendar["events"]), "UIDs repeat"
    return events


def session_ids(event: dict) -> dict[str, int]:
    """Session title -> id, from the API's event detail."""
    return {session["title"]: session["id"] for session in event["sessions"]}


def physical_lines(body: bytes) -> list[bytes]:
    assert body.endswith(b"\r\n"), "a calendar ends with CRLF"
    lines = body[:-2].split(b"\r\n")
    assert not any(b"\n" in line or b"\r" in line for line in lines), "bare CR or LF"
    return lines
