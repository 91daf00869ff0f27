"""Flash crowd: registration opens at T and 2,000 members register within 2 seconds.

The stack as deployed: the Procfile's ``web`` line (uvicorn, ``WEB_CONCURRENCY=2``) and its
``worker`` line (taskiq), PostgreSQL, a Redis of the benchmark's own, the fake Slack Web API
(tests/support/slack.py) and an SMTP sink (tests/support/smtp.py), both counting what they
receive. Every member has their own API token, a Slack identity and an email address and
wants both channels, so each registration sends a Slack DM and an email.

At T (the event's ``registration_opens_at``) the load generator, a separate process, opens
one connection per member, spread evenly over 2 s, each sending one POST. Reported: the time
from T until every request is answered, p50 and p99 latency, errors (anything but 201,
must be 0), the time from T until every confirmation has reached both Slack and the SMTP
sink, and beside them the same stack's ceiling (wrk on POST /bench/ceiling/<id>, one
conditional UPDATE, ``CONVENE_BENCH_ROUTES=1``), measured in the same run just before T.

    .venv/bin/python bench/flash_crowd.py --members 2000 --spread 2
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from registration_race import (  # same directory
    SEED_ORGANIZATION,
    cpu_model,
    free_port,
    migrate,
    recreate_database,
    run_wrk,
    start_redis,
    stop_server,
)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support: the fake Slack and the SMTP sink

from tests.support.slack import BOT_TOKEN, SIGNING_SECRET, TEAM_ID, FakeSlack  # noqa: E402
from tests.support.smtp import SmtpServer  # noqa: E402

RESULTS = ROOT / "bench" / "results"
WEB_LOG = RESULTS / "flash_crowd_web.log"
WORKER_LOG = RESULTS / "flash_crowd_worker.log"
SLUG = "flash"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--spread", type=float, default=2.0, help="seconds the crowd fires in")
    parser.add_argument("--capacity", type=int, default=500, help="the rest are waitlisted")
    parser.add_argument("--web-concurrency", type=int, default=2)
    parser.add_argument("--ceiling-seconds", type=int, default=10)
    parser.add_argument("--deliver-timeout", type=float, default=300.0)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/convene_bench_flash"
    )
    parser.add_argument("--fire", help=argparse.SUPPRESS)  # the load generator's own mode
    return parser.parse_args()


# --- seed -------------------------------------------------------------------------------


async def seed(url: str, members: int, capacity: int) -> tuple[list[str], int]:
    """Members with a token, a Slack identity and both channels; the ``flash`` event (not
    open yet) and the ``ceiling`` event. Returns the tokens and the ceiling's id."""
    tokens = ["cvm_" + secrets.token_urlsafe(32) for _ in range(members)]
    now = datetime.now(UTC)
    ids = range(1, members + 1)
    starts = now + timedelta(days=30)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            region, org = await conn.fetchrow(SEED_ORGANIZATION)
            rows = [(i, f"Member {i}", f"m{i}@bench.test", org, now, "both") for i in ids]
            columns = ["id", "name", "email", "organization", "created_at", "notify_channels"]
            await conn.copy_records_to_table("member", records=rows, columns=columns)
            await conn.execute("SELECT setval('member_id_seq', $1)", members)
            hashes = [hashlib.sha256(t.encode()).hexdigest() for t in tokens]
            token_rows = list(zip(hashes, ids, strict=True))
            await conn.copy_records_to_table(
                "api_token", records=token_rows, columns=["token_hash", "member"]
            )
            slack_rows = [(i, TEAM_ID, f"U{i:08d}", now) for i in ids]
            await conn.copy_records_to_table(
                "slack_identity",
                records=slack_rows,
                columns=["member", "team_id", "user_id", "checked_at"],
            )
            ceiling_id = await conn.fetchval(
                "WITH e AS (INSERT INTO event (slug, title, kind, status, timezone, capacity, "
                "seats_taken, arrivals, members_only, approval_required, questions, starts_at, "
                "ends_at, registration_opens_at) SELECT slug, initcap(slug), 'workshop', "
                "'published', 'UTC', cap, 0, 0, false, false, '[]', $3, $4, $5 "
                f"FROM (VALUES ('{SLUG}', $2::int), ('ceiling', NULL)) AS v (slug, cap) "
                "RETURNING id, slug), r AS (INSERT INTO event_region (event, region) "
                "SELECT id, $1 FROM e), s AS (INSERT INTO event_session (event, title, "
                "starts_at, ends_at) SELECT id, 'Main session', $3, $4 FROM e) "
                "SELECT id FROM e WHERE slug = 'ceiling'",
                region,
                capacity,
                starts,
                starts + timedelta(hours=3),
                starts,  # not open yet: opened at T
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return tokens, ceiling_id


async def open_registration(url: str, at: datetime) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("UPDATE event SET registration_opens_at = $1 WHERE slug = $2", at, SLUG)
    finally:
        await conn.close()


async def outbox(url: str) -> dict:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT count(*) AS rows, count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent, "
            "count(*) FILTER (WHERE attempts > 1) AS retried, "
            "(SELECT count(*) FROM registration) AS registrations FROM notification"
        )
    finally:
        await conn.close()
    return dict(row)


