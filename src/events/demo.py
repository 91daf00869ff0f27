"""The NSCP demo coalition: seven regional networks, a dozen organizations, ~20 events.

Loading is idempotent: everything is keyed by slug or email and only missing rows are
added, so a second run changes nothing. Dates are relative to the first load.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from events import schemas
from events.auth import MemberPrincipal, OrganizerPrincipal
from events.db import fetch, fetch_one
from events.enums import EventKind, OrganizationKind, OrganizerRole
from events.services import events as event_service
from events.services import members, region_aliases, registrations

REGIONS = [
    ("colorado", "Colorado Smart Cities Alliance", "America/Denver"),
    ("southern-arizona", "Southern Arizona Smart Region", "America/Phoenix"),
    ("north-florida", "Smart North Florida", "America/New_York"),
    ("north-texas", "North Texas Innovation Alliance", "America/Chicago"),
    ("illinois", "Illinois Association of Smart Cities and Regions", "America/Chicago"),
    ("kansas-city", "KC Digital Drive", "America/Chicago"),
    ("the-connective", "The Connective", "America/Phoenix"),
]
NATIONAL = ("national", "National Smart Coalitions Partnership", "America/Chicago")
# What members call each region: cities, states, nicknames. Admins edit them in /admin;
# "AZ" and "Arizona" name both Arizona networks. Two-letter ones count in a sentence only
# in capitals ("CO", not "co-host"). The migration 2026-12-03T14:00 seeds the same.
REGION_ALIASES = {
    "colorado": ["Colorado", "CO", "Denver", "Boulder", "Front Range", "CSCA"],
    "southern-arizona": [
        "Tucson", "Southern Arizona", "Southern AZ", "South Arizona", "Pima", "AZ", "Arizona",
    ],
    "the-connective": [
        "Phoenix", "the Valley", "Valley of the Sun", "Greater Phoenix", "PHX", "Scottsdale",
        "Tempe", "Mesa", "Connective", "AZ", "Arizona",
    ],
    "north-florida": [
        "Jacksonville", "JAX", "North Florida", "Northeast Florida", "NE Florida", "Florida",
        "FL",
    ],
    "north-texas": [
        "Dallas", "DFW", "Fort Worth", "Ft Worth", "Dallas-Fort Worth", "North Texas",
        "Arlington", "Texas", "TX",
    ],
    "illinois": ["Chicago", "Chicagoland", "Illinois", "IL"],
    "kansas-city": ["Kansas City", "KC", "KCMO", "KCK", "Missouri", "Kansas", "MO"],
    "national": ["national", "nationwide", "NSCP", "coalition-wide"],
}  # fmt: skip


def mailbox(region_slug: str) -> str:
    """Each region's mailbox: the organizer of its calendar invitations, the Reply-To of
    its emails (e.g. colorado@events.nscp.example)."""
    return f"{region_slug}@events.nscp.example"


TOPICS = [
    ("connectivity", "Connectivity"),
    ("cybersecurity", "Cybersecurity"),
    ("transportation", "Transportation"),
    ("environment", "Environment"),
    ("resilience", "Resilience"),
]

# slug, name, kind, region, email domains, coalition member?
ORGANIZATIONS = [
    (
        "city-of-denver",
        "City and County of Denver",
        OrganizationKind.city,
        "colorado",
        ["denvergov.example"],
        True,
    ),
    (
        "colorado-state-university",
        "Colorado State University",
        OrganizationKind.university,
        "colorado",
        ["colostate.example"],
        True,
    ),
    (
        "city-of-tucson",
        "City of Tucson",
        OrganizationKind.city,
        "southern-arizona",
        ["tucsonaz.example"],
        True,
    ),
    (
        "pima-county",
        "Pima County",
        OrganizationKind.county,
        "southern-arizona",
        ["pima.example"],
        True,
    ),
    (
        "city-of-jacksonville",
        "City of Jacksonville",
        OrganizationKind.city,
        "north-florida",
        ["coj.example"],
        True,
    ),
    (
        "city-of-dallas",
        "City of Dallas",
        OrganizationKind.city,
        "north-texas",
        ["dallascity.example"],
        True,
    ),
    (
        "txdot-dallas",
        "TxDOT Dallas District",
        OrganizationKind.state_agency,
        "north-texas",
        ["txdot.example"],
        True,
    ),
    (
        "city-of-chicago",
        "City of Chicago",
        OrganizationKind.city,
        "illinois",
        ["cityofchicago.example"],
        True,
    ),
    (
        "kcmo",
        "City of Kansas City, Missouri",
        OrganizationKind.city,
        "kansas-city",
        ["kcmo.example"],
        True,
    ),
    (
        "city-of-phoenix",
        "City of Phoenix",
        OrganizationKind.city,
        "the-connective",
        ["phoenix.example"],
        True,
    ),
    (
        "asu",
        "Arizona State University",
        OrganizationKind.university,
        "the-connective",
        ["asu.example"],
        True,
    ),
    (
        "fiberway",
        "Fiberway Networks",
        OrganizationKind.company,
        "national",
        ["fiberway.example"],
        False,
    ),
]

FIRST_NAMES = [
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Imani",
    "Jonas",
    "Kira",
    "Luis",
    "Maya",
    "Nate",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
]
LAST_NAMES = ["Nguyen", "Garcia", "Okafor", "Smith", "Haddad", "Kowalski", "Lee", "Moreno"]

DIETARY = schemas.Question(key="dietary", label="Dietary needs", kind="text")
ACCESSIBILITY = schemas.Question(key="accessibility", label="Accessibility needs", kind="text")
ROLE = schemas.Question(
    key="role",
    label="Your role",
    kind="choice",
    required=True,
    choices=["Elected official", "City staff", "Industry", "Academia", "Other"],
)


@dataclass
class DemoEvent:
    slug: str
    title: str
    kind: EventKind
    regions: list[str]
    topics: list[str]
    day: int  # days after the load date
    sessions: list[
        tuple[str, int, time, float, bool]
    ]  # title, day offset, local start, hours, required
    capacity: int | None = None
    online: bool = False
    venue: tuple[str, str, float, float] | None = None
    members_only: bool = False
    approval_required: bool = False
    organization_seat_cap: int | None = None
    credit_hours: float = 0
    questions: list[schemas.Question] = field(default_factory=list)
    summary: str = ""
    fill: int = 0  # demo members to register (more than capacity makes a waitlist)


def _one(title: str, start: time, hours: float) -> list[tuple[str, int, time, float, bool]]:
    return [(title, 0, start, hours, True)]


CYBER_TRACK = [
    (f"Class {n}: {name}", 7 * (n - 1), time(10), 2, n != 4)
    for n, name in enumerate(
        [
            "Threat landscape for cities",
            "Securing OT and SCADA",
            "Incident response drills",
            "Vendor risk (elective)",
            "Zero trust for municipal IT",
            "Tabletop exercise",
        ],
        start=1,
    )
]
AGENDA = [
    ("Opening keynote", 0, time(9), 1, False),
    ("Connected corridors panel", 0, time(10, 30), 1.5, False),
    ("Workshop: data governance", 0, time(13, 30), 2, False),
    ("Resilience hubs in practice", 1, time(9), 1.5, False),
    ("Closing plenary", 1, time(11), 1, False),
]

EVENTS = [
    DemoEvent(
        "municipal-cybersecurity-track",
        "Municipal Cybersecurity Training Track",
        EventKind.training_track,
        ["colorado"],
        ["cybersecurity"],
        14,
        CYBER_TRACK,
        capacity=30,
        online=True,
        members_only=True,
        credit_hours=12,
        summary="Six weekly classes on defending city systems.",
        fill=12,
    ),
    DemoEvent(
        "smart-region-summit",
        "Smart Region Summit",
        EventKind.conference,
        ["the-connective", "southern-arizona"],
        ["connectivity", "transportation", "resilience"],
        40,
        AGENDA,
        capacity=250,
        venue=("Phoenix Convention Center", "100 N 3rd St, Phoenix, AZ 85004", 33.4484, -112.0740),
        credit_hours=6,
        questions=[ROLE, DIETARY, ACCESSIBILITY],
        summary="Two days on connected, resilient regions.",
        fill=20,
    ),
    DemoEvent(
        "broadband-mapping-workshop",
        "Broadband Mapping Workshop",
        EventKind.workshop,
        ["kansas-city"],
        ["connectivity"],
        9,
        _one("Hands-on mapping", time(13), 3),
        capacity=8,
        venue=("KC Digital Drive Lab", "1100 Walnut St, Kansas City, MO 64106", 39.1005, -94.5830),
        credit_hours=3,
        summary="Full: join the waitlist.",
        fill=12,
    ),
    DemoEvent(
        "curb-management-webinar",
        "Curb Management Webinar",
        EventKind.webinar,
        ["national"],
        ["transportation"],
        5,
        _one("Webinar", time(12), 1),
        online=True,
        summary="Pricing, loading zones and data.",
        fill=6,
    ),
    DemoEvent(
        "heat-resilience-workshop",
        "Extreme Heat Resilience Workshop",
        EventKind.workshop,
        ["southern-arizona"],
        ["environment", "resilience"],
        21,
        _one("Workshop", time(8, 30), 4),
        capacity=10,
        venue=(
            "Tucson Convention Center",
            "260 S Church Ave, Tucson, AZ 85701",
            32.2180,
            -110.9740,
        ),
        credit_hours=4,
        questions=[ACCESSIBILITY],
        fill=14,
        summary="Cooling centres, tree canopy and heat plans.",
    ),
    DemoEvent(
        "hurricane-readiness-tabletop",
        "Hurricane Readiness Tabletop",
        EventKind.workshop,
        ["north-florida"],
        ["resilience"],
        30,
        _one("Tabletop", time(9), 5),
        capacity=40,
        venue=(
            "Jacksonville Public Library",
            "303 N Laura St, Jacksonville, FL 32202",
            30.3300,
            -81.6590,
        ),
        approval_required=True,
        credit_hours=5,
        summary="By approval: emergency managers first.",
        fill=5,
    ),
    DemoEvent(
        "ev-charging-roundtable",
        "EV Charging Roundtable",
        EventKind.workshop,
        ["north-texas"],
        ["transportation", "environment"],
        18,
        _one("Roundtable", time(14), 2),
        capacity=25,
        venue=("Dallas City Hall", "1500 Marilla St, Dallas, TX 75201", 32.7767, -96.7970),
        organization_seat_cap=3,
        summary="Three seats per organization.",
    ),
    DemoEvent(
        "illinois-smart-cities-forum",
        "Illinois Smart Cities Forum",
        EventKind.conference,
        ["illinois"],
        ["connectivity", "cybersecurity", "environment"],
        55,
        AGENDA[:4],
        capacity=150,
        venue=(
            "Chicago Cultural Center",
            "78 E Washington St, Chicago, IL 60602",
            41.8837,
            -87.6250,
        ),
        credit_hours=5,
    ),
    DemoEvent(
        "iot-sensors-101",
        "IoT Sensors 101",
        EventKind.webinar,
        ["colorado"],
        ["connectivity"],
        3,
        _one("Webinar", time(11), 1),
        online=True,
    ),
    DemoEvent(
        "transit-signal-priority",
        "Transit Signal Priority Deep Dive",
        EventKind.webinar,
        ["the-connective"],
        ["transportation"],
        26,
        _one("Webinar", time(10), 1.5),
        online=True,
    ),
    DemoEvent(
        "air-quality-networks",
        "Community Air Quality Networks",
        EventKind.workshop,
        ["illinois"],
        ["environment"],
        33,
        _one("Workshop", time(9, 30), 3),
        capacity=35,
        venue=("UIC Innovation Center", "1240 W Harrison St, Chicago, IL 60607", 41.8740, -87.6570),
    ),
    DemoEvent(
        "ransomware-tabletop-kc",
        "Ransomware Tabletop for Local Government",
        EventKind.workshop,
        ["kansas-city", "illinois"],
        ["cybersecurity"],
        47,
        _one("Tabletop", time(9), 4),
        capacity=30,
        members_only=True,
        venue=(
            "Kansas City Public Library",
            "14 W 10th St, Kansas City, MO 64105",
            39.1020,
            -94.5840,
        ),
        credit_hours=4,
    ),
    DemoEvent(
        "digital-equity-convening",
        "Digital Equity Convening",
        EventKind.conference,
        ["north-florida"],
        ["connectivity"],
        68,
        AGENDA[:3],
        capacity=120,
        venue=(
            "UNF Adam W. Herbert University Center",
            "12000 Alumni Dr, Jacksonville, FL 32224",
            30.2660,
            -81.5070,
        ),
    ),
    DemoEvent(
        "flood-sensing-pilot",
        "Flood Sensing Pilot Results",
        EventKind.webinar,
        ["north-florida", "north-texas"],
        ["resilience", "environment"],
        12,
        _one("Webinar", time(15), 1),
        online=True,
    ),
    DemoEvent(
        "smart-water-utilities",
        "Smart Water Utilities",
        EventKind.workshop,
        ["the-connective"],
        ["environment", "resilience"],
        61,
        _one("Workshop", time(9), 3),
        capacity=45,
        venue=("ASU SkySong", "1475 N Scottsdale Rd, Scottsdale, AZ 85257", 33.4650, -111.9260),
    ),
    DemoEvent(
        "autonomous-shuttles",
        "Autonomous Shuttle Operations",
        EventKind.workshop,
        ["north-texas"],
        ["transportation"],
        75,
        _one("Workshop", time(10), 2.5),
        capacity=60,
        venue=(
            "Arlington Entertainment District",
            "1000 Ballpark Way, Arlington, TX 76011",
            32.7510,
            -97.0830,
        ),
    ),
    DemoEvent(
        "gis-for-resilience-track",
        "GIS for Resilience Training Track",
        EventKind.training_track,
        ["southern-arizona", "the-connective"],
        ["resilience", "environment"],
        24,
        [(f"Module {n}", 14 * (n - 1), time(13), 2, True) for n in range(1, 5)],
        capacity=25,
        online=True,
        credit_hours=8,
    ),
    DemoEvent(
        "cyber-hygiene-webinar",
        "Cyber Hygiene for Small Towns",
        EventKind.webinar,
        ["national"],
        ["cybersecurity"],
        20,
        _one("Webinar", time(13), 1),
        online=True,
    ),
    DemoEvent(
        "colorado-mobility-day",
        "Colorado Mobility Day",
        EventKind.conference,
        ["colorado"],
        ["transportation", "environment"],
        82,
        AGENDA,
        capacity=200,
        venue=("Colorado Convention Center", "700 14th St, Denver, CO 80202", 39.7420, -104.9970),
        credit_hours=6,
    ),
    DemoEvent(
        "public-wifi-playbook",
        "Public Wi-Fi Playbook",
        EventKind.webinar,
        ["kansas-city"],
        ["connectivity"],
        40,
        _one("Webinar", time(11), 1),
        online=True,
    ),
]

DEMO_ADMIN = "admin@nscp.example"
DEFAULT_SUMMARY = "Join peers from across the coalition."


def _sessions(event: DemoEvent, timezone: str, first_day: date) -> list[schemas.SessionCreate]:
    zone = ZoneInfo(timezone)
    result = []
    for title, offset, start, hours, required in event.sessions:
        starts = datetime.combine(first_day + timedelta(days=event.day + offset), start, zone)
        result.append(
            schemas.SessionCreate(
                title=title,
                starts_at=starts,
                ends_at=starts + timedelta(hours=hours),
                required=required,
            )
        )
    return result


async def _insert_missing(table: str, key: str, rows: list[dict]) -> dict[str, int]:
    """Insert the rows whose key is not there yet; return key -> id for all of them."""
    for row in rows:
        if await fetch_one(f"SELECT id FROM {table} WHERE {key} = {{}}", row[key]) is None:
            columns = ", ".join(row)
            await fetch(
                f"INSERT INTO {table} ({columns}) VALUES ({', '.join('{}' for _ in row)})",
                *row.values(),
            )
    found = await fetch(f"SELECT id, {key} FROM {table}")
    return {item[key]: item["id"] for item in found}


async def load_demo(today: date | None = None) -> bool:
    """Load the demo coalition; returns False when it was already there."""
    if await fetch_one("SELECT id FROM event WHERE slug = {}", EVENTS[0].slug):
        return False
    today = today or datetime.now(UTC).date()
    region_ids = await _insert_missing(
        "region",
        "slug",
        [
            {
                "slug": s,
                "name": n,
                "timezone": tz,
                "is_national": s == "national",
                "mailbox": mailbox(s),
            }
            for s, n, tz in [*REGIONS, NATIONAL]
        ],
    )
    await region_aliases.add_missing(REGION_ALIASES)
    await _insert_missing("topic", "slug", [{"slug": s, "name": n} for s, n in TOPICS])
    organization_ids = await _insert_missing(
        "organization",
        "slug",
        [
            {"slug": s, "name": n, "kind": k.value, "region": region_ids[r], "is_member": m}
            for s, n, k, r, _, m in ORGANIZATIONS
        ],
    )
    await _insert_missing(
        "organization_domain",
        "domain",
        [
            {"domain": d, "organization": organization_ids[s]}
            for s, _, _, _, domains, _ in ORGANIZATIONS
            for d in domains
        ],
    )
    await _insert_missing(
        "organizer",
        "email",
        [
            {
                "email": DEMO_ADMIN,
                "name": "NSCP Admin",
                "role": OrganizerRole.admin.value,
                "active": True,
                "created_at": datetime.now(UTC),
            }
        ],
    )
    admin_row = await fetch_one("SELECT id FROM organizer WHERE email = {}", DEMO_ADMIN)
    admin = OrganizerPrincipal(
        id=admin_row["id"], name="NSCP Admin", role=OrganizerRole.admin, region_ids=frozenset()
    )
    demo_members = await _demo_members()
    for event in EVENTS:
        timezone = next(tz for s, _, tz in [*REGIONS, NATIONAL] if s == event.regions[0])
        venue = None
        if event.venue:
            name, address, lat, lon = event.venue
            venue = schemas.Venue(name=name, address=address, latitude=lat, longitude=lon)
        await event_service.create_event(
            admin,
            schemas.EventCreate(
                slug=event.slug,
                title=event.title,
                kind=event.kind,
                timezone=timezone,
                regions=event.regions,
                topics=event.topics,
                summary=event.summary,
                description=f"## {event.title}\n\n{event.summary or DEFAULT_SUMMARY}",
                venue=venue,
                online_url=f"https://meet.nscp.example/{event.slug}" if event.online else None,
                capacity=event.capacity,
                members_only=event.members_only,
                organization_seat_cap=event.organization_seat_cap,
                approval_required=event.approval_required,
                credit_hours=event.credit_hours,
                questions=event.questions,
                sessions=_sessions(event, timezone, today),
            ),
        )
        await event_service.publish_event(admin, event.slug)
        answers = {"role": "City staff"} if any(q.required for q in event.questions) else {}
        for member in demo_members[: event.fill]:
            await registrations.register(member, event.slug, answers)
    return True


async def _demo_members() -> list[MemberPrincipal]:
    result = []
    coalition = [o for o in ORGANIZATIONS if o[5]]
    for n in range(20):
        organization = coalition[n % len(coalition)]
        first, last = FIRST_NAMES[n], LAST_NAMES[n % len(LAST_NAMES)]
        email = f"{first.lower()}.{last.lower()}@{organization[4][0]}"
        existing = await fetch_one("SELECT id FROM member WHERE email = {}", email)
        if existing is None:
            await members.create_member(schemas.MemberCreate(name=f"{first} {last}", email=email))
        row = await fetch_one(
            "SELECT m.id, m.name, m.email, m.organization, o.is_member FROM member m "
            "LEFT JOIN organization o ON o.id = m.organization WHERE m.email = {}",
            email,
        )
        result.append(
            MemberPrincipal(
                id=row["id"],
                name=row["name"],
                email=row["email"],
                organization_id=row["organization"],
                organization_is_member=bool(row["is_member"]),
            )
        )
    return result
