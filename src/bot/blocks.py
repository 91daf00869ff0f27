"""Block Kit for the bot: plain data in, message and view payloads out (pure: no database,
no HTTP), so tests can compare them and listeners stay small."""

from __future__ import annotations

from collections.abc import Sequence

from events import schemas
from events.formatting import KIND_LABELS, MONTHS, session_when, when, zone

REGISTER, CANCEL, DETAILS, ADD_TO_CALENDAR = "register", "cancel", "details", "add_to_calendar"
ROTATE_CALENDAR, ANSWER_QUESTION, SAVE_TO_FAQ = "rotate_calendar", "answer_question", "save_faq"
OPEN_MEMBER_PAGE = "open_member_page"
REGISTER_MODAL, ANSWER_MODAL = "register_modal", "answer_modal"
STATUS_LINES = {
    "confirmed": ":white_check_mark: You're *confirmed*",
    "waitlisted": ":hourglass_flowing_sand: You're on the *waitlist*",
    "pending": ":hourglass: Your registration is *pending approval*",
    "cancelled": ":x: Your registration is *cancelled*",
    "declined": ":no_entry: Your registration was *declined*",
}


def escape(text: str) -> str:
    """Slack mrkdwn needs only &, < and > escaped (they would form links and mentions)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def seats_text(capacity: int | None, seats_left: int | None, waitlist: int) -> str:
    if capacity is None:
        return "Open seating"
    if seats_left:
        return f"{seats_left} of {capacity} seats left"
    return f"Full · {waitlist} on the waitlist" if waitlist else "Full · waitlist open"


def status_line(status: str, position: int | None = None) -> str:
    line = STATUS_LINES.get(status, status)
    return f"{line} (position {position})" if status == "waitlisted" and position else line


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def _link_button(text: str, action_id: str, url: str) -> dict:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "url": url,
    }


def event_card(
    event: schemas.EventSummary | schemas.Event,
    *,
    status: str | None = None,
    position: int | None = None,
) -> list[dict]:
    """One event: what, when, where, seats, the member's status, and its buttons."""
    place = event.venue_name if isinstance(event, schemas.EventSummary) else _venue(event)
    where = place or ("Online" if event.online else "Place to be announced")
    if place and event.online:
        where += " · also online"
    regions = (
        event.regions
        if isinstance(event, schemas.EventSummary)
        else [region.name for region in event.regions]
    )
    lines = [
        f"*<{event.url}|{escape(event.title)}>*",
        f"{KIND_LABELS.get(event.kind, event.kind)} · {escape(', '.join(regions))}",
        f":calendar: {when(event.starts_at, event.ends_at, event.timezone)}",
        f":round_pushpin: {escape(where)}",
        f":busts_in_silhouette: {seats_text(event.capacity, event.seats_left, _waitlist(event))}",
    ]
    if status:
        lines.append(status_line(status, position))
    elif not event.registration_open:
        lines.append("Registration is closed.")
    buttons = []
    if status in ("confirmed", "waitlisted", "pending"):
        buttons.append(_button("Cancel", CANCEL, event.slug, "danger"))
    elif event.registration_open:
        buttons.append(_button("Register", REGISTER, event.slug, "primary"))
    calendar = event.calendar.google or event.calendar.ics
    buttons += [
        _link_button("Add to calendar", ADD_TO_CALENDAR, calendar),
        _button("Details", DETAILS, event.slug),
    ]
    return [
        {
            "type": "section",
            "block_id": f"event:{event.slug}",
            "text": {"type": "mrkdwn", "text": "\n".join(lines)},
        },
        {"type": "actions", "block_id": f"actions:{event.slug}", "elements": buttons},
    ]


def _venue(event: schemas.Event) -> str | None:
    if event.venue is None:
        return None
    return ", ".join(part for part in (event.venue.name, event.venue.address) if part)


def _waitlist(event: schemas.EventSummary | schemas.Event) -> int:
    return event.waitlist_length


def event_details(event: schemas.Event, *, status: str | None, position: int | None) -> list:
    """The card, then the summary and every session in the event's time zone."""
    blocks = event_card(event, status=status, position=position)
    if event.summary:
        blocks.insert(1, section(escape(event.summary)))
    sessions = [
        f"• {escape(s.title)}: {session_when(s.starts_at, s.ends_at, event.timezone)}"
        + (" _(cancelled)_" if s.status == "cancelled" else "")
        + (" _(required)_" if s.required else "")
        for s in event.sessions
    ]
    if len(sessions) > 1:
        blocks.insert(-1, section("*Sessions*\n" + "\n".join(sessions[:20])))
    if event.credit_hours:
        blocks.insert(-1, _context(f"{event.credit_hours:g} continuing-education hours"))
    return blocks


def list_heading(parts: Sequence[str], *, ignored: Sequence[str] = ()) -> str:
    """ "Upcoming events: Cybersecurity, KC Digital Drive, Training track, next month": the
    filters by name (never their slugs), escaped with the words that were ignored."""
    heading = "Upcoming events" + (f": {', '.join(parts)}" if parts else "")
    if ignored:
        heading += f" (I ignored: {', '.join(ignored)})"
    return escape(heading)


