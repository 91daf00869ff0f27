"""Notifications end to end: the real server records them, delivers them after the commit, and
the member gets a Slack DM (chat.postMessage to their user id) from the fake Slack.

With REDIS_URL the taskiq worker delivers; it has the same Slack settings as the web process.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.blocks import when
from bot.notify import SlackNotifier
from bot.slack_app import web_client
from events.config import SlackSettings
from events.db import fetch, fetch_one
from events.notifier import get_notifier, set_notifier
from events.services import notifications, reminders
from tests.support.certificates import check_in, held_event, issue_one, raw_code
from tests.support.polling import eventually
from tests.support.slack import BOT_TOKEN, SIGNING_SECRET, TEAM_ID
from tests.support.world import auth

WAIT = 15  # seconds: a worker process may be the one delivering
_user_ids = (f"U{n:06d}" for n in itertools.count(1))


async def _link_slack(person) -> str:
    """Link a member to a Slack account (as the bot does on first contact); the user id."""
    user_id = next(_user_ids)
    await fetch(
        "INSERT INTO slack_identity (member, team_id, user_id) VALUES ({}, {}, {})",
        person.id,
        TEAM_ID,
        user_id,
    )
    return user_id


async def _register(client, event: dict, person) -> dict:
    response = await client.post(
        f"/api/events/{event['slug']}/registration", headers=person.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def _dms_to(slack, user_id: str) -> list:
    return [c for c in slack.api.calls("chat.postMessage") if c.params.get("channel") == user_id]


async def _dm(slack, user_id: str, *words: str):
    """The first DM to ``user_id`` that Slack accepted and whose text has all of ``words``."""
    return await slack.api.wait_for(
        "chat.postMessage",
        lambda call: (
            not call.limited
            and call.params.get("channel") == user_id
            and all(word in call.params.get("text", "") for word in words)
        ),
        timeout=WAIT,
    )


async def _notification(registration_id: int, kind: str) -> dict | None:
    return await fetch_one(
        "SELECT id, sent_at, attempts FROM notification WHERE registration = {} AND kind = {}",
        registration_id,
        kind,
    )


async def _sent(registration_id: int, kind: str):
    row = await _notification(registration_id, kind)
    return row if row and row["sent_at"] else None


async def test_registering_sends_a_confirmed_dm(client, world, slack):
    event = await world.create_event(client, title="Smart Streetlights 101")
    person = await world.member()
    user_id = await _link_slack(person)

    registration = await _register(client, event, person)

    assert registration["status"] == "confirmed"
    dm = await _dm(slack, user_id, "confirmed", "Smart Streetlights 101")
    assert f"/events/{event['slug']}" in dm.params["text"]
    assert dm.token == BOT_TOKEN
    assert await eventually(lambda: _sent(registration["id"], "registered"), timeout=WAIT)
    assert len(_dms_to(slack, user_id)) == 1


async def test_a_waitlisted_member_hears_when_a_seat_opens(client, world, slack):
    event = await world.create_event(client, capacity=1)
    holder, waiter = await world.members(2)
    user_id = await _link_slack(waiter)
    await _register(client, event, holder)

    waitlisted = await _register(client, event, waiter)
    assert waitlisted["status"] == "waitlisted"
    await _dm(slack, user_id, "waitlist", "position 1")

    response = await client.delete(
        f"/api/events/{event['slug']}/registration", headers=holder.headers
    )
    assert response.status_code == 200, response.text

    promoted = await _dm(slack, user_id, "seat opened up", "confirmed")
    assert event["title"] in promoted.params["text"]
    assert await eventually(lambda: _sent(waitlisted["id"], "promoted"), timeout=WAIT)
    assert len(_dms_to(slack, user_id)) == 2


async def test_attendees_hear_of_a_new_venue_and_of_a_cancellation(client, world, slack):
    event = await world.create_event(client, title="Resilient Grids")
    person = await world.member()
    user_id = await _link_slack(person)
    await _register(client, event, person)
    await _dm(slack, user_id, "confirmed")

    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"venue": {"name": "Convention Center", "address": "700 14th St, Denver, CO"}},
        headers=auth(world.admin),
    )
    assert response.status_code == 200, response.text
    changed = await _dm(slack, user_id, "has changed")
    assert "Resilient Grids" in changed.params["text"]
    assert f"/events show {event['slug']}" in changed.params["text"]

    response = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )
    assert response.status_code == 200, response.text
    cancelled = await _dm(slack, user_id, "cancelled", "Resilient Grids")
    assert "has been cancelled" in cancelled.params["text"]


@pytest.fixture
def slack_notifier(slack):
    """Deliver from the test process to the fake Slack, as the server would; then restore."""
    previous = get_notifier()
    settings = SlackSettings(
        bot_token=BOT_TOKEN, signing_secret=SIGNING_SECRET, api_url=slack.api.api_url
    )
    set_notifier(SlackNotifier(web_client(settings)))
    try:
        yield
    finally:
        set_notifier(previous)


async def test_a_reminder_dm_has_the_session_time_and_the_join_link(
    client, world, slack, slack_notifier
):
    start = (datetime.now(UTC) + timedelta(minutes=30)).replace(second=0, microsecond=0)
    event = await world.create_event(
        client,
        title="Zero Trust Webinar",
        kind="webinar",
        venue=None,
        online_url="https://meet.example/zero-trust",
        sessions=[
            {
                "title": "Live session",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
            }
        ],
    )
    person = await world.member()
    user_id = await _link_slack(person)
    registration = await _register(client, event, person)

    await reminders.record_due()
    # The server's own sweep may have recorded it first: either way there is one row.
    rows = await fetch(
        "SELECT id, subject FROM notification WHERE registration = {} AND kind IN "
        "('reminder_24h', 'reminder_1h')",
        registration["id"],
    )
    [row] = rows
    assert row["subject"] == event["sessions"][0]["id"]
    await notifications.deliver(row["id"])  # False if the server's sweep got there first

    dm = await _dm(slack, user_id, "Reminder")
    text = dm.params["text"]
    assert "Zero Trust Webinar" in text
    # 30 minutes away when it is sent: it says so (and never "tomorrow").
    assert re.search(r"starts in \d+ minutes, at \d+:\d\d [AP]M M[SD]T\.", text), text
    assert "Live session" in text
    assert when(start, start + timedelta(hours=1), "America/Denver") in text
    assert "https://meet.example/zero-trust" in text
    assert await eventually(lambda: _sent(registration["id"], "reminder_1h"), timeout=WAIT)
    reminders_sent = [c for c in _dms_to(slack, user_id) if "Reminder" in c.params["text"]]
    assert len(reminders_sent) == 1


async def test_an_issued_certificate_is_sent_with_its_links(client, world, slack, server):
    event = await held_event(client, world, title="GIS for Planners")
    person = await world.member()
    user_id = await _link_slack(person)
    registration = await _register(client, event, person)
    await check_in(client, world, event["sessions"][0]["id"], registration["id"])

    response = await issue_one(client, registration["id"], world.admin)

    assert response.status_code == 200, response.text
    code = raw_code(response.json()["code"])
    dm = await _dm(slack, user_id, "certificate")
    text = dm.params["text"]
    assert "GIS for Planners" in text
    assert f"{server}/certificates/{code}.pdf" in text
    assert f"{server}/verify/{code}" in text
    assert await eventually(lambda: _sent(registration["id"], "certificate_issued"), timeout=WAIT)


async def test_a_member_without_slack_gets_no_dm_but_the_notification_is_sent(client, world, slack):
    event = await world.create_event(client, title="Curb Management")
    linked, unlinked = await world.members(2)
    linked_user = await _link_slack(linked)
    await _register(client, event, linked)
    await _dm(slack, linked_user, "confirmed")

    registration = await _register(client, event, unlinked)

    row = await eventually(lambda: _sent(registration["id"], "registered"), timeout=WAIT)
    assert row, "the notification was never marked sent"
    assert row["attempts"] == 1
    dms = slack.api.calls("chat.postMessage")
    assert [c.params["channel"] for c in dms if "Curb Management" in c.params["text"]] == [
        linked_user
    ]


async def test_a_rate_limited_dm_is_retried_and_arrives_once(client, world, slack):
    event = await world.create_event(client, title="Broadband Mapping")
    person = await world.member()
    user_id = await _link_slack(person)
    slack.api.rate_limit("chat.postMessage", times=1, retry_after=1)

    registration = await _register(client, event, person)

    await _dm(slack, user_id, "confirmed", "Broadband Mapping")
    assert await eventually(lambda: _sent(registration["id"], "registered"), timeout=WAIT)
    calls = _dms_to(slack, user_id)
    assert [call.limited for call in calls] == [True, False]
    assert calls[1].at - calls[0].at >= 0.9  # waited for Retry-After
    row = await _notification(registration["id"], "registered")
    assert row["attempts"] == 1


def _zone_where_later_today_is_today(now: datetime, hours: int) -> str:
    """A zone in which ``now`` and ``now + hours`` (and an hour more) are the same day,
    whatever the hour the suite runs at."""
    for name in ZONES_AROUND_THE_WORLD:
        local = now.astimezone(ZoneInfo(name))
        if 1 <= local.hour <= 22 - hours:
            return name
    raise AssertionError("no zone found")  # impossible: the zones span the day


ZONES_AROUND_THE_WORLD = (
    "America/Denver",
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Honolulu",
    "America/Los_Angeles",
)


async def test_the_24_hour_reminder_of_a_session_later_today_says_later_today(
    client, world, slack, slack_notifier
):
    now = datetime.now(UTC)
    zone = _zone_where_later_today_is_today(now, hours=3)
    start = (now + timedelta(hours=3)).replace(second=0, microsecond=0)
    event = await world.create_event(
        client,
        title="Same Day Session",
        timezone=zone,
        sessions=[
            {
                "title": "Afternoon",
                "starts_at": start.isoformat(),
                "ends_at": (start + timedelta(hours=1)).isoformat(),
            }
        ],
    )
    person = await world.member()
    user_id = await _link_slack(person)
    registration = await _register(client, event, person)

    await reminders.record_due()
    [row] = await fetch(
        "SELECT id FROM notification WHERE registration = {} AND kind = 'reminder_24h'",
        registration["id"],
    )
    await notifications.deliver(row["id"])  # False if the server's sweep got there first

    dm = await _dm(slack, user_id, "Reminder", "Same Day Session")
    text = dm.params["text"]
    assert "tomorrow" not in text
    assert "starts later today at " in text, text
