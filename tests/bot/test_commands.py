"""`/events` subcommands, sent signed to the real app; the bot's replies read back from the
fake Slack (response_url posts, views.open, DMs)."""

from __future__ import annotations

import pytest

from events.db import fetch, fetch_one
from tests.support.slack import state_values

pytestmark = pytest.mark.usefixtures("world")

ALICE = "U0ALICE"


@pytest.fixture
async def alice(slack, world):
    """A Slack user whose profile email is at a member organization's domain."""
    slack.api.add_user(ALICE, email="alice@denvergov.test", real_name="Alice Adams")
    return ALICE


async def reply_to(slack, text: str, user_id: str = ALICE, **options) -> dict:
    """Send the command; the acknowledgement is empty and fast, the answer comes after."""
    response = await slack.driver.command(text, user_id=user_id, **options)
    assert response.status_code == 200, response.text
    assert response.text == ""
    url = slack.driver.last_response_url
    call = await slack.api.wait_for("response_url", lambda c: c.path.endswith(url.split("/")[-1]))
    return call.params


def text_of(reply: dict) -> str:
    parts = [reply.get("text") or ""]
    for block in reply.get("blocks") or []:
        if block.get("type") == "section":
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            if isinstance(element.get("text"), dict):
                parts.append(element["text"]["text"])
    return "\n".join(parts)


async def test_help_and_an_unknown_subcommand_explain_the_commands(slack, alice):
    assert "/events list" in text_of(await reply_to(slack, "help"))
    assert "I don't know that one" in text_of(await reply_to(slack, "dance"))
    assert "/events register" in text_of(await reply_to(slack, ""))


async def test_list_shows_upcoming_events_with_buttons(slack, alice, world, client):
    event = await world.create_event(client, title="Securing Municipal Networks")
    reply = await reply_to(slack, "list")
    assert reply["response_type"] == "ephemeral"
    text = text_of(reply)
    assert "Securing Municipal Networks" in text
    assert "Register" in text and "Details" in text and "Add to calendar" in text
    actions = [b for b in reply["blocks"] if b["type"] == "actions"]
    assert actions[0]["elements"][0]["value"] == event["slug"]


async def test_list_filters_by_topic_region_and_kind(slack, alice, world, client):
    await world.create_event(client, title="Cyber in Denver", topics=["cybersecurity"])
    await world.create_event(
        client, title="Transit in Phoenix", topics=["transportation"], regions=["the-connective"],
        timezone="America/Phoenix", kind="webinar",
    )  # fmt: skip
    cyber = text_of(await reply_to(slack, "list cybersecurity"))
    assert "Cyber in Denver" in cyber and "Transit in Phoenix" not in cyber
    phoenix = text_of(await reply_to(slack, "list connective"))
    assert "Transit in Phoenix" in phoenix and "Cyber in Denver" not in phoenix
    webinars = text_of(await reply_to(slack, "list webinars"))
    assert "Transit in Phoenix" in webinars and "Cyber in Denver" not in webinars
    assert "No upcoming events match" in text_of(await reply_to(slack, "list resilience"))


async def test_register_by_fuzzy_title_confirms_then_waitlists(slack, alice, world, client):
    await world.create_event(client, title="Smart Streetlights Workshop", capacity=1)
    first = text_of(await reply_to(slack, "register streetlights workshop"))
    assert "confirmed" in first and "Smart Streetlights Workshop" in first
    again = text_of(await reply_to(slack, "register streetlights workshop"))
    assert "already registered" in again
    slack.api.add_user("U0BOB", email="bob@denvergov.test", real_name="Bob Baker")
    second = text_of(await reply_to(slack, "register streetlights", user_id="U0BOB"))
    assert "waitlist" in second and "position 1" in second
    rows = await fetch("SELECT status, source FROM registration ORDER BY id")
    assert [(r["status"], r["source"]) for r in rows] == [
        ("confirmed", "slack"),
        ("waitlisted", "slack"),
    ]


