"""Web pages: the events list and an event page against the JSON API's list, same server.

Issue 6 asks that the server-rendered pages keep up with the API they show: throughput of
GET /events (the list page, 20 events, the filter form) and GET /events/<slug> (an event
with 5 sessions and a Markdown description), each at least 0.7 of GET /api/events (the same
20 events as JSON), with 50 concurrent clients, through the real server (uvicorn, one
process, PostgreSQL pool of 10) over loopback.

Seeded with SQL: 8 regions, 6 topics and 600 published events in the next 12 months, each
hosted by one or two regions, with one or two topics, 1 to 5 sessions, a ~1 KB Markdown
description, a capacity and some registrations counted on the event row.

Load: wrk, 50 connections, 2 threads, --latency, 6 s per run, 6 rounds after an unrecorded
3 s warm-up of each target; each round runs the five targets in turn, the order rotated by
one each round; the median run counts. Each run also records the server's CPU time per
request (from /proc) and the load average: the machine is shared, and a single run's req/s
moves with whatever else runs there. "api event" (GET /api/events/<slug>) and "htmx partial" (GET
/events?region=colorado with HX-Request) are context, not targets.

    .venv/bin/python bench/web_pages.py --duration 6 --rounds 6

Writes bench/results/web_pages.json (server log: bench/results/web_pages_server.log);
exits non-zero on any response >= 400, a page without its content, or a traceback in the
server's log.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from calendar_feeds import copy_rows, provenance, report, request, run_wrk  # same directory
from registration_race import free_port, migrate, recreate_database, serve, stop_server

from events import demo

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SERVER_LOG = RESULTS / "web_pages_server.log"
EVENT = "event-0001"
REGIONS = [*demo.REGIONS, demo.NATIONAL]  # the coalition's seven networks and the national one
TOPICS = ["connectivity", "cybersecurity", "transportation", "environment", "resilience", "data"]
SUBJECTS = [
    "Smart water metering",
    "Broadband equity",
    "Adaptive traffic signals",
    "Municipal cybersecurity",
    "Open data portals",
    "Grid resilience",
    "EV charging",
    "Digital twins",
    "Wildfire sensing",
    "Public Wi-Fi",
]
KINDS = [
    ("workshop", "Workshop"),
    ("conference", "Summit"),
    ("training_track", "Academy"),
    ("webinar", "Webinar"),
]
DESCRIPTION = """## What you will learn

{subject} for **{city}** and its partners: what worked in the pilots, what it cost, and
how to write the procurement so the next city can reuse it.

- Case studies from three member cities
- A hands-on lab with real data (bring a laptop)
- Procurement clinic: templates you can take home

### Who should come

