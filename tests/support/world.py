"""A small coalition for tests, built through the services, fresh for every test."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from bot.tables import ALL_TABLES as BOT_TABLES
from certs.tables import ALL_TABLES as CERTS_TABLES
from events import schemas
from events.db import DB, fetch, fetch_one
from events.enums import OrganizerRole
from events.services import members
from events.services.organizers import ensure_organizer
from events.tables import ALL_TABLES
from tests.support.clock import days_from_today

_counter = itertools.count(1)


async def reset_database() -> None:
    # The bot's and certificates' tables reference events' tables: they go first.
    tables = [
        *reversed(BOT_TABLES),
        *reversed(CERTS_TABLES),
        *reversed(ALL_TABLES),
        SessionsBase,  # Piccolo Admin's sessions and mirror accounts (events.admin)
        BaseUser,
    ]
    names = [table._meta.tablename for table in tables]
    if DB.engine_type == "postgres":
        await fetch(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE")
    else:
        for name in names:
            await fetch(f"DELETE FROM {name}")


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Person:
    id: int
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return auth(self.token)


@dataclass
class World:
    region_ids: dict[str, int]
    organization_ids: dict[str, int]
    admin: str
    colorado_organizer: str
    connective_organizer: str
    checkin_staff: str
    people: list[Person] = field(default_factory=list)

    async def member(self, organization: str = "denver", name: str | None = None) -> Person:
        domain = {
            "denver": "denvergov.test",
            "phoenix": "phoenix.test",
            "guest": "guest.test",
            "none": "unknown.test",
        }[organization]
        n = next(_counter)
        created = await members.create_member(
            schemas.MemberCreate(name=name or f"Member {n}", email=f"m{n}@{domain}")
        )
        token = await members.issue_token(member_id=created.id, label="test")
        person = Person(id=created.id, email=created.email, token=token.token)
        self.people.append(person)
        return person

    async def members(self, count: int, organization: str = "denver") -> list[Person]:
        return [await self.member(organization) for _ in range(count)]

    async def create_event(
        self, client: httpx.AsyncClient, *, publish: bool = True, token: str | None = None, **fields
    ) -> dict:
        """Create (and publish) an event through the API, as the admin unless told otherwise."""
        n = next(_counter)
        start = days_from_today(10)
        body = {
            "slug": f"event-{n}",
            "title": f"Event {n}",
            "kind": "workshop",
            "timezone": "America/Denver",
            "regions": ["colorado"],
            "topics": ["cybersecurity"],
            "venue": {"name": "City Hall", "address": "1437 Bannock St, Denver, CO"},
            "sessions": [
                {
                    "title": "Main",
                    "starts_at": start.isoformat(),
                    "ends_at": (start + timedelta(hours=3)).isoformat(),
                }
            ],
            **fields,
        }
        headers = auth(token or self.admin)
        response = await client.post("/api/manage/events", json=body, headers=headers)
        assert response.status_code == 201, response.text
        if publish:
            response = await client.post(
                f"/api/manage/events/{body['slug']}/publish", headers=headers
            )
            assert response.status_code == 200, response.text
        return response.json()


async def _insert(table: str, row: dict) -> int:
    columns = ", ".join(row)
    result = await fetch_one(
        f"INSERT INTO {table} ({columns}) VALUES ({', '.join('{}' for _ in row)}) RETURNING id",
        *row.values(),
    )
    assert result is not None
    return result["id"]


async def build_world() -> World:
    region_ids = {
        slug: await _insert(
            "region",
            {"slug": slug, "name": name, "timezone": tz, "is_national": slug == "national"},
        )
        for slug, name, tz in [
            ("colorado", "Colorado Smart Cities Alliance", "America/Denver"),
            ("the-connective", "The Connective", "America/Phoenix"),
            ("national", "National Smart Coalitions Partnership", "America/Chicago"),
        ]
    }
    for slug in ["connectivity", "cybersecurity", "transportation", "environment", "resilience"]:
        await _insert("topic", {"slug": slug, "name": slug.title()})
    organization_ids = {}
    for key, name, kind, region, domain, is_member in [
        ("denver", "City and County of Denver", "city", "colorado", "denvergov.test", True),
        ("phoenix", "City of Phoenix", "city", "the-connective", "phoenix.test", True),
        ("guest", "Guest Corp", "company", "national", "guest.test", False),
    ]:
        organization_ids[key] = await _insert(
            "organization",
            {
                "slug": key,
                "name": name,
                "kind": kind,
                "region": region_ids[region],
                "is_member": is_member,
            },
        )
        await _insert(
            "organization_domain", {"domain": domain, "organization": organization_ids[key]}
        )
    return World(
        region_ids=region_ids,
        organization_ids=organization_ids,
        admin=(await ensure_organizer("admin@nscp.test", "Admin", OrganizerRole.admin, [])).token,
        colorado_organizer=(
            await ensure_organizer(
                "co@nscp.test", "Colorado", OrganizerRole.region_organizer, ["colorado"]
            )
        ).token,
        connective_organizer=(
            await ensure_organizer(
                "phx@nscp.test", "Phoenix", OrganizerRole.region_organizer, ["the-connective"]
            )
        ).token,
        checkin_staff=(
            await ensure_organizer(
                "door@nscp.test", "Door", OrganizerRole.checkin_staff, ["colorado"]
            )
        ).token,
    )
