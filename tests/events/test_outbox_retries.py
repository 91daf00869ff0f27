"""Nothing is given up while a channel is down (issue 14, B2 and B3): every outbox retries
with a capped backoff, however many attempts fail, releasing its claim each time; only a
permanent error ends a row, and that is logged and shown on the console's Messages page.
Due retries are queued by a frequent poll, not only by the 30-second sweep.

The relay is the suite's real SMTP server, told to refuse an address (451 for a while,
550 for good). Instead of waiting out each backoff, the tests make the retry due in the
database, as the clock would after it."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from events import tasks
from events.config import get_settings
from events.db import fetch, fetch_one
from events.services import confirmation_emails, notifications
from events.services.outbox import LONGEST_WAIT
from tests.events.web.test_console import console
from tests.support.mailbox import mail, sending_from_tests
from tests.support.polling import eventually

FAILURES = 12  # an hour of outage and more at the longest backoff
BUSY = "451 4.3.0 Mailbox busy, try later"


async def _make_due(table: str, row_id: int) -> None:
    await fetch(
        f"UPDATE {table} SET next_attempt_at = {{}} WHERE id = {{}}",
        datetime.now(UTC) - timedelta(seconds=1),
        row_id,
    )


async def _row(table: str, row_id: int) -> dict:
    return await fetch_one(f"SELECT * FROM {table} WHERE id = {{}}", row_id)


async def _email_notification(client, world, title: str, person=None):
    event = await world.create_event(client, title=title)
    person = person or await world.member()
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code == 201, response.text
    return event, person, response.json()["id"]


async def _notification_of(registration_id: int) -> dict | None:
    return await fetch_one(
        "SELECT * FROM notification WHERE registration = {} AND kind = 'registered' "
        "AND channel = 'email'",
        registration_id,
    )


async def _fail_many_times(table: str, row_id: int, send) -> dict:
    """Let the row fail FAILURES times while the relay refuses it: each time its backoff
    is over, whoever polls first (the server's frequent poll, or ``send`` here) tries it
    again. The row as it is then."""
    row = await _row(table, row_id)
    for _ in range(FAILURES):
        attempts = row["attempts"]
        await _make_due(table, row_id)
        await send(row_id)  # False: failed again, or claimed by the server meanwhile

        async def failed_again(attempts=attempts) -> dict | None:
            now = await _row(table, row_id)
            return now if now["attempts"] > attempts and now["claimed_at"] is None else None

        row = await eventually(failed_again)
        assert row, f"{table} {row_id} was not tried again, or kept its claim"
        assert row["failed_at"] is None and row["sent_at"] is None
        assert row["next_attempt_at"] <= datetime.now(UTC) + LONGEST_WAIT
    return row


async def test_twelve_failed_sends_then_one_delivery(client, world, server, smtp_server):
    _, person, registration = await _email_notification(client, world, "Long Outage Day")
    smtp_server.refuse(person.email, BUSY)
    try:
        row = await eventually(lambda: _notification_of(registration))
        with sending_from_tests(server, smtp_server):
            row = await _fail_many_times("notification", row["id"], notifications.deliver)
    finally:
        smtp_server.refuse(person.email, None)
    assert row["attempts"] >= FAILURES and "451" in row["last_error"]
    await _make_due("notification", row["id"])  # the relay is back; the backoff has passed
    with sending_from_tests(server, smtp_server):
        await notifications.deliver(row["id"])  # False if the server's poll got there first
        await mail(smtp_server, person.email, "Registered: Long Outage Day")
    sent = await eventually(lambda: _sent("notification", row["id"]))
    assert sent["outcome"] == "sent"
    assert len(smtp_server.received(person.email, "Registered: Long Outage Day")) == 1


async def _sent(table: str, row_id: int) -> dict | None:
    row = await _row(table, row_id)
    return row if row["sent_at"] else None


async def _confirmation(event_slug: str, email: str) -> int:
    now = datetime.now(UTC)
    row = await fetch_one(
        "INSERT INTO email_confirmation (event, email, name, answers, created_at, expires_at, "
        "attempts) SELECT id, {}, 'Rory Retry', {}, {}, {}, 0 FROM event WHERE slug = {} "
        "RETURNING id",
        email,
        "{}",
        now,
        now + timedelta(hours=48),
        event_slug,
    )
    return row["id"]


async def test_a_confirmation_email_is_retried_while_the_relay_refuses_it(
    client, world, server, smtp_server
):
    """The other outboxes share the policy: a failed confirmation email releases its claim
    and backs off (it used to raise and hold its claim for minutes)."""
    event = await world.create_event(client, title="Retry Confirmations")
    address = "rory.retry@denvergov.test"
    confirmation = await _confirmation(event["slug"], address)
    smtp_server.refuse(address, BUSY)
    try:
        with sending_from_tests(server, smtp_server):
            row = await _fail_many_times(
                "email_confirmation", confirmation, confirmation_emails.send
            )
    finally:
        smtp_server.refuse(address, None)
    assert "451" in row["last_error"]
    await _make_due("email_confirmation", confirmation)
    with sending_from_tests(server, smtp_server):
        await confirmation_emails.send(confirmation)
        await mail(smtp_server, address, "Retry Confirmations")
    assert await eventually(lambda: _sent("email_confirmation", confirmation))
    assert len(smtp_server.received(address, "Retry Confirmations")) == 1


async def test_a_permanent_refusal_is_given_up_logged_and_shown(
    client, world, server, smtp_server, caplog
):
    person = await world.member()
    # Refused before the registration: the server's own delivery may be first to try it.
    smtp_server.refuse(person.email, "550 5.1.1 No such user here")
    try:
        event, _, registration = await _email_notification(
            client, world, "Gone Address Day", person=person
        )
        row = await eventually(lambda: _notification_of(registration))
        with sending_from_tests(server, smtp_server), caplog.at_level(logging.ERROR):
            await notifications.deliver(row["id"])  # nothing when the server gave it up first

        async def given_up() -> dict | None:
            now = await _row("notification", row["id"])
            return now if now["failed_at"] is not None else None

        row = await eventually(given_up)
    finally:
        smtp_server.refuse(person.email, None)
    assert row is not None and row["outcome"] == "failed"
    assert "550" in row["last_error"]
    if caplog.records:  # this process gave it up (not the server's delivery)
        [record] = [r for r in caplog.records if "given up" in r.getMessage()]
        said = record.getMessage()
        assert f"notification {row['id']}" in said
        assert "registered by email" in said and "550" in said
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(f"/console/events/{event['slug']}/messages?state=failed")
    assert page.status_code == 200
    assert "No such user here" in page.text


async def test_the_frequent_poll_queues_each_due_retry_once(client, world, monkeypatch):
    _, _, registration = await _email_notification(client, world, "Poll Day")
    row = await eventually(lambda: _notification_of(registration))
    await eventually(lambda: _sent("notification", row["id"]))
    # Failed once, not yet due: the poll leaves it.
    await fetch(
        "UPDATE notification SET sent_at = NULL, outcome = NULL, attempts = 1, "
        "claimed_at = NULL, next_attempt_at = {} WHERE id = {}",
        datetime.now(UTC) + timedelta(seconds=40),
        row["id"],
    )
    queued: list[int] = []

    class Recorder:
        async def kiq(self, row_id: int) -> None:
            queued.append(row_id)

    poll = tasks.RetryPoller(notifications.OUTBOX, Recorder())
    await poll()
    assert row["id"] not in queued
    await _make_due("notification", row["id"])  # the backoff is over
    await poll()
    await poll()  # queued already: not again while that task may still be waiting
    assert queued.count(row["id"]) == 1
    assert tasks.POLL_EVERY_SECONDS <= 5 < get_settings().sweep_interval
