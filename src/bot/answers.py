"""Answers from an event's own data: when, where, seats, deadline, online, credits, certificate.

Pure: no database, no HTTP. The rule is to answer only what the data says and the question
clearly asks. Anything personal or about a policy (refunds, accessibility, food, parking,
someone else taking a seat, travel...) gets None, and the caller asks the organizers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote_plus

from bot.intents import EventTopic, topics_of
from certs.eligibility import Verdict
from events import schemas
from events.enums import EventKind, EventStatus, SessionStatus
from events.formatting import moment, session_when


@dataclass(frozen=True, slots=True)
class EventAnswer:
    text: str  # Slack mrkdwn
    topic: EventTopic
    confident: bool  # False: the data does not settle it (e.g. no venue announced yet)


def _esc(text: str) -> str:
    """Slack mrkdwn treats &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _hours(value: object) -> str:
    return f"{float(value):g}"


def _link(url: str, label: str) -> str:
    return f"<{url}|{label}>"


# -- one function per topic ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    event: schemas.Event
    now: datetime
    verdict: Verdict | None
    registration_status: str | None
    session_id: int | None = None  # the question is about this session

    @property
    def title(self) -> str:
        return f"*{_esc(self.event.title)}*"

    @property
    def scheduled(self) -> list[schemas.Session]:
        sessions = [s for s in self.event.sessions if s.status == SessionStatus.scheduled]
        chosen = [s for s in sessions if s.id == self.session_id]
        return chosen or sessions

    @property
    def session(self) -> schemas.Session | None:
        return next((s for s in self.event.sessions if s.id == self.session_id), None)

    def at(self, instant: datetime) -> str:
        """In the event's zone; this year's dates without the year, as one says them."""
        return moment(instant, self.event.timezone, now=self.now)

    def span(self, session: schemas.Session) -> str:
        return session_when(session.starts_at, session.ends_at, self.event.timezone, now=self.now)


MAX_LISTED_SESSIONS = 8


def _schedule(f: _Facts) -> tuple[str, bool]:
    sessions = f.scheduled
    if not sessions:
        return f"The organizers haven't scheduled {f.title} yet.", False
    spans = [f.span(s) for s in sessions]
    over = sessions[-1].ends_at <= f.now
    if f.session is not None:
        verb = "took place" if over else "is on"
        return f"“{_esc(f.session.title)}” of {f.title} {verb} {spans[0]}.", True
    if len(sessions) == 1:
        verb = "took place" if over else "is on"
        return f"{f.title} {verb} {spans[0]}.", True
    lines = [f"{f.title} {'had' if over else 'has'} {len(sessions)} sessions:"]
    lines += [
        f"• {span} — {_esc(s.title)}"
        for s, span in zip(sessions[:MAX_LISTED_SESSIONS], spans, strict=False)
    ]
    if len(sessions) > MAX_LISTED_SESSIONS:
        more = len(sessions) - MAX_LISTED_SESSIONS
        lines.append(f"…and {more} more: {_link(f.event.url, 'full schedule')}")
    return "\n".join(lines), True


def _map_url(venue: schemas.Venue) -> str:
    if venue.latitude is not None and venue.longitude is not None:
        query = f"{venue.latitude},{venue.longitude}"
    else:
        query = ", ".join(p for p in (venue.name, venue.address) if p)
    return f"https://www.google.com/maps/search/?api=1&query={quote_plus(query)}"


def _location(f: _Facts) -> tuple[str, bool]:
    venue, lines = f.event.venue, []
    if venue is not None:
        address = f", {_esc(venue.address)}" if venue.address else ""
        lines.append(
            f"{f.title} is at *{_esc(venue.name)}*{address} ({_link(_map_url(venue), 'map')})."
        )
    venue_name = venue.name if venue else None
    elsewhere = [s for s in f.scheduled if s.location_name and s.location_name != venue_name]
    for session in elsewhere[:MAX_LISTED_SESSIONS]:
        address = f", {_esc(session.location_address)}" if session.location_address else ""
        lines.append(f"• {_esc(session.title)}: *{_esc(session.location_name)}*{address}")
    if f.event.online:
        lines.append(("It's also online. " if lines else f"{f.title} is online. ") + _join(f))
    if not lines:
        return f"The organizers haven't announced where {f.title} takes place yet.", False
    return "\n".join(lines), True


