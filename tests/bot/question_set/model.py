"""A question of the set: its words, who asks it where, what it is about, and what the bot
is expected to do with it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    when = "when"
    where = "where"
    seats = "seats"
    deadline = "deadline"
    online = "online"
    credits = "credits"
    certificate = "certificate"
    approval = "approval"
    optional_session = "optional_session"
    time_zone = "time_zone"
    cancel_howto = "cancel_howto"
    my_status = "my_status"
    my_registrations = "my_registrations"
    list = "list"
    find = "find"
    privacy = "privacy"
    organizer_only = "organizer_only"


class Behaviour(StrEnum):
    answer = "answer"  # graded against the API's data
    decline_privacy = "decline_privacy"  # about other people: decline, say who can see
    escalate = "escalate"  # only organizers know: ask them


class Via(StrEnum):
    mention = "mention"  # @convene in a channel about no event in particular
    linked = "linked"  # @convene in the channel linked to ``event`` ("when is it?")
    ask = "ask"  # /events ask <text>
    command = "command"  # /events <text>, answered ephemerally


# Zones members name: "Pacific", "Eastern"...; MINE is the asker's Slack time zone.
PT, MT, CT, ET, AZ = (
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Phoenix",
)
MINE = "member"


@dataclass(frozen=True, slots=True)
class Question:
    text: str
    intent: Intent
    event: str | None = None  # the slug of the event asked about
    asker: str = "maya"
    via: Via = Via.mention
    session: str | None = None  # words of the session title asked about
    zone: str | None = None  # times asked in this zone (IANA, or MINE)
    when: str | None = None  # lists: a tests.bot.question_set.dates phrase
    regions: tuple[str, ...] = ()  # lists: region slugs meant ("AZ": two of them)
    topic: str | None = None
    kind: str | None = None
    status: str | None = None  # my_registrations: only registrations in this status
    person: str | None = None  # privacy: the other member asked about (world_data.OTHERS)

    @property
    def behaviour(self) -> Behaviour:
        if self.intent == Intent.privacy:
            return Behaviour.decline_privacy
        if self.intent == Intent.organizer_only:
            return Behaviour.escalate
        return Behaviour.answer