Staff of cities, counties and utilities working on {subject_lower}; vendors are welcome in
the afternoon sessions. See the [coalition's resources](https://nscp.example/resources) for
the readings, and *read the pilot report* before the first session.

> Seats are limited: register early, the waitlist moves in arrival order.
"""
TARGETS = {  # name: (path, headers)
    "api list": ("/api/events", {}),
    "events page": ("/events", {}),
    "event page": (f"/events/{EVENT}", {}),
    "api event": (f"/api/events/{EVENT}", {}),
    "htmx partial": ("/events?region=colorado", {"HX-Request": "true"}),
}
WARMUP_SECONDS = 3
WRK_KEYS = ("rps", "p50_ms", "p99_ms", "bytes_per_response", "server_cpu_ms", "loadavg_1m")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=600)
    parser.add_argument("--clients", type=int, default=50, help="wrk connections")
    parser.add_argument("--duration", type=int, default=6, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/convene_bench_web"
    )
    return parser.parse_args()


# --- database ---------------------------------------------------------------------------


def fake_catalogue(count: int, now: datetime) -> dict[str, list[dict]]:
    """Deterministic events, sessions and their regions and topics (ids from 1)."""
    rng = random.Random(6)
    rows: dict[str, list[dict]] = {"event": [], "event_session": [], "er": [], "et": []}
    session_id = 0
    for n in range(1, count + 1):
        subject, city = rng.choice(SUBJECTS), rng.choice(["Denver", "Tucson", "Plano", "Peoria"])
        kind, label = rng.choice(KINDS)
        hosts = rng.sample(range(1, len(REGIONS) + 1), rng.choice([1, 1, 1, 2]))
        timezone = REGIONS[hosts[0] - 1][2]
        sessions = 5 if n == 1 else rng.randint(1, 5)
        first = (now + timedelta(days=rng.randint(1, 360))).replace(
            hour=rng.choice([15, 16, 17, 18]), minute=0, second=0, microsecond=0
        )
        times = [first + timedelta(weeks=k) for k in range(sessions)]
        capacity = rng.choice([None, 30, 60, 120])
        taken = rng.randint(0, capacity) if capacity else rng.randint(0, 80)
        online = kind == "webinar"
        rows["event"].append({
            "id": n, "slug": f"event-{n:04d}", "title": f"{subject} {label} – {city} & partners",
            "kind": kind, "status": "published", "timezone": timezone,
            "summary": f"A {label.lower()} on {subject.lower()} for {city} and its neighbours.",
            "description": DESCRIPTION.format(
                subject=subject, city=city, subject_lower=subject.lower()
            ),
            "venue_name": None if online else f"{city} Civic Center",
            "venue_address": None if online else f"{rng.randint(100, 9999)} Main St, {city}",
            "latitude": None if online else 39.7 + rng.uniform(-1, 1),
            "longitude": None if online else -105 + rng.uniform(-1, 1),
            "online_url": "https://meet.example/room-secret" if online else None,
            "capacity": capacity, "seats_taken": taken,
            "waitlisted": rng.randint(1, 9) if capacity and taken == capacity else 0,
            "starts_at": times[0], "ends_at": times[-1] + timedelta(hours=3),
            "published_at": now - timedelta(days=1),
        })  # fmt: skip
        for k, starts in enumerate(times):
            session_id += 1
            rows["event_session"].append({
                "id": session_id, "event": n, "title": f"Part {k + 1}",
                "description": "Slides follow.", "starts_at": starts,
                "ends_at": starts + timedelta(hours=3),
            })  # fmt: skip
        rows["er"] += [{"event": n, "region": region} for region in hosts]
        topics = rng.sample(range(1, len(TOPICS) + 1), rng.choice([1, 2]))
        rows["et"] += [{"event": n, "topic": topic} for topic in topics]
    return rows


async def seed(url: str, count: int) -> None:
    rows = fake_catalogue(count, datetime.now(UTC))
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await copy_rows(
                conn,
                "region",
                [
                    {"id": i, "slug": s, "name": n, "timezone": tz, "is_national": s == "national"}
                    for i, (s, n, tz) in enumerate(REGIONS, start=1)
                ],
            )
            topics = [{"id": i, "slug": s, "name": s.title()} for i, s in enumerate(TOPICS, 1)]
            await copy_rows(conn, "topic", topics)
            await copy_rows(conn, "event", rows["event"])
            await copy_rows(conn, "event_session", rows["event_session"])
            await copy_rows(conn, "event_region", rows["er"])
            await copy_rows(conn, "event_topic", rows["et"])
            for table in ("region", "topic", "event", "event_session"):
                await conn.execute(
                    f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"
                )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


# --- server and load --------------------------------------------------------------------


def start_server(url: str, port: int) -> subprocess.Popen:
    env = {
        "DATABASE_URL": url,
        "LOG_LEVEL": "WARNING",
        "DB_POOL_SIZE": "10",
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    return serve(port, env, SERVER_LOG)


def check_content(port: int) -> dict[str, int]:
    """Each target once: the right content, and never the join link. Returns body sizes."""
    sizes = {}
    for name, (path, headers) in TARGETS.items():
        _, _, body, _ = request(port, path, headers)
        text = body.decode()
        sizes[name] = len(body)
        assert "meet.example" not in text, f"{name}: the join link is on the page"
        if name == "api list":
            assert len(json.loads(text)["items"]) == 20, text[:300]
        elif name == "events page":
            assert text.count('class="card-title"') == 20 and "<h1>Events</h1>" in text, name
        elif name == "event page":
            assert text.count('<li class="session') == 5 and "<h3>What you will learn" in text
        elif name == "htmx partial":
            assert "<html" not in text and 'class="card-title"' in text, text[:300]
    return sizes


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def serving(args: argparse.Namespace, port: int, pid: int) -> dict[str, list[dict]]:
    """wrk against each target, the order rotated each round; each run also records the
    server's CPU time per request (from /proc) and the load average, because the machine is
    shared and the req/s of a single run move with whatever else runs."""
    base = f"http://127.0.0.1:{port}"
    for path, headers in TARGETS.values():
        run_wrk(base + path, args.clients, WARMUP_SECONDS, headers)
    names = list(TARGETS)
    runs: dict[str, list[dict]] = {name: [] for name in TARGETS}
    for n in range(args.rounds):
        for name in names[n % len(names) :] + names[: n % len(names)]:
            path, headers = TARGETS[name]
            before = cpu_seconds(pid)
            run = run_wrk(base + path, args.clients, args.duration, headers)
            run["server_cpu_ms"] = 1000 * (cpu_seconds(pid) - before) / max(run["requests"], 1)
            run["loadavg_1m"] = os.getloadavg()[0]
            runs[name].append(run)
            print(f"round {n + 1} {name:>13}: {run['rps']:7.0f} req/s, p50 {run['p50_ms']:6.2f} "
                  f"ms, p99 {run['p99_ms']:7.2f} ms, server CPU {run['server_cpu_ms']:.2f} ms/req, "
                  f"load {run['loadavg_1m']:.1f}", flush=True)  # fmt: skip
    return runs


# --- report -----------------------------------------------------------------------------


def print_table(results: dict) -> None:
    print(f"\n{'median':14}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'KB':>7}{'CPU ms':>8}"
          f"{'x api list':>12}{'per round':>11}{'CPU ratio':>11}")  # fmt: skip
    for name, row in results["serving"].items():
        m = row["median"]
        ratios = f"{row['ratio']:>12.2f}{row['round_ratio']:>11.2f}{row['cpu_ratio']:>11.2f}"
        kb = m["bytes_per_response"] / 1024
        print(f"{name:14}{m['rps']:>8.0f}{m['p50_ms']:>9.2f}{m['p99_ms']:>9.2f}"
              f"{kb:>7.1f}{m['server_cpu_ms']:>8.2f}{ratios}")  # fmt: skip


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    print(f"recreating {args.database_url}, seeding {args.events} events ...", flush=True)
    asyncio.run(recreate_database(args.database_url))
    migrate(args.database_url)
    asyncio.run(seed(args.database_url, args.events))
    port = free_port()
    server = start_server(args.database_url, port)
    try:
        sizes = check_content(port)
        runs = serving(args, port, server.pid)
    finally:
        stop_server(server)

    results: dict = {
        "serving": {
            name: {
                "runs": target,
                "median": {k: statistics.median(r[k] for r in target) for k in WRK_KEYS},
            }
            for name, target in runs.items()
        }  # fmt: skip
    }
    # Three ratios to the API list: of the median req/s; the median of each round's own
    # ratio (both ran within a minute of each other); and of the server's CPU time per
    # request, inverted (what throughput would be if the server's CPU were the only limit).
    api = results["serving"]["api list"]
    for name, row in results["serving"].items():
        row["ratio"] = row["median"]["rps"] / api["median"]["rps"]
        pairs = zip(runs[name], runs["api list"], strict=True)
        row["round_ratio"] = statistics.median(run["rps"] / base["rps"] for run, base in pairs)
        row["cpu_ratio"] = api["median"]["server_cpu_ms"] / row["median"]["server_cpu_ms"]
    problems = [
        f"{name}: {run['over_399']} responses >= 400"
        for name, target in runs.items()
        for run in target
        if run["over_399"]
    ]
    if tracebacks := SERVER_LOG.read_text(errors="replace").count("Traceback"):
        problems.append(f"{tracebacks} tracebacks in {SERVER_LOG}")
    results |= {
        "body_bytes": sizes,
        "problems": problems,
        "socket_errors": {n: [r["socket_errors"] for r in t] for n, t in runs.items()},
        "config": vars(args) | {"threads": 2, "warmup_seconds": WARMUP_SECONDS},
        **provenance(),
    }
    return report("web_pages", results, problems, print_table)


if __name__ == "__main__":
    sys.exit(main())
