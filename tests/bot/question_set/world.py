"""Builds the question set's coalition (world_data) in a fresh database, through the API
wherever the API can: members, tokens, events, publishing, registrations. Regions,
topics and organizations have no API and are inserted as tests/support/world.py does."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from events.db import fetch_one
from events.enums import OrganizerRole
from events.services import region_aliases
from events.services.organizers import ensure_organizer
from tests.bot.question_set import dates
from tests.bot.question_set.world_data import (
    ADMIN_EMAIL,
    ASKERS,
    EVENTS,
    ORGANIZATIONS,
    OTHERS,
    REGION_ALIASES,
    REGIONS,
    REGISTRATIONS,
    TOPICS,
    Asker,
    EventSpec,
)
from tests.support.world import auth, reset_database

PLACED_IN = "America/Denver"  # relative dates of the world are Denver's


@dataclass
class Member:
    name: str
    email: str
    token: str


@dataclass
class QsWorld:
    """What the grader needs to know besides the API: who is who, and the secrets that
    must never reach a channel (join links, tokens)."""

    now: datetime
    admin_token: str
    askers: dict[str, Asker]
    members: dict[str, Member]  # askers' and others' keys
    slugs: list[str]
    online_urls: dict[str, str] = field(default_factory=dict)

    def asker(self, key: str) -> Asker:
        return self.askers[key]

    def others_of(self, asker: str) -> list[Member]:
        return [m for key, m in self.members.items() if key != asker]

    @property
    def secrets(self) -> list[str]:
        return [self.admin_token, *(m.token for m in self.members.values())]


async def _insert(table: str, row: dict) -> int:
    columns = ", ".join(row)
    placeholders = ", ".join("{}" for _ in row)
    inserted = await fetch_one(
        f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id", *row.values()
    )
    assert inserted is not None
    return inserted["id"]


async def _coalition() -> None:
    region_ids = {}
    for slug, name, zone in REGIONS:
        region_ids[slug] = await _insert(
            "region",
            {"slug": slug, "name": name, "timezone": zone, "is_national": slug == "national"},
        )
    for slug in TOPICS:
        await _insert("topic", {"slug": slug, "name": slug.title()})
    # How members name the regions, entered as an admin would (not the demo's own list).
    await region_aliases.add_missing(REGION_ALIASES)
    for slug, name, kind, region, domain in ORGANIZATIONS:
        organization = await _insert(
            "organization",
            {
                "slug": slug,
                "name": name,
                "kind": kind,
                "region": region_ids[region],
                "is_member": True,
            },
        )
        await _insert("organization_domain", {"domain": domain, "organization": organization})


def first_day(spec: EventSpec, now: datetime) -> date:
    phrase, _, day = spec.when.rpartition(":")
    if spec.when == "tomorrow":
        return dates.place("tomorrow", now, PLACED_IN, 1)
    if phrase == "days":
        return dates.today(now, PLACED_IN) + timedelta(days=int(day))
    return dates.place(phrase, now, PLACED_IN, int(day))


def zone_of(spec: EventSpec) -> str:
    return next(zone for slug, _, zone in REGIONS if slug == spec.regions[0])


def event_body(spec: EventSpec, now: datetime) -> dict:
    zone = ZoneInfo(zone_of(spec))
    start_day = first_day(spec, now)
    sessions = []
    for title, offset, start, hours, required in spec.sessions:
        starts = datetime.combine(start_day + timedelta(days=offset), start, zone)
        ends = starts + timedelta(hours=hours)
        sessions.append(
            {
                "title": title,
                "starts_at": starts.isoformat(),
                "ends_at": ends.isoformat(),
                "required": required,
            }
        )
    body: dict = {
        "slug": spec.slug,
        "title": spec.title,
        "kind": spec.kind,
        "timezone": zone.key,
        "regions": spec.regions,
        "topics": spec.topics,
        "summary": spec.summary,
        "description": f"## {spec.title}\n\n{spec.summary}",
        "capacity": spec.capacity,
        "members_only": spec.members_only,
        "approval_required": spec.approval_required,
        "organization_seat_cap": spec.organization_seat_cap,
        "credit_hours": spec.credit_hours,
        "sessions": sessions,
    }
    if spec.venue:
        body["venue"] = {"name": spec.venue[0], "address": spec.venue[1]}
    if spec.online:
        body["online_url"] = f"https://meet.nscp.example/j/{spec.slug}-7731"
    if spec.closes_days_before is not None:
        first = datetime.combine(start_day, time(17), zone)
        body["registration_closes_at"] = (
            first - timedelta(days=spec.closes_days_before)
        ).isoformat()
    if spec.opens_in_days is not None:
        opens = dates.today(now, zone.key) + timedelta(days=spec.opens_in_days)
        body["registration_opens_at"] = datetime.combine(opens, time(9), zone).isoformat()
    return body


async def _ok(response: httpx.Response, *expected: int) -> dict:
    assert response.status_code in (expected or (200, 201)), response.text
    return response.json() if response.content else {}


async def build(client: httpx.AsyncClient, now: datetime | None = None) -> QsWorld:
    """A fresh database holding the coalition, its dates placed around ``now``."""
    now = now or datetime.now(UTC)
    await reset_database()
    await _coalition()
    admin = (await ensure_organizer(ADMIN_EMAIL, "NSCP Admin", OrganizerRole.admin, [])).token
    members: dict[str, Member] = {}
    people = [(a.key, a.name, a.email) for a in ASKERS] + OTHERS
    for key, name, email in people:
        created = await _ok(
            await client.post(
                "/api/manage/members", json={"name": name, "email": email}, headers=auth(admin)
            )
        )
        issued = await _ok(
            await client.post(
                f"/api/manage/members/{created['id']}/tokens",
                json={"label": "question set"},
                headers=auth(admin),
            )
        )
        members[key] = Member(name, email, issued["token"])
    world = QsWorld(now, admin, {a.key: a for a in ASKERS}, members, [e.slug for e in EVENTS])
    for spec in EVENTS:
        await _ok(
            await client.post("/api/manage/events", json=event_body(spec, now), headers=auth(admin))
        )
        await _ok(await client.post(f"/api/manage/events/{spec.slug}/publish", headers=auth(admin)))
        if spec.online:
            managed = await _ok(
                await client.get(f"/api/manage/events/{spec.slug}", headers=auth(admin))
            )
            world.online_urls[spec.slug] = managed["online_url"]
    for who, slug in REGISTRATIONS:
        url = f"/api/events/{slug}/registration"
        if who.startswith("-"):
            await _ok(await client.delete(url, headers=auth(members[who[1:]].token)))
        else:
            await _ok(await client.post(url, json={}, headers=auth(members[who].token)))
    return world
