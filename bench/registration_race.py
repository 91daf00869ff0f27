"""Registration race: how fast can members grab seats, and does capacity hold?

Many clients register for one event at once, each request as a different member, so
every request takes the real path: token lookup, event gate, the conditional UPDATE on
the event row that hands out seats and arrival numbers, the INSERT, and the response.

The figure alone says little (it depends on the machine), so the same server in the same
run also serves POST /bench/ceiling/<id>: one conditional UPDATE on one event row and
nothing else, the least work any request touching that row can do. The two targets run
alternately, ceiling then registration, for several rounds, so noise (CPU frequency,
neighbours, autovacuum) hits both; the result is the ratio of their median req/s.

After the runs the database is checked: no overbooking, seats_taken matches the
confirmed rows, one registration per member, unique arrival numbers, and the waitlist
strictly behind every confirmed seat.

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
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

ROOT = Path(__file__).resolve().parents[1]
LUA = ROOT / "bench" / "register.lua"
RESULTS = ROOT / "bench" / "results"
THREADS = 2


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
    return parser.parse_args()


# --- database -------------------------------------------------------------------------


async def recreate_database(url: str) -> None:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = await asyncpg.connect(urlunsplit(parts._replace(path="/postgres")))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [str(ROOT / ".venv/bin/convene"), "migrate"], cwd=ROOT, env=env, check=True,
        stdout=subprocess.DEVNULL,
    )


async def seed(url: str, members: int, capacity: int) -> tuple[list[str], int, int]:
    """One region, one member organization, ``members`` members with a token each, and two
    published events: ``race`` (with a capacity) and ``ceiling``. Returns tokens and ids."""
    tokens = ["cvm_" + secrets.token_urlsafe(32) for _ in range(members)]
    now = datetime.now(UTC)
    starts, ends = now + timedelta(days=30), now + timedelta(days=30, hours=3)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            region = await conn.fetchval(
                "INSERT INTO region (slug, name, timezone) "
                "VALUES ('bench', 'Bench', 'UTC') RETURNING id"
            )
            org = await conn.fetchval(
                "INSERT INTO organization (slug, name, kind, region, is_member) "
                "VALUES ('bench', 'Bench City', 'city', $1, true) RETURNING id",
                region,
            )
            await conn.copy_records_to_table(
                "member",
                columns=["id", "name", "email", "organization", "created_at"],
                records=[(i, f"Member {i}", f"m{i}@bench.test", org, now)
                         for i in range(1, members + 1)],
            )
            await conn.execute("SELECT setval('member_id_seq', $1)", members)
            await conn.copy_records_to_table(
                "api_token",
                columns=["token_hash", "member", "label", "created_at"],
                records=[(hashlib.sha256(t.encode()).hexdigest(), i, "bench", now)
                         for i, t in enumerate(tokens, start=1)],
            )
            ids = []
            for slug, cap in (("race", capacity), ("ceiling", None)):
                event = await conn.fetchval(
                    "INSERT INTO event (slug, title, kind, status, timezone, capacity, "
                    "seats_taken, arrivals, members_only, approval_required, questions, "
                    "starts_at, ends_at) VALUES ($1, $1, 'workshop', 'published', 'UTC', $2, "
                    "0, 0, false, false, '[]', $3, $4) RETURNING id",
                    slug, cap, starts, ends,
                )
                await conn.execute(
                    "INSERT INTO event_region (event, region) VALUES ($1, $2)", event, region
                )
                await conn.execute(
                    "INSERT INTO event_session (event, title, starts_at, ends_at) "
                    "VALUES ($1, 'Main session', $2, $3)",
                    event, starts, ends,
                )
                ids.append(event)
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return tokens, ids[0], ids[1]


def write_token_files(directory: Path, tokens: list[str], rounds: int, per_thread: int) -> None:
    """tokens_r<round>_t<thread>.txt: disjoint slices, so no member registers twice."""
    chunks = iter(range(0, len(tokens), per_thread))
    for round_no in range(1, rounds + 1):
        for thread in range(1, THREADS + 1):
            start = next(chunks)
            path = directory / f"tokens_r{round_no}_t{thread}.txt"
            path.write_text("\n".join(tokens[start:start + per_thread]) + "\n")


async def verify(url: str, capacity: int) -> dict:
    """The race event's invariants, each as name -> bool, with the counts behind them."""
    conn = await asyncpg.connect(url)
    try:
        event = await conn.fetchrow("SELECT id, seats_taken, arrivals FROM event WHERE slug='race'")
        stats = await conn.fetchrow(
            "SELECT count(*) AS total, "
            "count(*) FILTER (WHERE status = 'confirmed') AS confirmed, "
            "count(*) FILTER (WHERE status = 'waitlisted') AS waitlisted, "
            "count(*) FILTER (WHERE status NOT IN ('confirmed', 'waitlisted')) AS other, "
            "count(DISTINCT member) AS members, count(DISTINCT arrival) AS arrivals, "
            "count(arrival) AS with_arrival, "
            "max(arrival) FILTER (WHERE status = 'confirmed') AS last_confirmed, "
            "min(arrival) FILTER (WHERE status = 'waitlisted') AS first_waitlisted "
            "FROM registration WHERE event = $1",
            event["id"],
        )
    finally:
        await conn.close()
    s = dict(stats)
    checks = {
        "confirmed <= capacity": s["confirmed"] <= capacity,
        "confirmed == min(capacity, registrations)": s["confirmed"] == min(capacity, s["total"]),
        "seats_taken == confirmed": event["seats_taken"] == s["confirmed"],
        "one registration per member": s["members"] == s["total"],
        "arrival numbers present and unique": s["arrivals"] == s["with_arrival"] == s["total"],
        "event.arrivals == registrations": event["arrivals"] == s["total"],
        "only confirmed or waitlisted": s["other"] == 0,
        "waitlist behind every confirmed seat": s["first_waitlisted"] is None
        or s["last_confirmed"] is None or s["first_waitlisted"] > s["last_confirmed"],
    }
    return {**s, "seats_taken": event["seats_taken"], "checks": checks}


