"""Stopping the web process while deliveries run in it (no REDIS_URL: the in-process
broker) ends them before the database pool closes: nothing fails against a closing pool,
and what could not be sent stays in the outbox for the sweep (fault 11 of issue 14).

The app runs as a subprocess of this test with an SMTP relay that holds chosen messages in
flight. Three members register; each confirmation email is claimed, composed and waiting
for the relay's answer. On PostgreSQL, A's "sent" stamp is then kept waiting on a row lock
(so a connection stays checked out and the pool's close would wait for it), the server gets
SIGTERM, and B is released while it shuts down: before the fix, B's stamp asked a closing
pool and logged ``InterfaceError: pool is closing``. C is never released: it must be cut
short cleanly, its row left unsent for the sweep.
"""

from __future__ import annotations

import os
import signal

import httpx

from events.db import fetch, fetch_one
from tests.conftest import _TMP, BIN, _free_port, _spawn, _wait_for
from tests.support.polling import eventually
from tests.support.smtp import SmtpServer

ON_POSTGRES = os.environ["DATABASE_URL"].startswith("postgres")


async def _confirmation_of(member_id: int) -> dict:
    row = await fetch_one(
        "SELECT n.id, n.sent_at, n.failed_at, n.claimed_at FROM notification n "
        "JOIN registration r ON r.id = n.registration WHERE r.member = {} "
        "AND n.kind = 'registered' AND n.channel = 'email'",
        member_id,
    )
    assert row is not None
    return row


async def test_shutdown_ends_in_process_deliveries_before_the_pool_closes(world, client):
    event = await world.create_event(client)
    a, b, c = await world.members(3)
    relay = SmtpServer(_free_port())
    for person in (a, b, c):
        relay.hold(person.email)
    port = _free_port()
    log = _TMP / f"shutdown-{port}.log"
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},  # tasks in process
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SMTP_URL": relay.url,
        "LOG_LEVEL": "WARNING",
    }
    command = [str(BIN / "uvicorn"), "--factory", "events.app:create_app", "--port", str(port)]
    web = _spawn(command, env, log)
    locker = None
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(f"{base}/health", web, log)
        async with httpx.AsyncClient(base_url=base, timeout=30) as http:
            for person in (a, b, c):
                response = await http.post(
                    f"/api/events/{event['slug']}/registration", json={}, headers=person.headers
                )
                assert response.status_code == 201, response.text

        async def all_in_flight():
            rows = [await _confirmation_of(p.id) for p in (a, b, c)]
            return all(row["claimed_at"] is not None for row in rows)

        assert await eventually(all_in_flight), "the deliveries did not start"
        if ON_POSTGRES:
            import asyncpg

            locker = await asyncpg.connect(os.environ["DATABASE_URL"])
            await locker.execute("BEGIN")
            a_row = await _confirmation_of(a.id)
            await locker.execute("SELECT 1 FROM notification WHERE id = $1 FOR UPDATE", a_row["id"])
            relay.release(a.email)

            async def a_waits_on_the_lock():
                rows = await fetch(
                    "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND query LIKE 'UPDATE notification%'"
                )
                return bool(rows)

            assert await eventually(a_waits_on_the_lock)
        else:
            relay.release(a.email)

        web.send_signal(signal.SIGTERM)

        async def shutting_down():
            return "Waiting for application shutdown" in log.read_text()

        assert await eventually(shutting_down)
        relay.release(b.email)

        async def b_done():
            text = log.read_text()
            return (await _confirmation_of(b.id))["sent_at"] is not None or "Traceback" in text

        await eventually(b_done)
        if locker is not None:
            await locker.execute("ROLLBACK")
        web.wait(timeout=60)
    finally:
        if locker is not None:
            await locker.close()
        if web.poll() is None:
            web.kill()
            web.wait()
        relay.close()

    output = log.read_text()
    assert "Traceback" not in output, output
    assert "pool is closing" not in output, output
    # C never got its answer: cut short, and still there for the sweep to send.
    left = await _confirmation_of(c.id)
    assert left["sent_at"] is None and left["failed_at"] is None, left
    assert len(relay.received(to=c.email)) == 0
