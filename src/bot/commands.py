"""`/events <subcommand>`: each subcommand calls the same services as the HTTP API and
answers with an ephemeral message (or opens a modal)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks, channels, qa
from bot.identity import SlackPerson
from bot.lookup import find_event, list_filters
from events import schemas
from events.calendar import tokens
from events.enums import Channel, RegistrationSource
from events.errors import Forbidden
from events.services import catalog, member_logins, members, registrations
from events.services import events as event_service

Respond = Callable[..., Awaitable[object]]


@dataclass(slots=True)
class Turn:
    """One member's request, with the ways to answer it."""

    person: SlackPerson
    client: AsyncWebClient
    respond: Respond  # ephemeral reply through the response_url
    channel_id: str
    trigger_id: str | None = None

    async def reply(self, text: str, blocks_: list[dict] | None = None) -> None:
        await self.respond(text=text, blocks=blocks_ or None, response_type="ephemeral")


async def run(turn: Turn, text: str) -> None:
    name, _, rest = text.strip().partition(" ")
    handler = SUBCOMMANDS.get(name.lower() or "help", unknown)
    await handler(turn, rest.strip())


async def unknown(turn: Turn, _: str) -> None:
    await turn.reply("I don't know that one.\n" + blocks.help_text())


async def show_help(turn: Turn, _: str) -> None:
    await turn.reply(blocks.help_text())


async def list_events(turn: Turn, text: str) -> None:
    now = datetime.now(UTC)
    filters = await list_filters(text, now=now)
    dates = filters.dates
    page = await catalog.list_events(
        regions=filters.regions,
        topics=filters.topics,
        kinds=filters.kinds,
        starts_after=max(dates.start, now) if dates else now,
        starts_before=dates.end if dates else None,
        per_page=10,
    )
    heading = blocks.list_heading(filters.heading_parts(), ignored=filters.unknown)
    await turn.reply(heading, blocks.events_list(page.items, heading))


async def _event_or_ask(turn: Turn, reference: str, action: str) -> schemas.Event | None:
    """The event meant, or None once the member was asked to choose or told why not."""
    if not reference:
        await turn.reply(f"Which event? `/events {action} <event>` (its slug or title words).")
        return None
    found = await find_event(reference)
    if found.event:
        return found.event
    if found.candidates:
        await turn.reply(
            "Which one?", blocks.choose_event(found.candidates, reference, _action_for(action))
        )
    else:
        await turn.reply(
            f"I couldn't find an event matching “{blocks.escape(reference)}”. Try `/events list`."
        )
    return None


def _action_for(subcommand: str) -> str:
    return {"register": blocks.REGISTER, "cancel": blocks.CANCEL}.get(subcommand, blocks.DETAILS)


async def show_event(turn: Turn, reference: str) -> None:
    event = await _event_or_ask(turn, reference, "show")
    if event:
        await show(turn, event)


async def show(turn: Turn, event: schemas.Event) -> None:
    mine = await registrations.registration_of(turn.person.member, event.slug)
    status = mine.row["status"] if mine else None
    position = mine.waitlist_position if mine else None
    details = blocks.event_details(event, status=status, position=position)
    await turn.reply(event.title, details)


async def register_command(turn: Turn, reference: str) -> None:
    event = await _event_or_ask(turn, reference, "register")
    if event:
        await register(turn, event)


async def register(turn: Turn, event: schemas.Event) -> None:
    """Straight away, or through a modal when the event asks questions."""
    mine = await registrations.registration_of(turn.person.member, event.slug)
    registered = mine is not None and mine.row["status"] in ("confirmed", "waitlisted", "pending")
    if event.questions and not registered and turn.trigger_id:
        modal = blocks.registration_modal(event)
        await turn.client.views_open(trigger_id=turn.trigger_id, view=modal)
        return
    record = await registrations.register(
        turn.person.member, event.slug, {}, source=RegistrationSource.slack
    )
    await turn.reply(
        blocks.registration_reply(
            event.title, record.row["status"], record.waitlist_position, created=record.created
        )
    )


async def cancel_command(turn: Turn, reference: str) -> None:
    event = await _event_or_ask(turn, reference, "cancel")
    if event:
        await cancel(turn, event)


async def cancel(turn: Turn, event: schemas.Event) -> None:
    title = blocks.escape(event.title)
    mine = await registrations.registration_of(turn.person.member, event.slug)
    if mine is None or mine.row["status"] not in ("confirmed", "waitlisted", "pending"):
        await turn.reply(f"You're not registered for *{title}*.")
        return
    await registrations.cancel(turn.person.member, event.slug)
    await turn.reply(f":x: Your registration for *{title}* is cancelled.")


async def mine(turn: Turn, _: str) -> None:
    page = await members.my_registrations(
        turn.person.member, include_inactive=False, page=1, per_page=10
    )
    await turn.reply("Your registrations", blocks.my_registrations(page.items))


async def calendar(turn: Turn, _: str) -> None:
    link = await tokens.personal_calendar(turn.person.member)
    await turn.reply("Your personal calendar", blocks.calendar_reply(link))


async def member_page(turn: Turn, _: str) -> None:
    """A one-time sign-in link to the member page (/me), in a reply only they see."""
    url = await member_logins.issue_link(turn.person.member.id, Channel.slack)
    minutes = int(member_logins.LINK_LIFETIME.total_seconds() // 60)
    await turn.reply("Your page on the web", blocks.member_page_reply(url, minutes))


async def ask(turn: Turn, question: str) -> None:
    if not question:
        await turn.reply("Ask me something: `/events ask when does the cybersecurity track start?`")
        return
    await qa.ask_in_channel(turn.client, turn.person, turn.channel_id, question)


def _organizer(turn: Turn):
    if turn.person.organizer is None:
        raise Forbidden("Only the event's organizers can do this.")
    return turn.person.organizer


async def attendees(turn: Turn, reference: str) -> None:
    organizer = _organizer(turn)
    event = await _event_or_ask(turn, reference, "attendees")
    if event:
        counts = await event_service.registration_counts(organizer, event.slug)
        await turn.reply(blocks.attendee_counts(event.title, counts))


async def link(turn: Turn, reference: str) -> None:
    organizer = _organizer(turn)
    event = await _event_or_ask(turn, reference, "link")
    if event:
        row = await catalog.event_row(event.slug)
        assert row is not None
        await channels.link_channel(organizer, turn.person.team_id, turn.channel_id, row["id"])
        await turn.reply(f"Questions in this channel are now about *{blocks.escape(event.title)}*.")


async def unlink(turn: Turn, _: str) -> None:
    organizer = _organizer(turn)
    if await channels.unlink_channel(organizer, turn.person.team_id, turn.channel_id):
        await turn.reply("This channel is no longer about one event.")
    else:
        await turn.reply("This channel isn't linked to an event.")


async def organizers_here(turn: Turn, region: str) -> None:
    organizer = _organizer(turn)
    names = await channels.set_organizer_channel(
        organizer, turn.person.team_id, turn.channel_id, region or None
    )
    regions = blocks.escape(", ".join(names))
    await turn.reply(f"Questions I can't answer about events of {regions} will come here.")


SUBCOMMANDS: dict[str, Callable[[Turn, str], Awaitable[None]]] = {
    "help": show_help,
    "list": list_events,
    "show": show_event,
    "register": register_command,
    "cancel": cancel_command,
    "mine": mine,
    "calendar": calendar,
    "me": member_page,
    "ask": ask,
    "attendees": attendees,
    "link": link,
    "unlink": unlink,
    "organizers-here": organizers_here,
}
