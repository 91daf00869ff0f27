"""Questions about one event's facts, as members type them in Slack."""

from __future__ import annotations

from tests.bot.question_set.model import AZ, CT, ET, MINE, MT, PT, Intent, Question, Via

In, Q = Intent, Question
HEAT, SUMMIT, WIFI, MOBILITY = (
    "heat-resilience-workshop", "smart-region-summit", "public-wifi-playbook",
    "colorado-mobility-day",
)  # fmt: skip
SHUTTLES, CYBER, BROADBAND, HURRICANE = (
    "autonomous-shuttles", "municipal-cybersecurity-track", "broadband-mapping-workshop",
    "hurricane-readiness-tabletop",
)  # fmt: skip
EV, FORUM, BOOTCAMP, CURB, IOT = (
    "ev-charging-roundtable", "illinois-smart-cities-forum", "ransomware-response-bootcamp",
    "curb-management-webinar", "iot-sensors-101",
)  # fmt: skip
TRANSIT, WATER, GIS, HYGIENE, FLOOD = (
    "transit-signal-priority", "smart-water-utilities", "gis-for-resilience-track",
    "cyber-hygiene-webinar", "flood-sensing-pilot",
)  # fmt: skip
EQUITY, SNOW, TRAFFIC, PHX_CYBER, AIR = (
    "digital-equity-convening", "snow-operations-tech-day", "traffic-data-sharing",
    "phoenix-cyber-roundtable", "air-quality-networks",
)  # fmt: skip
L, A = Via.linked, Via.ask

