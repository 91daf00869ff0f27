"""The coalition the questions are asked in: regions, organizations, people and events.

Titles are chosen to trip naive matching: trigger words in titles ("Public Wi-Fi Playbook",
"Colorado Mobility Day", "Autonomous Shuttle Operations"), a city in a title ("Phoenix
Cybersecurity Roundtable"), near titles ("heat resilience"), a session titled like another
event ("Securing OT and SCADA" against "SCADA Security Essentials"). No title is part of
another, and no summary names another event, so a title found in a reply names that event.

Dates: ``when`` is a date phrase of tests/bot/question_set/dates.py placed in Denver
("days:+21", "tomorrow", "next_week:3" (Wednesday), "next_month:12", "month:1:20" for
January 20th...), sessions at local times that fall on the same date in every US zone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from events.demo import AGENDA, CYBER_TRACK, NATIONAL
from events.demo import REGIONS as DEMO_REGIONS

REGIONS = [*DEMO_REGIONS, NATIONAL]  # slug, name, zone: the demo's
# How members name regions: world._coalition() gives the world's regions these aliases,
# the way an admin would enter them (region_alias, issue 13).
REGION_ALIASES = {
    "colorado": ["Denver", "Colorado", "CO", "Front Range"],
    "southern-arizona": ["Tucson", "Southern Arizona", "Pima County", "AZ", "Arizona"],
    "north-florida": ["Jacksonville", "JAX", "North Florida", "Northeast Florida"],
    "north-texas": ["Dallas", "DFW", "Dallas-Fort Worth", "Fort Worth", "North Texas"],
    "illinois": ["Chicago", "Illinois", "IL", "Chicagoland"],
    "kansas-city": ["KC", "Kansas City", "KCMO"],
    "the-connective": ["Phoenix", "the Valley", "Valley of the Sun", "PHX", "AZ", "Arizona"],
}
TOPICS = ["connectivity", "cybersecurity", "transportation", "environment", "resilience"]
ORGANIZATIONS = [  # slug, name, kind, region, domain
    ("city-of-denver", "City and County of Denver", "city", "colorado", "denvergov.example"),
    ("csu", "Colorado State University", "university", "colorado", "colostate.example"),
    ("city-of-tucson", "City of Tucson", "city", "southern-arizona", "tucsonaz.example"),
    ("city-of-phoenix", "City of Phoenix", "city", "the-connective", "phoenix.example"),
    ("city-of-jacksonville", "City of Jacksonville", "city", "north-florida", "coj.example"),
    ("city-of-dallas", "City of Dallas", "city", "north-texas", "dallascity.example"),
    ("city-of-chicago", "City of Chicago", "city", "illinois", "cityofchicago.example"),
    ("kcmo", "City of Kansas City, Missouri", "city", "kansas-city", "kcmo.example"),
    ("sensorline", "Sensorline Inc.", "company", "national", "sensorline.example"),
    ("jea", "JEA (Jacksonville utility)", "utility", "north-florida", "jea.example"),
]


@dataclass(frozen=True, slots=True)
class Asker:
    """A member who asks questions in Slack; ``zone`` is their Slack profile's time zone."""

    key: str
    slack_user: str
    name: str
    email: str
    zone: str


