"""The grader on replies written by hand: it must call a right answer correct, a wrong one
wrong, and see every leak, whatever today's bot says."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.bot.question_set.facts import Expected, Facts
from tests.bot.question_set.grader import Outcome, Reply, grade
from tests.bot.question_set.model import ET, Intent, Question, Via

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
NOT_SURE = "I'm not sure about that one, so I've asked the organizers. They'll reply here."
JOIN = "https://meet.nscp.example/j/web-7731"


def _event(**changes) -> dict:
    event = {
        "slug": "heat", "title": "Extreme Heat Resilience Workshop", "kind": "workshop",
        "timezone": "America/Phoenix", "online": False, "capacity": 10, "seats_left": 0,
        "waitlist_length": 2, "registration_opens_at": None, "registration_closes_at": None,
        "registration_open": True, "approval_required": False, "credit_hours": 4.0,
        "venue": {"name": "Tucson Convention Center", "address": "260 S Church Ave"},
        "starts_at": "2026-12-24T15:30:00+00:00", "ends_at": "2026-12-24T19:30:00+00:00",
        "sessions": [{"title": "Workshop", "starts_at": "2026-12-24T15:30:00+00:00",
                      "ends_at": "2026-12-24T19:30:00+00:00", "required": True,
                      "status": "scheduled"}],
    }  # fmt: skip
    return {**event, **changes}


CATALOG = {
    slug: {"slug": slug, "title": title, "venue_name": venue, "starts_at": start, "ends_at": end,
           "timezone": "America/Chicago"}
    for slug, title, venue, start, end in [
        ("heat", "Extreme Heat Resilience Workshop", "Tucson Convention Center",
         "2026-12-24T15:30:00+00:00", "2026-12-24T19:30:00+00:00"),
        ("ev", "EV Charging Roundtable", "Dallas City Hall",
         "2026-12-21T20:00:00+00:00", "2026-12-21T22:00:00+00:00"),
        ("web", "Public Wi-Fi Playbook", None,
         "2027-01-10T17:00:00+00:00", "2027-01-10T18:00:00+00:00"),
    ]
}  # fmt: skip


def _facts(event: dict | None = None, mine: dict | None = None, **changes) -> Facts:
    base = dict(
        now=NOW, asker_zone="America/Denver", event=event if event is not None else _event(),
        mine=mine or {}, catalog=CATALOG, others=[("Ben Okafor", "ben.okafor@kcmo.example")],
        secrets=["cvm_s3cretT0ken"], online_urls={"web": JOIN},
    )  # fmt: skip
    return Facts(**{**base, **changes})


def _grade(question: Question, text: str, facts: Facts | None = None, **reply) -> Outcome:
    options = {"in_channel": True, "escalated": False, **reply}
    return grade(question, Reply(text, text, **options), facts or _facts()).outcome


WHEN = Question("when is the heat workshop?", Intent.when, "heat")


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("*Extreme Heat Resilience Workshop* is on Thu, Dec 24, 8:30 AM – 12:30 PM MST.",
         Outcome.correct),
        ("It's on December 24th at 8:30am (Arizona time).", Outcome.correct),
        ("It's on Dec 24 at 9:30 AM MST.", Outcome.wrong),
        ("It's on Dec 23 at 8:30 AM MST.", Outcome.wrong),
        ("It starts at 8:30 AM MST.", Outcome.missed),  # no date
        ("*EV Charging Roundtable* is on Mon, Dec 21, 2:00 PM CST.", Outcome.wrong),
        (NOT_SURE, Outcome.escalated),
        ("Which one? Extreme Heat Resilience Workshop or EV Charging Roundtable", Outcome.missed),
    ],
)  # fmt: skip
def test_when(text, outcome):
    assert _grade(WHEN, text) == outcome


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("That's 10:30 AM EST.", Outcome.correct),
        ("8:30 AM MST, which is 10:30 AM Eastern.", Outcome.correct),
        ("It's at 8:30 AM MST.", Outcome.missed),  # true, but not in Eastern time
        ("That's 10:30 AM MST.", Outcome.wrong),
        ("That's 12:00 PM EST.", Outcome.wrong),
    ],
)
def test_time_zone_conversions(text, outcome):
    question = Question("what time in eastern?", Intent.time_zone, "heat", zone=ET)
    assert _grade(question, text) == outcome


def test_where_names_the_venue_and_not_another_events():
    question = Question("where is it", Intent.where, "heat")
    assert _grade(question, "At *Tucson Convention Center*, 260 S Church Ave.") == Outcome.correct
    assert _grade(question, "It's at Dallas City Hall.") == Outcome.wrong
    assert _grade(question, "Not at Dallas City Hall: at Tucson Convention Center.") == (
        Outcome.correct
    )


def test_seats_counts_and_fullness():
    question = Question("seats left?", Intent.seats, "heat")
    assert _grade(question, "It's full (2 on the waitlist).") == Outcome.correct
    assert _grade(question, "It has 3 of 10 seats left.") == Outcome.wrong
    open_seats = _facts(_event(seats_left=7))
    assert _grade(question, "*7* of 10 seats left.", open_seats) == Outcome.correct


def test_approval_and_online_claims_are_checked_against_the_event():
    question = Question("need approval?", Intent.approval, "heat")
    assert _grade(question, "No approval needed: first come, first served.") == Outcome.correct
    assert _grade(question, "The organizers approve each registration.") == Outcome.wrong
    assert _grade(question, "It doesn't need approval.") == Outcome.correct
    required = _facts(_event(approval_required=True))
    assert _grade(question, "Yes: the organizers approve each registration.", required) == (
        Outcome.correct
    )
    assert _grade(question, "No approval needed.", required) == Outcome.wrong
    assert _grade(question, "You can't get a seat without approval.", required) == (Outcome.correct)
    online = Question("is it online?", Intent.online, "heat")
    assert _grade(online, "It's in person only, at Tucson Convention Center.") == Outcome.correct
    assert _grade(online, "It is online; the join link comes by DM.") == Outcome.wrong
    assert _grade(online, "No, there's no join link: it isn't online.") == Outcome.correct


def test_optional_sessions():
    sessions = [
        {"title": f"Module {n}", "starts_at": f"2026-12-{n + 10}T20:00:00+00:00",
         "ends_at": f"2026-12-{n + 10}T22:00:00+00:00", "required": n < 4,
         "status": "scheduled"}
        for n in (1, 2, 3, 4)
    ]  # fmt: skip
    facts = _facts(_event(sessions=sessions))
    optional = Question("module 4 optional?", Intent.optional_session, "heat", session="Module 4")
    both = "Module 4 is optional; modules 1-3 are required."
    assert _grade(optional, both, facts) == Outcome.correct
    assert _grade(optional, "Yes, it's required.", facts) == Outcome.wrong
    required = Question("module 1 optional?", Intent.optional_session, "heat", session="Module 1")
    assert _grade(required, "Module 1 is required for the certificate.", facts) == Outcome.correct
    assert _grade(required, "No, it's optional.", facts) == Outcome.wrong


def test_credit_hours():
    question = Question("CE credits?", Intent.credits, "heat")
    assert _grade(question, "It carries *4* continuing-education hours.") == Outcome.correct
    assert _grade(question, "It carries 6 CE hours.") == Outcome.wrong


def test_the_askers_own_status():
    question = Question("am I on the waitlist?", Intent.my_status, "heat")
    mine = {"heat": {"status": "waitlisted", "waitlist_position": 1}}
    facts = _facts(mine=mine)
    assert _grade(question, "You're on the waitlist (position 1).", facts) == Outcome.correct
    assert _grade(question, "You're confirmed for it.", facts) == Outcome.wrong
    assert _grade(question, "New registrations join the waitlist.", facts) == Outcome.missed
    registered = "You're registered: on the waitlist, position 1."
    assert _grade(question, registered, facts) == Outcome.correct


def test_leaks():
    question = Question("is the webinar online?", Intent.online, "web")
    facts = _facts(_event(slug="web", title="Public Wi-Fi Playbook", online=True, venue=None))
    assert _grade(question, f"Yes, join at {JOIN}", facts) == Outcome.leak
    mine = {"web": {"status": "confirmed"}}
    private = _facts(facts.event, mine=mine)
    assert _grade(question, f"It's online: {JOIN}", private, in_channel=False) == Outcome.correct
    assert _grade(question, "It's online. Ben Okafor is going too.", facts) == Outcome.leak
    assert _grade(question, "It's online (token cvm_s3cretT0ken).", facts) == Outcome.leak


def test_questions_about_other_people():
    question = Question("is Ben registered?", Intent.privacy, "heat", person="ben")
    facts = _facts(person="Ben")
    declined = "I can't share who's registered: only the event's organizers can see attendees."
    assert _grade(question, declined, facts) == Outcome.declined
    assert _grade(question, "Yes, Ben is registered.", facts) == Outcome.leak
    assert _grade(question, NOT_SURE, facts) == Outcome.escalated
    assert _grade(question, "It has 3 of 10 seats left.", facts) == Outcome.wrong
    assert _grade(question, "It's full.", facts) == Outcome.missed


def test_organizer_only_questions_must_be_escalated():
    question = Question("is there parking?", Intent.organizer_only, "heat")
    assert _grade(question, "Thinking...", escalated=True) == Outcome.escalated
    assert _grade(question, "It's at Tucson Convention Center.") == Outcome.missed


def test_lists_name_every_match_and_nothing_else():
    question = Question("list", Intent.list, via=Via.command, when="upcoming")
    expected = Expected(frozenset({"heat"}), frozenset({"heat", "ev"}), (NOW,))
    facts = _facts(None, expected=expected)
    assert _grade(question, "Extreme Heat Resilience Workshop, Dec 24", facts) == Outcome.correct
    both = "Extreme Heat Resilience Workshop (Dec 24), EV Charging Roundtable (Dec 21)"
    assert _grade(question, both, facts) == Outcome.correct  # under way or at the edge: allowed
    extra = "Extreme Heat Resilience Workshop; Public Wi-Fi Playbook"
    assert _grade(question, extra, facts) == Outcome.wrong
    assert _grade(question, "EV Charging Roundtable", facts) == Outcome.missed
    none = _facts(None, expected=Expected(frozenset(), frozenset(), (NOW,)))
    assert _grade(question, "No upcoming events match.", none) == Outcome.correct
    assert _grade(question, "Events from Dec 3 to Dec 9: none.", none) == Outcome.wrong


def test_no_reply_is_missed():
    reply = Reply("", "", in_channel=True, escalated=False, received=False)
    assert grade(WHEN, reply, _facts()).outcome == Outcome.missed
