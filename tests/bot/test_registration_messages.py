"""One registration, one confirmation: however a member registers in Slack (the Home tab's
button, a double click, a modal submitted twice), one direct message confirms it (the
outbox's), and what it says is not repeated."""

from __future__ import annotations

import asyncio

import pytest

from events.db import fetch, fetch_one
from tests.support.polling import eventually
from tests.support.slack import state_values

pytestmark = pytest.mark.usefixtures("world")

MEMBER = "U0ONCE"
HOME = {"id": "VHOME", "type": "home"}


@pytest.fixture
async def member(slack, world):
    slack.api.add_user(MEMBER, email="once@denvergov.test", real_name="Ona Once")
    return MEMBER


def _dms(slack) -> list:
    return [
        c
        for c in slack.api.calls("chat.postMessage")
        if c.params.get("channel") == MEMBER and not c.limited
    ]


async def _confirmation_sent() -> bool:
    row = await fetch_one(
        "SELECT sent_at FROM notification WHERE kind = 'registered' AND channel = 'slack'"
    )
    return bool(row and row["sent_at"])


async def test_the_home_tabs_register_button_sends_one_dm(slack, member, world, client):
    event = await world.create_event(client, title="Home Button Workshop")
    clicks = [
        slack.driver.block_action("register", event["slug"], user_id=MEMBER, view=HOME)
        for _ in range(2)  # a double click
    ]
    assert [r.status_code for r in await asyncio.gather(*clicks)] == [200, 200]
    # Each click republishes the Home tab after it has said whatever it says.
    await slack.api.wait_for("views.publish")
    await eventually(lambda: _published_twice(slack))
    assert await eventually(_confirmation_sent)
    assert len(await fetch("SELECT id FROM registration")) == 1
    [dm] = _dms(slack)
    assert "confirmed" in dm.params["text"] and "Home Button Workshop" in dm.params["text"]


async def _published_twice(slack) -> bool:
    return len(slack.api.calls("views.publish")) >= 2


async def test_a_modal_submitted_twice_registers_once_and_confirms_once(
    slack, member, world, client
):
    event = await world.create_event(
        client,
        title="Modal Twice Day",
        questions=[{"key": "role", "label": "Your role", "required": True}],
    )
    values = state_values({"q:role": ("answer", "Planner")})
    for _ in range(2):
        response = await slack.driver.view_submission(
            "register_modal", values, user_id=MEMBER, private_metadata=event["slug"]
        )
        assert response.status_code == 200 and response.text == ""
    assert await eventually(_confirmation_sent)
    # A reply to the second submission would follow its ack at once: give it the time a
    # command's reply takes (another command's reply, sent after, is the marker).
    await slack.driver.command("help", user_id=MEMBER)
    await slack.api.wait_for("response_url")
    assert len(await fetch("SELECT id FROM registration")) == 1
    [dm] = _dms(slack)
    assert "confirmed" in dm.params["text"] and "Modal Twice Day" in dm.params["text"]