# --- the stack --------------------------------------------------------------------------


def procfile(name: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        key, _, command = line.partition(":")
        if key.strip() == name:
            return command.strip()
    raise RuntimeError(f"the Procfile has no {name}")


def start(name: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """A Procfile line through the shell (it expands ${PORT:-8000}), the virtualenv first
    on PATH, as a process manager runs it."""
    with log.open("wb") as out:
        return subprocess.Popen(
            ["sh", "-c", "exec " + procfile(name)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=out,
        )


def wait_healthy(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the web processes did not become healthy; see {WEB_LOG}")


# --- the crowd (a separate process, so the sinks' threads do not slow it) --------------


async def one_member(port: int, token: str, fire_at: float) -> tuple[float, float, str]:
    await asyncio.sleep(max(0.0, fire_at - time.time()))
    sent = time.time()
    request = (
        f"POST /api/events/{SLUG}/registration HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
        "Content-Length: 2\r\nConnection: close\r\n\r\n{}"
    ).encode()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request)
        status = (await reader.readline()).split()[1].decode()
        await reader.read()  # the rest, to the server's close
        writer.close()
    except Exception as exc:  # noqa: BLE001 - every failure is counted as an error
        status = type(exc).__name__
    return sent, time.time(), status


async def crowd(port: int, tokens: list[str], opens_at: float, spread: float) -> list:
    step = spread / len(tokens)
    return await asyncio.gather(
        *(one_member(port, token, opens_at + i * step) for i, token in enumerate(tokens))
    )


def fire(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    results = asyncio.run(crowd(spec["port"], spec["tokens"], spec["opens_at"], spec["spread"]))
    Path(spec["out"]).write_text(json.dumps(results))


def run_crowd(port: int, tokens: list[str], opens_at: float, spread: float) -> list:
    spec_path = RESULTS / "flash_crowd_spec.json"
    out = RESULTS / "flash_crowd_responses.json"
    spec = {"port": port, "tokens": tokens, "opens_at": opens_at, "spread": spread}
    spec_path.write_text(json.dumps(spec | {"out": str(out)}))
    subprocess.run([sys.executable, __file__, "--fire", str(spec_path)], check=True)
    return json.loads(out.read_text())


def wait_delivered(slack: FakeSlack, smtp: SmtpServer, count: int, timeout: float) -> dict:
    """When the count-th DM and the count-th email arrived (epoch seconds), or None."""
    done: dict[str, float | None] = {"slack": None, "email": None}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and None in done.values():
        if done["slack"] is None and len(slack.calls("chat.postMessage")) >= count:
            done["slack"] = time.time()
        if done["email"] is None and len(smtp.received()) >= count:
            done["email"] = time.time()
        time.sleep(0.05)
    return done


# --- report -----------------------------------------------------------------------------


def figures(responses: list, opens_at: float, delivered: dict, count: int) -> dict:
    latencies = sorted((answered - sent) * 1000 for sent, answered, _ in responses)
    statuses: dict[str, int] = {}
    for _, _, status in responses:
        statuses[status] = statuses.get(status, 0) + 1
    last = max(answered for _, answered, _ in responses)

    def after_t(at: float | None) -> float | None:
        return None if at is None else round(at - opens_at, 2)

    both = None if None in delivered.values() else max(delivered.values())
    return {
        "requests": len(responses),
        "all_answered_s": round(last - opens_at, 2),
        "p50_ms": round(statistics.median(latencies), 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1], 1),
        "max_ms": round(latencies[-1], 1),
        "statuses": statuses,
        "errors": sum(n for status, n in statuses.items() if status != "201"),
        "slack_all_delivered_s": after_t(delivered["slack"]),
        "email_all_delivered_s": after_t(delivered["email"]),
        "all_delivered_s": after_t(both),
        "confirmations_expected_per_channel": count,
    }


def main() -> int:
    args = parse_args()
    if args.fire:
        fire(args.fire)
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    print(f"load average before: {load_before}; recreating {args.database_url} ...", flush=True)
    asyncio.run(recreate_database(args.database_url))
    migrate(args.database_url)
    tokens, ceiling_id = asyncio.run(seed(args.database_url, args.members, args.capacity))
    slack, smtp = FakeSlack(), SmtpServer(free_port())
    redis_server, redis_url = start_redis()
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "SMTP_URL")},
        "PATH": f"{ROOT / '.venv/bin'}:{os.environ.get('PATH', '')}",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(args.web_concurrency),
        "DATABASE_URL": args.database_url,
        "REDIS_URL": redis_url,
        "CONVENE_TASK_QUEUE": "convene:bench:flash",
        "SMTP_URL": smtp.url,
        "MAIL_FROM": "Convene <no-reply@bench.test>",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.api_url,
        "CONVENE_BENCH_ROUTES": "1",
        "LOG_LEVEL": "WARNING",
        "SECRET_KEY": secrets.token_urlsafe(32),
        "BASE_URL": f"http://127.0.0.1:{port}",
        "PICCOLO_CONF": "piccolo_conf",
        "PYTHONPATH": str(ROOT),  # piccolo_conf.py, for Piccolo queries in the worker
    }
    web = start("web", env, WEB_LOG)
    worker = start("worker", env, WORKER_LOG)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, web)
        # The same stack's ceiling, just before T (and a warm-up for both web processes).
        ceiling = run_wrk(f"{base}/bench/ceiling/{ceiling_id}", 64, args.ceiling_seconds)
        print(f"ceiling: {ceiling['rps']:.0f} req/s, p99 {ceiling['p99_ms']:.1f} ms", flush=True)
        slack.reset()
        opens_at = time.time() + 2.0
        asyncio.run(open_registration(args.database_url, datetime.fromtimestamp(opens_at, UTC)))
        responses = run_crowd(port, tokens, opens_at, args.spread)
        delivered = wait_delivered(slack, smtp, args.members, args.deliver_timeout)
        result = figures(responses, opens_at, delivered, args.members)
    finally:
        for process in (web, worker):
            stop_server(process)
        redis_server.terminate()
        redis_server.wait()
        slack.close()
        smtp.close()
    state = asyncio.run(outbox(args.database_url))
    logs = {p.name: p.read_text(errors="replace").count("Traceback") for p in (WEB_LOG, WORKER_LOG)}
    result |= {
        "ceiling": {k: ceiling[k] for k in ("rps", "p50_ms", "p99_ms")},
        "crowd_rate": round(args.members / result["all_answered_s"], 1),
        "outbox": state,
        "tracebacks": logs,
        "config": {k: v for k, v in vars(args).items() if k != "fire"},
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "cpu": cpu_model(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (RESULTS / "flash_crowd.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    ok = (
        result["errors"] == 0
        and result["all_delivered_s"] is not None
        and state["registrations"] == args.members
        and state["rows"] == state["sent"] == 2 * args.members
        and not any(logs.values())
    )
    if not ok:
        print("FLASH CROWD FAILED: errors, undelivered messages or tracebacks", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
