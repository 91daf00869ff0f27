"""Registration race: how fast can members grab seats, and does capacity hold?

Many clients register for one event at once, each request as a different member, so every
request takes the real path: token lookup, event gate, the conditional UPDATE on the event
row that hands out seats and arrival numbers, the INSERT, and the response.

A req/s figure alone says little (it depends on the machine), so the same server in the
same run also serves POST /bench/ceiling/<id>: one conditional UPDATE on one event row and
nothing else, the least work any request touching that row can do. The two targets run
alternately, ceiling then registration, for several rounds, so noise (CPU frequency,
neighbours, autovacuum) hits both; the result is the ratio of their median req/s.

Every member has an email address and a Slack identity and wants both channels, so every
registration records two confirmations in the outbox (Slack and email), in its own
statement, and queues their delivery after the response. As deployed, tasks go to a Redis
(the benchmark's own); no worker drains it during the rounds, so what is measured is the
web process's share, and the queue is checked afterwards (``--queue in-process`` delivers
in the web process instead, as without REDIS_URL; ``--web-workers 2`` runs two).

Afterwards the database is checked: no overbooking, seats_taken equal to the confirmed
rows, one registration per member, unique arrival numbers, the waitlist behind every seat,
a confirmation per channel for every registration, and (Redis) every one of them queued.

    .venv/bin/python bench/registration_race.py --clients 64 --duration 10 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import re
import secrets
import shlex
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import redis

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "bench" / "register.lua"
RESULTS = ROOT / "bench" / "results"
SERVER_LOG = RESULTS / "registration_race_server.log"
THREADS = 2
WARMUP_SECONDS = 3
UVICORN_ARGS = (
    "--factory events.app:create_app --host 127.0.0.1 --no-access-log --log-level warning"
)
WRK_PATTERNS = {  # what run_wrk reads from wrk's report; status lines come from register.lua
    "rps": r"Requests/sec:\s+([\d.]+)",
    "p50": r"^\s+50%\s+(\S+)",
    "p99": r"^\s+99%\s+(\S+)",
    "requests": r"(\d+) requests in",
    "non_2xx": r"Non-2xx or 3xx responses: (\d+)",
    "socket_errors": r"Socket errors: (.*)",
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64, help="wrk connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds per run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--capacity", type=int, default=1000)
    parser.add_argument("--max-rate", type=int, default=4000, help="req/s to seed tokens for")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/convene_bench"
    )
    parser.add_argument(
        "--queue",
        choices=("redis", "in-process"),
        default="redis",
        help="where deliveries go: a Redis of the benchmark's own (as deployed), or tasks in "
        "the web process (no REDIS_URL)",
    )
    parser.add_argument("--web-workers", type=int, default=1, help="uvicorn --workers")
    return parser.parse_args()


# --- database ---------------------------------------------------------------------------


async def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    admin = await asyncpg.connect(parts._replace(path="/postgres").geturl())
    try:
        name = parts.path.lstrip("/")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    command = [str(ROOT / ".venv/bin/convene"), "migrate"]
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


SEED_ORGANIZATION = (  # one region and one member organization: (region id, organization id)
    "WITH r AS (INSERT INTO region (slug, name, timezone) "
    "VALUES ('bench', 'Bench', 'UTC') RETURNING id) "
    "INSERT INTO organization (slug, name, kind, region, is_member) "
    "SELECT 'bench', 'Bench City', 'city', id, true FROM r RETURNING region, id"
)
SEED_EVENTS = """
WITH e AS (
    INSERT INTO event (slug, title, kind, status, timezone, capacity, seats_taken, arrivals,
                       members_only, approval_required, questions, starts_at, ends_at)
    SELECT slug, initcap(slug), 'workshop', 'published', 'UTC', cap, 0, 0, false, false,
           '[]', $3, $4
    FROM (VALUES ('race', $2::int), ('ceiling', NULL)) AS v (slug, cap)
    RETURNING id, slug
), r AS (
    INSERT INTO event_region (event, region) SELECT id, $1 FROM e
), s AS (
    INSERT INTO event_session (event, title, starts_at, ends_at)
    SELECT id, 'Main session', $3, $4 FROM e
)
SELECT id FROM e WHERE slug = 'ceiling'
"""


async def seed(url: str, members: int, capacity: int) -> tuple[list[str], int]:
    """One region, one member organization, ``members`` members with a token each, and two
    published events a month ahead, ``race`` (with a capacity) and ``ceiling``.
    Returns the tokens and the ceiling's id."""
    tokens = ["cvm_" + secrets.token_urlsafe(32) for _ in range(members)]
    now = datetime.now(UTC)
    ids = range(1, members + 1)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            region, org = await conn.fetchrow(SEED_ORGANIZATION)
            member_rows = [(i, f"Member {i}", f"m{i}@bench.test", org, now) for i in ids]
            columns = ["id", "name", "email", "organization", "created_at"]
            await conn.copy_records_to_table("member", records=member_rows, columns=columns)
            await conn.execute("SELECT setval('member_id_seq', $1)", members)
            # Slack and email: two confirmations per registration, as for a linked member
            # who asked for both.
            await conn.execute("UPDATE member SET notify_channels = 'both'")
            slack_rows = [(i, "T0BENCH", f"U{i:08d}") for i in ids]
            columns = ["member", "team_id", "user_id"]
            await conn.copy_records_to_table("slack_identity", records=slack_rows, columns=columns)
            # label, created_at and revoked_at keep their defaults: '', now, NULL
            token_rows = [
                (hashlib.sha256(t.encode()).hexdigest(), i)
                for i, t in zip(ids, tokens, strict=True)
            ]
            columns = ["token_hash", "member"]
            await conn.copy_records_to_table("api_token", records=token_rows, columns=columns)
            starts = now + timedelta(days=30)
            ceiling_id = await conn.fetchval(
                SEED_EVENTS, region, capacity, starts, starts + timedelta(hours=3)
            )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return tokens, ceiling_id


