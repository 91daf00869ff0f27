"""The bot's "Add to calendar" button is the API's link, made by the one link builder
(events.calendar.ical.add_links): spaces as %20, whole UTC seconds."""

from __future__ import annotations

import pytest

from tests.bot.test_commands import ALICE, reply_to

pytestmark = pytest.mark.usefixtures("world")


async def test_the_add_to_calendar_button_is_the_apis_google_link(slack, world, client):
    slack.api.add_user(ALICE, email="alice@denvergov.test", real_name="Alice Adams")
    event = await world.create_event(
        client,
        title="Drone Policy Summit",
        sessions=[
            {
                "title": "Main",
                "starts_at": "2030-06-03T09:00:00.500-06:00",
                "ends_at": "2030-06-03T11:00:00-06:00",
            }
        ],
    )
    reply = await reply_to(slack, f"show {event['slug']}")
    [url] = [
        element["url"]
        for block in reply["blocks"]
        for element in block.get("elements", [])
        if element.get("action_id") == "add_to_calendar"
    ]
    detail = (await client.get(f"/api/events/{event['slug']}")).json()
    assert url == detail["calendar"]["google"]
    assert "text=Drone%20Policy%20Summit&dates=20300603T150000Z%2F20300603T170000Z" in url
