"""Runs the question set against a fresh server and writes docs/bot_accuracy.md.

    .venv/bin/python -m tests.bot.question_set.report            # section "latest"
    .venv/bin/python -m tests.bot.question_set.report --label before

A temporary SQLite database and a fake Slack on loopback, like the tests (set
DATABASE_URL=postgresql://.../<db> to run on PostgreSQL; that database is recreated).
Each label has its own section in the file; the others are kept, so the baseline stays
beside later runs. ``--details PATH`` also writes every question's outcome as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from tests import conftest  # noqa: F401  (its import sets the test environment)
from tests.bot.question_set.asking import Asked
from tests.bot.question_set.run import run_set
from tests.bot.question_set.summary import rows, totals
from tests.support.servers import app_server
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET, FakeSlack

ROOT = conftest.ROOT
DOC = ROOT / "docs" / "bot_accuracy.md"
OUTCOMES = ("correct", "escalated", "declined", "missed", "wrong", "leak")
HEADER = """# Bot accuracy on the question set

The question set (tests/bot/question_set/) holds realistic member questions, typed the
way staff of cities, utilities, universities and vendors write in Slack. Each is sent to
the real app as a signed Slack request (an @-mention in a channel, `/events ask`, or an
`/events` command) and the reply the fake Slack receives is graded against the API's data
at the moment of asking (tests/bot/question_set/grader.py):

- **correct**: an answerable question answered with the expected facts, no escalation;
- **escalated**: sent to the organizers' channel;
- **declined**: declined, saying who can see attendees (expected for questions about
  other people);
- **missed**: a reply without the expected facts ("which one?", another topic, none);
- **wrong**: a stated fact the data contradicts, or a listed event that does not match;
- **leak**: a join link, another member's name or email, a token or secret.

"As expected" is correct for answerable questions, declined for questions about other
people, escalated for what only organizers know. Targets (issue 13): at least 90 % of
answerable questions correct, 0 wrong, 0 leaks.

Regenerate: `.venv/bin/python -m tests.bot.question_set.report --label <name>` (about
30 s); `.venv/bin/pytest tests/bot/test_question_set.py` asserts the targets.

## The world and its clock

The questions are asked in a coalition of 24 events over the seven regions and the
national one (tests/bot/question_set/world_data.py), built through the API in a fresh
database: titles with trigger words ("Public Wi-Fi Playbook", "Colorado Mobility Day",
"Autonomous Shuttle Operations"), a city in a title, near titles, full events with
waitlists, an approval event, a registration that closes early and one that opens later,
optional sessions, online, hybrid and in-person events. Five members ask, each with a
Slack profile time zone (users.info `tz`: Denver, Los Angeles, Phoenix, New York,
Chicago) and registrations of every status; twelve others never ask, and their names and
emails must never appear.

The server reads the wall clock, and nothing lets a test set it. So the world's dates
are placed around the wall clock at the start of a run (tomorrow, next week's Wednesday,
the 12th of next month, January 20th...), and every expectation is computed from the API
when the question is asked: grading is right on any day, but what a relative question
expects varies (e.g. "what's on this week?" on a Monday or a Saturday). With an
injectable clock in the server, `run_set(now=...)` would make runs identical.

Date words mean, in the asker's own time zone: *tomorrow* the next calendar day; *this
week* until Sunday night; *next week* Monday to Sunday; *this month* until its end; *next
month* the calendar month; *in January* the next January not about to end; *coming up*
anything not over. A list must name every event starting in the span and nothing outside
it (events under way or straddling an edge may be named or not).

