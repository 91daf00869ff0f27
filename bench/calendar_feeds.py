"""Calendar feeds: cold render, rebuild after one change, cached serving and the 304 path.

Issue 3 asks four things of a feed of 10,000 sessions (here 2,000 published events of the
region colorado, 5 sessions each), measured against the real server (uvicorn, one process)
over loopback:

a. Cold render: the first GET /calendar/regions/colorado.ics after a server start, with the
   fragment cache empty; median of 3 starts.
b. Its baseline, icalendar by itself in this process: the same sessions, fetched beforehand,
   built as icalendar.Event objects in one Calendar and serialised with to_ical(); median
   of 3. Target: the cold render is no slower.
c. Rebuild after one change: PATCH one session's times as an organizer, wait until the
   server's change check is due (CALENDAR_STATE_TTL, default 1 s), then time the next GET,
   which must show the new time. 10 sessions; median and max. Target: < 100 ms.
d. Cached serving, wrk at 50 connections, of one event's feed (5 sessions) and of the region
   feed, both with Accept-Encoding: gzip as calendar clients send, against GET /bench/hello
   on the same server; rounds alternate and the median counts. Target: >= 0.7 of hello.
e. The 304 path: the same with If-None-Match: <the gzip ETag>.

    .venv/bin/python bench/calendar_feeds.py --duration 10 --rounds 3

Writes bench/results/calendar_feeds.json; exits non-zero on any response >= 400, a 304 run
that got bodies, a wrong feed, or a traceback in the server's log.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import http.client
import json
import random
import re
import secrets
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
from icalendar import Calendar, Event
from registration_race import (  # same directory: the helpers both benchmarks share
    cpu_model,
    free_port,
    migrate,
    recreate_database,
    serve,
    stop_server,
    to_ms,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SERVER_LOG = RESULTS / "calendar_feeds_server.log"
REGION_FEED = "/calendar/regions/colorado.ics"
EVENT_FEED = "/calendar/events/event-0001.ics"
GZIP = {"Accept-Encoding": "gzip"}
TTL = 1.0  # the server's default CALENDAR_STATE_TTL, left as it is
CITIES = "Denver|Boulder|Fort Collins|Colorado Springs|Pueblo|Grand Junction|Durango"
SUBJECTS = (
    "Smart water metering|Broadband equity|Adaptive traffic signals|Municipal cybersecurity|"
    "Open data portals|Grid resilience|EV charging|Digital twins|Wildfire sensing|Public Wi-Fi"
)
FORMATS = [("workshop", "Workshop"), ("conference", "Summit"), ("training_track", "Academy")]
SESSIONS = "Kick-off and goals|Case studies|Hands-on lab|Procurement clinic|Wrap-up & next steps"
WORDS = (  # summaries are drawn from these, so gzip sees prose-like variety, not one template
    "city county utility staff partners residents vendors pilot procurement budget grant data "
    "sharing privacy sensors network fiber outage response planning equity access rural "
    "downtown transit corridor lessons results metrics dashboards maintenance contracts "
    "standards interoperability security training regional peer exchange funding roadmap "
    "permits zoning stormwater drought snowpack wildfire smoke air quality heat resilience "
    "broadband adoption libraries schools clinics public safety dispatch signals curb parking"
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--sessions-per-event", type=int, default=5)
    parser.add_argument("--clients", type=int, default=50, help="wrk connections")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--changes", type=int, default=10, help="rebuilds to time")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1:5432/convene_bench_cal"
    )
    return parser.parse_args()


# --- database ---------------------------------------------------------------------------


def fake_events(count: int, per_event: int, now: datetime) -> tuple[list[dict], list[dict]]:
    """Deterministic events in the next 12 months, each with weekly sessions of 2.5 hours;
    titles with a dash, an en dash and an ampersand, summaries of ~200 characters."""
    rng = random.Random(3)
    events, sessions = [], []
    for n in range(1, count + 1):
        subject, city = rng.choice(SUBJECTS.split("|")), rng.choice(CITIES.split("|"))
        kind, label = rng.choice(FORMATS)
        summary = f"A {label.lower()} on {subject.lower()}: " + " ".join(
            rng.choices(WORDS.split(), k=24)
        )
        first = (now + timedelta(days=rng.randint(1, 330))).replace(
            hour=rng.choice([15, 16, 17, 18]), minute=0, second=0, microsecond=0
        )
        changed = now - timedelta(days=rng.randint(1, 60), seconds=rng.randint(0, 86399))
        times = [(first + timedelta(weeks=k), timedelta(hours=2.5)) for k in range(per_event)]
        events.append({
            "id": n, "slug": f"event-{n:04d}", "title": f"{subject} {label} – {city}",
            "kind": kind, "summary": summary[:200] + ".", "status": "published",
            "timezone": "America/Denver", "venue_name": f"{city} Civic Center",
            "venue_address": f"{rng.randint(100, 9999)} Main St, {city}, CO 80{n % 900 + 100}",
            "latitude": 39.7 + rng.uniform(-1, 1), "longitude": -105 + rng.uniform(-1.5, 1.5),
            "starts_at": times[0][0], "ends_at": times[-1][0] + times[-1][1],
            "created_at": changed, "updated_at": changed,
        })  # fmt: skip
        for k, (starts, length) in enumerate(times):
            sessions.append({
                "id": (n - 1) * per_event + k + 1, "event": n,
                "title": SESSIONS.split("|")[k % 5],
                "description": f"Part {k + 1} of {per_event}; bring a laptop, slides follow.",
                "starts_at": starts, "ends_at": starts + length, "status": "scheduled",
                "revision": 0, "created_at": changed, "updated_at": changed,
            })  # fmt: skip
    return events, sessions


async def copy_rows(conn: asyncpg.Connection, table: str, rows: list[dict]) -> None:
    records = [tuple(row.values()) for row in rows]
    await conn.copy_records_to_table(table, records=records, columns=list(rows[0]))


SEED_OWNERS = """
WITH r AS (INSERT INTO region (slug, name, timezone)
           VALUES ('colorado', 'Colorado', 'America/Denver') RETURNING id),
     t AS (INSERT INTO topic (slug, name) VALUES ('smart-cities', 'Smart cities') RETURNING id),
     o AS (INSERT INTO organizer (email, name, role)
           VALUES ('bench@convene.test', 'Bench Admin', 'admin') RETURNING id)
