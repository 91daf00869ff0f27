"""Announcement delivery: how fast does the worker get an announcement to 2,000 registrants
out by email, against the fastest a client can talk to the same SMTP server?

Deployed shape: uvicorn (the API), a real `taskiq worker` (the Procfile's command) over a
Redis of the benchmark's own, PostgreSQL, and a local SMTP server (aiosmtpd, in this
process's thread) that counts what it receives. Each round, side by side:

- **baseline**: the same number of prebuilt messages sent over ONE aiosmtplib connection,
  connect once then ``send_message`` in a loop: no database, no queue, no composing;
- **worker**: ``POST /api/manage/events/<slug>/announcements`` (every confirmed registrant),
  timed from the request to the last message the SMTP server receives.

The figure is the ratio of the rates (messages per second), median over the rounds; p50
and p99 are the per-message latencies from the start (the request, or the first send).
Afterwards the database must show every row sent once, and the SMTP server must have
received each recipient exactly once per round.

    .venv/bin/python bench/announcements.py --recipients 2000 --rounds 5
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import shlex
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiosmtplib
import asyncpg
from aiosmtpd.controller import Controller
from calendar_feeds import provenance  # same directory
from registration_race import (
    free_port,
    migrate,
    recreate_database,
    serve,
    start_redis,
    stop_server,
)

from events.emails import Email, OutgoingEmail, build_email

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SERVER_LOG = RESULTS / "announcements_server.log"
WORKER_LOG = RESULTS / "announcements_worker.log"
SLUG = "water-metering-summit"
SUBJECT = "Parking at the Denver Civic Center"
BODY = (
    "The west garage is closed on the day of the summit: please use the east garage on "
    "14th Avenue, which validates for the whole day.\n\nDoors open at 8:30. Bring your badge."
)
SEED = """
WITH r AS (INSERT INTO region (slug, name, timezone)
           VALUES ('colorado', 'Colorado', 'America/Denver') RETURNING id),
     o AS (INSERT INTO organization (slug, name, kind, region, is_member)
           SELECT 'denver', 'City and County of Denver', 'city', id, true FROM r RETURNING id),
     a AS (INSERT INTO organizer (email, name, role)
           VALUES ('bench@convene.test', 'Bench Admin', 'admin') RETURNING id),
     e AS (INSERT INTO event (slug, title, kind, status, timezone, venue_name, starts_at,
                              ends_at, published_at)
           VALUES ($1, 'Water Metering Summit', 'conference', 'published', 'America/Denver',
                   'Denver Civic Center', $2, $3, $2) RETURNING id),
     er AS (INSERT INTO event_region (event, region) SELECT e.id, r.id FROM e, r),
     s AS (INSERT INTO event_session (event, title, starts_at, ends_at)
           SELECT id, 'Day 1', $2, $3 FROM e)
SELECT o.id, a.id, e.id FROM o, a, e
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=300, help="seconds per delivery")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/convene_bench_announce"
    )
    return parser.parse_args()


# --- the SMTP server ------------------------------------------------------------------------