WHEN = [
    Q("when is the extreme heat resilience workshop?", In.when, HEAT),
    Q("what day is colorado mobility day", In.when, MOBILITY),
    Q("When does the Autonomous Shuttle Operations workshop start?", In.when, SHUTTLES),
    Q("wen is the broadband mapping workshop", In.when, BROADBAND),
    Q("hurricane tabletop in jax - what date is that?", In.when, HURRICANE, asker="dana"),
    Q("What time does the Public Wi-Fi Playbook webinar start?", In.when, WIFI),
    Q("when does the municipal cybersecurity training track kick off", In.when, CYBER),
    Q("ev charging roundtable date/time?", In.when, EV, asker="raj"),
    Q("when does it start?", In.when, HEAT, asker="luis", via=L),
    Q("when is the curb management webinar", In.when, CURB, via=A),
    Q("iot sensors 101 when", In.when, IOT),
    Q(
        "what time is the opening keynote at the smart region summit",
        In.when,
        SUMMIT,
        session="Opening keynote",
        asker="pat",
    ),
]
WHERE = [
    Q("where is the Extreme Heat Resilience Workshop?", In.where, HEAT),
    Q("where's colorado mobility day being held", In.where, MOBILITY),
    Q("Where is Autonomous Shuttle Operations?", In.where, SHUTTLES, asker="raj"),
    Q("whats the address for the broadband mapping workshop in KC", In.where, BROADBAND),
    Q("venue for the hurricane readiness tabletop?", In.where, HURRICANE, asker="dana"),
    Q("where is the EV roundtable in dallas", In.where, EV, asker="raj"),
    Q("which building is the illinois smart cities forum in", In.where, FORUM),
    Q("location of the smart water utilities workshop pls", In.where, WATER, asker="luis"),
    Q("where is it?", In.where, HEAT, asker="pat", via=L),
    Q("where's the ransomware response bootcamp?", In.where, BOOTCAMP, via=A),
    Q("is the traffic data sharing workshop at dallas city hall?", In.where, TRAFFIC, asker="raj"),
    Q("where do i go for the public wi-fi playbook", In.where, WIFI),
]
SEATS = [
    Q("are there seats left for the heat resilience workshop?", In.seats, HEAT, asker="dana"),
    Q("any spots left in colorado mobility day", In.seats, MOBILITY),
    Q("is the broadband mapping workshop full?", In.seats, BROADBAND, asker="raj"),
    Q("how many seats left for autonomous shuttle ops", In.seats, SHUTTLES),
    Q("EV charging roundtable still has room?", In.seats, EV, asker="dana"),
    Q("how many open spots does the hurricane readiness tabletop have", In.seats, HURRICANE),
    Q("is it full?", In.seats, HEAT, asker="dana", via=L),
    Q(
        "how many ppl can still register for the smart region summit",
        In.seats,
        SUMMIT,
        asker="luis",
    ),
    Q("any seats left for the Illinois Smart Cities Forum?", In.seats, FORUM, via=A),
    Q("seat limit for Public Wi-Fi Playbook?", In.seats, WIFI, asker="raj"),
    Q("is there space in the phoenix cybersecurity roundtable", In.seats, PHX_CYBER, asker="luis"),
]
DEADLINE = [
    Q(
        "when does registration close for the EV charging roundtable?",
        In.deadline,
        EV,
        asker="dana",
    ),
    Q("deadline to register for the extreme heat workshop?", In.deadline, HEAT, asker="raj"),
    Q("can i still sign up for colorado mobility day", In.deadline, MOBILITY, asker="pat"),
    Q("when does registration open for snow operations tech day", In.deadline, SNOW),
    Q("last day to register for the hurricane tabletop?", In.deadline, HURRICANE, asker="dana"),
    Q("is registration still open for autonomous shuttle operations", In.deadline, SHUTTLES),
    Q("reg deadline for the ransomware bootcamp in chicago?", In.deadline, BOOTCAMP),
    Q("how late can I register for the Public Wi-Fi Playbook?", In.deadline, WIFI, asker="raj"),
    Q("registration deadline for the GIS for resilience track?", In.deadline, GIS, via=A),
    Q("is registration still open?", In.deadline, HEAT, asker="dana", via=L),
]
ONLINE = [
    Q("is the public wi-fi playbook online?", In.online, WIFI, asker="dana"),
    Q("is the smart region summit streamed or in person only", In.online, SUMMIT),
    Q("can I attend the heat resilience workshop virtually?", In.online, HEAT, asker="raj"),
    Q("is colorado mobility day hybrid?", In.online, MOBILITY, asker="pat"),
    Q("whats the zoom link for the municipal cybersecurity track", In.online, CYBER),
    Q("is the curb management webinar on zoom or teams", In.online, CURB, asker="pat"),
    Q("autonomous shuttle operations - any remote option?", In.online, SHUTTLES, asker="dana"),
    Q("can i join the GIS for resilience training track from home", In.online, GIS, asker="luis"),
    Q("is there a virtual option?", In.online, HEAT, asker="raj", via=L),
    Q("is the flood sensing webinar online only?", In.online, FLOOD, asker="pat", via=A),
]
CREDITS = [
    Q("how many CE credits is the heat resilience workshop worth", In.credits, HEAT, asker="dana"),
    Q("does colorado mobility day give CEUs?", In.credits, MOBILITY),
    Q(
        "pdh hours for the autonomous shuttle operations workshop?",
        In.credits,
        SHUTTLES,
        asker="raj",
    ),
    Q("CE hours for the municipal cybersecurity training track", In.credits, CYBER),
    Q("how many credit hours for the hurricane tabletop", In.credits, HURRICANE, asker="dana"),
    Q("does iot sensors 101 come with any continuing ed credit", In.credits, IOT),
    Q("credits for broadband mapping workshop?", In.credits, BROADBAND, asker="raj"),
    Q("how many CE hours do we get?", In.credits, HEAT, asker="dana", via=L),
    Q("ransomware response bootcamp CE credits?", In.credits, BOOTCAMP, via=A),
    Q("continuing education hours for the GIS resilience track", In.credits, GIS, asker="pat"),
]
CERTIFICATE = [
    Q("do I get a certificate for the municipal cybersecurity track?", In.certificate, CYBER),
    Q(
        "will there be a certificate for the heat resilience workshop?",
        In.certificate,
        HEAT,
        asker="pat",
    ),
    Q(
        "is there a cert for the hurricane readiness tabletop",
        In.certificate,
        HURRICANE,
        asker="dana",
    ),
    Q(
        "do i get a certificate of attendance for the GIS for resilience training track",
        In.certificate,
        GIS,
        asker="luis",
    ),
    Q("certificate for autonomous shuttle operations?", In.certificate, SHUTTLES, asker="raj"),
    Q("do I qualify for a certificate for broadband mapping?", In.certificate, BROADBAND),
    Q("Certificate for Colorado Mobility Day?", In.certificate, MOBILITY),
    Q("is there a certificate for this one?", In.certificate, HEAT, asker="luis", via=L),
    Q(
        "do attendees get certificates for the digital equity convening?",
        In.certificate,
        EQUITY,
        asker="dana",
        via=A,
    ),
]
APPROVAL = [
    Q("do I need approval for the hurricane readiness tabletop?", In.approval, HURRICANE),
    Q("does the heat resilience workshop require approval", In.approval, HEAT, asker="dana"),
    Q("is colorado mobility day approval-only", In.approval, MOBILITY, asker="pat"),
    Q(
        "does the hurricane tabletop need organizer approval to register?",
        In.approval,
        HURRICANE,
        asker="dana",
    ),
    Q("approval required for autonomous shuttle operations?", In.approval, SHUTTLES, asker="raj"),
    Q("do registrations for the EV roundtable get approved manually", In.approval, EV),
    Q(
        "is the ransomware response bootcamp first come first served or by approval?",
        In.approval,
        BOOTCAMP,
        asker="raj",
    ),
    Q("do we need approval for this?", In.approval, HEAT, asker="raj", via=L),
    Q("does the smart region summit need approval?", In.approval, SUMMIT, asker="luis", via=A),
]
OPTIONAL_SESSION = [
    Q(
        "is the vendor risk class optional for the municipal cybersecurity track?",
        In.optional_session,
        CYBER,
        session="Vendor risk",
    ),
    Q(
        "do I have to attend the tabletop exercise class in the municipal cyber track?",
        In.optional_session,
        CYBER,
        session="Tabletop exercise",
    ),
    Q(
        "is class 2 (securing OT and SCADA) of the municipal cybersecurity track required?",
        In.optional_session,
        CYBER,
        session="Securing OT and SCADA",
    ),
    Q(
        "is module 4 of the GIS for resilience track optional",
        In.optional_session,
        GIS,
        session="Module 4",
        asker="luis",
    ),
    Q(
        "GIS resilience track - is module 1 mandatory?",
        In.optional_session,
        GIS,
        session="Module 1",
        asker="luis",
    ),
    Q(
        "is the opening keynote at the smart region summit optional?",
        In.optional_session,
        SUMMIT,
        session="Opening keynote",
        asker="pat",
    ),
    Q(
        "ransomware bootcamp session 2 - optional or required?",
        In.optional_session,
        BOOTCAMP,
        session="Session 2",
    ),
    Q(
        "do i need to attend every session of the ransomware response bootcamp",
        In.optional_session,
        BOOTCAMP,
        asker="raj",
    ),
    Q("is the zero trust class optional?", In.optional_session, CYBER, session="Zero trust", via=L),
]
TIME_ZONE = [
    Q("what time is the heat resilience workshop in Pacific time?", In.time_zone, HEAT, zone=PT),
    Q(
        "what time is the curb management webinar my time?",
        In.time_zone,
        CURB,
        asker="pat",
        zone=MINE,
    ),
    Q(
        "when does the public wi-fi playbook start in eastern?",
        In.time_zone,
        WIFI,
        asker="dana",
        zone=ET,
    ),
    Q(
        "what time is colorado mobility day's opening keynote in central time",
        In.time_zone,
        MOBILITY,
        session="Opening keynote",
        asker="raj",
        zone=CT,
    ),
    Q(
        "autonomous shuttle operations start time in arizona time?",
        In.time_zone,
        SHUTTLES,
        asker="luis",
        zone=AZ,
    ),
    Q(
        "cyber hygiene webinar - what time is that for me?",
        In.time_zone,
        HYGIENE,
        asker="pat",
        zone=MINE,
    ),
    Q("iot sensors 101 what time in CT", In.time_zone, IOT, asker="raj", zone=CT),
    Q("what time is the flood sensing webinar in pacific", In.time_zone, FLOOD, zone=PT),
    Q("EV charging roundtable start time ET?", In.time_zone, EV, asker="dana", zone=ET),
    Q(
        "what time does the transit signal priority deep dive start in PT?",
        In.time_zone,
        TRANSIT,
        asker="pat",
        via=A,
        zone=PT,
    ),
    Q("what time is that in eastern time?", In.time_zone, HEAT, asker="dana", via=L, zone=ET),
    Q("smart region summit start time in mountain time", In.time_zone, SUMMIT, zone=MT),
]

QUESTIONS = [
    *WHEN, *WHERE, *SEATS, *DEADLINE, *ONLINE, *CREDITS, *CERTIFICATE, *APPROVAL,
    *OPTIONAL_SESSION, *TIME_ZONE,
]  # fmt: skip