SELECT r.id, t.id, o.id FROM r, t, o
"""

# Feeds show only events with published_at set, once that column exists (issue 3 adds it).
PUBLISHED_AT = """
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_name = 'event' AND column_name = 'published_at') THEN
        UPDATE event SET published_at = created_at;
    END IF;
END $$
"""


async def seed(url: str, count: int, per_event: int) -> str:
    """Region colorado, one topic, an admin organizer and the events, all hosted by the
    region. Returns the organizer's API token (stored as its SHA-256, as issue_token does)."""
    token = "cvo_" + secrets.token_urlsafe(32)
    events, sessions = fake_events(count, per_event, datetime.now(UTC))
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            region, topic, organizer = await conn.fetchrow(SEED_OWNERS)
            await conn.execute(
                "INSERT INTO api_token (token_hash, organizer, label) VALUES ($1, $2, 'bench')",
                hashlib.sha256(token.encode()).hexdigest(),
                organizer,
            )
            await copy_rows(conn, "event", events)
            await conn.execute(PUBLISHED_AT)
            await copy_rows(conn, "event_session", sessions)
            await copy_rows(
                conn, "event_region", [{"event": e["id"], "region": region} for e in events]
            )
            await copy_rows(
                conn, "event_topic", [{"event": e["id"], "topic": topic} for e in events]
            )
            for table in ("event", "event_session"):
                await conn.execute(
                    f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"
                )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return token


BASELINE_ROWS = """
SELECT s.id, s.title, s.description, s.starts_at, s.ends_at, s.revision,
       greatest(s.updated_at, e.updated_at) AS stamp, e.slug, e.title AS event_title,
       e.summary, e.venue_name, e.venue_address, e.latitude, e.longitude,
       r.slug AS region_slug, r.name AS region_name, t.name AS topic
FROM event_session s JOIN event e ON e.id = s.event
JOIN event_region er ON er.event = e.id JOIN region r ON r.id = er.region
JOIN event_topic et ON et.event = e.id JOIN topic t ON t.id = et.topic
WHERE r.slug = 'colorado' AND e.status = 'published' AND s.status = 'scheduled'
ORDER BY s.starts_at, s.id
"""


