"""The task queue: taskiq in-process by default, over Redis when REDIS_URL is set.

Tasks carry ids only and are idempotent; the database holds the truth. Run the worker
with ``taskiq worker events.tasks:broker``.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import ParamSpec, TypeVar

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask, InMemoryBroker, TaskiqEvents, TaskiqState

from events.broker import build_broker
from events.config import get_settings, redis_url, task_queue_name
from events.db import DB
from events.enums import NotificationKind
from events.extensions import Sweep
from events.services import (
    confirmation_emails,
    housekeeping,
    member_erasure,
    member_logins,
    notifications,
    reminders,
)
from events.services.outbox import Outbox

logger = logging.getLogger("convene.tasks")
P = ParamSpec("P")
R = TypeVar("R")

SWEEP_GRACE = timedelta(seconds=20)  # leave fresh rows to the task already queued for them
# The frequent sweeps (due retries, stalled jobs): each one indexed query, so a retry goes
# out within a few seconds of its backoff rather than at the next 30-second sweep.
POLL_EVERY_SECONDS = 2.0
REQUEUE_AFTER = 30.0  # seconds before a row queued by a poll may be queued again
QUEUE_AT_ONCE = 50  # delivery tasks queued concurrently by a fan-out (Redis round trips)
# Rows per task of a fan-out: a worker receives tasks one at a time (a Redis round trip and
# taskiq's bookkeeping each), which capped an announcement at ~120 messages/s when every row
# was a task; the worker runs many batches at once, and they still spread over the workers.
ROWS_PER_TASK = 25
BATCH_WINDOW = 0.01  # seconds a confirmation waits for others to be queued with it
SHUTDOWN_GRACE = 5.0  # seconds in-process deliveries get to finish when the app stops


broker: AsyncBroker = build_broker(redis_url(), task_queue_name())
runs_in_process = isinstance(broker, InMemoryBroker)


QUEUE_TIMEOUT_SECONDS = 2.0  # a broker that hangs must not hold the answer
_queueing_failed = False  # since the last success: one warning per broker outage


async def queue_after_commit(task: AsyncTaskiqDecoratedTask, *args: object) -> bool:
    """Queue ``task`` for rows already committed; False if it could not be queued.

    Never raises: a request that saved its rows answers as usual while the broker (Redis)
    is down, and the periodic sweeps queue what is left (README, "When a part is down")."""
    global _queueing_failed
    try:
        async with asyncio.timeout(QUEUE_TIMEOUT_SECONDS):
            await task.kiq(*args)
    except Exception as exc:  # noqa: BLE001 - whatever the broker's failure, the rows stay
        if not _queueing_failed:
            logger.warning(
                "could not queue %s%s (%s: %s); the sweep will queue it, and the others "
                "until the broker answers again",
                task.task_name,
                args,
                type(exc).__name__,
                exc,
            )
        _queueing_failed = True
        return False
    if _queueing_failed:
        _queueing_failed = False
        logger.warning("the task queue answers again")
    return True


_work: set[asyncio.Task] = set()  # what ``stoppable`` tasks are doing in this process


def stoppable(function: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R | None]]:
    """For a task run in this process (the in-memory broker): shutdown may cut its work
    short (``stop_in_flight``), and the task then ends quietly with None instead of
    taskiq logging the cancellation as an error. Its outbox rows stay for the sweep."""

    @functools.wraps(function)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R | None:
        if not runs_in_process:
            return await function(*args, **kwargs)
        work = asyncio.ensure_future(function(*args, **kwargs))
        _work.add(work)
        work.add_done_callback(_work.discard)
        try:
            return await work
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the task itself was cancelled, not only its work
            return None

    return run


@broker.task(task_name="deliver_notification")
@stoppable
async def deliver_notification(notification_id: int) -> bool:
    return await notifications.deliver(notification_id)


async def enqueue_deliveries(registration_ids: list[int]) -> None:
    """Call after the commit. If queueing fails the sweep delivers them later."""
    if not registration_ids:
        return
    try:
        due = await notifications.undelivered_for(registration_ids)
    except Exception:  # the outbox rows stay; sweep_outbox will find them
        logger.exception("could not find the notifications of %s", registration_ids)
        return
    for notification_id in due:
        if not await queue_after_commit(deliver_notification, notification_id):
            break  # the broker is down: the sweep queues the rest too


@broker.task(task_name="deliver_notifications")
@stoppable
async def deliver_notifications(notification_ids: list[int]) -> int:
    """Several rows at once: one slow send (a relay that takes its time, Slack's retries
    after a 429) must not hold the others back behind it. The sends share the process's
    SMTP connections and Slack client, which bound them. SQLite has one writer at a time:
    there concurrent claims and stamps would only queue for its lock (and starve other
    writers), so the rows go one after the other."""
    if DB.engine_type == "sqlite":
        return sum([await notifications.deliver(row) for row in notification_ids])
    delivered = await asyncio.gather(*(notifications.deliver(row) for row in notification_ids))
    return sum(delivered)


async def queue_deliveries(notification_ids: list[int]) -> None:
    """Tasks of ``ROWS_PER_TASK`` rows, so that every worker process takes a share;
    queued ``QUEUE_AT_ONCE`` at a time rather than one round trip after another."""
    batches = [
        notification_ids[start : start + ROWS_PER_TASK]
        for start in range(0, len(notification_ids), ROWS_PER_TASK)
    ]
    for start in range(0, len(batches), QUEUE_AT_ONCE):
        group = batches[start : start + QUEUE_AT_ONCE]
        await asyncio.gather(*(queue_after_commit(deliver_notifications, b) for b in group))


class DeliverSoon:
    """Outbox rows to queue once the request that recorded them has answered.

    ``add`` only notes the ids (no I/O on the request path); one flush task, a moment
    later, queues everything noted meanwhile as tasks of ``ROWS_PER_TASK`` rows: under a
    flash crowd hundreds of confirmations go out as a few tasks, not one queue round trip
    (and one in-process task) each. The rows are in the database already: if this process
    dies first, the sweep finds them after ``SWEEP_GRACE``.
    """

    def __init__(self, window: float = BATCH_WINDOW) -> None:
        self.window = window
        self._ids: list[int] = []
        self._flush: asyncio.Task | None = None
        self._closed = False

    def add(self, notification_ids: list[int]) -> None:
        if not notification_ids or self._closed:
            return
        self._ids.extend(notification_ids)
        loop = asyncio.get_running_loop()
        if self._flush is None or self._flush.get_loop() is not loop:  # (tests: a new loop)
            self._flush = loop.create_task(self._flush_soon())

    async def _flush_soon(self) -> None:
        try:
            await asyncio.sleep(self.window)  # the response goes first; others join
            while self._ids:
                batch, self._ids = self._ids, []
                await queue_deliveries(batch)  # never raises: the sweep has what failed
        finally:
            self._flush = None

    def open(self) -> None:
        self._closed = False

    async def close(self) -> None:
        """At shutdown: hand what is noted to the queue (Redis), or leave it to the sweep
        when tasks run in this process, which is about to stop."""
        self._closed = True
        flush = self._flush
        if flush is None:
            return
        if runs_in_process:
            self._ids.clear()
            flush.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(flush, SHUTDOWN_GRACE)


soon = DeliverSoon()


def deliver_soon(notification_ids: list[int]) -> None:
    """Call after the commit, from the request path: queued once the response is out."""
    soon.add(notification_ids)


@contextlib.asynccontextmanager
async def in_flight(grace: float = SHUTDOWN_GRACE):
    """The app's lifespan: deliveries are queued while it runs, stopped before it ends."""
    soon.open()
    try:
        yield
    finally:
        await stop_in_flight(grace)