def _registration_window(f: _Facts) -> str:
    event = f.event
    if event.registration_open:
        if event.registration_closes_at:
            return f"Registration is open until {f.at(event.registration_closes_at)}."
        return "Registration is open."
    if event.registration_opens_at and event.registration_opens_at > f.now:
        return f"Registration opens {f.at(event.registration_opens_at)}."
    return "Registration is closed."


def _seats(f: _Facts) -> tuple[str, bool]:
    event, lines = f.event, []
    if event.capacity is None:
        lines.append(f"{f.title} has no seat limit.")
    elif event.seats_left:
        lines.append(f"{f.title} has *{event.seats_left}* of {event.capacity} seats left.")
    else:
        waiting = event.waitlist_length
        queue = f" ({waiting} on the waitlist)" if waiting else ""
        lines.append(
            f"{f.title} is full{queue}. New registrations join the waitlist and move up "
            "automatically when a seat frees up."
        )
    lines.append(_registration_window(f))
    if event.members_only:
        lines.append("It's open to member organizations only.")
    if event.organization_seat_cap:
        lines.append(f"Each organization can take up to {event.organization_seat_cap} seats.")
    if event.approval_required:
        lines.append("The organizers approve each registration.")
    mine = {"confirmed": "You have a seat.", "waitlisted": "You're on the waitlist."}
    lines += [mine[f.registration_status]] if f.registration_status in mine else []
    return " ".join(lines), True


def _deadline(f: _Facts) -> tuple[str, bool]:
    event = f.event
    text = _registration_window(f)
    if event.registration_open and not event.registration_closes_at and event.ends_at:
        text = f"Registration stays open until {f.title} ends, {f.at(event.ends_at)}."
    if event.registration_open:
        full = event.capacity is not None and not event.seats_left
        text += " It's full, so new registrations join the waitlist." if full else ""
        text += f" {_link(event.url, 'Register here')}."
    return text, True


def _join(f: _Facts) -> str:
    """The join link is for confirmed attendees, in private: never in a channel."""
    personal = {
        "confirmed": "You're confirmed: the join link is with your registration on "
        f"{_link(f.event.url, 'the event page')}.",
        "waitlisted": "You're on the waitlist: you get the join link if a seat frees up.",
        "pending": "Your registration awaits the organizers' approval; the join link "
        "comes once you're confirmed.",
    }
    return personal.get(
        f.registration_status or "",
        "The join link goes only to confirmed attendees, privately; it's never posted in a "
        f"channel. {_link(f.event.url, 'Register')} to get it.",
    )


def _online(f: _Facts) -> tuple[str, bool]:
    venue = f.event.venue
    if f.event.online:
        where = f"hybrid: at *{_esc(venue.name)}* and online" if venue else "online"
        return f"{f.title} is {where}. {_join(f)}", True
    if venue is not None:
        return f"{f.title} is in person only, at *{_esc(venue.name)}*.", True
    return f"No online option is listed for {f.title}.", False


def _credits(f: _Facts) -> tuple[str, bool]:
    verdict, hours = f.verdict, f.event.credit_hours
    if verdict is not None and verdict.eligible and verdict.credit_hours:
        return (
            f"With your attendance, your certificate for {f.title} shows "
            f"*{_hours(verdict.credit_hours)}* continuing-education hours.",
            True,
        )
    if hours:
        return f"{f.title} carries *{_hours(hours)}* continuing-education (CE/PDH) hours.", True
    return f"{f.title} carries no continuing-education (CE/PDH) hours.", True


