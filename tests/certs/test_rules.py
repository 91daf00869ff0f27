"""Organizers set each event's certificate rule through the API; eligibility follows it."""

from __future__ import annotations

from tests.support.certificates import check_in, held_event, issue_one, register, session
from tests.support.world import auth


def _rule_url(event: dict) -> str:
    return f"/api/manage/events/{event['slug']}/certificate-rule"


async def test_the_default_rule_is_one_session_with_fixed_hours(client, world):
    event = await held_event(client, world)
    rule = await client.get(_rule_url(event), headers=auth(world.admin))
    assert rule.json() == {"min_sessions": 1, "min_hours": None, "credit": "fixed"}


async def test_a_stricter_rule_changes_who_qualifies_and_the_hours(client, world):
    event = await held_event(
        client,
        world,
        credit_hours=6,
        sessions=[session("Morning", 2), session("Afternoon", 1.5, day=1)],
    )
    response = await client.put(
        _rule_url(event),
        json={"min_sessions": 2, "credit": "attended"},
        headers=auth(world.colorado_organizer),
    )
    assert response.json() == {"min_sessions": 2, "min_hours": None, "credit": "attended"}
    one_session, both = await world.members(2)
    partial = await register(client, event, one_session)
    full = await register(client, event, both)
    morning, afternoon = (s["id"] for s in event["sessions"])
    await check_in(client, world, morning, partial, full)
    await check_in(client, world, afternoon, full)

    refused = await issue_one(client, partial, world.admin)
    issued = await issue_one(client, full, world.admin)

    assert refused.status_code == 409 and refused.json()["reason"] == "not_eligible"
    assert issued.json()["credit_hours"] == 3.5  # the attended sessions, not the fixed 6


async def test_only_the_events_organizers_set_its_rule(client, world):
    event = await held_event(client, world)
    body = {"min_sessions": 3}
    outsider = await client.put(
        _rule_url(event), json=body, headers=auth(world.connective_organizer)
    )
    staff = await client.put(_rule_url(event), json=body, headers=auth(world.checkin_staff))
    assert (outsider.status_code, staff.status_code) == (403, 403)
    invalid = await client.put(
        _rule_url(event), json={"min_sessions": -1}, headers=auth(world.admin)
    )
    assert invalid.status_code == 400
