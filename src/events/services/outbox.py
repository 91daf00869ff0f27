"""Rows that go out at most once (notifications, confirmation emails): claimed with one
conditional UPDATE, sent, then stamped ``sent_at``. A claim lost with its worker expires
after ``CLAIM_TIMEOUT`` and the sweep finds the row again; ``MAX_ATTEMPTS`` ends retries.
The table needs ``created_at``, ``claimed_at``, ``attempts`` and ``sent_at``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from events.db import fetch, fetch_one

CLAIM_TIMEOUT = timedelta(minutes=5)  # a claim older than this was lost with its worker
MAX_ATTEMPTS = 10


@dataclass(frozen=True, slots=True)
class Outbox:
    table: str
    # Rows still worth sending besides "not sent": SQL with one ``{}``, the current time.
    still_wanted: str | None = None

    def _open(self, now: datetime) -> tuple[str, list[object]]:
        where = "sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < {})"
        args: list[object] = [now - CLAIM_TIMEOUT]
        if self.still_wanted:
            where += f" AND {self.still_wanted}"
            args.append(now)
        return where, args

    async def due(self, older_than: timedelta, limit: int = 500) -> list[int]:
        """What the sweep re-queues: unsent, unclaimed rows older than ``older_than``."""
        now = datetime.now(UTC)
        where, args = self._open(now)
        rows = await fetch(
            f"SELECT id FROM {self.table} WHERE {where} AND attempts < {{}} "
            "AND created_at < {} ORDER BY created_at LIMIT {}",
            *args,
            MAX_ATTEMPTS,
            now - older_than,
            limit,
        )
        return [row["id"] for row in rows]

    async def claim(self, row_id: int, returning: str, **also: object) -> dict | None:
        """The row's ``returning`` columns, claimed for this sender; None when it was sent,
        is being sent, or is no longer wanted. ``also``: columns set with the claim."""
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

    async def sent(self, row_id: int) -> None:
        await fetch(
            f"UPDATE {self.table} SET sent_at = {{}} WHERE id = {{}}", datetime.now(UTC), row_id
        )
