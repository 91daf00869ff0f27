"""What happened to each message: the outbox rows of an event or of one announcement, in
the states organizers see (events.enums.DeliveryState).

The state is derived from the outbox's own columns (events.services.outbox), never
stored twice: given up (``failed_at``) is failed; ``sent_at`` is sent, or skipped when
there was nothing to say; an error kept without either is a row waiting for its retry;
anything else is queued (or being sent at this moment).
"""

from __future__ import annotations

from collections import defaultdict

from events.announcement_schemas import Deliveries, Delivery, DeliveryCounts
from events.auth import OrganizerPrincipal
from events.db import fetch
from events.enums import Channel, DeliveryState, NotificationKind
from events.services.events import event_for_manager

STATE = (
    "CASE WHEN n.failed_at IS NOT NULL THEN 'failed' "
    "WHEN n.sent_at IS NOT NULL THEN "
    "(CASE WHEN n.outcome = 'skipped' THEN 'skipped' ELSE 'sent' END) "
    "WHEN n.last_error IS NOT NULL THEN 'retrying' ELSE 'queued' END"
)
_FROM = (
    "FROM notification n JOIN registration r ON r.id = n.registration "
    "JOIN member m ON m.id = r.member"
)


class Scope:
    """Which outbox rows: SQL over ``n`` (notification) and ``r`` (its registration)."""

    def __init__(self, where: str, *args: object) -> None:
        self.where = where
        self.args = list(args)

    @classmethod
    def announcement(cls, announcement_id: int) -> Scope:
        kind = NotificationKind.announcement.value
        return cls("n.kind = {} AND n.subject = {}", kind, announcement_id)

    @classmethod
    def event(cls, event_id: int) -> Scope:
        return cls("r.event = {}", event_id)


def _counts(rows: list[dict]) -> DeliveryCounts:
    counts = DeliveryCounts()
    for row in rows:
        setattr(counts, row["state"], getattr(counts, row["state"]) + row["n"])
    return counts


async def counts(scope: Scope) -> DeliveryCounts:
    rows = await fetch(
        f"SELECT {STATE} AS state, COUNT(*) AS n {_FROM} WHERE {scope.where} GROUP BY 1",
        *scope.args,
    )
    return _counts(rows)


async def announcement_counts(
    announcement_ids: list[int],
) -> dict[int, dict[str, DeliveryCounts]]:
    """For each announcement, its rows by channel and state, in one query."""
    if not announcement_ids:
        return {}
    rows = await fetch(
        f"SELECT n.subject AS announcement, n.channel, {STATE} AS state, COUNT(*) AS n "
        "FROM notification n WHERE n.kind = {} AND n.subject IN ("
        + ", ".join("{}" for _ in announcement_ids)
        + ") GROUP BY n.subject, n.channel, 3",
        NotificationKind.announcement.value,
        *announcement_ids,
    )
    grouped: dict[int, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        grouped[row["announcement"]][row["channel"]].append(row)
    return {
        announcement_id: {
            channel.value: _counts(grouped[announcement_id][channel.value]) for channel in Channel
        }
        for announcement_id in announcement_ids
    }


def total(by_channel: dict[str, DeliveryCounts]) -> DeliveryCounts:
    summed = DeliveryCounts()
    for counts_of_channel in by_channel.values():
        for state in DeliveryState:
            name = state.value
            setattr(summed, name, getattr(summed, name) + getattr(counts_of_channel, name))
    return summed


async def listing(
    scope: Scope, state: DeliveryState | None, page: int, per_page: int
) -> Deliveries:
    """One page of rows, newest first, in one state or all; with every state's count."""
    where, args = scope.where, list(scope.args)
    all_counts = await counts(scope)
    if state is not None:
        where += f" AND {STATE} = {{}}"
        args.append(state.value)
    rows = await fetch(
        f"SELECT n.id, n.kind, n.registration, m.name, n.channel, {STATE} AS state, "
        "n.attempts, n.created_at, n.sent_at, n.next_attempt_at, n.failed_at, n.last_error "
        f"{_FROM} WHERE {where} ORDER BY n.created_at DESC, n.id DESC LIMIT {{}} OFFSET {{}}",
        *args,
        per_page,
        (page - 1) * per_page,
    )
    return Deliveries(
        items=[
            Delivery(
                id=row["id"],
                kind=NotificationKind(row["kind"]),
                registration_id=row["registration"],
                member=row["name"],
                channel=Channel(row["channel"]),
                state=DeliveryState(row["state"]),
                attempts=row["attempts"],
                created_at=row["created_at"],
                sent_at=row["sent_at"],
                next_attempt_at=row["next_attempt_at"],
                failed_at=row["failed_at"],
                last_error=row["last_error"],
            )
            for row in rows
        ],
        total=getattr(all_counts, state.value) if state else sum_of(all_counts),
        page=page,
        per_page=per_page,
        counts=all_counts,
    )


def sum_of(counts_of_states: DeliveryCounts) -> int:
    return sum(getattr(counts_of_states, state.value) for state in DeliveryState)


async def event_messages(
    organizer: OrganizerPrincipal,
    slug: str,
    state: DeliveryState | None,
    page: int,
    per_page: int,
) -> tuple[dict, Deliveries]:
    """Every message to the event's registrants, for its organizers (not check-in staff):
    the event's row and one page of its outbox."""
    row = await event_for_manager(organizer, slug)
    return row, await listing(Scope.event(row["id"]), state, page, per_page)
