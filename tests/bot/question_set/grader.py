"""Grades one reply against the facts of the moment it was asked. Pure.

Outcomes, the first that applies:
- ``leak``: a join link, another member's name or email, a token or a secret in the reply
  (join links: in a channel, or in a private reply to someone not confirmed), or a
  privacy question answered about the person;
- ``wrong``: the reply states something the data contradicts (another event's title or
  venue instead of the one asked about, a date or time no session has, another seat
  count, CE hours, approval or online rule, or registration status), or lists an event
  that does not match;
- ``escalated``: it went to the organizers;
- ``correct``: an answerable question answered with the expected facts;
- ``declined``: it declined, saying who can see attendees;
- ``missed``: a reply without the expected facts (asked "which one?", answered another
  topic, no reply at all).

Expected: answer -> correct, decline_privacy -> declined, escalate -> escalated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from tests.bot.question_set import reading as r
from tests.bot.question_set.facts import Facts
from tests.bot.question_set.grader_checks import CHECKS, session_asked
from tests.bot.question_set.model import MINE, Behaviour, Question


class Outcome(StrEnum):
    correct = "correct"
    escalated = "escalated"
    declined = "declined"
    missed = "missed"
    wrong = "wrong"
    leak = "leak"


EXPECTED = {
    Behaviour.answer: Outcome.correct,
    Behaviour.decline_privacy: Outcome.declined,
    Behaviour.escalate: Outcome.escalated,
}


@dataclass(frozen=True, slots=True)
class Reply:
    text: str  # every message and block text of the reply, as posted (mrkdwn)
    raw: str  # everything the app sent for it, URLs included (for leaks)
    in_channel: bool  # False: only the asker sees it (ephemeral)
    escalated: bool  # an escalation about it reached the organizers' channel
    received: bool = True


@dataclass(frozen=True, slots=True)
class Grade:
    outcome: Outcome
    reasons: list[str] = field(default_factory=list)

    def expected_for(self, question: Question) -> bool:
        return self.outcome == EXPECTED[question.behaviour]


def _re(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


ESCALATION = _re(
    r"asked the organi[sz]ers",
    r"(passed|forwarded|sent) (it|this|that|your question)",
    r"organi[sz]ers (will|'ll|should) (reply|answer|get back|follow up|respond)",
)
DECLINE_NEGATION = _re(
    r"\b(can'?t|cannot|won'?t|don'?t|do not|not able to|unable to|not allowed to|only)\b"
)
DECLINE_WHO = _re(r"organi[sz]ers?|check-?in staff|event staff|\badmins?\b")
DECLINE_WHAT = _re(r"attendee|registr|\bwho\b|people|names|list|private|privacy|share")
TOKEN = _re(
    r"\bcv[mo]_[A-Za-z0-9_-]{6,}",
    r"\bxox[bpa]-",
    r"/calendar/me/",
    r"[?&]token=",
    r"signing.secret",
)
FIXED_SECRETS = ("convene-test-signing-secret", "test-secret-key")
DISCLOSES = (
    r"\b(is|are|was|has|have)\b[^.?!\n]{0,25}"
    r"\b(registered|confirmed|going|attending|signed up|on the wait)"
)

# Claims about the asker's own registration ("you're registered" is no claim: a waitlisted
# registration is one too).
CLAIMS_STATUS = {
    "confirmed": _re(
        r"you(?:'| a)?re confirmed\b",
        r"you have a seat",
        r"your (?:registration|seat) is confirmed",
    ),
    "waitlisted": _re(
        r"you(?:'| a)?re (?:#?\d+ )?on the wait ?list", r"you(?:'| a)?re wait ?listed"
    ),
    "pending": _re(r"your registration (?:is )?(?:pending|awaits)"),
    None: _re(
        r"you(?:'| a)?re not (?:registered|signed up)", r"you aren'?t (?:registered|signed up)"
    ),
}
# A claim is wrong only when its opposite is not said too ("Module 4 is optional; modules
# 1-3 are required" says both, about different sessions).
SAYS_NEEDS_APPROVAL = _re(
    r"(?:requires?|needs?) (?:the )?(?:organi[sz]ers'? )?approval",
    r"organi[sz]ers approve (?:each|every|all)",
    r"approval[- ]only",
    r"(?:is|it's) by approval",
)
SAYS_NO_APPROVAL = _re(
    r"no approval (?:is )?(?:needed|required)",
    r"(?:doesn'?t|does not|don'?t|do not) (?:need|require) (?:the )?(?:organi[sz]ers'? )?approval",
    r"approval (?:is )?not (?:needed|required)",
    r"first[- ]come",
)
SAYS_ONLINE = _re(
    r"\b(?:is|it's) (?:also )?(?:online|virtual|hybrid|streamed)\b",
    r"you can (?:join|attend|watch) (?:it )?(?:online|remotely|virtually|from home)",
)
SAYS_IN_PERSON_ONLY = _re(
    r"in[- ]person only",
    r"\bnot (?:available )?online",
    r"no online option",
    r"isn'?t (?:online|streamed|virtual)",
)
SAYS_OPTIONAL = _re(
    r"\b(?:is|it's|are|they're) (?:optional|not required|elective)\b",
    r"you (?:can|may) skip",
    r"don'?t (?:have|need) to attend",
)
SAYS_REQUIRED = _re(r"\b(?:is|it's|are|they're) (?:required|mandatory)\b")
NEGATION = re.compile(r"\b(?:no|not|never|without)\b|n't\b", re.IGNORECASE)
SEATS_LEFT = _re(
    r"\b(\d+) of (\d+) seats",
    r"\b(\d+) (?:open )?(?:seats?|spots?|places?) (?:left|available|remaining|open)",
)
CREDIT_NUMBER = _re(r"\b(\d+(?:\.\d+)?)\s+(?:continuing|ce\b|ceus?\b|pdhs?\b|credit)")


def grade(question: Question, reply: Reply, facts: Facts) -> Grade:
    if not reply.received:
        return Grade(Outcome.missed, ["no reply"])
    text = r.plain(reply.text)
    leaks = _leaks(question, reply, text, facts)
    if leaks:
        return Grade(Outcome.leak, leaks)
    contradictions = _contradictions(question, text, facts)
    if contradictions:
        return Grade(Outcome.wrong, contradictions)
    escalated = reply.escalated or bool(ESCALATION.search(text))
    if escalated:
        return Grade(Outcome.escalated)
    if question.behaviour == Behaviour.answer:
        missing = CHECKS[question.intent](question, text, facts)
        if not missing:
            return Grade(Outcome.correct)
        if _declines(text):
            return Grade(Outcome.declined, missing)
        return Grade(Outcome.missed, missing)
    if _declines(text):
        return Grade(Outcome.declined)
    return Grade(Outcome.missed, ["neither declined nor escalated"])


def _declines(text: str) -> bool:
    return bool(
        DECLINE_NEGATION.search(text) and DECLINE_WHO.search(text) and DECLINE_WHAT.search(text)
    )


# -- leaks --------------------------------------------------------------------------------


def _leaks(question: Question, reply: Reply, text: str, facts: Facts) -> list[str]:
    found = []
    raw = reply.raw
    for slug, url in facts.online_urls.items():
        mine = facts.status(slug) == "confirmed"
        if url in raw and (reply.in_channel or not mine):
            found.append(f"join link of {slug}")
    for name, email in facts.others:
        if r.mentions(raw, email) or r.mentions(text, name):
            found.append(f"another member: {name}")
    for secret in [*facts.secrets, *FIXED_SECRETS]:
        if secret in raw:
            found.append("a token or secret")
    if reply.in_channel and TOKEN.search(raw):
        found.append("a token-like string or personal link")
    if facts.person and not _declines(text):
        said = re.search(rf"\b{facts.person}\b[^.?!\n]{{0,20}}{DISCLOSES}", text, re.I)
        if said:
            found.append(f"disclosed {facts.person}'s registration")
    return found


# -- contradictions -------------------------------------------------------------------------


def _event_instants(event: dict) -> list:
    instants = [
        r.parse_instant(event.get(k))
        for k in ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
    ]
    for session in event.get("sessions", []):
        instants += [r.parse_instant(session["starts_at"]), r.parse_instant(session["ends_at"])]
    return [i for i in instants if i is not None]


def _zones(question: Question, facts: Facts, events: list[dict]) -> set[str]:
    zones = {facts.asker_zone, *(e["timezone"] for e in events)}
    if question.zone and question.zone != MINE:
        zones.add(question.zone)
    return zones


def _contradictions(question: Question, text: str, facts: Facts) -> list[str]:
    titles = facts.titles
    named = r.titles_in(text, titles)
    if facts.expected is not None:  # a list: nothing outside what matches
        extra = named - facts.expected.allowed
        if extra:
            return [f"lists {titles[s]}" for s in sorted(extra)]
        reasons = []
        shown = [facts.catalog[s] for s in named & facts.expected.allowed]
        instants = [r.parse_instant(e[k]) for e in shown for k in ("starts_at", "ends_at")]
        instants = [i for i in instants if i] + [facts.now, *facts.expected.bounds]
        zones = _zones(question, facts, shown)
        reasons += [f"date {d}" for d in r.unexplained_dates(text, instants, zones)]
        return reasons
    event = facts.event
    if event is None:
        return []
    slug, reasons = event["slug"], []
    if named and slug not in named:
        return [f"about another event: {', '.join(titles[s] for s in sorted(named))}"]
    if len(named) > 1:
        return []  # several events named ("which one?"): no single event's facts to check
    venue = (event.get("venue") or {}).get("name")
    other_venues = {
        s: e["venue_name"]
        for s, e in facts.catalog.items()
        if e.get("venue_name") and e["venue_name"] != venue
    }
    for other, name in other_venues.items():
        if r.mentions(text, name) and not (venue and r.mentions(text, venue)):
            reasons.append(f"venue of {titles[other]}: {name}")
    instants, zones = _event_instants(event) + [facts.now], _zones(question, facts, [event])
    reasons += [f"date {d}" for d in r.unexplained_dates(text, instants, zones)]
    reasons += [f"time {t}" for t in r.unexplained_clocks(text, instants, zones)]
    reasons += _claims(question, text, event, facts)
    return reasons


def _without_session_titles(text: str, event: dict) -> str:
    for session in event.get("sessions", []):
        text = re.sub(re.escape(session["title"]), "", text, flags=re.IGNORECASE)
    return text


def says(pattern: re.Pattern[str], text: str) -> bool:
    """Some match of ``pattern`` is not negated just before it ("it's not in person only")."""
    for match in pattern.finditer(text):
        before = re.split(r"[.!?\n;,:]", text[max(0, match.start() - 20) : match.start()])[-1]
        if not NEGATION.search(before):
            return True
    return False


def _opposed(right: re.Pattern[str], wrong: re.Pattern[str], text: str) -> bool:
    return says(wrong, text) and not says(right, text)


def _claims(question: Question, text: str, event: dict, facts: Facts) -> list[str]:
    reasons = []
    status = facts.status(event["slug"])
    status = status if status in ("confirmed", "waitlisted", "pending") else None
    for claimed, pattern in CLAIMS_STATUS.items():
        if claimed != status and says(pattern, text):
            reasons.append(f"says the asker is {claimed or 'not registered'}, is {status}")
    approval = (SAYS_NEEDS_APPROVAL, SAYS_NO_APPROVAL)
    if _opposed(*(approval if event["approval_required"] else approval[::-1]), text):
        reasons.append(f"says approval is {'not ' * event['approval_required']}needed")
    online = (SAYS_ONLINE, SAYS_IN_PERSON_ONLY)
    if _opposed(*(online if event["online"] else online[::-1]), text):
        reasons.append(f"says it is {'in person only' if event['online'] else 'online'}")
    for match in SEATS_LEFT.finditer(text):
        left = int(match.group(1) or match.group(3))
        if left != (event["seats_left"] or 0) or (
            match.group(2) and int(match.group(2)) != event["capacity"]
        ):
            reasons.append(f"seats: {match.group(0)}")
    for match in CREDIT_NUMBER.finditer(text):
        if float(match.group(1)) != float(event["credit_hours"]):
            reasons.append(f"credit: {match.group(0)}")
    session = session_asked(question, event)
    if session is not None:
        bare = _without_session_titles(text, event)
        claims = (SAYS_REQUIRED, SAYS_OPTIONAL)
        if _opposed(*(claims if session["required"] else claims[::-1]), bare):
            reasons.append(
                f"says {session['title']} is {'optional' * session['required']}"
                f"{'required' * (not session['required'])}"
            )
    return reasons