class Sink:
    """Counts messages and remembers when each arrived, per recipient."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrivals: list[tuple[float, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd
        now = time.perf_counter()
        with self.lock:
            self.arrivals.extend((now, to) for to in envelope.rcpt_tos)
        return "250 OK"

    def take(self) -> list[tuple[float, str]]:
        with self.lock:
            taken, self.arrivals = self.arrivals, []
        return taken

    def count(self) -> int:
        with self.lock:
            return len(self.arrivals)


def wait_for(sink: Sink, count: int, timeout: float) -> list[tuple[float, str]]:
    deadline = time.monotonic() + timeout
    while sink.count() < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {sink.count()} of {count} messages arrived")
        time.sleep(0.005)
    time.sleep(0.5)  # a duplicate would arrive now
    return sink.take()


# --- database, Redis, processes --------------------------------------------------------


async def seed(url: str, count: int) -> str:
    """A region, an admin organizer and its token, a published conference, and ``count``
    members (email only: no Slack) registered and confirmed. Returns the token."""
    token = "cvo_" + secrets.token_urlsafe(32)
    starts = (datetime.now(UTC) + timedelta(days=14)).replace(hour=16, minute=0, microsecond=0)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            org, organizer, event = await conn.fetchrow(
                SEED, SLUG, starts, starts + timedelta(hours=8)
            )
            await conn.execute(
                "INSERT INTO api_token (token_hash, organizer, label) VALUES ($1, $2, 'bench')",
                hashlib.sha256(token.encode()).hexdigest(),
                organizer,
            )
            members = [(f"Member {n}", f"m{n}@bench.test", org, starts) for n in range(count)]
            columns = ["name", "email", "organization", "created_at"]
            await conn.copy_records_to_table("member", records=members, columns=columns)
            # Registered a day ago and told then: the worker's sweep re-derives confirmations
            # of the last hour that were never recorded, and would send 2,000 more emails.
            await conn.execute(
                "WITH r AS (INSERT INTO registration (event, member, status, confirmed_at, "
                "created_at) SELECT $1, id, 'confirmed', $2, $2 FROM member ORDER BY id "
                "RETURNING id) INSERT INTO notification (kind, registration, created_at, "
                "attempts, channel, sent_at, outcome) SELECT 'registered', id, $2, 1, 'email', "
                "$2, 'sent' FROM r", event, datetime.now(UTC) - timedelta(days=1),
            )  # fmt: skip
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return token


def procfile_worker() -> list[str]:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == "worker":
            program, *args = shlex.split(command)
            return [str(ROOT / ".venv/bin" / program), *args]
    raise RuntimeError("the Procfile has no worker")


def start_worker(env: dict[str, str]) -> subprocess.Popen:
    full = {**os.environ, "SECRET_KEY": env["SECRET_KEY"], **env}
    with WORKER_LOG.open("wb") as log:
        return subprocess.Popen(procfile_worker(), cwd=ROOT, env=full, stdout=log, stderr=log)


# --- the two ways to send ---------------------------------------------------------------


def prebuilt(count: int) -> list:
    """The messages the worker sends, built beforehand (as the email channel builds them)."""
    email = Email(subject=SUBJECT, text=f"{BODY}\n", html=f"<p>{BODY}</p>")
    return [
        build_email(
            OutgoingEmail(email=email),
            sender="Convene <no-reply@bench.test>",
            to=f"Member {n} <m{n}@bench.test>",
        )
        for n in range(count)
    ]


async def baseline(port: int, messages: list) -> float:
    """One connection, messages one after another; returns the start."""
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await smtp.connect()
    started = time.perf_counter()
    for message in messages:
        await smtp.send_message(message)
    await smtp.quit()
    return started


def announce(base: str, token: str) -> float:
    body = json.dumps(
        {"subject": SUBJECT, "body": BODY, "audience": {"statuses": ["confirmed"]}}
    ).encode()
    request = urllib.request.Request(
        f"{base}/api/manage/events/{SLUG}/announcements",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        if response.status != 201:
            raise RuntimeError(f"sending answered {response.status}")
    return started


def figures(started: float, arrivals: list[tuple[float, str]], count: int) -> dict:
    latencies = sorted((at - started) * 1000 for at, _ in arrivals)
    recipients = Counter(to for _, to in arrivals)
    return {
        "seconds": latencies[-1] / 1000,
        "rate": count / (latencies[-1] / 1000),
        "p50_ms": latencies[len(latencies) // 2],
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1],
        "messages": len(arrivals),
        "recipients": len(recipients),
        "duplicates": sum(n - 1 for n in recipients.values()),
    }


async def outbox_state(url: str) -> dict:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS rows, count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent, "
            "count(*) FILTER (WHERE attempts <> 1) AS not_once FROM notification "
            "WHERE kind = 'announcement'"
        )
    finally:
        await conn.close()
    return dict(row)


def measure(args, base: str, token: str, smtp_port: int, sink: Sink) -> dict:
    runs: dict[str, list[dict]] = {"baseline": [], "worker": []}
    messages = prebuilt(args.recipients)
    # Warm-up, unrecorded: connections, prepared statements, the worker's imports.
    asyncio.run(baseline(smtp_port, messages[:200]))
    wait_for(sink, 200, args.timeout)
    started = announce(base, token)
    wait_for(sink, args.recipients, args.timeout)
    for n in range(1, args.rounds + 1):
        started = asyncio.run(baseline(smtp_port, messages))
        runs["baseline"].append(
            figures(started, wait_for(sink, args.recipients, args.timeout), args.recipients)
        )
        started = announce(base, token)
        runs["worker"].append(
            figures(started, wait_for(sink, args.recipients, args.timeout), args.recipients)
        )
        b, w = runs["baseline"][-1], runs["worker"][-1]
        print(
            f"round {n}: baseline {b['rate']:6.0f} msg/s, worker {w['rate']:6.0f} msg/s, "
            f"ratio {w['rate'] / b['rate']:.2f}",
            flush=True,
        )
    return runs


def print_table(results: dict) -> None:
    print(f"\n{'':10}{'baseline (one connection)':>34}   {'worker (announcement)':>34}")
    print(f"{'':10}" + f"{'msg/s':>10}{'seconds':>8}{'p50 ms':>8}{'p99 ms':>8}   " * 2)
    pairs = zip(results["baseline"]["runs"], results["worker"]["runs"], strict=True)
    rows = [(f"round {i}", b, w) for i, (b, w) in enumerate(pairs, start=1)]
    rows.append(("median", results["baseline"]["median"], results["worker"]["median"]))
    for label, *cells in rows:
        print(
            f"{label:10}"
            + "   ".join(
                f"{x['rate']:>10.0f}{x['seconds']:>8.2f}{x['p50_ms']:>8.0f}{x['p99_ms']:>8.0f}"
                for x in cells
            )
        )
    print(f"\nratio worker/baseline (median of the rounds' ratios): {results['ratio']:.2f}")


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"recreating {args.database_url}, seeding {args.recipients} registrants ...")
    asyncio.run(recreate_database(args.database_url))
    migrate(args.database_url)
    token = asyncio.run(seed(args.database_url, args.recipients))
    sink = Sink()
    smtp_port = free_port()
    smtp = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    redis, redis_url = start_redis()
    env = {
        "DATABASE_URL": args.database_url,
        "REDIS_URL": redis_url,
        "CONVENE_TASK_QUEUE": "convene:bench:announcements",
        "SMTP_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MAIL_FROM": "Convene <no-reply@bench.test>",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_SIZE": "10",
        "SECRET_KEY": secrets.token_urlsafe(32),
    }
    port = free_port()
    worker = start_worker(env)
    server = None
    try:
        # serve() drops REDIS_URL from the inherited environment; ``env`` brings it back.
        server = serve(port, env, SERVER_LOG)
        runs = measure(args, f"http://127.0.0.1:{port}", token, smtp_port, sink)
    finally:
        for process in (server, worker):
            if process is not None:
                stop_server(process)
        redis.terminate()
        smtp.stop()

    results: dict = {}
    for name, target in runs.items():
        median = {k: statistics.median(r[k] for r in target) for k in target[0]}
        results[name] = {"runs": target, "median": median}
    ratios = [w["rate"] / b["rate"] for b, w in zip(runs["baseline"], runs["worker"], strict=True)]
    outbox = asyncio.run(outbox_state(args.database_url))
    results |= {
        "ratio": statistics.median(ratios),
        "ratios": ratios,
        "outbox": outbox,
        "config": vars(args),
        **provenance(),
    }
    (RESULTS / "announcements.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(results)
    problems = []
    expected_rows = args.recipients * (args.rounds + 1)
    if outbox != {"rows": expected_rows, "sent": expected_rows, "not_once": 0}:
        problems.append(f"outbox: {outbox}, expected {expected_rows} rows sent once each")
    for run in runs["worker"] + runs["baseline"]:
        if run["duplicates"] or run["recipients"] != args.recipients:
            problems.append(f"a round delivered {run}")
    for log in (SERVER_LOG, WORKER_LOG):
        if "Traceback" in log.read_text(errors="replace"):
            problems.append(f"tracebacks in {log}")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