ASKERS = [
    Asker("maya", "U0MAYA", "Maya Lopez", "maya.lopez@denvergov.example", "America/Denver"),
    Asker("pat", "U0PAT", "Pat Kim", "pat.kim@sensorline.example", "America/Los_Angeles"),
    Asker("luis", "U0LUIS", "Luis Ortega", "luis.ortega@tucsonaz.example", "America/Phoenix"),
    Asker("dana", "U0DANA", "Dana Reed", "dana.reed@jea.example", "America/New_York"),
    Asker("raj", "U0RAJ", "Raj Patel", "raj.patel@dallascity.example", "America/Chicago"),
]
# Members who never ask: their names and emails must never reach a channel.
OTHERS = [
    ("ben", "Ben Okafor", "ben.okafor@kcmo.example"),
    ("priya", "Priya Shah", "priya.shah@cityofchicago.example"),
    ("tom", "Tom Becker", "tom.becker@phoenix.example"),
    ("grace", "Grace Liu", "grace.liu@colostate.example"),
    ("omar", "Omar Haddad", "omar.haddad@dallascity.example"),
    ("nina", "Nina Alvarez", "nina.alvarez@tucsonaz.example"),
    ("sam", "Sam Reyes", "sam.reyes@coj.example"),
    ("lena", "Lena Fischer", "lena.fischer@denvergov.example"),
    ("carlos", "Carlos Mendez", "carlos.mendez@phoenix.example"),
    ("jordan", "Jordan Blake", "jordan.blake@kcmo.example"),
    ("hannah", "Hannah Cho", "hannah.cho@cityofchicago.example"),
    ("ethan", "Ethan Wright", "ethan.wright@dallascity.example"),
]
ADMIN_EMAIL, ADMIN_SLACK_USER = "admin@nscp.example", "U0ADMIN"

Session = tuple[str, int, time, float, bool]  # title, day offset, local start, hours, required


def one(title: str, start: time, hours: float) -> list[Session]:
    return [(title, 0, start, hours, True)]


BOOTCAMP = [
    ("Session 1: Ransomware anatomy", 0, time(9), 3, True),
    ("Session 2: Backups that work", 7, time(9), 3, False),
    ("Session 3: Recovery tabletop", 14, time(9), 3, True),
]
GIS_MODULES = [
    ("Module 1: Mapping hazards", 0, time(13), 2, True),
    ("Module 2: Vulnerable populations", 14, time(13), 2, True),
    ("Module 3: Scenario modelling", 28, time(13), 2, True),
    ("Module 4: Capstone clinic", 42, time(13), 2, False),
]


@dataclass(frozen=True, slots=True)
class EventSpec:
    slug: str
    title: str
    kind: str
    regions: list[str]
    topics: list[str]
    when: str
    sessions: list[Session]
    venue: tuple[str, str] | None = None
    online: bool = False
    capacity: int | None = None
    members_only: bool = False
    approval_required: bool = False
    organization_seat_cap: int | None = None
    credit_hours: float = 0
    closes_days_before: int | None = None  # registration closes this many days before
    opens_in_days: int | None = None  # registration opens this many days from now
    summary: str = "Join peers from across the coalition."
    extra: dict = field(default_factory=dict)


