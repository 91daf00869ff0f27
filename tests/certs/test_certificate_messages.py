"""Every certificate's holder hears of it exactly once, even when the worker issuing it
dies between writing the certificates and their messages (issue 14, B1): certificates
and their "certificate issued" messages commit together, and a sweep derives the message
of any certificate an older version left without one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from certs import issuing, messages
from certs.eligibility import Verdict
from events.db import fetch, fetch_one
from events.services import notifications
from tests.support.certificates import (
    bulk_issue,
    check_in,
    event_id,
    held_event,
    issue_one,
    register,
)
from tests.support.mailbox import mail, sending_from_tests
from tests.support.polling import eventually

SUBJECT = "Your certificate"


class WorkerDied(Exception):
    """What a crash between two statements looks like to the code after the first."""


async def _attended(client, world, count: int, title: str):
    event = await held_event(client, world, title=title)
    people = await world.members(count)
    registrations = [await register(client, event, person) for person in people]
    await check_in(client, world, event["sessions"][0]["id"], *registrations)
    return event, people, registrations


async def _event_row(event: dict) -> dict:
    return await fetch_one(
        "SELECT id, slug, title, kind, timezone, venue_name, venue_address, online_url, "
        "credit_hours, starts_at, ends_at FROM event WHERE id = {}",
        await event_id(event),
    )


async def _messages(registrations: list[int]) -> list[dict]:
    return await fetch(
        "SELECT registration, subject, channel, sent_at FROM notification "
        "WHERE kind = 'certificate_issued' AND registration IN ("
        + ", ".join("{}" for _ in registrations)
        + ") ORDER BY registration",
        *registrations,
    )


async def _all_sent(registrations: list[int]) -> list[dict] | None:
    rows = await _messages(registrations)
    return rows if rows and all(row["sent_at"] for row in rows) else None


async def _each_heard_once(smtp_server, event, people, registrations) -> None:
    rows = await eventually(lambda: _all_sent(registrations), timeout=30)
    assert rows, await _messages(registrations)
    assert [row["registration"] for row in rows] == registrations  # one each (email only)
    certificates = await fetch(
        "SELECT id, registration FROM certificate WHERE status = 'valid' AND registration IN ("
        + ", ".join("{}" for _ in registrations)
        + ") ORDER BY registration",
        *registrations,
    )
    assert [(r["registration"], r["subject"]) for r in rows] == [
        (c["registration"], c["id"]) for c in certificates
    ]
    for person in people:
        subject = f"{SUBJECT}: {event['title']}"
        await mail(smtp_server, person.email, subject)
        assert len(smtp_server.received(person.email, subject)) == 1


def _crash_while_recording(monkeypatch) -> None:
    async def worker_died(*_args, **_kwargs):
        raise WorkerDied("the worker died after the certificates' INSERT")

    monkeypatch.setattr(notifications, "record_each", worker_died)


async def test_a_bulk_issue_that_died_before_the_messages_is_finished_by_its_rerun(
    client, world, smtp_server, monkeypatch
):
    event, people, registrations = await _attended(client, world, 3, "Bulk Crash Recovery")
    _crash_while_recording(monkeypatch)
    with pytest.raises(WorkerDied):
        await issuing.issue_missing(await _event_row(event), None, None)
    monkeypatch.undo()
    # Nothing half-written: the certificates went with their messages.
    assert await fetch("SELECT id FROM certificate WHERE event = {}", await event_id(event)) == []

    await bulk_issue(client, event, world.admin)  # the job's rerun, as the sweep queues it

    await _each_heard_once(smtp_server, event, people, registrations)


async def test_a_single_issue_that_died_before_its_message_leaves_nothing_half_done(
    client, world, smtp_server, monkeypatch
):
    event, people, [registration] = await _attended(client, world, 1, "Single Crash Recovery")
    _crash_while_recording(monkeypatch)
    with pytest.raises(WorkerDied):
        await issuing._insert(
            await _event_row(event), registration, Verdict(True, 3, 1, 3, []), None, None
        )
    monkeypatch.undo()
    assert await fetch("SELECT id FROM certificate WHERE registration = {}", registration) == []

    response = await issue_one(client, registration, world.admin)
    assert response.status_code == 200, response.text

    await _each_heard_once(smtp_server, event, people, [registration])


async def test_the_sweep_derives_the_messages_certificates_were_left_without(
    client, world, server, smtp_server, monkeypatch
):
    """Certificates an older version issued without their messages (the crash happened
    after its first statement had committed): the sweep records each once, and it is sent
    once, however often the sweep runs."""
    event, people, registrations = await _attended(client, world, 3, "Old Data Recovery")

    async def lost(*_args, **_kwargs):
        return None

    monkeypatch.setattr(notifications, "record_each", lost)
    assert await issuing.issue_missing(await _event_row(event), None, None) == 3
    monkeypatch.undo()
    assert await _messages(registrations) == []
    # Issued a while ago: the issuing transaction is long over.
    await fetch(
        "UPDATE certificate SET issued_at = {} WHERE event = {}",
        datetime.now(UTC) - timedelta(minutes=5),
        await event_id(event),
    )

    with sending_from_tests(server, smtp_server):
        assert await messages.record_missing_messages() == 3
        assert await messages.record_missing_messages() == 0
        await _each_heard_once(smtp_server, event, people, registrations)
    assert await messages.record_missing_messages() == 0
