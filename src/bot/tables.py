"""What the bot keeps: seen Slack events, channel links, the FAQ and the questions asked.

The FAQ's full-text index (SQLite FTS5 or a PostgreSQL tsvector) is made by a hand-written
migration; see bot.faq.
"""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from bot.enums import FaqScope, QuestionStatus
from events.db import DB
from events.tables import Event, Member, Region


class SlackEventSeen(Table, db=DB):
    """Events API deliveries already handled: Slack retries carry the same event_id."""

    event_id = Varchar(length=64, unique=True)
    seen_at = Timestamptz(default=TimestamptzNow(), index=True)


class ChannelLink(Table, db=DB):
    """A channel about one event: questions asked there are about it by default."""

    team_id = Varchar(length=32)
    channel_id = Varchar(length=32)
    event = ForeignKey(Event, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())


class OrganizerChannel(Table, db=DB):
    """Where a region's organizers get the questions the bot could not answer."""

    region = ForeignKey(Region, null=False, on_delete=OnDelete.cascade, unique=True)
    team_id = Varchar(length=32)
    channel_id = Varchar(length=32)


class FaqEntry(Table, db=DB):
    """A curated answer, for one event, one region or the whole coalition."""

    scope = Varchar(length=10, choices=FaqScope)
    event = ForeignKey(Event, null=True, default=None, on_delete=OnDelete.cascade)
    region = ForeignKey(Region, null=True, default=None, on_delete=OnDelete.cascade)
    question = Text()
    answer = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    created_by = Varchar(length=32, default="")  # Slack user id of the organizer, if any


class Question(Table, db=DB):
    """A member's question in Slack, and what became of it."""

    team_id = Varchar(length=32)
    channel_id = Varchar(length=32)
    thread_ts = Varchar(length=32)  # the asker's thread, where answers go
    user_id = Varchar(length=32)
    member = ForeignKey(Member, null=True, default=None, on_delete=OnDelete.set_null)
    event = ForeignKey(Event, null=True, default=None, on_delete=OnDelete.set_null)
    text = Text()
    status = Varchar(length=12, choices=QuestionStatus, index=True)
    answer = Text(null=True, default=None)
    answered_by = Varchar(length=32, null=True, default=None)  # organizer's Slack user id
    escalation_channel = Varchar(length=32, null=True, default=None)
    escalation_ts = Varchar(length=32, null=True, default=None)
    faq_entry = ForeignKey(FaqEntry, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)


class SlackInstallation(Table, db=DB):
    """One workspace (or org) that installed the app through Slack's OAuth flow."""

    team_id = Varchar(length=32, null=True, default=None)
    enterprise_id = Varchar(length=32, null=True, default=None)
    bot_token = Text()  # what the bot acts with in that workspace, sealed (bot.sealed)
    data = Text()  # the whole installation as slack_sdk gives it (JSON), to find it again
    installed_at = Timestamptz(default=TimestamptzNow())


class SlackOAuthState(Table, db=DB, tablename="slack_oauth_state"):
    """The state parameter of an OAuth install in progress: used once, then gone."""

    state = Varchar(length=64, unique=True)
    expires_at = Timestamptz()


class SlackPost(Table, db=DB):
    """The outbox of posts into channels (bot.posts; made by a hand-written migration)."""

    team_id = Varchar(length=32, default="")
    channel_id = Varchar(length=32)
    method = Varchar(length=10, default="post")  # or "update" (chat.update of update_ts)
    text = Text()
    blocks = Text(null=True, default=None)  # JSON
    thread_ts = Varchar(length=32, null=True, default=None)
    update_ts = Varchar(length=32, null=True, default=None)
    follows = ForeignKey("self", null=True, default=None, on_delete=OnDelete.cascade)
    question = ForeignKey(Question, null=True, default=None, on_delete=OnDelete.cascade)
    purpose = Varchar(length=20)
    dedupe_key = Varchar(length=64, null=True, default=None, unique=True)
    posted_ts = Varchar(length=32, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    claimed_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    sent_at = Timestamptz(null=True, default=None)
    next_attempt_at = Timestamptz(null=True, default=None)
    failed_at = Timestamptz(null=True, default=None)
    last_error = Text(null=True, default=None)


ALL_TABLES: list[type[Table]] = [
    SlackEventSeen,
    ChannelLink,
    OrganizerChannel,
    FaqEntry,
    Question,
    SlackInstallation,
    SlackOAuthState,
    SlackPost,
]