EVENTS = [
    EventSpec("heat-resilience-workshop", "Extreme Heat Resilience Workshop", "workshop",
              ["southern-arizona"], ["environment", "resilience"], "days:21",
              one("Workshop", time(8, 30), 4), capacity=10, credit_hours=4,
              venue=("Tucson Convention Center", "260 S Church Ave, Tucson, AZ 85701"),
              summary="Cooling centres, tree canopy and heat plans."),
    EventSpec("smart-region-summit", "Smart Region Summit", "conference",
              ["the-connective", "southern-arizona"], ["connectivity", "transportation",
              "resilience"], "days:40", AGENDA, capacity=250, online=True, credit_hours=6,
              venue=("Phoenix Convention Center", "100 N 3rd St, Phoenix, AZ 85004"),
              summary="Two days on connected, resilient regions."),
    EventSpec("public-wifi-playbook", "Public Wi-Fi Playbook", "webinar", ["kansas-city"],
              ["connectivity"], "days:38", one("Webinar", time(11), 1), online=True,
              summary="Planning, procuring and running free public Wi-Fi."),
    EventSpec("colorado-mobility-day", "Colorado Mobility Day", "conference", ["colorado"],
              ["transportation", "environment"], "next_month:12", AGENDA, capacity=200,
              credit_hours=6,
              venue=("Colorado Convention Center", "700 14th St, Denver, CO 80202")),
    EventSpec("autonomous-shuttles", "Autonomous Shuttle Operations", "workshop",
              ["north-texas"], ["transportation"], "days:75", one("Workshop", time(10), 2.5),
              capacity=60, credit_hours=2.5,
              venue=("Arlington Entertainment District", "1000 Ballpark Way, Arlington, TX 76011")),
    EventSpec("municipal-cybersecurity-track", "Municipal Cybersecurity Training Track",
              "training_track", ["colorado"], ["cybersecurity"], "days:14", CYBER_TRACK,
              capacity=30, online=True, members_only=True, credit_hours=12,
              summary="Six weekly classes on defending city systems."),
    EventSpec("broadband-mapping-workshop", "Broadband Mapping Workshop", "workshop",
              ["kansas-city"], ["connectivity"], "days:9", one("Hands-on mapping", time(13), 3),
              capacity=3, credit_hours=3,
              venue=("KC Digital Drive Lab", "1100 Walnut St, Kansas City, MO 64106")),
    EventSpec("hurricane-readiness-tabletop", "Hurricane Readiness Tabletop", "workshop",
              ["north-florida"], ["resilience"], "days:30", one("Tabletop", time(9), 5),
              capacity=40, approval_required=True, credit_hours=5,
              venue=("Jacksonville Public Library", "303 N Laura St, Jacksonville, FL 32202"),
              summary="By approval: emergency managers first."),
    EventSpec("ev-charging-roundtable", "EV Charging Roundtable", "workshop", ["north-texas"],
              ["transportation", "environment"], "days:18", one("Roundtable", time(14), 2),
              capacity=25, organization_seat_cap=3, closes_days_before=2,
              venue=("Dallas City Hall", "1500 Marilla St, Dallas, TX 75201")),
    EventSpec("illinois-smart-cities-forum", "Illinois Smart Cities Forum", "conference",
              ["illinois"], ["connectivity", "cybersecurity", "environment"], "next_month:22",
              AGENDA[:4], capacity=150, credit_hours=5,
              venue=("Chicago Cultural Center", "78 E Washington St, Chicago, IL 60602")),
    EventSpec("ransomware-response-bootcamp", "Ransomware Response Bootcamp", "training_track",
              ["illinois"], ["cybersecurity"], "next_month:3", BOOTCAMP, capacity=30,
              credit_hours=9, venue=("Harold Washington Library Center",
                                     "400 S State St, Chicago, IL 60605")),
    EventSpec("scada-security-essentials", "SCADA Security Essentials", "workshop",
              ["illinois", "kansas-city"], ["cybersecurity"], "month_after_next:8",
              one("Workshop", time(9), 4), capacity=30, members_only=True, credit_hours=4,
              venue=("Kansas City Public Library", "14 W 10th St, Kansas City, MO 64105")),
    EventSpec("curb-management-webinar", "Curb Management Webinar", "webinar", ["national"],
              ["transportation"], "tomorrow", one("Webinar", time(12), 1), online=True,
              summary="Pricing, loading zones and data."),
    EventSpec("iot-sensors-101", "IoT Sensors 101", "webinar", ["colorado"], ["connectivity"],
              "days:3", one("Webinar", time(11), 1), online=True),
    EventSpec("transit-signal-priority", "Transit Signal Priority Deep Dive", "webinar",
              ["the-connective"], ["transportation"], "days:26",
              one("Webinar", time(10), 1.5), online=True),
    EventSpec("smart-water-utilities", "Smart Water Utilities", "workshop", ["the-connective"],
              ["environment", "resilience"], "days:61", one("Workshop", time(9), 3),
              capacity=45, venue=("ASU SkySong", "1475 N Scottsdale Rd, Scottsdale, AZ 85257")),
    EventSpec("gis-for-resilience-track", "GIS for Resilience Training Track", "training_track",
              ["southern-arizona", "the-connective"], ["resilience", "environment"], "days:24",
              GIS_MODULES, capacity=25, online=True, credit_hours=8),
    EventSpec("cyber-hygiene-webinar", "Cyber Hygiene for Small Towns", "webinar", ["national"],
              ["cybersecurity"], "days:20", one("Webinar", time(13), 1), online=True),
    EventSpec("flood-sensing-pilot", "Flood Sensing Pilot Results", "webinar",
              ["north-florida", "north-texas"], ["resilience", "environment"], "days:12",
              one("Webinar", time(15), 1), online=True),
    EventSpec("digital-equity-convening", "Digital Equity Convening", "conference",
              ["north-florida"], ["connectivity"], "month:1:20", AGENDA[:3], capacity=120,
              venue=("UNF Adam W. Herbert University Center",
                     "12000 Alumni Dr, Jacksonville, FL 32224")),
    EventSpec("snow-operations-tech-day", "Snow Operations Tech Day", "workshop", ["colorado"],
              ["transportation", "resilience"], "month:1:14", one("Workshop", time(9), 6),
              capacity=50, opens_in_days=10,
              venue=("Denver Fleet Maintenance Center", "5440 Roslyn St, Denver, CO 80216")),
    EventSpec("traffic-data-sharing", "Traffic Data Sharing Workshop", "workshop",
              ["north-texas"], ["transportation"], "next_week:3", one("Workshop", time(10), 3),
              capacity=30, venue=("Dallas Innovation District Hub",
                                  "2200 Ross Ave, Dallas, TX 75201")),
    EventSpec("phoenix-cyber-roundtable", "Phoenix Cybersecurity Roundtable", "workshop",
              ["the-connective"], ["cybersecurity"], "days:6", one("Roundtable", time(14), 2),
              capacity=20, venue=("Phoenix City Hall", "200 W Washington St, Phoenix, AZ 85003")),
    EventSpec("air-quality-networks", "Community Air Quality Networks", "workshop",
              ["illinois"], ["environment"], "days:33", one("Workshop", time(9, 30), 3),
              capacity=35,
              venue=("UIC Innovation Center", "1240 W Harrison St, Chicago, IL 60607")),
]  # fmt: skip