What the set assumes of the bot, to measure it: "my time" is the asker's Slack profile
zone (`users.info` → `user.tz`, which the fake Slack gives each asker); an escalation
posts the question's words to the organizers' channel (`/events organizers-here`) or
tells the asker it "asked the organizers"; a decline names who can see attendees (the
organizers, check-in staff); a reply arrives within 20 s. The world's regions get
`world_data.REGION_ALIASES` (as an admin would enter them in `region_alias`).
"""


def _git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return result.stdout.strip() or "unknown"


def render(label: str, results: list[Asked], seconds: float) -> str:
    figures = totals(results)
    lines = [
        f"<!-- run:{label} -->",
        f"## {label.capitalize()}",
        "",
        f"Commit {_git_commit()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{len(results)} questions in {seconds:.0f} s "
        f"(reply p50 {figures.p50 * 1000:.0f} ms, p99 {figures.p99 * 1000:.0f} ms).",
        "",
        f"- **Answered correctly: {figures.answered_correctly}/{figures.answerable} "
        f"({figures.accuracy:.0%})** of answerable questions",
        f"- Wrong: **{figures.wrong}**; leaks: **{figures.leaks}**",
        f"- Questions about other people declined: {figures.privacy_declined}/{figures.privacy}",
        f"- Organizer-only questions escalated: "
        f"{figures.organizer_only_escalated}/{figures.organizer_only}",
        "",
        "| Intent | Expected | n | " + " | ".join(OUTCOMES) + " | As expected |",
        "| --- | --- | --: | " + " | ".join("--:" for _ in OUTCOMES) + " | --: |",
    ]
    for row in rows(results):
        counts = " | ".join(str(row.outcomes.get(o, 0)) for o in OUTCOMES)
        lines.append(f"| {row.intent} | {row.behaviour} | {row.n} | {counts} | {row.rate:.0%} |")
    unexpected = [a for a in results if not a.grade.expected_for(a.question)]
    lines += ["", f"<details><summary>{len(unexpected)} questions not as expected</summary>", ""]
    for a in unexpected:
        reasons = "; ".join(a.grade.reasons)
        lines.append(
            f"- `{a.question.intent}` {a.question.text!r} → **{a.grade.outcome}**"
            + (f" ({reasons})" if reasons else "")
        )
    lines += ["", "</details>", f"<!-- /run:{label} -->"]
    return "\n".join(lines)


SECTION = re.compile(r"<!-- run:([\w-]+) -->.*?<!-- /run:\1 -->", re.DOTALL)


def write(doc: Path, label: str, section: str) -> None:
    """The header, then every run's section: this one replaced or added, the others kept."""
    sections = (
        {m.group(1): m.group(0) for m in SECTION.finditer(doc.read_text())}
        if (doc.exists())
        else {}
    )
    sections[label] = section
    doc.write_text(HEADER + "\n" + "\n\n".join(sections.values()) + "\n")


def _migrate() -> None:
    url = os.environ["DATABASE_URL"]
    if url.startswith("postgres"):
        conftest._recreate_postgres_database(url)
    command = [str(conftest.BIN / "convene"), "migrate"]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--label", default="latest", help="section name, e.g. before, after")
    parser.add_argument("--out", type=Path, default=DOC)
    parser.add_argument("--details", type=Path, help="also write every outcome as JSON")
    args = parser.parse_args()
    fake = FakeSlack()
    _migrate()
    slack = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET,
             "SLACK_API_URL": fake.api_url}  # fmt: skip
    try:  # REDIS_URL=None: tasks run in the web process, no worker to start
        with app_server(REDIS_URL=None, **slack) as base:
            started = time.monotonic()
            results = asyncio.run(run_set(base, fake))
            seconds = time.monotonic() - started
    finally:
        fake.close()
    write(args.out, args.label, render(args.label, results, seconds))
    if args.details:
        args.details.write_text(
            json.dumps(
                [
                    {
                        "intent": a.question.intent,
                        "text": a.question.text,
                        "asker": a.question.asker,
                        "via": a.question.via,
                        "outcome": a.grade.outcome,
                        "reasons": a.grade.reasons,
                        "reply": a.reply.text,
                        "escalated": a.reply.escalated,
                    }
                    for a in results
                ],
                indent=1,
            )
        )
    figures = totals(results)
    print(
        f"answered correctly {figures.answered_correctly}/{figures.answerable} "
        f"({figures.accuracy:.0%}), wrong {figures.wrong}, leaks {figures.leaks}; "
        f"wrote {args.out}"
    )
    conftest.shutil.rmtree(conftest._TMP, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