async def test_a_member_is_recognised_by_email_domain_once(slack, alice):
    await reply_to(slack, "mine")
    await reply_to(slack, "mine")
    assert len(slack.api.calls("users.info")) == 1
    member = await fetch_one(
        "SELECT m.name, m.email, o.slug FROM member m JOIN organization o "
        "ON o.id = m.organization WHERE m.email = 'alice@denvergov.test'"
    )
    assert dict(member) == {
        "name": "Alice Adams",
        "email": "alice@denvergov.test",
        "slug": "denver",
    }


async def test_an_unknown_domain_is_told_what_to_do(slack, world):
    slack.api.add_user("U0EVE", email="eve@example.org", real_name="Eve")
    text = text_of(await reply_to(slack, "list", user_id="U0EVE"))
    assert "example.org" in text and "coordinator" in text
    assert await fetch("SELECT id FROM member WHERE email = 'eve@example.org'") == []


async def test_a_profile_without_email_is_told_why(slack, world):
    slack.api.add_user("U0NOMAIL", email=None, real_name="No Mail")
    assert "email" in text_of(await reply_to(slack, "mine", user_id="U0NOMAIL"))


async def test_an_ambiguous_reference_asks_which_one(slack, alice, world, client):
    await world.create_event(client, title="Resilience Workshop North")
    await world.create_event(client, title="Resilience Workshop South")
    reply = await reply_to(slack, "register resilience workshop")
    assert "Which one did you mean" in text_of(reply)
    buttons = [b for b in reply["blocks"] if b["type"] == "actions"][0]["elements"]
    assert {b["action_id"] for b in buttons} == {"register"}
    assert len(buttons) == 2
    assert await fetch("SELECT id FROM registration") == []
    assert "couldn't find" in text_of(await reply_to(slack, "show quantum basket weaving"))


async def test_show_gives_sessions_and_the_members_status(slack, alice, world, client):
    event = await world.create_event(client, title="Drone Policy Summit")
    await reply_to(slack, f"register {event['slug']}")
    text = text_of(await reply_to(slack, f"show {event['slug']}"))
    assert "Drone Policy Summit" in text and "confirmed" in text
    assert "MST" in text or "MDT" in text  # the event's own time zone
    assert "Cancel" in text


async def test_cancel_frees_the_seat(slack, alice, world, client):
    event = await world.create_event(client, title="Fiber Deployment 101", capacity=5)
    await reply_to(slack, f"register {event['slug']}")
    text = text_of(await reply_to(slack, f"cancel {event['slug']}"))
    assert "cancelled" in text
    row = await fetch_one("SELECT seats_taken FROM event WHERE slug = {}", event["slug"])
    assert row["seats_taken"] == 0
    assert "not registered" in text_of(await reply_to(slack, "cancel fiber deployment 101"))


async def test_mine_lists_registrations_with_waitlist_positions(slack, alice, world, client):
    full = await world.create_event(client, title="Tiny Room", capacity=1)
    other = await world.member()
    await client.post(f"/api/events/{full['slug']}/registration", headers=other.headers)
    await reply_to(slack, f"register {full['slug']}")
    text = text_of(await reply_to(slack, "mine"))
    assert "Tiny Room" in text and "waitlist" in text and "position 1" in text


async def test_calendar_gives_a_private_link_and_rotates_it(slack, alice):
    reply = await reply_to(slack, "calendar")
    text = text_of(reply)
    assert "webcal://" in text and "/calendar/me/" in text
    button = [b for b in reply["blocks"] if b["type"] == "actions"][0]["elements"][0]
    response = await slack.driver.block_action(button["action_id"], button["value"], user_id=ALICE)
    assert response.status_code == 200
    url = slack.driver.last_response_url
    rotated = await slack.api.wait_for(
        "response_url", lambda c: c.path.endswith(url.split("/")[-1])
    )
    assert "/calendar/me/" in text_of(rotated.params)
    assert text_of(rotated.params) != text


