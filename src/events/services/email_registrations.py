"""Registering on the web with an email address, for people who are not on Slack.

1. ``request``: the form's name, email and answers are checked, the event's refusals asked
   up front (closed, members only...), and a pending confirmation is written; the email
   with the confirm link goes out after the commit (tasks.send_registration_email).
2. ``confirm``: following the link proves the address. Only then is the member found or
   created (organization by the email's domain) and ``registrations.register`` called:
   the registration counts from that moment, with every rule the API applies.
3. ``managed`` / ``cancel``: the email's second, long-lived link shows the registration,
   cancels it and gives the member's personal calendar feed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from events import schemas, tasks
from events.auth import MemberPrincipal, hash_token, member_by_id
from events.calendar.tokens import personal_calendar
from events.config import get_settings
from events.db import dump_json, fetch, fetch_one, load_json, write_transaction
from events.enums import EventStatus, QuestionKind, RegistrationSource
from events.errors import Conflict, Gone, InvalidInput, NotFound
from events.ratelimit import Limit, RateLimited, limiter
from events.services import members, registrations
from events.services.answers import validate_answers

CONFIRM_LINK_LIFETIME = timedelta(hours=48)
# The manage link (which shows the personal calendar link) outlives the event by a month.
MANAGE_LINK_AFTER_EVENT = timedelta(days=30)
# Emails per address and event per hour: the form can't be used to flood someone's inbox.
MAX_REQUESTS_PER_HOUR = 3
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)
# Plain ASCII addresses, as mail relays and the member table expect them.
EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
MAX_EMAIL = 320  # the member and region columns' length
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
YES, NO = "yes", "no"


async def open_event(slug: str) -> dict:
    """The published event the form registers for (NotFound for drafts and unknown slugs)."""
    row = await fetch_one(
        "SELECT id, slug, title, status, registration_opens_at, registration_closes_at, "
        "ends_at, members_only, questions, published_at FROM event WHERE slug = {}",
        slug,
    )
    if row is None or row["published_at"] is None or row["status"] == EventStatus.draft:
        raise NotFound(f"No event '{slug}'.")
    return row


async def request(
    slug: str, form: schemas.EmailRegistrationCreate, client: str
) -> schemas.EmailRegistrationRequested:
    """Check the form and write a pending confirmation; its email goes out after the commit.
    Raises InvalidInput with every problem (``errors``: field and message),
    RegistrationRefused, or RateLimited (the ``client`` asked for too many emails); writes
    nothing then."""
    event = await open_event(slug)
    name, email, answers = _checked(form, load_json(event["questions"]) or [])
    is_member = await _of_member_organization(email)
    registrations.refuse_if_closed(event, organization_is_member=is_member, now=_now())
    limits = get_settings().rate_limits
    if not await limiter().take(
        Limit("registration-email:client", limits.registration_emails_per_client, 3600), client
    ):
        raise RateLimited(
            "Too many registration requests from your connection. Try again in an hour.",
            reason="too_many_emails",
        )
    # Per address, across events: someone else's inbox is not flooded one event at a time.
    to_address = Limit("registration-email:address", limits.registration_emails_per_address, 3600)
    if not await limiter().take(to_address, email):
        return _requested(event, email)
    now = _now()
    async with write_transaction():
        recent = await fetch_one(
            "SELECT COUNT(*) AS n FROM email_confirmation "
            "WHERE email = {} AND event = {} AND created_at > {}",
            email,
            event["id"],
            now - timedelta(hours=1),
        )
        row = None
        if recent is None or recent["n"] < MAX_REQUESTS_PER_HOUR:
            row = await fetch_one(
                "INSERT INTO email_confirmation (event, email, name, answers, created_at, "
                "expires_at, attempts) VALUES ({}, {}, {}, {}, {}, {}, 0) RETURNING id",
                event["id"],
                email,
                name,
                dump_json(answers),
                now,
                now + CONFIRM_LINK_LIFETIME,
            )
    if row is not None:
        await tasks.enqueue_registration_email(row["id"])
    # Over the limit the page reads the same: it tells nobody what the address has asked.
    return _requested(event, email)


def _requested(event: dict, email: str) -> schemas.EmailRegistrationRequested:
    return schemas.EmailRegistrationRequested(
        event=event["slug"], event_title=event["title"], email=email
    )


def _checked(
    form: schemas.EmailRegistrationCreate, questions: list[dict]
) -> tuple[str, str, dict[str, str | bool]]:
    errors: list[dict[str, str]] = []
    name = " ".join(form.name.split())
    if not name:
        errors.append({"field": "name", "message": "Enter your name."})
    elif len(name) > 200 or CONTROL.search(name):
        errors.append({"field": "name", "message": "Enter your name in under 200 characters."})
    email = form.email.strip().lower()
    if not email:
        errors.append({"field": "email", "message": "Enter your email address."})
    elif len(email) > MAX_EMAIL or not EMAIL.match(email):
        errors.append(
            {"field": "email", "message": "Enter an email address like name@example.org."}
        )
    answers: dict[str, str | bool] = {}
    try:
        answers = validate_answers(questions, answers_from_form(questions, form.answers))
    except InvalidInput as exc:
        errors.extend(
            {"field": f"answer.{problem['question']}", "message": problem["message"]}
            for problem in exc.extra.get("errors", [])
        )
    if errors:
        raise InvalidInput(
            "Some fields are missing or invalid.", reason="invalid_form", errors=errors
        )
    return name, email, answers


def answers_from_form(questions: list[dict], raw: dict[str, str]) -> dict[str, str | bool]:
    """A form sends text; yes/no questions arrive as "yes" or "no" (nothing: unanswered)."""
    kinds = {question["key"]: question.get("kind", QuestionKind.text) for question in questions}
    answers: dict[str, str | bool] = {}
    for key, value in raw.items():
        if kinds.get(key) == QuestionKind.boolean and value in (YES, NO):
            answers[key] = value == YES
        elif value != "":
            answers[key] = value
    return answers


async def _of_member_organization(email: str) -> bool:
    """Whether the address belongs to a member organization (members-only events)."""
    organization_id = await members.organization_for_email(email)
    if organization_id is None:
        return False
    row = await fetch_one("SELECT is_member FROM organization WHERE id = {}", organization_id)
    return bool(row and row["is_member"])


CONFIRMATION_SELECT = (
    "SELECT c.id, c.email, c.name, c.answers, c.expires_at, c.used_at, c.member, "
    "e.slug, e.title, e.ends_at FROM email_confirmation c JOIN event e ON e.id = c.event"
)


async def _by_confirm_token(token: str) -> dict:
    row = None
    if len(token) == TOKEN_LENGTH:
        row = await fetch_one(f"{CONFIRMATION_SELECT} WHERE c.token_hash = {{}}", hash_token(token))
    if row is None:
        raise NotFound("This confirmation link is not valid. Check that it was copied whole.")
    if row["used_at"] is not None:
        raise Gone(
            "This confirmation link has already been used. The email's “manage my "
            "registration” link shows where your registration stands.",
            reason="link_used",
        )
    if row["expires_at"] <= _now():
        raise Gone(
            "This confirmation link has expired. Register again on the event's page.",
            reason="link_expired",
        )
    return row


async def pending(token: str) -> schemas.EmailConfirmation:
    """What the link would confirm (the page with the button; GET registers nobody)."""
    row = await _by_confirm_token(token)
    return schemas.EmailConfirmation(
        event=row["slug"],
        event_title=row["title"],
        name=row["name"],
        email=row["email"],
        expires_at=row["expires_at"],
    )


async def confirm(token: str) -> schemas.ManagedRegistration:
    """The address is proven: register its member (created if new) with the API's rules.
    ``register`` is idempotent, so a double submit registers once; the link is spent
    once registering succeeded, and stays usable if it was refused."""
    row = await _by_confirm_token(token)
    member = await _member_for(row["email"], row["name"])
    record = await registrations.register(
        member, row["slug"], load_json(row["answers"]) or {}, source=RegistrationSource.web
    )
    await fetch(
        "UPDATE email_confirmation SET used_at = {}, member = {} WHERE id = {} AND used_at IS NULL",
        _now(),
        member.id,
        row["id"],
    )
    return _view(row, member, members.registration_struct(record), calendar=None)


async def _member_for(email: str, name: str) -> MemberPrincipal:
    row = await fetch_one("SELECT id FROM member WHERE email = {}", email)
    if row is not None:
        member_id = row["id"]  # an existing member keeps the name they have
    else:
        try:
            member_id = (
                await members.create_member(schemas.MemberCreate(name=name, email=email))
            ).id
        except Conflict:  # confirmed twice at once: the other request created it
            again = await fetch_one("SELECT id FROM member WHERE email = {}", email)
            assert again is not None
            member_id = again["id"]
    member = await member_by_id(member_id)
    assert member is not None
    return member


async def _by_manage_token(token: str) -> tuple[dict, MemberPrincipal | None]:
    row = None
    if len(token) == TOKEN_LENGTH:
        row = await fetch_one(
            f"{CONFIRMATION_SELECT} WHERE c.manage_token_hash = {{}}", hash_token(token)
        )
    if row is None:
        raise NotFound("This link is not valid. Check that it was copied whole.")
    if row["ends_at"] is not None and _now() > row["ends_at"] + MANAGE_LINK_AFTER_EVENT:
        raise Gone(
            "This link expired a month after the event. Your certificates and the calendar "
            "link in Slack or the API still work.",
            reason="manage_link_expired",
        )
    member = await member_by_id(row["member"]) if row["member"] is not None else None
    return row, member


async def managed(token: str) -> schemas.ManagedRegistration:
    row, member = await _by_manage_token(token)
    if member is None:
        return _view(row, None, None, calendar=None)
    record = await registrations.registration_of(member, row["slug"])
    registration = members.registration_struct(record) if record else None
    return _view(row, member, registration, calendar=await personal_calendar(member))


async def cancel(token: str) -> schemas.ManagedRegistration:
    row, member = await _by_manage_token(token)
    if member is None:
        raise Conflict("This registration was never confirmed, so there is nothing to cancel.")
    await registrations.cancel(member, row["slug"])
    return await managed(token)


def _view(
    row: dict,
    member: MemberPrincipal | None,
    registration: schemas.Registration | None,
    calendar: schemas.PersonalCalendar | None,
) -> schemas.ManagedRegistration:
    return schemas.ManagedRegistration(
        event=row["slug"],
        event_title=row["title"],
        name=member.name if member else row["name"],
        email=row["email"],
        registration=registration,
        calendar=calendar,
    )


def _now() -> datetime:
    return datetime.now(UTC)