async def vacuum(url: str) -> None:
    """What autovacuum would have done by now (it may be off, as on the reference machine):
    without it every run would inherit the dead row versions of the runs before it."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


def write_token_files(directory: str, tokens: list[str], rounds: int, per_thread: int) -> None:
    """tokens_r<round>_t<thread>.txt: disjoint slices, so no member registers twice.
    Round 0 is the warm-up."""
    for n, start in enumerate(range(0, (rounds + 1) * THREADS * per_thread, per_thread)):
        path = Path(directory) / f"tokens_r{n // THREADS}_t{n % THREADS + 1}.txt"
        path.write_text("\n".join(tokens[start : start + per_thread]) + "\n")


async def verify(url: str, capacity: int) -> dict:
    """The race event's invariants, each as name -> bool, with the counts behind them."""
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(
            "SELECT e.seats_taken, e.arrivals AS drawn, count(r.id) AS total, "
            "count(*) FILTER (WHERE r.status = 'confirmed') AS confirmed, "
            "count(*) FILTER (WHERE r.status = 'waitlisted') AS waitlisted, "
            "count(DISTINCT r.member) AS members, count(DISTINCT r.arrival) AS arrivals, "
            "max(r.arrival) FILTER (WHERE r.status = 'confirmed') AS last_confirmed, "
            "min(r.arrival) FILTER (WHERE r.status = 'waitlisted') AS first_waitlisted "
            "FROM event e LEFT JOIN registration r ON r.event = e.id "
            "WHERE e.slug = 'race' GROUP BY e.id"
        )
        told = await conn.fetchrow(
            "SELECT count(*) FILTER (WHERE n.channel = 'slack') AS slack, "
            "count(*) FILTER (WHERE n.channel = 'email') AS email, "
            "count(DISTINCT n.registration) AS registrations "
            "FROM notification n WHERE n.kind = 'registered'"
        )
        outbox_ids = {r["id"] for r in await conn.fetch("SELECT id FROM notification")}
    finally:
        await conn.close()
    s = dict(row) | {"confirmations": dict(told), "outbox_ids": outbox_ids}
    behind = None in (s["first_waitlisted"], s["last_confirmed"]) or (
        s["first_waitlisted"] > s["last_confirmed"]
    )
    s["checks"] = {
        "confirmed <= capacity": s["confirmed"] <= capacity,
        "confirmed == min(capacity, registrations)": s["confirmed"] == min(capacity, s["total"]),
        "seats_taken == confirmed": s["seats_taken"] == s["confirmed"],
        "only confirmed or waitlisted": s["confirmed"] + s["waitlisted"] == s["total"],
        "one registration per member": s["members"] == s["total"],
        "arrival numbers unique": s["arrivals"] == s["total"],
        "event.arrivals == registrations": s["drawn"] == s["total"],
        "waitlist behind every confirmed seat": behind,
        "a Slack and an email confirmation per registration": told["slack"] == s["total"]
        and told["email"] == s["total"]
        and told["registrations"] == s["total"],
    }
    return s


