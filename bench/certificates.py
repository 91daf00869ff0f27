"""Certificates: a bulk issue through the real server vs. one render per certificate.

Issue 4: for a bulk issue of 500 certificates, milliseconds per certificate of our path and
of the naive one (each certificate rendered by itself), same template, same run, and peak
memory. Targets: <= 60 ms per certificate and >= 4x faster than the naive path.

1. Ours: a fresh uvicorn (in-memory task broker: no REDIS_URL), no certificates yet, an
   empty CERTIFICATE_DIR. First an untimed warm-up job: one certificate of another event,
   which starts the render processes (a server renders with them from its first job on;
   the naive path below is warmed up as well); its time is reported as "first job after a
   start". Then POST /api/manage/events/<slug>/certificates, GET the job every 100 ms
   until done: timed from the POST. The job issues the certificates and renders them
   in batches of 50 in a spawned process pool: their shared backdrop once, the holders'
   layer as one WeasyPrint document, stacked page by page with pypdf. The RSS of the server
   and its children is sampled every 50 ms.
2. Naive, in this process, after an untimed warm-up: certs.pdf.render_pdf(
   certificates_html([view])) for each of the same certificates, written to a file.
3. Context: one batch of 50 in this process, serial: the layered path, and whole pages as
   one document split with pypdf.

(1) and (2) alternate for --rounds; medians count.

    .venv/bin/python bench/certificates.py --certificates 500

Writes bench/results/certificates.json; exits non-zero if a job fails, a PDF is missing or
lacks its holder's name, or the server's log has a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import http.client
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import asyncpg
from calendar_feeds import git_commit  # same directory: helpers the benchmarks share
from pypdf import PdfReader
from registration_race import (
    UVICORN_ARGS,
    cpu_model,
    free_port,
    migrate,
    recreate_database,
    stop_server,
)

from certs.render import Branding, CertificateView, certificates_html

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
SERVER_LOG = RESULTS / "certificates_server.log"
SLUG = "smart-water-workshop"
FIRST = "Ana|Ben|Chloé|Darius|Elena|Farah|Grace|Hiroshi|Inés|José|Kwame|Lena|Mateo|Nadia"
LAST = "Álvarez|Brooks|Chen|Dubois|Eriksen|Fischer|García|Haddad|Ito|Johnson|Kowalski|Nguyen"
SEED = """
WITH r AS (INSERT INTO region (slug, name, timezone)
           VALUES ('colorado', 'Colorado', 'America/Denver') RETURNING id),
     o AS (INSERT INTO organization (slug, name, kind, region, is_member)
           SELECT 'denver', 'City and County of Denver', 'city', id, true FROM r RETURNING id),
     a AS (INSERT INTO organizer (email, name, role)
           VALUES ('bench@convene.test', 'Bench Admin', 'admin') RETURNING id),
     e AS (INSERT INTO event (slug, title, kind, status, timezone, venue_name, venue_address,
                              credit_hours, starts_at, ends_at, published_at)
           VALUES ($1, 'Smart Water Metering Workshop – Denver', 'workshop', 'published',
                   'America/Denver', 'Denver Civic Center', '1437 Bannock St, Denver, CO 80202',
                   3, $2, $3, $2) RETURNING id),
     er AS (INSERT INTO event_region (event, region) SELECT e.id, r.id FROM e, r),
     s AS (INSERT INTO event_session (event, title, starts_at, ends_at)
           SELECT id, 'Metering in practice', $2, $3 FROM e RETURNING id)
