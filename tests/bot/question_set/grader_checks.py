"""What a correct answer must state, per intent: each check returns the facts missing from
the reply (none: correct). Tolerant of wording; the facts come from the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from tests.bot.question_set import reading as r
from tests.bot.question_set.facts import ACTIVE, Facts
from tests.bot.question_set.model import MINE, Intent, Question

Check = Callable[[Question, str, Facts], list[str]]


def has(text: str, *patterns: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def session_asked(question: Question, event: dict) -> dict | None:
    if not question.session:
        return None
    wanted = question.session.casefold()
    return next(s for s in event["sessions"] if wanted in s["title"].casefold())


def _start(question: Question, event: dict):
    session = session_asked(question, event)
    if session is None:
        scheduled = [s for s in event["sessions"] if s["status"] == "scheduled"]
        session = min(scheduled, key=lambda s: s["starts_at"])
    return r.parse_instant(session["starts_at"])


def _today(facts: Facts, zone: str) -> date:
    return r.local(facts.now, zone).date()


def _states_moment(text: str, instant, zone: str, facts: Facts, *, with_date: bool) -> bool:
    day = r.local(instant, zone).date()
    if with_date and not r.states_date(text, day, today=_today(facts, zone)):
        return False
    return r.states_time(text, instant, zone)


def when(question: Question, text: str, facts: Facts) -> list[str]:
    event = facts.event
    start = _start(question, event)
    if any(
        _states_moment(text, start, zone, facts, with_date=True)
        for zone in (event["timezone"], facts.asker_zone)
    ):
        return []
    return [f"start {r.local(start, event['timezone']):%a %b %d %H:%M %Z}"]


def time_zone(question: Question, text: str, facts: Facts) -> list[str]:
    zone = facts.asker_zone if question.zone == MINE else question.zone
    start = _start(question, facts.event)
    if _states_moment(text, start, zone, facts, with_date=False):
        return []
    return [f"start in {zone}: {r.local(start, zone):%H:%M %Z}"]


def where(question: Question, text: str, facts: Facts) -> list[str]:
    event = facts.event
    if event["venue"]:
        return [] if r.mentions(text, event["venue"]["name"]) else [event["venue"]["name"]]
    return [] if has(text, r"\bonline\b", r"virtual", r"webinar") else ["online"]


def seats(question: Question, text: str, facts: Facts) -> list[str]:
    event = facts.event
    if event["capacity"] is None:
        ok = has(
            text,
            r"no (?:seat )?(?:limit|cap|maximum)",
            r"unlimited",
            r"open seating",
            r"not limited",
        )
        return [] if ok else ["no seat limit"]
    if not event["seats_left"]:
        ok = has(text, r"\bfull\b", r"wait ?list", r"no (?:seats|spots|places)", r"sold out")
        return [] if ok else ["full"]
    n = event["seats_left"]
    ok = has(
        text,
        rf"\b{n}\b[^.\n]{{0,40}}\b(?:seats?|spots?|places?|left|available|remaining)",
        rf"\b(?:seats?|spots?|places?)\b[^.\n]{{0,20}}\b{n}\b",
    )
    return [] if ok else [f"{n} seats left"]


def deadline(question: Question, text: str, facts: Facts) -> list[str]:
    event, zones = facts.event, (facts.event["timezone"], facts.asker_zone)
    opens = r.parse_instant(event["registration_opens_at"])
    closes = r.parse_instant(event["registration_closes_at"])
    if opens and opens > facts.now:
        ok = has(text, r"\bopens?\b") and any(
            r.states_date(text, r.local(opens, z).date()) for z in zones
        )
        return [] if ok else [f"opens {opens:%b %d}"]
    if not event["registration_open"]:
        return [] if has(text, r"\bclosed\b") else ["registration closed"]
    if closes:
        ok = any(r.states_date(text, r.local(closes, z).date()) for z in zones)
        return [] if ok else [f"closes {r.local(closes, zones[0]):%b %d}"]
    return [] if has(text, r"\bopen\b") and not has(text, r"\bclosed\b") else ["open"]


def online(question: Question, text: str, facts: Facts) -> list[str]:
    event = facts.event
    if event["online"] and event["venue"]:
        ok = has(
            text,
            r"hybrid",
            r"in[- ]person and online",
            r"(?:also|and) online",
            r"online too",
            r"streamed",
            r"both",
        )
        return [] if ok else ["hybrid"]
    if event["online"]:
        return [] if has(text, r"\bonline\b", r"virtual", r"remote") else ["online"]
    ok = has(
        text,
        r"in[- ]person",
        r"not (?:available )?online",
        r"no (?:online|virtual|remote)",
        r"isn'?t (?:online|streamed|virtual)",
        r"not (?:streamed|virtual|hybrid)",
    )
    return [] if ok else ["in person only"]


def _hours(value: float) -> str:
    return f"{value:g}".replace(".", r"\.")


def credits(question: Question, text: str, facts: Facts) -> list[str]:
    hours = float(facts.event["credit_hours"])
    if hours:
        ok = has(
            text,
            rf"(?<![\d.]){_hours(hours)}(?![\d.])[^.\n]{{0,40}}"
            r"(?:ce\b|ceus?\b|pdh|credit|continuing|hours?)",
        )
        return [] if ok else [f"{hours:g} CE hours"]
    ok = has(
        text,
        r"\b(?:no|doesn'?t|does not|isn'?t|not|without|none)\b[^.\n]{0,40}"
        r"(?:credit|ce\b|ceus?|pdh|continuing)",
    )
    return [] if ok else ["no CE credit"]


def certificate(question: Question, text: str, facts: Facts) -> list[str]:
    status = facts.status(facts.event["slug"])
    if not has(text, r"certific"):
        return ["certificate"]
    if status in (None, "cancelled", "declined"):
        return [] if has(text, r"not registered", r"\bregister") else ["not registered"]
    if status == "confirmed":
        ok = has(text, r"attend", r"check[- ]?in", r"\bsessions?\b", r"qualif", r"eligib", r"earn")
        return [] if ok else ["how it is earned"]
    return [] if has(text, r"confirmed", r"wait ?list", r"pending", r"approv") else [status]


def approval(question: Question, text: str, facts: Facts) -> list[str]:
    if facts.event["approval_required"]:
        return [] if has(text, r"approv") else ["approval required"]
    ok = has(
        text,
        r"\b(?:no|not|doesn'?t|does not|don'?t|do not|without|isn'?t)\b[^.\n]{0,30}"
        r"approv",
        r"approv\w*[^.\n]{0,20}\b(?:not|isn'?t) (?:needed|required)",
        r"first[- ]come",
        r"confirmed (?:right )?away",
        r"automatically confirmed",
    )
    return [] if ok else ["no approval needed"]


def optional_session(question: Question, text: str, facts: Facts) -> list[str]:
    event = facts.event
    bare = text
    for s in event["sessions"]:
        bare = re.sub(re.escape(s["title"]), "", bare, flags=re.IGNORECASE)
    session = session_asked(question, event)
    optional = (
        (not session["required"]) if session else not all(s["required"] for s in event["sessions"])
    )
    if optional:
        ok = has(
            bare,
            r"optional",
            r"not required",
            r"elective",
            r"not every",
            r"don'?t (?:have|need) to",
        )
        return [] if ok else ["optional"]
    ok = has(bare, r"\brequired\b", r"mandatory", r"must attend") and not has(
        bare, r"not required", r"\boptional\b"
    )
    return [] if ok else ["required"]


def cancel_howto(question: Question, text: str, facts: Facts) -> list[str]:
    registered = facts.event is None or facts.status(facts.event["slug"]) in ACTIVE
    if not registered and has(text, r"not registered", r"aren'?t registered"):
        return []
    ok = has(
        text,
        r"/events cancel",
        r"\bcancel\b[^.\n]{0,80}\b(?:button|/events|page|link|command)",
        r"(?:button|/events|page)[^.\n]{0,80}\bcancel",
        r"/events mine",
        r"my registrations",
        r"member page",
    )
    return [] if ok else ["how to cancel"]


STATUS_WORDS = {  # the asker's own status, said to them
    "confirmed": (
        r"you(?:'| a)?re (?:\w+ ){0,2}(?:confirmed|registered|in\b|all set|booked)",
        r"you have (?:a|your) seat",
        r"your (?:registration|seat|spot) (?:is|was) confirmed",
        r"\byes\b[^.\n]{0,40}\bconfirmed",
    ),
    "waitlisted": (
        r"you(?:'| a)?re[^.\n]{0,30}wait ?list",
        r"your[^.\n]{0,30}(?:position|place|spot)[^.\n]{0,20}wait ?list",
        r"wait ?list[^.\n]{0,20}(?:position|#|number) ?\d",
        r"(?:position|#|number) ?\d+ on the wait ?list",
    ),
    "pending": (r"pending", r"await(?:s|ing) (?:the organi[sz]ers'? )?approval"),
}
NOT_REGISTERED = (
    r"not registered",
    r"aren'?t registered",
    r"not signed up",
    r"cancell?ed",
    r"no registration",
)


def my_status(question: Question, text: str, facts: Facts) -> list[str]:
    mine = facts.mine.get(facts.event["slug"])
    status = mine["status"] if mine else None
    if status not in STATUS_WORDS:
        return [] if has(text, *NOT_REGISTERED) else ["not registered"]
    if not has(text, *STATUS_WORDS[status]):
        return [status]
    position = mine.get("waitlist_position")
    if status == "waitlisted" and "number" in question.text and position:
        ok = has(
            text,
            rf"#\s*{position}\b",
            rf"position {position}\b",
            rf"\b{position}(?:st|nd|rd|th)\b",
            rf"number {position}\b",
        )
        return [] if ok else [f"position {position}"]
    return []


def _named_set(question: Question, text: str, facts: Facts) -> list[str]:
    named = r.titles_in(text, facts.titles)
    expected = facts.expected
    missing = [facts.titles[s] for s in sorted(expected.required - named)]
    if not expected.required and not named:
        ok = has(
            text,
            r"\bno\b",
            r"\bnone\b",
            r"nothing",
            r"couldn'?t find",
            r"don'?t see",
            r"not registered",
        )
        return [] if ok else ["says there are none"]
    return missing


def find(question: Question, text: str, facts: Facts) -> list[str]:
    named = r.titles_in(text, facts.titles)
    slug = facts.event["slug"]
    if slug not in named:
        return [facts.event["title"]]
    return [] if named == {slug} else ["one event, not a choice"]


CHECKS: dict[Intent, Check] = {
    Intent.when: when,
    Intent.time_zone: time_zone,
    Intent.where: where,
    Intent.seats: seats,
    Intent.deadline: deadline,
    Intent.online: online,
    Intent.credits: credits,
    Intent.certificate: certificate,
    Intent.approval: approval,
    Intent.optional_session: optional_session,
    Intent.cancel_howto: cancel_howto,
    Intent.my_status: my_status,
    Intent.my_registrations: _named_set,
    Intent.list: _named_set,
    Intent.find: find,
}