# --- server and load --------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(
    port: int,
    env: dict[str, str],
    log_path: Path,
    *,
    drop: tuple[str, ...] = (),
    append=False,
    workers: int = 1,
) -> subprocess.Popen:
    """The app under uvicorn on ``port``, once /health answers: this process's environment
    without REDIS_URL (tasks run in-process) and ``drop``, a fresh SECRET_KEY, then ``env``.
    ``append`` keeps the log of earlier starts in the same run."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", *drop)}
    full = inherited | {"SECRET_KEY": secrets.token_urlsafe(32)} | env
    command = [str(ROOT / ".venv/bin/uvicorn"), *UVICORN_ARGS.split(), "--port", str(port)]
    command += ["--workers", str(workers)] if workers > 1 else []
    with log_path.open("ab" if append else "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=full, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"the server did not become healthy; see {log_path}")


def start_redis() -> tuple[subprocess.Popen, str]:
    """A Redis of the benchmark's own, without persistence, on a free port."""
    port = free_port()
    command = f"redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no"
    server = subprocess.Popen(shlex.split(command), stdout=subprocess.DEVNULL)
    for _ in range(100):
        if subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True).returncode:
            time.sleep(0.05)
        else:
            break
    return server, f"redis://127.0.0.1:{port}/0"


RACE_QUEUE = "convene:bench:race"


def start_server(url: str, port: int, redis_url: str | None, workers: int) -> subprocess.Popen:
    env = {
        "DATABASE_URL": url,
        "CONVENE_BENCH_ROUTES": "1",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_SIZE": "10",
    }
    if redis_url:
        env |= {"REDIS_URL": redis_url, "CONVENE_TASK_QUEUE": RACE_QUEUE}
    return serve(port, env, SERVER_LOG, workers=workers)


def queued_notification_ids(redis_url: str) -> set[int]:
    """The outbox rows named by the delivery tasks waiting in the queue (taskiq's JSON)."""
    client = redis.Redis.from_url(redis_url)
    try:
        messages = client.lrange(RACE_QUEUE, 0, -1)
    finally:
        client.close()
    ids: set[int] = set()
    for raw in messages:
        message = json.loads(raw)
        if message["task_name"] == "deliver_notifications":
            ids.update(message["args"][0])
        elif message["task_name"] == "deliver_notification":
            ids.add(message["args"][0])
    return ids


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, clients: int, duration: int, lua_args: list[str] | None = None) -> dict:
    threads = min(THREADS, clients)  # wrk needs a connection per thread
    command = f"wrk --latency -t{threads} -c{clients} -d{duration}s -s {LUA} {url}".split()
    command += ["--", *lua_args] if lua_args else []
    proc = subprocess.run(command, check=False, capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    out = proc.stdout
    found = {key: re.search(pattern, out, re.MULTILINE) for key, pattern in WRK_PATTERNS.items()}
    if not all(found[key] for key in ("rps", "p50", "p99", "requests")):
        raise RuntimeError(f"cannot parse the output of wrk:\n{out}")
    value = {key: match.group(1) if match else None for key, match in found.items()}
    statuses = re.findall(r"^status (\d+) (\d+)$", out, re.MULTILINE)
    return {
        "rps": float(value["rps"]),
        "p50_ms": to_ms(value["p50"]),
        "p99_ms": to_ms(value["p99"]),
        "requests": int(value["requests"]),
        "non_2xx": int(value["non_2xx"] or 0),
        "socket_errors": value["socket_errors"],
        "statuses": {int(code): int(count) for code, count in statuses},
    }


def measure(args: argparse.Namespace, base: str, ceiling_id: int, token_dir: str) -> dict:
    """Ceiling then registration, ``rounds`` times, after a short unrecorded warm-up; each
    run starts on a vacuumed database."""
    ceiling = f"{base}/bench/ceiling/{ceiling_id}"
    registration = f"{base}/api/events/race/registration"
    # Warm-up, unrecorded: caches, prepared statements, and table statistics that describe
    # a registration table with rows in it (a fresh, empty one gets seq-scan plans).
    run_wrk(ceiling, args.clients, WARMUP_SECONDS)
    warmup = run_wrk(registration, args.clients, WARMUP_SECONDS, [token_dir, "0"])
    runs: dict[str, list[dict]] = {"ceiling": [], "registration": [], "warmup": [warmup]}
    for n in range(1, args.rounds + 1):
        asyncio.run(vacuum(args.database_url))
        runs["ceiling"].append(run_wrk(ceiling, args.clients, args.duration))
        asyncio.run(vacuum(args.database_url))
        runs["registration"].append(
            run_wrk(registration, args.clients, args.duration, [token_dir, str(n)])
        )
        for name in ("ceiling", "registration"):
            last = runs[name][-1]
            print(f"round {n} {name:>12}: {last['rps']:7.0f} req/s, {last['statuses']}", flush=True)
    return runs


# --- report -----------------------------------------------------------------------------


def summarize(runs: dict[str, list[dict]]) -> dict:
    results: dict = {}
    for name, target in runs.items():
        median = {k: statistics.median(r[k] for r in target) for k in ("rps", "p50_ms", "p99_ms")}
        results[name] = {"runs": target, "median": median}
    ratio = results["registration"]["median"]["rps"] / results["ceiling"]["median"]["rps"]
    return results | {"ratio": ratio}


def print_table(results: dict) -> None:
    print(f"\n{'':10}{'ceiling':>28}   {'registration':>28}")
    print(f"{'':10}" + f"{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}   " * 2)
    pairs = zip(results["ceiling"]["runs"], results["registration"]["runs"], strict=True)
    rows = [(f"round {i}", c, r) for i, (c, r) in enumerate(pairs, start=1)]
    rows.append(("median", results["ceiling"]["median"], results["registration"]["median"]))
    for label, *cells in rows:
        print(
            f"{label:10}"
            + "   ".join(f"{x['rps']:>10.0f}{x['p50_ms']:>9.2f}{x['p99_ms']:>9.2f}" for x in cells)
        )
    print(f"\nratio registration/ceiling (median req/s): {results['ratio']:.2f}")


def cpu_model() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    model = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), "?")
    return f"{model} x {os.cpu_count()}"