SELECT o.id, a.id, e.id, s.id FROM o, a, e, s
"""
WARM_UP_SLUG = "warm-up-workshop"
# Another event with one attendee: its job starts the server's render processes.
WARM_UP = """
WITH e AS (INSERT INTO event (slug, title, kind, status, timezone, venue_name, credit_hours,
                              starts_at, ends_at, published_at)
           VALUES ($1, 'Warm-up Workshop', 'workshop', 'published', 'America/Denver',
                   'Denver Civic Center', 1, $2, $3, $2) RETURNING id),
     er AS (INSERT INTO event_region (event, region) SELECT e.id, r.id FROM e, region r),
     s AS (INSERT INTO event_session (event, title, starts_at, ends_at)
           SELECT id, 'Warm-up', $2, $3 FROM e RETURNING id),
     g AS (INSERT INTO registration (event, member, status, confirmed_at)
           SELECT e.id, (SELECT MIN(id) FROM member), 'confirmed', $2 FROM e RETURNING id)
INSERT INTO attendance (registration, session, checked_in_at) SELECT g.id, s.id, $2 FROM g, s
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--naive-count", type=int, help="naive renders to time (default: all)")
    parser.add_argument(
        "--database-url", default="postgresql://postgres@127.0.0.1/convene_bench_certs"
    )
    return parser.parse_args()


async def seed(url: str, count: int) -> str:
    """A region, an organization, an admin organizer and its API token (stored as SHA-256),
    a published workshop a week ago with one session, and ``count`` members registered
    (confirmed) and checked in: all eligible under the default rule. Returns the token."""
    token = "cvo_" + secrets.token_urlsafe(32)
    starts = (datetime.now(UTC) - timedelta(days=7)).replace(hour=16, minute=0, microsecond=0)
    first, last = FIRST.split("|"), LAST.split("|")
    names = [
        f"{first[n % len(first)]} {last[n // len(first) % len(last)]} {n}" for n in range(count)
    ]
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            org, organizer, event, session = await conn.fetchrow(
                SEED, SLUG, starts, starts + timedelta(hours=3)
            )
            await conn.execute(
                "INSERT INTO api_token (token_hash, organizer, label) VALUES ($1, $2, 'bench')",
                hashlib.sha256(token.encode()).hexdigest(),
                organizer,
            )
            members = [(name, f"m{n}@bench.test", org, starts) for n, name in enumerate(names)]
            columns = ["name", "email", "organization", "created_at"]
            await conn.copy_records_to_table("member", records=members, columns=columns)
            await conn.execute(
                "INSERT INTO registration (event, member, status, confirmed_at) "
                "SELECT $1, id, 'confirmed', $2 FROM member ORDER BY id", event, starts,
            )  # fmt: skip
            await conn.execute(
                "INSERT INTO attendance (registration, session, checked_in_at) "
                "SELECT id, $1, $2 FROM registration ORDER BY id", session, starts,
            )  # fmt: skip
            await conn.execute(WARM_UP, WARM_UP_SLUG, starts, starts + timedelta(hours=1))
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()
    return token


async def sql(url: str, query: str) -> list:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetch(query)
    finally:
        await conn.close()


# --- memory: /proc, no psutil -------------------------------------------------------------


def process_tree(root: int) -> dict[int, str]:
    """``root`` and its descendants, each with its start time (to tell a reused pid).

    Walks /proc/<pid>/task/<tid>/children: scanning all of /proc every 50 ms took ~12 %
    of a core, which the render processes would otherwise have had."""
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        try:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            tasks = list(Path(f"/proc/{pid}/task").iterdir())
        except OSError:
            continue  # exited meanwhile
        tree[pid] = stat[19]
        for task in tasks:
            with contextlib.suppress(OSError):  # the thread ended meanwhile
                todo += [int(child) for child in (task / "children").read_text().split()]
    return tree