async def baseline_values(url: str, base: str) -> list[dict]:
    """The region feed's sessions as plain property values, the same the server puts in
    each VEVENT (fetched and prepared untimed)."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(BASELINE_ROWS)
    finally:
        await conn.close()
    return [{
        "uid": f"session-{r['id']}@127.0.0.1", "dtstamp": r["stamp"],
        "last-modified": r["stamp"], "sequence": r["revision"], "dtstart": r["starts_at"],
        "dtend": r["ends_at"], "summary": f"{r['event_title']}: {r['title']}",
        "description": f"{r['summary']}\n\n{r['description']}\n\n"
                       f"Details and registration: {base}/events/{r['slug']}",
        "url": f"{base}/events/{r['slug']}", "status": "CONFIRMED",
        "location": f"{r['venue_name']}, {r['venue_address']}",
        "geo": (r["latitude"], r["longitude"]), "categories": [r["topic"]],
        "organizer": (f"{base}/regions/{r['region_slug']}", r["region_name"]),
    } for r in rows]  # fmt: skip


def icalendar_alone(values: list[dict]) -> tuple[float, bytes]:
    """Idiomatic icalendar: an Event per session in one Calendar, then to_ical()."""
    start = time.perf_counter()
    calendar = Calendar()
    calendar.add("prodid", "-//bench//icalendar alone//EN")
    calendar.add("version", "2.0")
    for value in values:
        event = Event()
        for name, prop in value.items():
            if name == "organizer":
                event.add(name, prop[0], parameters={"CN": prop[1]})
            else:
                event.add(name, prop)
        calendar.add_component(event)
    body = calendar.to_ical()
    return time.perf_counter() - start, body


# --- server and load --------------------------------------------------------------------


def request(
    port: int, path: str, headers: dict | None = None, method: str = "GET", body: bytes = b""
) -> tuple[int, dict, bytes, float]:
    """One request on a new connection: status, headers, body and the wall time up to the
    last byte. Anything but 2xx or 304 raises."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        start = time.perf_counter()
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        elapsed = time.perf_counter() - start
    finally:
        conn.close()
    if not (200 <= response.status < 300 or response.status == 304):
        raise RuntimeError(f"{method} {path}: {response.status} {data[:500]!r}")
    return response.status, {k.lower(): v for k, v in response.getheaders()}, data, elapsed


def start_server(url: str, port: int) -> subprocess.Popen:
    env = {
        "DATABASE_URL": url,
        "CONVENE_BENCH_ROUTES": "1",
        "LOG_LEVEL": "WARNING",
        "BASE_URL": f"http://127.0.0.1:{port}",
    }
    # The log is appended: it keeps every start of the run.
    return serve(port, env, SERVER_LOG, drop=("CALENDAR_STATE_TTL",), append=True)


def run_wrk(url: str, clients: int, duration: int, headers: dict) -> dict:
    command = ["wrk", "--latency", "-t2", f"-c{clients}", f"-d{duration}s", url]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    try:
        total = re.search(r"(\d+) requests in ([\d.]+\w+), ([\d.]+)([KMGT]?B) read", out)
        read = float(total[3]) * 1024 ** "BKMGT".index(total[4][0])  # wrk's units are binary
        seconds = to_ms(total[2]) / 1000
        result = {
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
            "p50_ms": to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1]),
            "p99_ms": to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]),
            "requests": int(total[1]),
            "bytes_per_response": read / max(int(total[1]), 1),
            "mb_per_s": read / seconds / 1e6,
        }
    except (TypeError, ValueError) as error:
        raise RuntimeError(f"cannot parse the output of wrk:\n{out}") from error
    over_399 = re.search(r"Non-2xx or 3xx responses: (\d+)", out)  # wrk counts >= 400 only
    errors = re.search(r"Socket errors: (.*)", out)
    result["over_399"] = int(over_399[1]) if over_399 else 0
    result["socket_errors"] = errors[1] if errors else None
    return result


# --- the measurements -------------------------------------------------------------------


def cold_render(url: str, port: int, expected: int) -> dict:
    """(a) The first GET of the region feed after a start, then the same uncompressed."""
    server = start_server(url, port)
    try:
        _, headers, zipped, seconds = request(port, REGION_FEED, GZIP)
        identity = request(port, REGION_FEED)[2]
    finally:
        stop_server(server)
    assert headers.get("content-encoding") == "gzip", headers
    assert gzip.decompress(zipped) == identity, "the gzip and identity bodies differ"
    vevents = identity.count(b"BEGIN:VEVENT")
    assert vevents == expected, f"{vevents} VEVENTs in the feed, {expected} sessions seeded"
    return {"seconds": seconds, "identity_bytes": len(identity), "gzip_bytes": len(zipped)}