def main() -> int:
    args = parse_args()
    print(f"load average before: {os.getloadavg()}", flush=True)
    per_thread = args.max_rate * args.duration // THREADS  # tokens per wrk thread and round
    members = per_thread * THREADS * (args.rounds + 1)
    print(f"recreating {args.database_url}, seeding {members} members ...", flush=True)
    asyncio.run(recreate_database(args.database_url))
    migrate(args.database_url)
    tokens, ceiling_id = asyncio.run(seed(args.database_url, members, args.capacity))
    RESULTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="convene-bench-") as token_dir:
        write_token_files(token_dir, tokens, args.rounds, per_thread)
        redis_server, redis_url = start_redis() if args.queue == "redis" else (None, None)
        try:
            server = start_server(args.database_url, port, redis_url, args.web_workers)
            try:
                runs = measure(args, f"http://127.0.0.1:{port}", ceiling_id, token_dir)
            finally:
                stop_server(server)
            queued = queued_notification_ids(redis_url) if redis_url else None
        finally:
            if redis_server is not None:
                redis_server.terminate()
                redis_server.wait()

    results = summarize(runs)
    check = asyncio.run(verify(args.database_url, args.capacity))
    outbox_ids = check.pop("outbox_ids")
    if queued is not None:
        check["queued"] = len(queued & outbox_ids)
        check["checks"]["every confirmation queued"] = outbox_ids <= queued
    warmup = runs.pop("warmup")
    created = sum(run["statuses"].get(201, 0) for run in runs["registration"] + warmup)
    # wrk drops the replies still in flight when a run ends: at most one per connection.
    unanswered = check["total"] - created
    check["checks"]["every 201 is a row"] = 0 <= unanswered <= args.clients * (args.rounds + 1)
    tracebacks = SERVER_LOG.read_text(errors="replace").count("Traceback")
    non_2xx = sum(run["non_2xx"] for target in runs.values() for run in target)
    results |= {
        "verification": check,
        "created_201": created,
        "non_2xx": non_2xx,
        "server_tracebacks": tracebacks,
        "config": vars(args) | {"threads": THREADS},
        "cpu": cpu_model(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (RESULTS / "registration_race.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(results)
    print(
        f"registrations: {check['total']} ({check['confirmed']} confirmed, "
        f"{check['waitlisted']} waitlisted); 201 responses: {created}; confirmations: "
        f"{check['confirmations']}; queued: {check.get('queued', 'in-process')}"
    )
    print(f"load average after: {os.getloadavg()}")
    failed = [name for name, ok in check["checks"].items() if not ok]
    if failed:
        print(f"OVERBOOKED OR INCONSISTENT: {failed}\n{check}", file=sys.stderr)
        return 1
    print("overbooked: none")
    if non_2xx or tracebacks:
        print(
            f"{non_2xx} non-2xx responses, {tracebacks} tracebacks in {SERVER_LOG}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