async def test_register_with_questions_opens_a_modal_and_validates_inside_it(
    slack, alice, world, client
):
    event = await world.create_event(
        client,
        title="Cyber Range Day",
        questions=[
            {"key": "role", "label": "Your role", "required": True},
            {"key": "lunch", "label": "Lunch?", "kind": "boolean"},
        ],
    )
    await slack.driver.command(f"register {event['slug']}", user_id=ALICE)
    opened = await slack.api.wait_for("views.open")
    view = opened.params["view"]
    assert view["callback_id"] == "register_modal"
    assert view["private_metadata"] == event["slug"]
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["q:role", "q:lunch"]
    missing = await slack.driver.view_submission(
        "register_modal",
        state_values({"q:lunch": ("answer", "Yes", "static_select")}),
        user_id=ALICE,
        private_metadata=event["slug"],
    )
    assert missing.status_code == 200
    assert missing.json()["response_action"] == "errors"
    assert "q:role" in missing.json()["errors"]
    assert await fetch("SELECT id FROM registration") == []
    done = await slack.driver.view_submission(
        "register_modal",
        state_values(
            {
                "q:role": ("answer", "Traffic engineer"),
                "q:lunch": ("answer", "Yes", "static_select"),
            }
        ),
        user_id=ALICE,
        private_metadata=event["slug"],
    )
    assert done.status_code == 200 and done.text == ""
    dm = await slack.api.wait_for(
        "chat.postMessage", lambda c: "Cyber Range Day" in c.params["text"]
    )
    assert dm.params["channel"] == ALICE and "confirmed" in dm.params["text"]
    row = await fetch_one("SELECT answers FROM registration")
    assert "Traffic engineer" in str(row["answers"]) and "true" in str(row["answers"]).lower()


async def test_buttons_register_and_cancel(slack, alice, world, client):
    event = await world.create_event(client, title="Button Event")
    await slack.driver.block_action("register", event["slug"], user_id=ALICE, channel_id="C0GEN")
    url = slack.driver.last_response_url
    reply = await slack.api.wait_for("response_url", lambda c: c.path.endswith(url.split("/")[-1]))
    assert "confirmed" in text_of(reply.params)
    await slack.driver.block_action("cancel", event["slug"], user_id=ALICE, channel_id="C0GEN")
    url = slack.driver.last_response_url
    reply = await slack.api.wait_for("response_url", lambda c: c.path.endswith(url.split("/")[-1]))
    assert "cancelled" in text_of(reply.params)


async def test_attendees_is_for_the_events_organizers_only(slack, alice, world, client):
    event = await world.create_event(client, title="Counted Event", capacity=1)
    await reply_to(slack, f"register {event['slug']}")
    refused = text_of(await reply_to(slack, f"attendees {event['slug']}"))
    assert "Only the event's organizers" in refused
    slack.api.add_user("U0CO", email="co@nscp.test", real_name="Colorado Organizer")
    counts = text_of(await reply_to(slack, f"attendees {event['slug']}", user_id="U0CO"))
    assert "confirmed: 1" in counts and "waitlisted: 0" in counts
    slack.api.add_user("U0PHX", email="phx@nscp.test", real_name="Phoenix Organizer")
    other_region = text_of(await reply_to(slack, f"attendees {event['slug']}", user_id="U0PHX"))
    assert "region you do not organize" in other_region


async def test_list_headings_name_regions_topics_and_kinds(slack, alice, world, client):
    await world.create_event(
        client, title="Named Heading Webinar", topics=["cybersecurity"],
        regions=["the-connective"], timezone="America/Phoenix", kind="training_track",
    )  # fmt: skip
    reply = await reply_to(slack, "list connective training track cybersecurity <!here>")
    heading = reply["text"]
    assert heading.startswith("Upcoming events: Cybersecurity, The Connective, Training track")
    assert "the-connective" not in heading and "training_track" not in heading
    assert "<!here>" not in text_of(reply)  # what it ignored is repeated, escaped
    trainings = await reply_to(slack, "list trainings connective")
    assert "I ignored" not in trainings["text"]  # "trainings": any event that teaches