async def stop_in_flight(grace: float = SHUTDOWN_GRACE) -> None:
    """Before the pool closes: no new deliveries, and the work running in this process
    gets ``grace`` seconds to finish, then is cancelled. A delivery cut short keeps its
    outbox row unsent (claimed at most, until the claim expires), so a sweep sends it;
    none is left to fail against a closing pool."""
    await soon.close()
    if _work:
        _, late = await asyncio.wait(set(_work), timeout=grace)
        for work in late:
            work.cancel()
        if late:
            await asyncio.wait(late)
            logger.warning("%d deliveries cut short by shutdown; the sweep resends them", len(late))
    running = set(getattr(broker, "_running_tasks", ()))  # taskiq keeps no public handle
    if running:  # what is left of them is bookkeeping, or another package's task
        await asyncio.wait(running, timeout=grace)


@broker.task(task_name="deliver_announcement")
@stoppable
async def deliver_announcement(announcement_id: int) -> int:
    """Fan an announcement out to its delivery tasks; a rerun queues only what is unsent
    (and delivery claims each row, so a row queued twice is still sent once)."""
    due = await notifications.undelivered_of(NotificationKind.announcement, announcement_id)
    await queue_deliveries(due)
    return len(due)


async def enqueue_announcement(announcement_id: int) -> None:
    """Call after the commit: one small task, so that sending to thousands answers at
    once. If queueing fails the sweep delivers the rows later."""
    await queue_after_commit(deliver_announcement, announcement_id)


@broker.task(task_name="send_registration_email")
@stoppable
async def send_registration_email(confirmation_id: int) -> bool:
    return await confirmation_emails.send(confirmation_id)


async def enqueue_registration_email(confirmation_id: int) -> None:
    """Call after the commit. If queueing fails the sweep sends it later."""
    await queue_after_commit(send_registration_email, confirmation_id)


@broker.task(task_name="send_member_login")
@stoppable
async def send_member_login(login_id: int) -> bool:
    return await member_logins.send(login_id)


async def enqueue_member_login(login_id: int) -> None:
    """Call after the commit. If queueing fails the sweep sends it later."""
    await queue_after_commit(send_member_login, login_id)


@broker.task(task_name="send_organizer_invitation")
@stoppable
async def send_organizer_invitation(invitation_id: int) -> bool:
    from events.services import password_links  # it queues through this module

    return await password_links.send_invitation(invitation_id)


