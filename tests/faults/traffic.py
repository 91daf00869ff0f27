"""What the fault tests do through the API, and what they check after a fault.

Clients act as real ones do: a registration that meets an error (a 5xx, a dropped
connection) is sent again, and registering is idempotent, so a retry never makes a second
registration. The checks read the database and the traffic the fakes recorded.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.faults.stack import Member, Seed, Stack
from tests.support.certificates import REGISTRATION_CLOSES, session
from tests.support.polling import eventually

SETTLE = 120.0  # seconds a recovery may take before a test gives up waiting


@dataclass
class Answers:
    """Every status a client saw, by member (0: no answer, the connection failed)."""

    seen: dict[int, list[int]] = field(default_factory=dict)
    errors: list[httpx.Response] = field(default_factory=list)

    @property
    def retried(self) -> int:
        return sum(len(statuses) > 1 for statuses in self.seen.values())


async def held_event(client: httpx.AsyncClient, seed: Seed, slug: str, capacity: int) -> dict:
    """A published event whose one session is over (so attendees earn certificates) and
    whose registration is still open."""
    body = {
        "slug": slug,
        "title": f"Fault drill {slug}",
        "kind": "workshop",
        "timezone": "America/Denver",
        "regions": ["colorado"],
        "topics": ["cybersecurity"],
        "venue": {"name": "City Hall", "address": "1437 Bannock St, Denver, CO"},
        "capacity": capacity,
        "sessions": [session("Main", 3)],
        "registration_closes_at": REGISTRATION_CLOSES,
    }
    response = await client.post("/api/manage/events", json=body, headers=seed.admin_headers)
    assert response.status_code == 201, response.text
    response = await client.post(f"/api/manage/events/{slug}/publish", headers=seed.admin_headers)
    assert response.status_code == 200, response.text
    return response.json()


async def register(
    client: httpx.AsyncClient, member: Member, slug: str, answers: Answers, within: float = 90
) -> dict:
    """Register, retrying after errors as a client would; the registration as answered."""
    statuses = answers.seen.setdefault(member.id, [])
    deadline = time.monotonic() + within
    while True:
        try:
            response = await client.post(f"/api/events/{slug}/registration", headers=member.headers)
        except httpx.TransportError:
            statuses.append(0)
        else:
            statuses.append(response.status_code)
            if response.status_code in (200, 201):
                return response.json()
            assert response.status_code >= 500, response.text  # a refusal is a bug here
            answers.errors.append(response)
        assert time.monotonic() < deadline, f"member {member.id} never registered: {statuses}"
        await asyncio.sleep(0.25)


async def register_all(
    client: httpx.AsyncClient, members: list[Member], slug: str, answers: Answers
) -> list[dict]:
    gate = asyncio.Semaphore(40)

    async def one(member: Member) -> dict:
        async with gate:
            return await register(client, member, slug, answers)

    return await asyncio.gather(*(one(member) for member in members))


async def check_in(
    client: httpx.AsyncClient, seed: Seed, event: dict, registrations: list[dict]
) -> None:
    confirmed = [r["id"] for r in registrations if r["status"] == "confirmed"]
    response = await client.post(
        f"/api/manage/sessions/{event['sessions'][0]['id']}/attendance",
        json={"registration_ids": confirmed},
        headers=seed.admin_headers,
    )
    assert response.status_code == 200, response.text


async def bulk_issue(client: httpx.AsyncClient, seed: Seed, slug: str) -> dict:
    response = await client.post(
        f"/api/manage/events/{slug}/certificates", headers=seed.admin_headers
    )
    assert response.status_code == 202, response.text
    return response.json()


# --- after the fault ------------------------------------------------------------------------


async def settle(stack: Stack, timeout: float = SETTLE) -> None:
    """Wait until the outbox holds nothing left to send and no certificate job is open."""

    async def settled() -> bool:
        rows = await stack.sql(
            "SELECT (SELECT COUNT(*) FROM notification WHERE sent_at IS NULL "
            "AND failed_at IS NULL) AS open, (SELECT COUNT(*) FROM certificate_job "
            "WHERE status <> 'done') AS jobs"
        )
        return rows[0]["open"] == 0 and rows[0]["jobs"] == 0

    if not await eventually(settled, timeout=timeout, interval=0.5):
        left = await stack.sql(
            "SELECT kind, channel, attempts, claimed_at IS NOT NULL AS claimed, last_error, "
            "COUNT(*) AS n FROM notification WHERE sent_at IS NULL AND failed_at IS NULL "
            "GROUP BY 1, 2, 3, 4, 5"
        )
        jobs = await stack.sql("SELECT id, status, total, done, error FROM certificate_job")
        raise AssertionError(f"not settled after {timeout:.0f} s: open {left}, jobs {jobs}")


async def in_hand(stack: Stack) -> set[int]:
    """Outbox rows claimed and not yet sent: right after a crash, the sends it cut short."""
    rows = await stack.sql(
        "SELECT id FROM notification WHERE claimed_at IS NOT NULL AND sent_at IS NULL"
    )
    return {row["id"] for row in rows}


async def assert_delivered_exactly_once(stack: Stack, cut_short: set[int] = frozenset()) -> None:
    """Every outbox row sent, and each reached Slack or the SMTP sink once.

    ``cut_short``: rows a killed worker had claimed. One of them may have reached Slack or
    the relay just before the kill, before its ``sent_at`` was written: neither channel
    takes an idempotency key, so that row alone may arrive twice."""
    rows = await stack.sql(
        "SELECT n.id, n.kind, n.channel, n.outcome, n.sent_at, n.failed_at, n.last_error, "
        "m.email, s.user_id FROM notification n JOIN registration r ON r.id = n.registration "
        "JOIN member m ON m.id = r.member LEFT JOIN slack_identity s ON s.member = m.id"
    )
    not_sent = [row for row in rows if row["sent_at"] is None or row["outcome"] != "sent"]
    assert not not_sent, f"{len(not_sent)} messages not delivered, e.g. {not_sent[:3]}"
    slack_rows = [row for row in rows if row["channel"] == "slack"]
    email_rows = [row for row in rows if row["channel"] == "email"]
    posts = [call for call in stack.slack.calls("chat.postMessage") if not call.limited]
    _assert_once(
        "Slack DM",
        want=Counter(row["user_id"] for row in slack_rows),
        spare=Counter(row["user_id"] for row in slack_rows if row["id"] in cut_short),
        got=Counter(call.params["channel"] for call in posts),
        distinct=Counter((call.params["channel"], call.params["text"]) for call in posts),
    )
    emails = stack.smtp.received()
    ids = Counter(str(received.message["Message-ID"]) for received in emails)
    assert max(ids.values(), default=1) == 1, "an email was relayed twice (same Message-ID)"
    recipients = [(address, received) for received in emails for address in received.recipients]
    _assert_once(
        "email",
        want=Counter(row["email"] for row in email_rows),
        spare=Counter(row["email"] for row in email_rows if row["id"] in cut_short),
        got=Counter(address for address, _ in recipients),
        distinct=Counter((address, str(r.message["Subject"])) for address, r in recipients),
    )


def _assert_once(what: str, *, want: Counter, spare: Counter, got: Counter, distinct: Counter):
    missing = {key: n for key, n in want.items() if got[key] < n}
    assert not missing, f"{what}: {len(missing)} recipients are missing messages: {missing}"
    extra = {key: got[key] - n for key, n in want.items() if got[key] > n + spare[key]}
    unknown = set(got) - set(want)
    assert not extra and not unknown, f"{what}: sent twice to {extra}, or to strangers {unknown}"
    twice = {key: n for key, n in distinct.items() if n > 1 and not spare[key[0]]}
    assert not twice, f"{what}: the same message twice: {twice}"


async def assert_registrations_intact(stack: Stack, slug: str, members: list[Member]) -> dict:
    """One registration per member who registered, none lost or doubled, and the event's
    seat counter equal to its confirmed registrations. The counts by status."""
    rows = await stack.sql(
        "SELECT r.member, r.status, e.seats_taken, e.capacity FROM registration r "
        "JOIN event e ON e.id = r.event WHERE e.slug = $1",
        slug,
    )
    by_member = Counter(row["member"] for row in rows)
    lost = {member.id for member in members} - set(by_member)
    assert not lost, f"{len(lost)} registrations answered 200/201 are gone: {sorted(lost)}"
    assert set(by_member) <= {member.id for member in members}, "registrations nobody made"
    assert max(by_member.values()) == 1, "a member registered twice"
    statuses = Counter(row["status"] for row in rows)
    seats = await stack.sql("SELECT seats_taken, capacity FROM event WHERE slug = $1", slug)
    assert seats[0]["seats_taken"] == statuses["confirmed"], (seats, statuses)
    assert statuses["confirmed"] == min(seats[0]["capacity"], len(members)), statuses
    return dict(statuses)


async def assert_certificates_intact(stack: Stack, slug: str) -> int:
    """At most one valid certificate per registration, each announced on both channels;
    how many there are."""
    rows = await stack.sql(
        "SELECT c.registration, COUNT(*) AS n FROM certificate c JOIN event e "
        "ON e.id = c.event WHERE e.slug = $1 AND c.status = 'valid' GROUP BY c.registration",
        slug,
    )
    assert all(row["n"] == 1 for row in rows), "a registration has two valid certificates"
    unannounced = await stack.sql(
        "SELECT c.id FROM certificate c JOIN event e ON e.id = c.event WHERE e.slug = $1 "
        "AND (SELECT COUNT(*) FROM notification n WHERE n.kind = 'certificate_issued' "
        "AND n.subject = c.id) <> 2",  # one per channel: Slack and email
        slug,
    )
    assert not unannounced, f"{len(unannounced)} certificates without their two messages"
    return len(rows)
