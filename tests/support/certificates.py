"""Helpers for the certificate tests: events with sessions, check-ins, rules, jobs, PDFs."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import httpx
from pypdf import PdfReader

from events.db import fetch, fetch_one
from tests.support.polling import eventually
from tests.support.world import Person, World, auth

# Certificates count only sessions that have ended, and check-in opens shortly before a
# session starts: the events these tests certify were held days ago (days, not minutes, so
# no test is near a boundary), recent enough for the bot to still look them up. Their
# registration stays open after the event, so members can register as before.
START = (datetime.now(UTC) - timedelta(days=10)).replace(hour=15, minute=0, second=0, microsecond=0)
REGISTRATION_CLOSES = (START + timedelta(days=40)).isoformat()


def session(title: str, hours: float, day: int = 0, required: bool = False) -> dict:
    """A session on the ``day``-th day of the event (days ago), ``hours`` long."""
    starts = START + timedelta(days=day)
    return {
        "title": title,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=round(hours * 60))).isoformat(),
        "required": required,
    }


async def held_event(client: httpx.AsyncClient, world: World, **fields) -> dict:
    """A published event whose sessions (one of 3 hours unless told) are over."""
    return await world.create_event(
        client,
        **{
            "sessions": [session("Main", 3)],
            "registration_closes_at": REGISTRATION_CLOSES,
            **fields,
        },
    )


def session_ids(event: dict) -> dict[str, int]:
    return {s["title"]: s["id"] for s in event["sessions"]}


async def event_id(event: dict) -> int:
    row = await fetch_one("SELECT id FROM event WHERE slug = {}", event["slug"])
    assert row is not None
    return row["id"]


async def set_rule(
    event: dict, *, min_sessions: int = 1, min_hours: float | None = None, credit: str = "fixed"
) -> None:
    """The certificate rule has no API yet: write the row."""
    await fetch(
        "INSERT INTO certificate_rule (event, min_sessions, min_hours, credit, enabled) "
        "VALUES ({}, {}, {}, {}, {})",
        await event_id(event),
        min_sessions,
        min_hours,
        credit,
        True,
    )


async def register(client: httpx.AsyncClient, event: dict, person: Person) -> int:
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "confirmed"
    return response.json()["id"]


async def check_in(
    client: httpx.AsyncClient, world: World, session_id: int, *registration_ids: int
) -> None:
    response = await client.post(
        f"/api/manage/sessions/{session_id}/attendance",
        json={"registration_ids": list(registration_ids)},
        headers=auth(world.admin),
    )
    assert response.status_code == 200, response.text


async def issue_one(client: httpx.AsyncClient, registration_id: int, token: str) -> httpx.Response:
    return await client.post(
        f"/api/manage/registrations/{registration_id}/certificate", headers=auth(token)
    )


async def attended_certificate(
    client: httpx.AsyncClient, world: World, *, name: str | None = None, **event_fields
) -> tuple[dict, Person, int, dict]:
    """An event, a member checked in to its first session, and their certificate (as JSON)."""
    event = await held_event(client, world, **event_fields)
    person = await world.member(name=name)
    registration_id = await register(client, event, person)
    await check_in(client, world, event["sessions"][0]["id"], registration_id)
    response = await issue_one(client, registration_id, world.admin)
    assert response.status_code == 200, response.text
    return event, person, registration_id, response.json()


async def wait_for_job(
    client: httpx.AsyncClient, job: dict, token: str, timeout: float = 60.0
) -> dict:
    """Poll a bulk-issue job until it has finished (done or failed)."""
    latest: dict = {}

    async def finished() -> bool:
        response = await client.get(
            f"/api/manage/certificate-jobs/{job['id']}", headers=auth(token)
        )
        assert response.status_code == 200, response.text
        latest.update(response.json())
        return latest["status"] in ("done", "failed")

    assert await eventually(finished, timeout=timeout, interval=0.2), latest
    assert latest["status"] == "done", latest
    return latest


async def bulk_issue(client: httpx.AsyncClient, event: dict, token: str) -> dict:
    response = await client.post(
        f"/api/manage/events/{event['slug']}/certificates", headers=auth(token)
    )
    assert response.status_code == 202, response.text
    return await wait_for_job(client, response.json(), token)


def certificate_dir() -> Path:
    """Where the server keeps PDFs: <CONVENE_DATA_DIR>/certificates (set by conftest)."""
    return Path(os.environ["CONVENE_DATA_DIR"]) / "certificates"


def raw_code(code: str) -> str:
    return code.replace("-", "")


def pdf_reader(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-"), pdf[:40]
    return PdfReader(BytesIO(pdf))


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pdf_reader(pdf).pages)
