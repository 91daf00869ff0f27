"""Questions in channels, end to end: answered from the event's data or the FAQ, escalated
to the organizers when the bot is unsure, answered by an organizer in the asker's thread,
saved to the FAQ, and then answered at once for the next person."""

from __future__ import annotations

import itertools

import pytest

from events.db import fetch, fetch_one
from tests.support.slack import TEAM_ID, state_values

pytestmark = pytest.mark.usefixtures("world")

EVENT_CHANNEL, ORGANIZERS = "C0EVENT", "C0ORGS"
MEMBER, OTHER, ORGANIZER = "U0MEMBER", "U0OTHER", "U0CO"
_ts = itertools.count(1)


@pytest.fixture
async def setup(slack, world, client):
    slack.api.add_user(MEMBER, email="member@denvergov.test", real_name="Maya Member")
    slack.api.add_user(OTHER, email="other@denvergov.test", real_name="Omar Other")
    slack.api.add_user(ORGANIZER, email="co@nscp.test", real_name="Colorado Organizer")
    event = await world.create_event(
        client, title="Traffic Signal Cybersecurity Workshop", capacity=30, credit_hours=3
    )
    await command(slack, f"link {event['slug']}", ORGANIZER, EVENT_CHANNEL)
    await command(slack, "organizers-here", ORGANIZER, ORGANIZERS)
    return event


async def command(slack, text: str, user: str, channel: str) -> str:
    response = await slack.driver.command(text, user_id=user, channel_id=channel)
    assert response.status_code == 200
    tag = slack.driver.last_response_url.split("/")[-1]
    reply = await slack.api.wait_for("response_url", lambda c: c.path.endswith(tag))
    return reply.params.get("text", "")


async def mention(slack, text: str, user: str = MEMBER, channel: str = EVENT_CHANNEL) -> str:
    """@convene in a channel (the event's unless told); returns the message's ts (the thread)."""
    ts = f"1700000{next(_ts):03d}.000100"
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@U0BOT> {text}",
        "channel": channel,
        "ts": ts,
        "team": TEAM_ID,
    }
    response = await slack.driver.event(event)
    assert response.status_code == 200
    return ts


async def thread_reply(slack, ts: str, contains: str = ""):
    return await slack.api.wait_for(
        "chat.postMessage",
        lambda c: c.params.get("thread_ts") == ts and contains in c.params.get("text", ""),
        timeout=15,
    )


async def test_the_linking_commands_confirm(slack, setup):
    rows = await fetch("SELECT channel_id FROM channel_link")
    assert [dict(row) for row in rows] == [{"channel_id": EVENT_CHANNEL}]
    channels = await fetch("SELECT channel_id FROM organizer_channel")
    assert [dict(row) for row in channels] == [{"channel_id": ORGANIZERS}]


async def test_a_question_the_event_data_answers_is_answered_in_the_thread(slack, setup):
    ts = await mention(slack, "When does it start?")
    reply = await thread_reply(slack, ts)
    assert reply.params["channel"] == EVENT_CHANNEL
    assert "MST" in reply.params["text"] or "MDT" in reply.params["text"]
    question = await fetch_one("SELECT status, event FROM question")
    assert question["status"] == "answered" and question["event"] is not None
    assert slack.api.calls("chat.postMessage") and not [
        c for c in slack.api.calls("chat.postMessage") if c.params["channel"] == ORGANIZERS
    ]


async def test_seats_and_credits_come_from_the_event(slack, setup):
    seats = await thread_reply(slack, await mention(slack, "Are there seats left?"))
    assert "30" in seats.params["text"]
    credits = await thread_reply(slack, await mention(slack, "How many CE credits is it worth?"))
    assert "3" in credits.params["text"]


async def test_the_join_link_is_never_posted_in_a_channel(slack, setup, world, client):
    online = await world.create_event(
        client, title="Online Resilience Webinar", kind="webinar", venue=None,
        online_url="https://zoom.example/j/123",
    )  # fmt: skip
    await command(slack, f"link {online['slug']}", ORGANIZER, EVENT_CHANNEL)
    reply = await thread_reply(slack, await mention(slack, "What's the zoom link?"))
    assert "zoom.example" not in reply.params["text"]


