"""The email channel's delivery states through the real server and a real SMTP server that
refuses some recipients: a permanent refusal (5xx) ends the outbox row as failed with the
relay's answer; a temporary one (4xx) leaves it open for a retry, which then arrives."""

from __future__ import annotations

from datetime import UTC, datetime

from events.db import fetch, fetch_one
from events.services import notifications
from tests.support.mailbox import mail, sending_from_tests
from tests.support.polling import eventually


async def _register(client, event: dict, person) -> dict:
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def _email_row(registration_id: int, kind: str = "registered") -> dict | None:
    return await fetch_one(
        "SELECT id, sent_at, failed_at, last_error, outcome, attempts, next_attempt_at "
        "FROM notification WHERE registration = {} AND kind = {} AND channel = 'email'",
        registration_id,
        kind,
    )


async def test_an_address_the_relay_rejects_for_good_fails_with_its_answer(
    client, world, smtp_server
):
    event = await world.create_event(client, title="Smart Water")
    person = await world.member()
    smtp_server.refuse(person.email, "550 5.1.1 No such user here")
    try:
        registration = await _register(client, event, person)

        async def failed() -> dict | None:
            row = await _email_row(registration["id"])
            return row if row and row["failed_at"] else None

        row = await eventually(failed)
    finally:
        smtp_server.refuse(person.email, None)
    assert row, "the notification never failed"
    assert row["outcome"] == "failed" and row["sent_at"] is None
    assert "550" in row["last_error"] and "No such user here" in row["last_error"]
    assert row["attempts"] == 1  # never tried again
    assert smtp_server.received(person.email) == []


async def test_a_temporary_refusal_is_retried_and_then_delivered(
    client, world, smtp_server, server
):
    event = await world.create_event(client, title="Open Data Day")
    person = await world.member()
    smtp_server.refuse(person.email, "451 4.3.0 Mailbox busy, try later")
    try:
        registration = await _register(client, event, person)

        async def waiting() -> dict | None:
            row = await _email_row(registration["id"])
            return row if row and row["last_error"] else None

        row = await eventually(waiting)
    finally:
        smtp_server.refuse(person.email, None)
    assert row, "the notification was never tried"
    assert "451" in row["last_error"]
    assert row["failed_at"] is None and row["sent_at"] is None and row["outcome"] is None
    assert row["next_attempt_at"] is not None  # open, due again after a backoff

    # The backoff has passed (as the clock would say): the next attempt sends it once.
    await fetch(
        "UPDATE notification SET next_attempt_at = {} WHERE id = {}", datetime.now(UTC), row["id"]
    )
    with sending_from_tests(server, smtp_server):
        await notifications.deliver(row["id"])  # False if the server's sweep got there first
    [received] = await mail(smtp_server, person.email, "Registered: Open Data Day")
    sent = await eventually(lambda: _sent(registration["id"]))
    assert sent["outcome"] == "sent" and sent["last_error"] is None and sent["attempts"] == 2


async def _sent(registration_id: int) -> dict | None:
    row = await _email_row(registration_id)
    return row if row and row["sent_at"] else None
