"""The registration rules, one test each, through the real HTTP API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from events.db import fetch, fetch_one
from events.services.members import revoke_token
from tests.support.world import auth


def _url(event: dict) -> str:
    return f"/api/events/{event['slug']}/registration"


async def _register(client, event, person, answers=None):
    body = {"answers": answers} if answers is not None else None
    return await client.post(_url(event), json=body, headers=person.headers)


async def _status(client, event, person) -> dict:
    return (await client.get(_url(event), headers=person.headers)).json()


def _refusal(response, reason: str) -> None:
    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["reason"] == reason


async def test_registering_twice_returns_the_same_registration(client, world):
    event = await world.create_event(client, capacity=10)
    person = await world.member()
    first = await _register(client, event, person)
    second = await _register(client, event, person)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert first.json()["status"] == "confirmed"


async def test_cancelling_a_seat_promotes_the_head_of_the_waitlist(client, world):
    event = await world.create_event(client, capacity=1)
    holder, head, next_in_line = await world.members(3)
    for person in (holder, head, next_in_line):
        await _register(client, event, person)

    cancelled = await client.delete(_url(event), headers=holder.headers)

    assert cancelled.json()["status"] == "cancelled"
    assert (await _status(client, event, head))["status"] == "confirmed"
    assert (await _status(client, event, next_in_line))["waitlist_position"] == 1
    told = await fetch(
        "SELECT n.kind FROM notification n JOIN registration r ON r.id = n.registration "
        "WHERE r.member = {} ORDER BY n.id",
        head.id,
    )
    assert [row["kind"] for row in told] == ["registered", "promoted"]  # waitlisted, then in


async def test_cancelling_twice_is_harmless(client, world):
    event = await world.create_event(client, capacity=1)
    person = await world.member()
    await _register(client, event, person)
    first = await client.delete(_url(event), headers=person.headers)
    second = await client.delete(_url(event), headers=person.headers)
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "cancelled"
    seats = await fetch_one("SELECT seats_taken FROM event WHERE slug = {}", event["slug"])
    assert seats["seats_taken"] == 0


async def test_registering_again_after_cancelling_reuses_the_registration(client, world):
    event = await world.create_event(client, capacity=5)
    person = await world.member()
    first = (await _register(client, event, person)).json()
    await client.delete(_url(event), headers=person.headers)
    again = await _register(client, event, person)
    assert again.status_code == 201
    assert again.json()["id"] == first["id"]
    assert again.json()["status"] == "confirmed"


async def test_raising_capacity_promotes_as_many_as_now_fit(client, world):
    event = await world.create_event(client, capacity=1)
    people = await world.members(5)
    for person in people:
        await _register(client, event, person)

    response = await client.patch(
        f"/api/manage/events/{event['slug']}", json={"capacity": 3}, headers=auth(world.admin)
    )

    assert response.status_code == 200, response.text
    assert [(await _status(client, event, p))["status"] for p in people] == [
        "confirmed",
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert response.json()["seats_left"] == 0
    assert response.json()["waitlist_length"] == 2


async def test_removing_the_limit_confirms_everyone(client, world):
    event = await world.create_event(client, capacity=1)
    people = await world.members(3)
    for person in people:
        await _register(client, event, person)
    await client.patch(
        f"/api/manage/events/{event['slug']}", json={"capacity": None}, headers=auth(world.admin)
    )
    assert {(await _status(client, event, p))["status"] for p in people} == {"confirmed"}


async def test_lowering_capacity_below_the_confirmed_count_is_refused(client, world):
    event = await world.create_event(client, capacity=5)
    for person in await world.members(3):
        await _register(client, event, person)

    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"capacity": 2, "title": "Renamed"},
        headers=auth(world.admin),
    )

    assert response.status_code == 409
    assert response.json()["reason"] == "capacity_below_confirmed"
    assert response.json()["confirmed"] == 3
    detail = (await client.get(f"/api/events/{event['slug']}")).json()
    assert (detail["capacity"], detail["title"]) == (5, event["title"])  # nothing half-written


async def test_registration_before_the_window_opens_is_refused(client, world):
    opens = datetime.now(UTC) + timedelta(days=1)
    event = await world.create_event(client, registration_opens_at=opens.isoformat())
    _refusal(await _register(client, event, await world.member()), "registration_not_open")


async def test_registration_after_the_window_closes_is_refused(client, world):
    closed = datetime.now(UTC) - timedelta(minutes=1)
    event = await world.create_event(
        client,
        registration_opens_at=(closed - timedelta(days=3)).isoformat(),
        registration_closes_at=closed.isoformat(),
    )
    _refusal(await _register(client, event, await world.member()), "registration_closed")


async def test_members_only_events_refuse_outsiders(client, world):
    event = await world.create_event(client, members_only=True)
    _refusal(await _register(client, event, await world.member("guest")), "members_only")
    _refusal(await _register(client, event, await world.member("none")), "members_only")
    assert (await _register(client, event, await world.member("denver"))).status_code == 201


async def test_the_per_organization_cap_holds(client, world):
    event = await world.create_event(client, capacity=10, organization_seat_cap=2)
    first, second, third = await world.members(3, "denver")
    await _register(client, event, first)
    await _register(client, event, second)

    _refusal(await _register(client, event, third), "organization_cap_reached")
    assert (await _register(client, event, await world.member("phoenix"))).status_code == 201

    await client.delete(_url(event), headers=first.headers)
    assert (await _register(client, event, third)).status_code == 201


async def test_setting_a_cap_later_counts_existing_registrations(client, world):
    event = await world.create_event(client, capacity=10)
    for person in await world.members(2, "denver"):
        await _register(client, event, person)
    await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"organization_seat_cap": 2},
        headers=auth(world.admin),
    )
    _refusal(
        await _register(client, event, await world.member("denver")), "organization_cap_reached"
    )


async def test_cancelled_and_draft_events_refuse_registration(client, world):
    cancelled = await world.create_event(client)
    await client.post(f"/api/manage/events/{cancelled['slug']}/cancel", headers=auth(world.admin))
    draft = await world.create_event(client, publish=False)
    person = await world.member()
    _refusal(await _register(client, cancelled, person), "event_cancelled")
    _refusal(await _register(client, draft, person), "event_not_published")


async def test_approval_required_events_wait_for_an_organizer(client, world):
    event = await world.create_event(client, capacity=1, approval_required=True)
    first, second, third = await world.members(3)
    pending = [(await _register(client, event, p)).json() for p in (first, second, third)]
    assert {r["status"] for r in pending} == {"pending"}
    organizer = auth(world.colorado_organizer)

    approved = await client.post(
        f"/api/manage/registrations/{pending[0]['id']}/approve", headers=organizer
    )
    queued = await client.post(
        f"/api/manage/registrations/{pending[1]['id']}/approve", headers=organizer
    )
    declined = await client.post(
        f"/api/manage/registrations/{pending[2]['id']}/decline", headers=organizer
    )

    assert approved.json()["status"] == "confirmed"
    assert queued.json()["status"] == "waitlisted"
    assert queued.json()["waitlist_position"] == 1
    assert declined.json()["status"] == "declined"
    _refusal(await _register(client, event, third), "declined")
    again = await client.post(
        f"/api/manage/registrations/{pending[0]['id']}/approve", headers=organizer
    )
    assert again.status_code == 409 and again.json()["reason"] == "not_pending"


async def test_answers_are_checked_against_the_questions(client, world):
    questions = [
        {
            "key": "role",
            "label": "Role",
            "kind": "choice",
            "required": True,
            "choices": ["Staff", "Vendor"],
        },
        {"key": "dietary", "label": "Dietary needs"},
        {"key": "accessible", "label": "Step-free access?", "kind": "boolean"},
    ]
    event = await world.create_event(client, questions=questions)
    person = await world.member()

    missing = await _register(client, event, person, {"dietary": "vegan", "colour": "red"})
    assert missing.status_code == 422
    assert missing.json()["reason"] == "invalid_answers"
    assert {e["question"] for e in missing.json()["errors"]} == {"role", "colour"}
    bad_choice = await _register(client, event, person, {"role": "Mayor", "accessible": "yes"})
    assert {e["question"] for e in bad_choice.json()["errors"]} == {"role", "accessible"}
    assert await fetch("SELECT id FROM registration WHERE member = {}", person.id) == []

    ok = await _register(client, event, person, {"role": "Staff", "accessible": True})
    assert ok.status_code == 201
    assert ok.json()["answers"] == {"role": "Staff", "accessible": True}


async def test_only_confirmed_attendees_see_the_join_link(client, world):
    event = await world.create_event(client, capacity=1, online_url="https://meet.example/abc")
    seated, waiting = await world.members(2)
    assert (await _register(client, event, seated)).json()[
        "online_url"
    ] == "https://meet.example/abc"
    assert (await _register(client, event, waiting)).json()["online_url"] is None
    assert (await client.get(f"/api/events/{event['slug']}")).json()["online_url"] is None


async def test_an_organizer_removing_someone_promotes_the_waitlist(client, world):
    event = await world.create_event(client, capacity=1)
    holder, waiter = await world.members(2)
    held = (await _register(client, event, holder)).json()
    await _register(client, event, waiter)
    removed = await client.delete(
        f"/api/manage/registrations/{held['id']}", headers=auth(world.admin)
    )
    assert removed.json()["status"] == "cancelled"
    assert (await _status(client, event, waiter))["status"] == "confirmed"


async def test_promoting_by_hand_adds_a_seat_when_full(client, world):
    event = await world.create_event(client, capacity=1)
    holder, first_waiter, second_waiter = await world.members(3)
    for person in (holder, first_waiter, second_waiter):
        await _register(client, event, person)
    chosen = await _status(client, event, second_waiter)

    promoted = await client.post(
        f"/api/manage/registrations/{chosen['id']}/promote", headers=auth(world.admin)
    )

    assert promoted.json()["status"] == "confirmed"
    detail = (await client.get(f"/api/events/{event['slug']}")).json()
    assert (detail["capacity"], detail["seats_taken"], detail["waitlist_length"]) == (2, 2, 1)
    assert (await _status(client, event, first_waiter))["waitlist_position"] == 1


async def test_member_endpoints_need_a_valid_token(client, world):
    event = await world.create_event(client)
    person = await world.member()
    assert (await client.post(_url(event))).status_code == 401
    assert (await client.post(_url(event), headers=auth("cvm_nope"))).status_code == 401
    await revoke_token(person.token)
    response = await client.get("/api/me", headers=person.headers)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


async def test_my_registrations_lists_what_i_signed_up_for(client, world):
    first = await world.create_event(client, capacity=1)
    second = await world.create_event(client)
    holder, person = await world.members(2)
    await _register(client, first, holder)
    await _register(client, first, person)
    await _register(client, second, person)
    mine = (await client.get("/api/me/registrations", headers=person.headers)).json()["items"]
    assert {(m["event"]["slug"], m["registration"]["status"]) for m in mine} == {
        (first["slug"], "waitlisted"),
        (second["slug"], "confirmed"),
    }
    await client.delete(_url(second), headers=person.headers)
    everything = await client.get(
        "/api/me/registrations", params={"include_inactive": "true"}, headers=person.headers
    )
    assert everything.json()["total"] == 2
    active = (await client.get("/api/me/registrations", headers=person.headers)).json()
    assert active["total"] == 1
    me = (await client.get("/api/me", headers=person.headers)).json()
    assert me["organization"] == "City and County of Denver"


async def test_unknown_event_is_404(client, world):
    response = await _register(client, {"slug": "no-such-event"}, await world.member())
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
