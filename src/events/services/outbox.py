"""Rows that go out at most once (notifications, confirmation emails, sign-in links):
claimed with one conditional UPDATE, sent, then stamped ``sent_at``.

A failed send releases its claim at once and backs off exponentially (``backoff``), so a
channel that comes back is used again within a minute; nothing is given up while a
channel is down, however long (there is no cap on attempts). The worker queues a retry
as soon as it falls due (``due_retries``, polled every few seconds by events.tasks). Only
a permanent error (``PermanentDeliveryError``: an unknown Slack user, an address the
relay rejects) ends a row: ``failed_at``, logged, with the error kept for the organizers.
A claim lost with its worker expires after ``Settings.claim_timeout``
(CONVENE_CLAIM_TIMEOUT, 2 minutes) and the sweep finds the row again. ``attempt`` is that
whole policy around one send.

The table needs ``created_at``, ``claimed_at``, ``attempts``, ``sent_at``,
``next_attempt_at``, ``failed_at`` and ``last_error``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from events.config import get_settings
from events.db import fetch, fetch_one
from events.notifier import PermanentDeliveryError

logger = logging.getLogger("convene.outbox")

FIRST_RETRY = timedelta(seconds=5)
LONGEST_WAIT = timedelta(seconds=60)
ERROR_LENGTH = 500
STAMP_RETRIES = (0.2, 0.5, 1.0, 2.0)  # seconds between tries to record a message as sent


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 5 s, 10 s, 20 s, 40 s, then 60 s."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


@dataclass(frozen=True, slots=True)
class Outbox:
    table: str
    # Rows still worth sending besides "not sent": SQL with one ``{}``, the current time.
    still_wanted: str | None = None

    def _open(self, now: datetime) -> tuple[str, list[object]]:
        where = (
            "sent_at IS NULL AND failed_at IS NULL "
            "AND (claimed_at IS NULL OR claimed_at < {}) "
            "AND (next_attempt_at IS NULL OR next_attempt_at <= {})"
        )
        args: list[object] = [now - get_settings().claim_timeout, now]
        if self.still_wanted:
            where += f" AND {self.still_wanted}"
            args.append(now)
        return where, args

    async def due(self, older_than: timedelta, limit: int = 500) -> list[int]:
        """What the sweep re-queues: open rows older than ``older_than`` (fresh rows have a
        task queued for them already) or waiting for a retry that is now due."""
        now = datetime.now(UTC)
        where, args = self._open(now)
        rows = await fetch(
            f"SELECT id FROM {self.table} WHERE {where} "
            "AND (created_at < {} OR attempts > 0) ORDER BY created_at LIMIT {}",
            *args,
            now - older_than,
            limit,
        )
        return [row["id"] for row in rows]

    async def backlog(self, by: str | None = None) -> list[dict]:
        """What is still to send (waiting for a retry, or claimed, too): ``pending`` rows and
        the ``oldest`` one's creation, one row per value (``key``) of the column ``by``."""
        where, args = "sent_at IS NULL AND failed_at IS NULL", []
        if self.still_wanted:
            where += f" AND {self.still_wanted}"
            args.append(datetime.now(UTC))
        key = f"{by} AS key, " if by else ""
        group = f" GROUP BY {by}" if by else ""
        return await fetch(
            f"SELECT {key}COUNT(*) AS pending, MIN(created_at) AS oldest "
            f"FROM {self.table} WHERE {where}{group}",
            *args,
        )

    async def due_retries(self, limit: int = 200) -> list[int]:
        """Rows whose retry is due now (failed before, claim released, backoff over):
        what the worker queues within seconds, rather than at the next sweep."""
        now = datetime.now(UTC)
        where, args = self._open(now)
        rows = await fetch(
            f"SELECT id FROM {self.table} WHERE {where} AND attempts > 0 "
            "AND next_attempt_at IS NOT NULL ORDER BY next_attempt_at LIMIT {}",
            *args,
            limit,
        )
        return [row["id"] for row in rows]

    async def claim(self, row_id: int, returning: str, **also: object) -> dict | None:
        """The row's ``returning`` columns, claimed for this sender; None when it was sent,
        is being sent, waits for a retry, or is no longer wanted. ``also``: columns set
        with the claim."""
        now = datetime.now(UTC)
        where, args = self._open(now)
        assignments = "".join(f", {column} = {{}}" for column in also)
        return await fetch_one(
            f"UPDATE {self.table} SET claimed_at = {{}}, attempts = attempts + 1{assignments} "
            f"WHERE id = {{}} AND {where} RETURNING {returning}",
            now,
            *also.values(),
            row_id,
            *args,
        )

    async def sent(self, row_id: int, **also: object) -> None:
        assignments = "".join(f", {column} = {{}}" for column in also)
        await fetch(
            f"UPDATE {self.table} SET sent_at = {{}}, last_error = NULL{assignments} "
            "WHERE id = {}",
            datetime.now(UTC),
            *also.values(),
            row_id,
        )

    async def retry_later(self, row_id: int, error: BaseException) -> datetime:
        """Release the claim after a failed attempt; the row is due again after a backoff."""
        now = datetime.now(UTC)
        row = await fetch_one(f"SELECT attempts FROM {self.table} WHERE id = {{}}", row_id)
        due = now + backoff(row["attempts"] if row else 1)
        await fetch(
            f"UPDATE {self.table} SET claimed_at = NULL, next_attempt_at = {{}}, "
            "last_error = {} WHERE id = {} AND sent_at IS NULL",
            due,
            describe(error),
            row_id,
        )
        return due

    async def give_up(
        self, row_id: int, error: BaseException, what: str = "", **also: object
    ) -> None:
        """A permanent error: the row is never tried again; the error is logged and stays
        for the organizers (the console's Messages page shows failed rows)."""
        logger.error(
            "%s %s (%s) given up for good: %s", self.table, row_id, what or "-", describe(error)
        )
        assignments = "".join(f", {column} = {{}}" for column in also)
        await fetch(
            f"UPDATE {self.table} SET failed_at = {{}}, last_error = {{}}{assignments} "
            "WHERE id = {}",
            datetime.now(UTC),
            describe(error),
            *also.values(),
            row_id,
        )

    async def attempt(
        self,
        row_id: int,
        what: str,
        send: Callable[[], Awaitable[dict | None]],
        *,
        on_give_up: dict | None = None,
    ) -> bool:
        """Send a claimed row: stamped sent (with the columns ``send`` returns) when it
        worked; given up, logged, on a PermanentDeliveryError (``on_give_up``: columns set
        with it); released to be tried again after a backoff on any other error. ``what``
        names the row in the logs (its kind and channel). True when the row is finished (sent
        or given up), False when it waits for a retry."""
        try:
            stamped = await send()
        except PermanentDeliveryError as error:
            await self.give_up(row_id, error, what, **(on_give_up or {}))
            return True
        except Exception as error:  # noqa: BLE001 - any other failure is worth another try
            due = await self.retry_later(row_id, error)
            logger.warning(
                "%s %s (%s) failed, retrying at %s: %s",
                self.table,
                row_id,
                what,
                due.isoformat(timespec="seconds"),
                describe(error),
            )
            return False
        await self._record_sent(row_id, what, stamped or {})
        return True

    async def _record_sent(self, row_id: int, what: str, columns: dict) -> None:
        """The message is out: recording that is worth a few tries (a busy SQLite, a
        connection that dropped), since a row whose stamp is lost is sent again once its
        claim expires."""
        for pause in STAMP_RETRIES:
            try:
                await self.sent(row_id, **columns)
                return
            except Exception as error:  # noqa: BLE001 - the last try raises below
                logger.warning(
                    "%s %s (%s) was sent but not yet recorded: %s",
                    self.table,
                    row_id,
                    what,
                    describe(error),
                )
                await asyncio.sleep(pause)
        await self.sent(row_id, **columns)


def describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}".strip()
    return text[:ERROR_LENGTH]
