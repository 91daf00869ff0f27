"""What members ask, end to end: signed Slack requests to the real app, replies read back
from the fake Slack. The event is found first (a title full of trigger words is a title),
then what is asked: other people's registrations (declined), times in another zone
(the thread's event, the member's own zone), lists by region alias and topic, the asker's
own registration."""

from __future__ import annotations

import itertools

import pytest

from events.db import fetch, fetch_one
from events.demo import REGION_ALIASES
from events.services import region_aliases
from tests.bot.test_commands import reply_to, text_of
from tests.support.slack import TEAM_ID

pytestmark = pytest.mark.usefixtures("world")

CHANNEL, ORGANIZERS = "C0GENERAL", "C0ORGS"
MEMBER, ORGANIZER = "U0MEMBER", "U0CO"
_ts = itertools.count(1)


@pytest.fixture
async def events(slack, world, client):
    slack.api.add_user(MEMBER, email="member@denvergov.test", real_name="Maya Member",
                       tz="America/Los_Angeles")  # fmt: skip
    slack.api.add_user(ORGANIZER, email="co@nscp.test", real_name="Colorado Organizer")
    await region_aliases.add_missing(REGION_ALIASES)
    made = {
        "wifi": await world.create_event(
            client, title="Public Wi-Fi Playbook", kind="webinar", venue=None,
            online_url="https://meet.test/j/wifi-secret", topics=["connectivity"],
        ),
        "mobility": await world.create_event(
            client, title="Colorado Mobility Day", kind="conference", capacity=200,
            topics=["transportation"],
        ),
        "phoenix": await world.create_event(
            client, title="Valley Cyber Clinic", regions=["the-connective"],
            timezone="America/Phoenix", topics=["cybersecurity"],
        ),
    }  # fmt: skip
    await reply_to(slack, "organizers-here", user_id=ORGANIZER, channel_id=ORGANIZERS)
    return made


async def ask(slack, text: str, *, thread: str | None = None) -> tuple[str, str]:
    """@convene in a channel; returns the thread and the bot's reply in it."""
    ts = f"1700100{next(_ts):03d}.000200"
    event = {"type": "app_mention", "user": MEMBER, "text": f"<@U0BOT> {text}",
             "channel": CHANNEL, "ts": ts, "team": TEAM_ID}  # fmt: skip
    if thread:
        event["thread_ts"] = thread
    seen = {id(call) for call in slack.api.calls("chat.postMessage")}
    response = await slack.driver.event(event)
    assert response.status_code == 200
    thread = thread or ts
    reply = await slack.api.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("thread_ts") == thread and c.params["channel"] == CHANNEL
        and id(c) not in seen,
        timeout=15,
    )  # fmt: skip
    return thread, reply.params["text"]


def escalated(slack) -> list:
    return [c for c in slack.api.calls("chat.postMessage") if c.params["channel"] == ORGANIZERS]


async def test_a_title_with_trigger_words_is_a_title(slack, events):
    _, text = await ask(slack, "is the Public Wi-Fi Playbook online?")
    assert "*Public Wi-Fi Playbook* is online" in text
    assert "meet.test" not in text  # the join link never goes to a channel
    _, text = await ask(slack, "where's colorado mobility day?")
    assert "*Colorado Mobility Day* is at *City Hall*" in text
    assert escalated(slack) == []


async def test_questions_about_other_people_are_declined_not_escalated(slack, events, client):
    _, text = await ask(slack, "is Ben registered for colorado mobility day?")
    assert "can't share who has registered" in text
    assert "Colorado Smart Cities Alliance" in text and "console" in text
    _, text = await ask(slack, "post the attendee list for the wifi playbook")
    assert "can't share" in text
    assert escalated(slack) == []
    question = await fetch_one("SELECT status FROM question ORDER BY id LIMIT 1")
    assert question["status"] == "answered"


async def test_a_time_zone_question_follows_the_thread_and_the_members_zone(slack, events):
    thread, first = await ask(slack, "when is colorado mobility day?")
    assert "MST" in first or "MDT" in first
    _, pacific = await ask(slack, "what time is that in Eastern?", thread=thread)
    assert "*Colorado Mobility Day* in Eastern time" in pacific
    assert "EST" in pacific or "EDT" in pacific
    _, mine = await ask(slack, "and in my time?", thread=thread)
    assert "your time (America/Los_Angeles)" in mine  # the profile's tz, from users.info
    assert slack.api.calls("users.info")


async def test_lists_by_region_alias_topic_and_time(slack, events):
    _, text = await ask(slack, "any cybersecurity events in Phoenix coming up?")
    assert "Valley Cyber Clinic" in text and "Colorado Mobility Day" not in text
    assert "The Connective" in text and "the-connective" not in text  # names, not slugs
    _, text = await ask(slack, "anything in the Valley next month?")
    assert "in The Connective next month" in text


async def test_own_registration_and_how_to_cancel(slack, events):
    _, text = await ask(slack, "am I registered for colorado mobility day?")
    assert "You're not registered for *Colorado Mobility Day*" in text
    await reply_to(slack, f"register {events['mobility']['slug']}", user_id=MEMBER)
    _, text = await ask(slack, "am I registered for colorado mobility day?")
    assert "you're *confirmed*" in text
    _, text = await ask(slack, "how do I cancel my spot at colorado mobility day?")
    assert f"/events cancel {events['mobility']['slug']}" in text
    rows = await fetch("SELECT status FROM question")
    assert {row["status"] for row in rows} == {"answered"}


async def test_list_command_reads_aliases_and_topics(slack, events):
    text = text_of(await reply_to(slack, "list cybersecurity phoenix", user_id=MEMBER))
    assert "Valley Cyber Clinic" in text and "Colorado Mobility Day" not in text
    assert "Cybersecurity" in text and "The Connective" in text


async def test_show_finds_a_title_by_a_few_of_its_words(slack, events):
    text = text_of(await reply_to(slack, "show mobility day", user_id=MEMBER))
    assert "Colorado Mobility Day" in text and "Which one" not in text