def alive(pid: int, started: str) -> bool:
    """Still running (not a zombie: here, pid 1 does not reap the orphans it adopts)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[19] == started and fields[0] != "Z"


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


class PeakRss(threading.Thread):
    """Every 50 ms: the peak of the summed RSS over the tree and of its largest process."""

    def __init__(self, pid: int, children: bool) -> None:
        super().__init__(daemon=True)
        self.pid, self.children, self.stop = pid, children, threading.Event()
        self.sum_mb = self.largest_mb = 0.0
        self.most = 0  # processes at once
        self.seen: dict[int, str] = {}  # every pid in the tree, with its start time

    def run(self) -> None:
        while not self.stop.is_set():
            tree = process_tree(self.pid) if self.children else {self.pid: ""}
            self.seen |= tree
            self.most = max(self.most, len(tree))
            sizes = [rss_mb(pid) for pid in tree]
            self.sum_mb = max(self.sum_mb, sum(sizes))
            self.largest_mb = max(self.largest_mb, *sizes)
            self.stop.wait(0.05)

    def __enter__(self) -> PeakRss:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        self.join()


# --- 1. our path, through the server -------------------------------------------------------


def call(port: int, method: str, path: str, token: str = "") -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def start_server(url: str, port: int, folder: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CERTIFICATE_DIR")}
    env |= {
        "DATABASE_URL": url, "CERTIFICATE_DIR": folder, "LOG_LEVEL": "WARNING",
        "BASE_URL": f"http://127.0.0.1:{port}", "SECRET_KEY": secrets.token_urlsafe(32),
    }  # fmt: skip
    command = [str(ROOT / ".venv/bin/uvicorn"), *UVICORN_ARGS.split(), "--port", str(port)]
    with SERVER_LOG.open("ab") as log:  # appended: the log keeps every start of the run
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if call(port, "GET", "/health")[0] == 200:
                return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"the server did not become healthy; see {SERVER_LOG}")


def run_job(port: int, slug: str, token: str) -> tuple[dict, float, float | None]:
    """POST a bulk issue and poll it to the end: the job, seconds, and when issuing ended."""
    start = time.perf_counter()
    status, job = call(port, "POST", f"/api/manage/events/{slug}/certificates", token)
    assert status == 202, (status, job)
    issued = None  # the job sets its total once every certificate is issued
    while job["status"] not in ("done", "failed") and time.perf_counter() - start < 900:
        time.sleep(0.1)
        job = call(port, "GET", f"/api/manage/certificate-jobs/{job['id']}", token)[1]
        issued = issued or (job["total"] and time.perf_counter() - start) or None
    return job, time.perf_counter() - start, issued


def our_path(args: argparse.Namespace, token: str, problems: list[str]) -> tuple[dict, list]:
    """One bulk issue from nothing: the measurement, and the certificates' rows."""
    url, port, n = args.database_url, free_port(), args.certificates
    asyncio.run(sql(url, "TRUNCATE certificate, certificate_job"))
    folder = tempfile.mkdtemp(prefix="convene-bench-certs-")
    server = start_server(url, port, folder)
    try:
        first_job = run_job(port, WARM_UP_SLUG, token)[1]
        with PeakRss(server.pid, children=True) as memory:
            job, seconds, issued = run_job(port, SLUG, token)
    finally:
        stop_server(server)
    time.sleep(1)  # the render processes outlive the server: end those we started, by pid
    orphans = [pid for pid, started in memory.seen.items() if alive(pid, started)]
    for pid in orphans:
        os.kill(pid, signal.SIGTERM)
    rows = asyncio.run(sql(url, "SELECT c.*, r.name AS region_name FROM certificate c "
                                "JOIN region r ON r.id = c.region JOIN event e ON e.id = c.event "
                                f"WHERE e.slug = '{SLUG}' ORDER BY c.id"))  # fmt: skip
    pdfs = [pdf for pdf in Path(folder).glob("*.pdf") if pdf.stem in {r["code"] for r in rows}]
    if job["status"] != "done" or job["done"] != n:
        problems.append(f"job {job['status']}, {job['done']}/{job['total']}: {job['error']}")
    if len(pdfs) != n or len(rows) != n:
        problems.append(f"{len(pdfs)} PDFs and {len(rows)} certificates, not {n}")
    if rows:
        row = rows[len(rows) // 2]
        path = Path(folder) / f"{row['code']}.pdf"
        text = " ".join(PdfReader(path).pages[0].extract_text().split()) if path.exists() else ""
        if row["holder_name"] not in text:
            problems.append(f"{path.name} lacks {row['holder_name']!r}: {text[:200]!r}")
    kb_per_pdf = sum(pdf.stat().st_size for pdf in pdfs) / 1024 / max(len(pdfs), 1)
    shutil.rmtree(folder)
    return {
        "base_url": f"http://127.0.0.1:{port}", "seconds": seconds,
        "first_job_seconds": first_job,
        "ms_per_certificate": 1000 * seconds / n, "issued_after_seconds": issued,
        "peak_rss_sum_mb": memory.sum_mb, "peak_rss_largest_mb": memory.largest_mb,
        "processes": memory.most, "orphaned_processes": len(orphans), "kb_per_pdf": kb_per_pdf,
    }, rows  # fmt: skip


# --- 2 and 3, in this process ---------------------------------------------------------------


def view_of(row, base_url: str) -> CertificateView:
    """As certs.documents.views_for builds it for a region without its own branding."""
    name = row["region_name"]
    monogram = "".join(word[0] for word in name.split() if word[0].isupper())[:3]
    return CertificateView(
        code=row["code"], verify_url=f"{base_url}/verify/{row['code']}",
        holder_name=row["holder_name"], organization_name=row["organization_name"],
        event_title=row["event_title"], event_kind=row["event_kind"], region_name=name,
        place=row["place"], starts_on=row["starts_on"], ends_on=row["ends_on"],
        credit_hours=Decimal(str(row["credit_hours"])), issued_on=row["issued_at"].date(),
        branding=Branding(signatory_name=f"{name} Board", signatory_title="Program Director",
                          monogram=monogram),
    )  # fmt: skip


def naive_path(views: list[CertificateView]) -> dict:
    from certs.pdf import render_pdf

    render_pdf(certificates_html(views[:1]))  # warm-up, untimed: the import, fonts, template
    folder = Path(tempfile.mkdtemp(prefix="convene-bench-naive-"))
    before = rss_mb(os.getpid())
    with PeakRss(os.getpid(), children=False) as memory:
        start = time.perf_counter()
        for view in views:
            (folder / f"{view.code}.pdf").write_bytes(render_pdf(certificates_html([view])))
        seconds = time.perf_counter() - start
    shutil.rmtree(folder)
    return {
        "seconds": seconds, "timed": len(views), "ms_per_certificate": 1000 * seconds / len(views),
        "rss_before_mb": before, "peak_rss_mb": memory.largest_mb,
    }  # fmt: skip


def batch_serial(views: list[CertificateView], repeat: int = 3) -> dict:
    """One batch in this process, without the pool, median ms per certificate: the layered
    path certs.documents takes (backdrop once, holders' layer, stacked with pypdf), and
    whole pages as one document split with pypdf (what it did before)."""
    from certs.pdf import render_certificates, render_pdf, split_pages

    paths = {
        "layered": lambda: render_certificates(views),
        "one document, split": lambda: split_pages(render_pdf(certificates_html(views))),
    }
    times: dict[str, list[float]] = {name: [] for name in paths}
    for _ in range(repeat):
        for name, render in paths.items():
            start = time.perf_counter()
            assert len(render()) == len(views)
            times[name].append(1000 * (time.perf_counter() - start) / len(views))
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {"batch": len(views), "ms_per_certificate": medians}


# --- report ---------------------------------------------------------------------------------


def print_table(results: dict) -> None:
    ours, naive, parts = results["ours"], results["naive"], results["batch_serial"]
    title = f"median of {len(results['rounds'])} rounds"
    print(f"\n{title:36}{'ms/cert':>8}{'total s':>9}{'peak RSS MB':>13}{'largest MB':>12}")
    rows = [
        (f"ours: server, {results['render_processes']} render processes",
         ours["ms_per_certificate"], ours["seconds"], ours["peak_rss_sum_mb"],
         ours["peak_rss_largest_mb"]),
        ("naive: one render each, serial", naive["ms_per_certificate"], naive["seconds"],
         naive["peak_rss_mb"], naive["peak_rss_mb"]),
    ]  # fmt: skip
    for name, ms, seconds, total, largest in rows:
        print(f"{name:36}{ms:>8.1f}{seconds:>9.2f}{total:>13.0f}{largest:>12.0f}")
    for name, ms in parts["ms_per_certificate"].items():
        label = f"one batch of {parts['batch']}, serial: {name}"
        print(f"{label:36}{ms:>8.1f}")
    print(f"\nissuing done after ~{ours['issued_after_seconds'] or 0:.1f} s of "
          f"{ours['seconds']:.1f} s; naive/ours = {results['speedup']:.2f}x")  # fmt: skip
    print(f"first job after a start (1 certificate, starting the render processes): "
          f"{ours['first_job_seconds']:.2f} s")  # fmt: skip
    for name, met in results["targets"].items():
        print(f"target {name}: {'met' if met else 'MISSED'}")


def main() -> int:
    args = parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    SERVER_LOG.write_bytes(b"")
    print(f"recreating {args.database_url}, seeding {args.certificates} attendees ...", flush=True)
    asyncio.run(recreate_database(args.database_url))
    migrate(args.database_url)
    token = asyncio.run(seed(args.database_url, args.certificates))

    problems, warnings, rounds = [], [], []
    for n in range(1, args.rounds + 1):
        ours, rows = our_path(args, token, problems)
        if problems:  # nothing to compare
            print("\n".join(f"PROBLEM: {p}" for p in problems), file=sys.stderr)
            return 1
        print(f"round {n} ours:  {ours['ms_per_certificate']:5.1f} ms/cert, "
              f"{ours['seconds']:6.2f} s, peak RSS {ours['peak_rss_sum_mb']:.0f} MB",
              flush=True)  # fmt: skip
        views = [view_of(row, ours["base_url"]) for row in rows]
        naive = naive_path(views[: args.naive_count or len(views)])
        print(f"round {n} naive: {naive['ms_per_certificate']:5.1f} ms/cert, "
              f"{naive['seconds']:6.2f} s ({naive['timed']} timed), "
              f"peak RSS {naive['peak_rss_mb']:.0f} MB", flush=True)  # fmt: skip
        rounds.append({"ours": ours, "naive": naive})
        if ours["orphaned_processes"]:
            warnings.append(
                f"round {n}: {ours['orphaned_processes']} render processes outlived the server"
            )

    def median(path: str) -> dict:
        keys = [k for k, v in rounds[0][path].items() if isinstance(v, int | float)]
        return {k: statistics.median(r[path][k] for r in rounds) for k in keys}

    results = {"rounds": rounds, "ours": median("ours"), "naive": median("naive")}
    speedup = results["naive"]["ms_per_certificate"] / results["ours"]["ms_per_certificate"]
    if tracebacks := SERVER_LOG.read_text(errors="replace").count("Traceback"):
        problems.append(f"{tracebacks} tracebacks in {SERVER_LOG}")
    results |= {
        "batch_serial": batch_serial(views[:50]),
        "speedup": speedup,
        "targets": {
            "<= 60 ms per certificate": results["ours"]["ms_per_certificate"] <= 60,
            ">= 4x faster than naive": speedup >= 4,
        },
        "render_processes": int(os.environ.get("CERTIFICATE_RENDER_PROCESSES") or os.cpu_count()),
        "problems": problems, "warnings": warnings, "config": vars(args), "commit": git_commit(),
        "cpu": cpu_model(), "date": datetime.now(UTC).isoformat(timespec="seconds"),
    }  # fmt: skip
    (RESULTS / "certificates.json").write_text(json.dumps(results, indent=2, default=str))
    print_table(results)
    for line in [f"WARNING: {w}" for w in warnings] + [f"PROBLEM: {p}" for p in problems]:
        print(line, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