# --- server and load ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(url: str, port: int, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env |= {
        "DATABASE_URL": url, "CONVENE_BENCH_ROUTES": "1", "LOG_LEVEL": "WARNING",
        "DB_POOL_SIZE": "10", "SECRET_KEY": secrets.token_urlsafe(32),
    }
    command = [
        str(ROOT / ".venv/bin/uvicorn"), "--factory", "events.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--no-access-log", "--log-level", "warning",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server exited with {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as resp:
                if resp.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"server not healthy after 30 s; see {log}")


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


def run_wrk(url: str, clients: int, duration: int, lua_args: list[str] = ()) -> dict:
    command = [
        "wrk", f"-t{THREADS}", f"-c{clients}", f"-d{duration}s", "--latency",
        "-s", str(LUA), url, *(["--", *lua_args] if lua_args else []),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    if not (rps and p50 and p99):
        raise RuntimeError(f"cannot parse wrk output:\n{out}")
    total = re.search(r"(\d+) requests in", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": float(rps.group(1)), "p50_ms": to_ms(p50.group(1)), "p99_ms": to_ms(p99.group(1)),
        "requests": int(total.group(1)), "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else None,
        "statuses": {int(c): int(n) for c, n in re.findall(r"^status (\d+) (\d+)$", out, re.M)},
    }


# --- report ---------------------------------------------------------------------------


def summarize(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in ("rps", "p50_ms", "p99_ms")}


def print_table(results: dict) -> None:
    print(f"\n{'':14}{'ceiling':>28}   {'registration':>28}")
    print(f"{'':14}" + f"{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}   " * 2)
    rows = [(f"round {i + 1}", c, r) for i, (c, r) in
            enumerate(zip(results["ceiling"]["runs"], results["registration"]["runs"]))]
    rows.append(("median", results["ceiling"]["median"], results["registration"]["median"]))
    for label, c, r in rows:
        cells = "   ".join(f"{x['rps']:>10.0f}{x['p50_ms']:>9.2f}{x['p99_ms']:>9.2f}" for x in (c, r))
        print(f"{label:14}{cells}")
    print(f"\nratio registration/ceiling (median req/s): {results['ratio']:.2f}")


def measure(args: argparse.Namespace, base: str, ceiling_id: int, token_dir: str) -> dict:
    """Ceiling then registration, ``rounds`` times, after a short unrecorded warm-up."""
    ceiling_url = f"{base}/bench/ceiling/{ceiling_id}"
    run_wrk(ceiling_url, args.clients, 2)
    runs: dict[str, list[dict]] = {"ceiling": [], "registration": []}
    for round_no in range(1, args.rounds + 1):
        runs["ceiling"].append(run_wrk(ceiling_url, args.clients, args.duration))
        runs["registration"].append(run_wrk(
            f"{base}/api/events/race/registration", args.clients, args.duration,
            [token_dir, str(round_no)]))
        for name, target_runs in runs.items():
            run = target_runs[-1]
            print(f"round {round_no} {name:>12}: {run['rps']:8.0f} req/s  statuses "
                  f"{run['statuses']}  socket errors: {run['socket_errors']}", flush=True)
    return runs


def main() -> int:
    args = parse_args()
    per_thread = args.max_rate * args.duration // THREADS
    members = per_thread * THREADS * args.rounds
    print(f"recreating the database, seeding {members} members with tokens ...", flush=True)
    asyncio.run(recreate_database(args.database_url))
    migrate(args.database_url)
    tokens, _, ceiling_id = asyncio.run(seed(args.database_url, members, args.capacity))
    RESULTS.mkdir(parents=True, exist_ok=True)
    log = RESULTS / "registration_race_server.log"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="convene-bench-") as token_dir:
        write_token_files(Path(token_dir), tokens, args.rounds, per_thread)
        server = start_server(args.database_url, port, log)
        try:
            runs = measure(args, f"http://127.0.0.1:{port}", ceiling_id, token_dir)
        finally:
            stop_server(server)

    results: dict = {name: {"runs": r, "median": summarize(r)} for name, r in runs.items()}
    results["ratio"] = results["registration"]["median"]["rps"] / results["ceiling"]["median"]["rps"]
    check = asyncio.run(verify(args.database_url, args.capacity))
    created = sum(run["statuses"].get(201, 0) for run in runs["registration"])
    # wrk drops the replies still in flight when a run ends: at most one per connection.
    check["checks"]["every 201 is a row"] = 0 <= check["total"] - created <= args.clients * args.rounds
    log_text = log.read_text(errors="replace")
    results |= {
        "verification": check, "created_201": created,
        "server_log": {"tracebacks": log_text.count("Traceback"), "path": str(log)},
        "config": vars(args) | {"threads": THREADS}, "cpu": cpu_model(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (RESULTS / "registration_race.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(results)
    print(f"registrations: {check['total']} ({check['confirmed']} confirmed, "
          f"{check['waitlisted']} waitlisted), 201 responses: {created}")
    failed = [name for name, ok in check["checks"].items() if not ok]
    if failed:
        print(f"OVERBOOKED OR INCONSISTENT: {failed}\n{check}", file=sys.stderr)
        return 1
    print("overbooked: none")
    non_2xx = sum(run["non_2xx"] for target in runs.values() for run in target)
    if non_2xx or results["server_log"]["tracebacks"]:
        print(f"{non_2xx} non-2xx responses, {results['server_log']['tracebacks']} tracebacks; "
              f"see {log}", file=sys.stderr)
        return 1
    return 0


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return f"{line.split(':', 1)[1].strip()} x {os.cpu_count()}"
    return f"unknown x {os.cpu_count()}"


if __name__ == "__main__":
    sys.exit(main())