def events_list(events: list[schemas.EventSummary], heading: str) -> list[dict]:
    if not events:
        return [section(f"{heading}\nNo upcoming events match. Try `/events list` on its own.")]
    blocks = [section(f"*{heading}*")]
    for event in events[:10]:  # 50 blocks per message at most: 2 per card
        blocks += [{"type": "divider"}, *event_card(event)]
    return blocks


def choose_event(candidates: list[schemas.EventSummary], query: str, action: str) -> list:
    """An ambiguous reference: one button per candidate, doing what was asked."""
    buttons = [_button(f"{c.title[:50]} ({_day(c)})", action, c.slug) for c in candidates[:5]]
    return [
        section(f"More than one event matches “{escape(query)}”. Which one did you mean?"),
        {"type": "actions", "block_id": "choose_event", "elements": buttons},
    ]


def _day(event: schemas.EventSummary) -> str:
    if event.starts_at is None:
        return "dates to come"
    start = event.starts_at.astimezone(zone(event.timezone))
    return f"{MONTHS[start.month - 1]} {start.day}"


def registration_reply(title: str, status: str, position: int | None, *, created: bool) -> str:
    line = status_line(status, position)
    already = "" if created else " (you had already registered)"
    return f"{line} for *{escape(title)}*{already}."


def registration_modal(event: schemas.Event) -> dict:
    """The event's registration questions; block ids are the question keys."""
    blocks = [section(f"Register for *{escape(event.title)}*")]
    for question in event.questions:
        blocks.append(_question_input(question))
    return {
        "type": "modal",
        "callback_id": REGISTER_MODAL,
        "private_metadata": event.slug,
        "title": {"type": "plain_text", "text": "Register"},
        "submit": {"type": "plain_text", "text": "Register"},
        "close": {"type": "plain_text", "text": "Cancel"},
        "blocks": blocks[:100],
    }


def _question_input(question: schemas.Question) -> dict:
    label = {"type": "plain_text", "text": question.label[:2000]}
    if question.kind == "text":
        element: dict = {"type": "plain_text_input", "action_id": "answer", "max_length": 2000}
    else:
        choices = question.choices if question.kind == "choice" else ["Yes", "No"]
        element = {
            "type": "static_select",
            "action_id": "answer",
            "options": [
                {"text": {"type": "plain_text", "text": c[:75]}, "value": c[:150]}
                for c in choices[:100]
            ],
        }
    return {
        "type": "input",
        "block_id": f"q:{question.key}",
        "optional": not question.required,
        "label": label,
        "element": element,
    }


def calendar_reply(calendar: schemas.PersonalCalendar) -> list[dict]:
    return [
        section(
            "*Your personal calendar* follows your registrations, with join links for "
            f"online sessions you're confirmed for.\n:link: <{calendar.webcal}|Subscribe "
            f"(webcal)> · <{calendar.url}|https link for Google Calendar>\n"
            "Keep it to yourself: anyone with the link sees your schedule."
        ),
        {
            "type": "actions",
            "block_id": "calendar",
            "elements": [_button("Get a new link", ROTATE_CALENDAR, "rotate", "danger")],
        },
    ]


def member_page_reply(url: str, minutes: int) -> list[dict]:
    """The one-time sign-in link to the member's page on the web (``/events me``)."""
    return [
        section(
            "*Your page on the web*: registrations, calendar link, certificates, message "
            f"preferences and your data.\nThe button signs you in once, within {minutes} "
            "minutes; don't share it."
        ),
        {
            "type": "actions",
            "block_id": "member_page",
            "elements": [_link_button("Open my page", OPEN_MEMBER_PAGE, url)],
        },
    ]


def my_registrations(items: list[schemas.MyRegistration]) -> list[dict]:
    if not items:
        return [section("You have no upcoming registrations. Try `/events list`.")]
    blocks = [section("*Your registrations*")]
    for item in items[:10]:
        registration = item.registration
        blocks += [
            {"type": "divider"},
            *event_card(
                item.event, status=registration.status, position=registration.waitlist_position
            ),
        ]
    return blocks


def attendee_counts(title: str, counts: dict[str, int]) -> str:
    order = ["confirmed", "waitlisted", "pending", "cancelled", "declined"]
    lines = [f"• {status}: {counts.get(status, 0)}" for status in order]
    return f"*{escape(title)}*: registrations by status\n" + "\n".join(lines)


def help_text() -> str:
    return "\n".join(
        [
            "*Convene: events of the National Smart Coalitions Partnership*",
            "`/events list [topic] [region] [kind]`: upcoming events, e.g. `/events list "
            "cybersecurity phoenix`",
            "`/events show <event>` · `/events register <event>` · `/events cancel <event>`",
            "`/events mine`: your registrations and waitlist positions",
            "`/events calendar`: your personal calendar link",
            "`/events me`: a sign-in link to your page on the web (certificates, preferences, "
            "your data)",
            "`/events ask <question>`: ask about an event (or @mention me in a channel)",
            "An event is its short name (slug) or a few words of its title.",
            "_Organizers:_ `/events attendees <event>` · `/events link <event>` (questions "
            "in this channel are about it) · `/events unlink` · `/events organizers-here` "
            "(questions I can't answer come here)",
        ]
    )


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def _context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}