def vevent_of(feed: bytes, session_id: int) -> str:
    text = feed.decode()
    at = text.index(f"UID:session-{session_id}@")
    return text[text.rindex("BEGIN:VEVENT", 0, at) : text.index("END:VEVENT", at)]


def rebuilds(port: int, token: str, session_ids: list[int]) -> list[dict]:
    """(c) Per session: a GET once the change check is due and nothing changed (the re-check
    alone), then PATCH the session's times, wait as long, and time the GET that rebuilds."""
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    base = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(days=200)
    runs = []
    for n, session_id in enumerate(session_ids):
        time.sleep(TTL + 0.2)
        recheck = request(port, REGION_FEED, GZIP)[3]
        starts = base + timedelta(hours=n)
        ends = starts + timedelta(hours=2)
        change = {"starts_at": starts.isoformat(), "ends_at": ends.isoformat()}
        path = f"/api/manage/sessions/{session_id}"
        patch = request(port, path, auth, "PATCH", json.dumps(change).encode())[3]
        time.sleep(TTL + 0.2)
        _, _, body, seconds = request(port, REGION_FEED, GZIP)
        vevent = vevent_of(gzip.decompress(body), session_id)
        assert f"DTSTART:{starts:%Y%m%dT%H%M%SZ}\r\n" in vevent, vevent
        assert "SEQUENCE:1\r\n" in vevent, vevent
        runs.append({"session": session_id, "seconds": seconds})
        runs[-1] |= {"recheck_seconds": recheck, "patch_seconds": patch}
    return runs


def serving(args: argparse.Namespace, port: int) -> dict[str, list[dict]]:
    """(d, e) wrk against hello and the cached feeds (200 and 304), rounds alternating,
    after an unrecorded 2 s warm-up of each."""
    targets = {"hello": ("/bench/hello", GZIP)}
    for name, path in (("event", EVENT_FEED), ("region", REGION_FEED)):
        etag = request(port, path, GZIP)[1]["etag"]
        targets[f"{name} 200"] = (path, GZIP)
        targets[f"{name} 304"] = (path, GZIP | {"If-None-Match": etag})
    base = f"http://127.0.0.1:{port}"
    for path, headers in targets.values():
        run_wrk(base + path, args.clients, 2, headers)
    runs: dict[str, list[dict]] = {name: [] for name in targets}
    for n in range(1, args.rounds + 1):
        for name, (path, headers) in targets.items():
            runs[name].append(run := run_wrk(base + path, args.clients, args.duration, headers))
            print(f"round {n} {name:>10}: {run['rps']:8.0f} req/s, p99 {run['p99_ms']:7.2f} ms, "
                  f"{run['mb_per_s']:7.1f} MB/s", flush=True)  # fmt: skip
    return runs


# --- report -----------------------------------------------------------------------------


WRK_KEYS = ("rps", "p50_ms", "p99_ms", "mb_per_s", "bytes_per_response")


def summary(runs: list[dict], *keys: str) -> dict:
    return {"runs": runs, "median": {k: statistics.median(r[k] for r in runs) for k in keys}}


def problems_in(serving: dict[str, list[dict]], gzip_bytes: int) -> list[str]:
    found = [f"{name}: {run['over_399']} responses >= 400"
             for name, runs in serving.items() for run in runs if run["over_399"]]  # fmt: skip
    for name, runs in serving.items():
        for run in runs:  # what wrk read per response tells a 304 from a full body
            per = run["bytes_per_response"]
            if (name.endswith("304") and per > 1024) or (name == "region 200" and per < gzip_bytes):
                found.append(f"{name}: {per:.0f} bytes per response")
    if tracebacks := SERVER_LOG.read_text(errors="replace").count("Traceback"):
        found.append(f"{tracebacks} tracebacks in {SERVER_LOG}")
    return found


