"""What the bot answers from an event's own data, and what it leaves to the organizers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from bot.answers import answer_from_event
from bot.intents import EventTopic, topics_of
from certs.eligibility import Verdict
from events import schemas

NOW = datetime(2026, 2, 20, 17, 0, tzinfo=UTC)
# Tue, Mar 3 2026, 9:00 AM – 12:00 PM in Denver, still on standard time (MST, UTC-7).
START = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
URL = "https://convene.test/events/open-data-workshop"


def _session(title: str, start: datetime, hours: float = 3, **fields) -> schemas.Session:
    values = {
        "id": 1,
        "title": title,
        "description": "",
        "starts_at": start,
        "ends_at": start + timedelta(hours=hours),
        "location_name": None,
        "location_address": None,
        "required": False,
        "status": "scheduled",
        "revision": 0,
    }
    return schemas.Session(**{**values, **fields})


def _event(**fields) -> schemas.Event:
    sessions = fields.pop("sessions", [_session("Main", START)])
    values = {
        "slug": "open-data-workshop",
        "title": "Open Data Workshop",
        "kind": "workshop",
        "status": "published",
        "summary": "",
        "description": "",
        "timezone": "America/Denver",
        "regions": [],
        "topics": [],
        "venue": schemas.Venue(name="City Hall", address="1437 Bannock St, Denver, CO"),
        "online": False,
        "capacity": 40,
        "seats_taken": 28,
        "seats_left": 12,
        "waitlist_length": 0,
        "registration_opens_at": None,
        "registration_closes_at": datetime(2026, 3, 2, 0, 0, tzinfo=UTC),  # Sun, Mar 1, 5 PM
        "registration_open": True,
        "members_only": False,
        "organization_seat_cap": None,
        "approval_required": False,
        "credit_hours": 3.0,
        "questions": [],
        "sessions": sessions,
        "starts_at": sessions[0].starts_at if sessions else None,
        "ends_at": sessions[-1].ends_at if sessions else None,
        "url": URL,
        "calendar": schemas.CalendarLinks(ics=f"{URL}.ics", webcal="webcal://convene.test/x"),
    }
    return schemas.Event(**{**values, **fields})


def _answer(question: str, event: schemas.Event | None = None, **kwargs):
    return answer_from_event(question, event or _event(), now=NOW, **kwargs)


# What members ask, and the fact that answers it (the text must contain every snippet).
ANSWERED = [
    ("When is the workshop?", EventTopic.schedule, ["Tue, Mar 3, 9:00 AM – 12:00 PM MST"]),
    ("what time does it start??", EventTopic.schedule, ["9:00 AM"]),
    ("Hi! Quick question: what are the dates?", EventTopic.schedule, ["Tue, Mar 3"]),
    ("How long is it?", EventTopic.schedule, ["9:00 AM – 12:00 PM MST"]),
    ("Where is it?", EventTopic.location, ["*City Hall*", "1437 Bannock St"]),
    ("What's the address of the venue?", EventTopic.location, ["1437 Bannock St, Denver, CO"]),
    ("Is there a map?", EventTopic.location, ["https://www.google.com/maps/search/"]),
    ("Are there any seats left?", EventTopic.seats, ["*12* of 40 seats left"]),
    ("How many spots are still available?", EventTopic.seats, ["12"]),
    ("is it full", EventTopic.seats, ["12"]),
    ("When does registration close?", EventTopic.deadline, ["Sun, Mar 1, 5:00 PM MST"]),
    ("Until when can I register?", EventTopic.deadline, ["Sun, Mar 1, 5:00 PM MST"]),
    ("What's the deadline to sign up?", EventTopic.deadline, ["Register here"]),
    ("Can I still register?", EventTopic.deadline, ["open until"]),
    ("Is it online?", EventTopic.online, ["in person only", "City Hall"]),
    ("Is it in person or virtual?", EventTopic.online, ["in person only"]),
    ("How many CE hours is this?", EventTopic.credits, ["*3* continuing-education"]),
    ("Does this carry PDH credits?", EventTopic.credits, ["*3*"]),
    ("Will I get continuing education credit?", EventTopic.credits, ["*3*"]),
    ("Will I get a certificate?", EventTopic.certificate, ["check in", "3 CE hours"]),
    ("Am I eligible for a certificate?", EventTopic.certificate, ["certificate"]),
]


@pytest.mark.parametrize(("question", "topic", "snippets"), ANSWERED)
def test_answers_what_the_event_data_says(question, topic, snippets):
    answer = _answer(question)
    assert answer is not None, question
    assert answer.topic == topic
    assert answer.confident
    for snippet in snippets:
        assert snippet in answer.text, (question, answer.text)


# Personal or policy questions, and facts the data does not have: the organizers answer.
NOT_FOR_THE_BOT = [
    "How much does it cost?",
    "Is there a fee for non-members?",
    "Can I get a refund if I cancel?",
    "Is the venue wheelchair accessible?",
    "I need an ASL interpreter for the session, who do I ask?",
    "Will there be vegetarian options at lunch?",
    "I have a nut allergy, is the food labelled?",
    "Where do I park?",
    "Is parking validated at City Hall?",
    "Can my colleague take my seat?",
    "Can someone else from my team go instead of me?",
    "Will my travel be reimbursed?",
    "Can I bring a guest?",
    "Where can I find the slides?",
    "Will the sessions be recorded?",
    "Am I registered?",
    "What's the wifi password at the venue?",
    "When will certificates be emailed?",
    "My certificate has my name misspelled",
    "Does this count towards my PE license renewal?",
    "Is it a full day?",
    "Thanks!",
    "",
]


@pytest.mark.parametrize("question", NOT_FOR_THE_BOT)
def test_leaves_personal_and_policy_questions_to_the_organizers(question):
    assert _answer(question) is None
    assert topics_of(question) == []


def test_a_multi_session_schedule_lists_every_session_and_marks_none_cancelled():
    sessions = [
        _session("Kickoff", START, 1),
        _session("Dropped", START + timedelta(days=1), 1, status="cancelled"),
        _session("Hands-on <lab>", START + timedelta(days=7), 2),
    ]
    answer = _answer("What's the schedule?", _event(sessions=sessions, kind="training_track"))
    assert "has 2 sessions" in answer.text
    assert "• Tue, Mar 3, 9:00 AM – 10:00 AM MST — Kickoff" in answer.text
    assert "Dropped" not in answer.text
    # After Mar 8 Denver is on daylight time; titles are escaped for Slack.
    assert "Tue, Mar 10, 10:00 AM – 12:00 PM MDT — Hands-on &lt;lab&gt;" in answer.text


def test_when_and_where_in_one_question_gets_both():
    answer = _answer("When and where is it?")
    assert "City Hall" in answer.text and "9:00 AM – 12:00 PM MST" in answer.text


def test_a_past_event_is_told_in_the_past():
    answer = answer_from_event("when was it?", _event(), now=START + timedelta(days=2))
    assert "took place Tue, Mar 3" in answer.text


def test_a_cancelled_event_says_so_whatever_is_asked():
    answer = _answer("Where is it?", _event(status="cancelled"))
    assert answer.text == "*Open Data Workshop* was cancelled."
    assert answer.confident


def test_a_full_event_tells_about_the_waitlist():
    event = _event(seats_taken=40, seats_left=0, waitlist_length=5)
    answer = _answer("Any spots left?", event)
    assert "is full (5 on the waitlist)" in answer.text
    assert "join the waitlist" in answer.text


def test_no_deadline_means_registration_until_the_event_ends():
    answer = _answer("Is registration still open?", _event(registration_closes_at=None))
    assert "stays open until *Open Data Workshop* ends, Tue, Mar 3, 12:00 PM MST" in answer.text


def test_registration_not_open_yet_says_when_it_opens():
    opens = datetime(2026, 2, 24, 16, 0, tzinfo=UTC)
    answer = _answer(
        "when does registration open?",
        _event(registration_open=False, registration_opens_at=opens),
    )
    assert answer.text == "Registration opens Tue, Feb 24, 9:00 AM MST."


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, "only to confirmed attendees"),
        ("confirmed", "You're confirmed"),
        ("waitlisted", "if a seat frees up"),
        ("pending", "awaits the organizers' approval"),
    ],
)
def test_the_join_link_is_never_posted(status, expected):
    event = _event(online=True, venue=None, online_url="https://zoom.test/j/123")
    answer = _answer("Can you post the zoom link here?", event, registration_status=status)
    assert answer.topic == EventTopic.online
    assert expected in answer.text
    assert "zoom.test" not in answer.text


def test_a_hybrid_event_says_both():
    answer = _answer("Can I attend virtually?", _event(online=True))
    assert "hybrid: at *City Hall* and online" in answer.text


def test_unknown_facts_are_answered_but_not_confidently():
    assert not _answer("Where is it?", _event(venue=None)).confident
    # No CE hours is a fact of the event: said, and not passed to the organizers.
    assert _answer("how many CE hours?", _event(credit_hours=0)).confident
    assert not _answer("when is it?", _event(sessions=[])).confident


def test_a_verdict_says_what_is_missing():
    verdict = Verdict(
        eligible=False,
        credit_hours=Decimal("0"),
        attended_sessions=1,
        attended_hours=Decimal("1"),
        missing=["Attend the required session “Ethics”."],
    )
    answer = _answer("What am I missing for my certificate?", verdict=verdict)
    assert answer.text.startswith("Not yet.")
    assert "• Attend the required session “Ethics”." in answer.text


def test_an_eligible_verdict_gives_the_hours():
    verdict = Verdict(True, Decimal("4.50"), 3, Decimal("4.5"), [])
    assert "*4.5* CE hours" in _answer("am I eligible for the cert?", verdict=verdict).text
    assert "*4.5* continuing-education" in _answer("how many pdh?", verdict=verdict).text


def test_without_a_verdict_a_track_names_its_required_sessions():
    sessions = [
        _session("Ethics", START, 2, required=True),
        _session("Elective", START + timedelta(days=1), 2),
    ]
    answer = _answer("Will I get a certificate?", _event(kind="training_track", sessions=sessions))
    assert "attend every required session: “Ethics”" in answer.text
    assert "Elective" not in answer.text


def test_a_waitlisted_member_hears_that_only_confirmed_registrations_count():
    answer = _answer("will I get a certificate?", registration_status="waitlisted")
    assert "Only confirmed registrations earn a certificate" in answer.text