def _certificate(f: _Facts) -> tuple[str, bool]:
    verdict, hours = f.verdict, f.event.credit_hours
    with_hours = f", for {_hours(hours)} CE hours" if hours else ""
    if verdict is not None:
        if verdict.eligible:
            credit = verdict.credit_hours
            earned = f" with *{_hours(credit)}* CE hours" if credit else ""
            return f"Yes: you qualify for a certificate for {f.title}{earned}.", True
        steps = "\n".join(f"• {_esc(line)}" for line in verdict.missing)
        return f"Not yet. To earn a certificate for {f.title}:\n{steps}", True
    if f.registration_status and f.registration_status != "confirmed":
        return (
            f"Only confirmed registrations earn a certificate; yours for {f.title} is "
            f"{f.registration_status}.",
            True,
        )
    text = (
        f"Confirmed attendees who check in at the sessions of {f.title} earn a "
        f"certificate{with_hours}."
    )
    required = [s.title for s in f.scheduled if s.required]
    if f.event.kind == EventKind.training_track and required:
        text += " For this track, attend every required session: " + ", ".join(
            f"“{_esc(title)}”" for title in required
        )
        text += ", and enough sessions in all."
    return text, True


def _approval(f: _Facts) -> tuple[str, bool]:
    if f.event.approval_required:
        return (
            f"Yes: the organizers approve each registration for {f.title}. Register, and "
            "you'll hear from them once they decide.",
            True,
        )
    rule = "first come, first served" + (" (while seats last)" if f.event.capacity else "")
    members = " It's open to member organizations only." if f.event.members_only else ""
    return f"No approval is needed for {f.title}: registration is {rule}.{members}", True


def _sessions(f: _Facts) -> tuple[str, bool]:
    sessions = [s for s in f.event.sessions if s.status == SessionStatus.scheduled]
    if f.session is not None:
        need = "required" if f.session.required else "optional"
        return f"“{_esc(f.session.title)}” is *{need}* for {f.title}.", True
    if not sessions:
        return f"The organizers haven't scheduled {f.title}'s sessions yet.", False
    required = [s for s in sessions if s.required]
    if len(required) == len(sessions):
        every = "Its only session is" if len(sessions) == 1 else f"All {len(sessions)} sessions are"
        return f"{every} required for {f.title}.", True
    if not required:
        return f"Every session of {f.title} is optional: attend the ones you like.", True
    names = ", ".join(f"“{_esc(s.title)}”" for s in required[:MAX_LISTED_SESSIONS])
    optional = ", ".join(f"“{_esc(s.title)}”" for s in sessions if not s.required)
    return f"For {f.title}, required: {names}. Optional: {optional}.", True


def _about(f: _Facts) -> tuple[str, bool]:
    lines = [f"{f.title}" + (f": {_esc(f.event.summary)}" if f.event.summary else "")]
    for answer in (_schedule, _location, _seats):
        text, sure = answer(f)
        if sure:
            lines.append(text)
    lines.append(_link(f.event.url, "Details and registration"))
    return "\n".join(lines), True


ANSWERERS = {
    EventTopic.approval: _approval,
    EventTopic.sessions: _sessions,
    EventTopic.about: _about,
    EventTopic.schedule: _schedule,
    EventTopic.location: _location,
    EventTopic.seats: _seats,
    EventTopic.deadline: _deadline,
    EventTopic.online: _online,
    EventTopic.credits: _credits,
    EventTopic.certificate: _certificate,
}
MAX_TOPICS = 2  # "when and where?" gets both; a question touching everything is unclear


def answer_from_event(
    question: str,
    event: schemas.Event,
    *,
    now: datetime,
    verdict: Verdict | None = None,
    registration_status: str | None = None,
    topics: list[EventTopic] | None = None,
    session_id: int | None = None,
) -> EventAnswer | None:
    """The answer from the event's data, or None when the organizers should answer.
    ``topics``: what was asked, when the caller has read it already."""
    topics = topics_of(question) if topics is None else topics
    if not topics or len(topics) > MAX_TOPICS:
        return None
    facts = _Facts(event, now, verdict, registration_status, session_id)
    if event.status == EventStatus.cancelled:
        # What a cancellation means for certificates and credit is the organizers' call.
        settled = not {EventTopic.certificate, EventTopic.credits} & set(topics)
        return EventAnswer(f"{facts.title} was cancelled.", topics[0], settled)
    parts = [ANSWERERS[topic](facts) for topic in topics]
    return EventAnswer(
        text="\n".join(text for text, _ in parts),
        topic=topics[0],
        confident=all(sure for _, sure in parts),
    )