async def enqueue_invitation(invitation_id: int) -> None:
    """Call after the commit. If queueing fails the sweep sends it later."""
    await queue_after_commit(send_organizer_invitation, invitation_id)


async def sweep_outbox(grace: timedelta = SWEEP_GRACE) -> int:
    """Re-queue what a lost task or a crashed worker left undelivered."""
    due = await notifications.due_for_delivery(older_than=grace)
    for notification_id in due:
        await deliver_notification.kiq(notification_id)
    return len(due)


async def sweep_registration_emails(grace: timedelta = SWEEP_GRACE) -> int:
    """Re-queue confirmation emails that a lost task or a failed relay left unsent."""
    due = await confirmation_emails.due_for_sending(older_than=grace)
    for confirmation_id in due:
        await send_registration_email.kiq(confirmation_id)
    return len(due)


async def sweep_member_logins(grace: timedelta = SWEEP_GRACE) -> int:
    """Re-queue sign-in emails that a lost task or a failed relay left unsent."""
    due = await member_logins.due_for_sending(older_than=grace)
    for login_id in due:
        await send_member_login.kiq(login_id)
    return len(due)


class RetryPoller:
    """A frequent sweep that queues an outbox's retries as they fall due (failed before,
    claim released, backoff over). A row it queued is left alone for REQUEUE_AFTER, so a
    long queue (an announcement's fan-out) is not flooded with copies of its tasks; the
    delivery claims the row anyway, so a copy would send nothing twice."""

    def __init__(self, outbox: Outbox, task: AsyncTaskiqDecoratedTask) -> None:
        self.outbox, self.task = outbox, task
        self.__name__ = f"retries of {outbox.table}"
        self._queued: dict[int, float] = {}

    async def __call__(self) -> int:
        now = time.monotonic()
        self._queued = {row: at for row, at in self._queued.items() if now - at < REQUEUE_AFTER}
        due = [row for row in await self.outbox.due_retries() if row not in self._queued]
        for row_id in due:
            await self.task.kiq(row_id)
            self._queued[row_id] = now
        return len(due)


def retry_pollers() -> list[Sweep]:
    """The core's outboxes; each extension brings its own (ConvenePlugin.frequent_sweeps)."""
    from events.services import password_links

    return [
        RetryPoller(notifications.OUTBOX, deliver_notification),
        RetryPoller(confirmation_emails.OUTBOX, send_registration_email),
        RetryPoller(member_logins.OUTBOX, send_member_login),
        RetryPoller(password_links.OUTBOX, send_organizer_invitation),
    ]


async def sweep_invitations(grace: timedelta = SWEEP_GRACE) -> int:
    """Re-queue organizers' password links that a lost task or a failed relay left unsent."""
    from events.services import password_links

    due = await password_links.due_for_sending(older_than=grace)
    for invitation_id in due:
        await send_organizer_invitation.kiq(invitation_id)
    return len(due)


async def sweep_reminders() -> int:
    """Record the session reminders now due (and lost confirmations), then queue them."""
    registration_ids = await reminders.record_due()
    await enqueue_deliveries(registration_ids)
    return len(registration_ids)


def core_sweeps() -> list[Sweep]:
    return [
        sweep_reminders,
        sweep_outbox,
        sweep_registration_emails,
        sweep_member_logins,
        sweep_invitations,
        member_erasure.finish_erasures,
        housekeeping.purge,
    ]


async def sweep_forever(sweeps: Sequence[Sweep], interval: float) -> None:
    """Run ``sweeps`` one after the other, every ``interval`` seconds, for ever; one that
    fails is logged and tried again the next time."""
    while True:
        for sweep in sweeps:
            try:
                await sweep()
            except Exception:
                logger.exception("%s failed; trying again in %ss", sweep.__name__, interval)
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def sweeper(extra: Sequence[Sweep] = (), frequent: Sequence[Sweep] = ()):
    """The sweeps of the core and ``extra`` (the extensions': e.g. unfinished certificate
    jobs) every ``Settings.sweep_interval`` (CONVENE_SWEEP_INTERVAL, 30 s), and the frequent
    ones (the outboxes' due retries, ``frequent``: stalled jobs) every POLL_EVERY_SECONDS."""
    loops = [
        asyncio.create_task(sweep_forever([*core_sweeps(), *extra], get_settings().sweep_interval)),
        asyncio.create_task(sweep_forever([*retry_pollers(), *frequent], POLL_EVERY_SECONDS)),
    ]
    try:
        yield
    finally:
        for task in loops:
            task.cancel()
        for task in loops:
            with contextlib.suppress(asyncio.CancelledError):
                await task


# The in-process broker fires worker events inside the web process too, where the app's
# lifespan already owns the pool and the sweeper: only a real worker process sets them up.
@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def _worker_startup(state: TaskiqState) -> None:
    if not runs_in_process:
        from events.worker import start_worker

        await start_worker(state)


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def _worker_shutdown(state: TaskiqState) -> None:
    if not runs_in_process:
        from events.worker import stop_worker

        await stop_worker(state)