# Who holds what, in arrival order (capacity decides confirmed or waitlisted; approval
# events hold everyone as pending). "-slug" cancels that member's registration afterwards.
REGISTRATIONS = [
    ("pat", "heat-resilience-workshop"),
    *[(who, "heat-resilience-workshop") for who in
      ("tom", "nina", "carlos", "grace", "lena", "ben", "priya", "omar", "sam")],
    ("luis", "heat-resilience-workshop"),  # waitlisted, 1st
    ("hannah", "heat-resilience-workshop"),  # waitlisted, 2nd
    *[(who, "broadband-mapping-workshop") for who in ("ben", "jordan", "priya")],
    ("ethan", "broadband-mapping-workshop"),  # waitlisted, 1st
    ("maya", "broadband-mapping-workshop"),  # waitlisted, 2nd
    ("maya", "colorado-mobility-day"), ("lena", "colorado-mobility-day"),
    ("grace", "colorado-mobility-day"),
    ("maya", "municipal-cybersecurity-track"), ("lena", "municipal-cybersecurity-track"),
    ("maya", "public-wifi-playbook"), ("jordan", "public-wifi-playbook"),
    ("ben", "public-wifi-playbook"),
    ("maya", "hurricane-readiness-tabletop"), ("sam", "hurricane-readiness-tabletop"),
    ("maya", "ev-charging-roundtable"), ("omar", "ev-charging-roundtable"),
    ("raj", "ev-charging-roundtable"), ("-maya", "ev-charging-roundtable"),
    ("raj", "autonomous-shuttles"), ("omar", "autonomous-shuttles"),
    ("ethan", "autonomous-shuttles"),
    ("pat", "smart-region-summit"), ("tom", "smart-region-summit"),
    ("carlos", "smart-region-summit"),
    ("luis", "gis-for-resilience-track"), ("nina", "gis-for-resilience-track"),
    ("dana", "digital-equity-convening"), ("sam", "digital-equity-convening"),
    ("priya", "illinois-smart-cities-forum"), ("hannah", "illinois-smart-cities-forum"),
    ("priya", "ransomware-response-bootcamp"),
]  # fmt: skip