def print_table(results: dict) -> None:
    cold, alone = results["cold_render"]["median"], results["icalendar_alone"]["median"]
    rebuild = results["rebuild"]["median"]
    print(f"\ncold render {cold['seconds']:.3f} s ({cold['identity_bytes'] / 1e6:.2f} MB, gzip "
          f"{cold['gzip_bytes'] / 1e6:.2f} MB); icalendar alone {alone['seconds']:.3f} s; "
          f"ratio {results['cold_vs_icalendar']:.2f}")  # fmt: skip
    print(f"rebuild after one change: median {rebuild['seconds'] * 1000:.1f} ms, max "
          f"{results['rebuild']['max_ms']:.1f} ms (re-check with nothing changed: "
          f"{rebuild['recheck_seconds'] * 1000:.1f} ms)")  # fmt: skip
    print(f"\n{'median':12}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'MB/s':>9}{'x hello':>9}")
    for name, row in results["serving"].items():
        m = row["median"]
        print(f"{name:12}{m['rps']:>9.0f}{m['p50_ms']:>9.2f}{m['p99_ms']:>9.2f}"
              f"{m['mb_per_s']:>9.1f}{row['ratio']:>9.2f}")  # fmt: skip


def git_commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout

    dirty = " (src/ modified)" if git("status", "--porcelain", "src") else ""
    return git("rev-parse", "--short", "HEAD").strip() + dirty


def provenance() -> dict:
    """Which code, on which machine, when: stamped on every results file."""
    return {
        "commit": git_commit(),
        "cpu": cpu_model(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def report(name: str, results: dict, problems: list[str], print_table) -> int:
    """Write bench/results/<name>.json, print the table and the problems; the exit code."""
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(results)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


def main() -> int:
    args = parse_args()
    expected = args.events * args.sessions_per_event
    RESULTS.mkdir(parents=True, exist_ok=True)
    SERVER_LOG.write_bytes(b"")
    print(f"recreating {args.database_url}, seeding {expected} sessions ...", flush=True)
    asyncio.run(recreate_database(args.database_url))
    migrate(args.database_url)
    token = asyncio.run(seed(args.database_url, args.events, args.sessions_per_event))
    port = free_port()

    values = asyncio.run(baseline_values(args.database_url, f"http://127.0.0.1:{port}"))
    assert len(values) == expected, len(values)
    alone = [icalendar_alone(values) for _ in range(3)]
    alone = [{"seconds": seconds, "bytes": len(body)} for seconds, body in alone]
    print(f"icalendar alone: {[round(r['seconds'], 3) for r in alone]} s", flush=True)
    cold = [cold_render(args.database_url, port, expected) for _ in range(3)]
    print(f"cold render: {[round(r['seconds'], 3) for r in cold]} s", flush=True)

    server = start_server(args.database_url, port)
    try:
        request(port, REGION_FEED, GZIP)  # a cold render again, untimed
        picks = random.Random(7).sample(range(1, expected + 1), args.changes)
        changes = rebuilds(port, token, picks)
        print(f"rebuilds: {[round(r['seconds'] * 1000, 1) for r in changes]} ms", flush=True)
        runs = serving(args, port)
    finally:
        stop_server(server)

    hello = statistics.median(run["rps"] for run in runs["hello"])
    results = {
        "cold_render": summary(cold, "seconds", "identity_bytes", "gzip_bytes"),
        "icalendar_alone": summary(alone, "seconds", "bytes"),
        "rebuild": summary(changes, "seconds", "recheck_seconds", "patch_seconds"),
        "serving": {name: summary(target, *WRK_KEYS) for name, target in runs.items()},
    }
    results["rebuild"] |= {
        "max_ms": 1000 * max(r["seconds"] for r in changes),
        "method": f"CALENDAR_STATE_TTL={TTL} (default); GET timed {TTL + 0.2} s after the PATCH",
    }
    for row in results["serving"].values():
        row["ratio"] = row["median"]["rps"] / hello
    cold_s, alone_s = (results[k]["median"]["seconds"] for k in ("cold_render", "icalendar_alone"))
    problems = problems_in(runs, results["cold_render"]["median"]["gzip_bytes"])
    results |= {
        "cold_vs_icalendar": cold_s / alone_s,
        "problems": problems,
        "socket_errors": {n: [r["socket_errors"] for r in t] for n, t in runs.items()},
        "config": vars(args) | {"threads": 2, "calendar_state_ttl": TTL},
        **provenance(),
    }
    return report("calendar_feeds", results, problems, print_table)


if __name__ == "__main__":
    sys.exit(main())