async def test_unsure_questions_reach_the_organizers_and_their_answer_the_asker(slack, setup):
    question = "Can I bring my service dog to the workshop?"
    ts = await mention(slack, question)
    told = await thread_reply(slack, ts)
    assert "organizer" in told.params["text"].lower()
    escalation = await slack.api.wait_for(
        "chat.postMessage", lambda c: c.params["channel"] == ORGANIZERS, timeout=15
    )
    assert "service dog" in str(escalation.params["blocks"])
    button = escalation.params["blocks"][-1]["elements"][0]
    assert button["action_id"] == "answer_question"

    refused = await slack.driver.block_action(
        "answer_question", button["value"], user_id=MEMBER, channel_id=ORGANIZERS
    )
    assert refused.status_code == 200
    await slack.api.wait_for("chat.postEphemeral", lambda c: c.params["user"] == MEMBER)
    assert slack.api.calls("views.open") == []

    await slack.driver.block_action(
        "answer_question", button["value"], user_id=ORGANIZER, channel_id=ORGANIZERS
    )
    modal = (await slack.api.wait_for("views.open")).params["view"]
    assert modal["callback_id"] == "answer_modal"
    answer = "Yes, service animals are welcome at all NSCP events."
    submitted = await slack.driver.view_submission(
        "answer_modal",
        state_values({"answer": ("answer", answer)}),
        user_id=ORGANIZER,
        private_metadata=modal["private_metadata"],
    )
    assert submitted.status_code == 200
    posted = await thread_reply(slack, ts, "service animals")
    assert posted.params["channel"] == EVENT_CHANNEL and MEMBER in posted.params["text"]
    updated = await slack.api.wait_for("chat.update")
    save = updated.params["blocks"][-1]["elements"][0]
    assert save["action_id"] == "save_faq"
    row = await fetch_one("SELECT status, answer, answered_by FROM question WHERE id = {}",
                          int(button["value"]))  # fmt: skip
    assert dict(row) == {"status": "resolved", "answer": answer, "answered_by": ORGANIZER}

    await slack.driver.block_action(
        "save_faq", save["value"], user_id=ORGANIZER, channel_id=ORGANIZERS
    )
    await slack.api.wait_for("chat.update", lambda c: "Saved to the FAQ" in str(c.params))
    entry = await fetch_one("SELECT scope, question, answer FROM faq_entry")
    assert entry["scope"] == "event" and entry["answer"] == answer

    next_ts = await mention(slack, "Are service dogs allowed at the workshop?", user=OTHER)
    faq_reply = await thread_reply(slack, next_ts, "service animals")
    assert faq_reply.params["channel"] == EVENT_CHANNEL
    escalations = [
        c for c in slack.api.calls("chat.postMessage") if c.params["channel"] == ORGANIZERS
    ]
    assert len(escalations) == 1


async def test_an_empty_answer_is_refused_inside_the_modal(slack, setup):
    ts = await mention(slack, "Is there parking validation?")
    await thread_reply(slack, ts)
    question = await fetch_one("SELECT id FROM question")
    response = await slack.driver.view_submission(
        "answer_modal",
        state_values({"answer": ("answer", "  ")}),
        user_id=ORGANIZER,
        private_metadata=str(question["id"]),
    )
    assert response.json() == {
        "response_action": "errors",
        "errors": {"answer": "Write an answer."},
    }


async def test_ask_by_slash_command_starts_a_thread(slack, setup):
    response = await slack.driver.command(
        "ask where is it held?", user_id=MEMBER, channel_id=EVENT_CHANNEL
    )
    assert response.status_code == 200
    started = await slack.api.wait_for(
        "chat.postMessage",
        lambda c: "asked" in c.params.get("text", "") and not c.params.get("thread_ts"),
    )
    assert MEMBER in started.params["text"] and started.params["channel"] == EVENT_CHANNEL
    reply = await slack.api.wait_for("chat.postMessage", lambda c: bool(c.params.get("thread_ts")))
    assert "City Hall" in reply.params["text"]


GENERAL = "C0GENERAL"  # a channel linked to no event


async def test_an_event_named_in_a_general_channel_is_the_one_asked_about(slack, setup):
    ts = await mention(
        slack,
        "How many seats are left for the traffic signal cybersecurity workshop?",
        channel=GENERAL,
    )
    reply = await thread_reply(slack, ts)
    assert "30" in reply.params["text"]
    question = await fetch_one("SELECT status, event FROM question")
    assert question["status"] == "answered" and question["event"] is not None
    by_slug = await thread_reply(
        slack, await mention(slack, f"when is {setup['slug']}?", channel=GENERAL)
    )
    assert "MST" in by_slug.params["text"] or "MDT" in by_slug.params["text"]


async def test_a_general_question_naming_no_event_is_escalated(slack, setup):
    ts = await mention(slack, "Is there a workshop about parking sensors?", channel=GENERAL)
    await thread_reply(slack, ts)
    question = await fetch_one("SELECT status, event FROM question")
    assert question["status"] == "escalated" and question["event"] is None


async def test_the_escalations_fallback_text_repeats_no_markup_of_the_member(slack, setup):
    """Notifications show the fallback ``text``: ``<!channel>`` there would ping everyone."""
    await mention(slack, "<!channel> is parking free? <https://evil.example|the form> & more")
    escalation = await slack.api.wait_for(
        "chat.postMessage", lambda c: c.params.get("channel") == ORGANIZERS
    )
    text = escalation.params["text"]
    assert "<!channel>" not in text and "<https://evil.example" not in text
    assert "&lt;!channel&gt; is parking free? &lt;https://evil.example|the form&gt; &amp;" in text
    assert "<!channel>" not in str(escalation.params["blocks"])
