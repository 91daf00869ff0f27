"""Who may issue, re-issue and revoke: the event's region organizers and coalition admins."""

from __future__ import annotations

from events.db import fetch
from tests.support.certificates import (
    attended_certificate,
    bulk_issue,
    check_in,
    event_id,
    held_event,
    issue_one,
    register,
    wait_for_job,
)
from tests.support.world import auth


async def _attempts(client, event: dict, registration_id: int, code: str, headers: dict) -> dict:
    """Every organizer action on certificates, tried once each with ``headers``."""
    return {
        "bulk": await client.post(
            f"/api/manage/events/{event['slug']}/certificates", headers=headers
        ),
        "one": await client.post(
            f"/api/manage/registrations/{registration_id}/certificate", headers=headers
        ),
        "revoke": await client.post(
            f"/api/manage/certificates/{code}/revoke",
            json={"reason": "issued_in_error", "note": "attempt"},
            headers=headers,
        ),
        "reissue": await client.post(
            f"/api/manage/certificates/{code}/reissue",
            json={"holder_name": "Mallory"},
            headers=headers,
        ),
    }


async def _unchanged(client, event: dict, certificate: dict) -> None:
    status = (await client.get(f"/api/certificates/{certificate['code']}")).json()
    assert status["state"] == "valid"
    rows = await fetch("SELECT status FROM certificate WHERE event = {}", await event_id(event))
    assert [row["status"] for row in rows] == ["valid"]
    jobs = await fetch("SELECT id FROM certificate_job WHERE event = {}", await event_id(event))
    assert jobs == []


async def test_an_organizer_of_another_region_is_forbidden(client, world):
    event, _, registration_id, certificate = await attended_certificate(client, world)

    responses = await _attempts(
        client, event, registration_id, certificate["code"], auth(world.connective_organizer)
    )

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    await _unchanged(client, event, certificate)


async def test_check_in_staff_are_forbidden(client, world):
    event, _, registration_id, certificate = await attended_certificate(client, world)

    responses = await _attempts(
        client, event, registration_id, certificate["code"], auth(world.checkin_staff)
    )

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    await _unchanged(client, event, certificate)


async def test_anonymous_requests_are_unauthenticated(client, world):
    event, _, registration_id, certificate = await attended_certificate(client, world)

    responses = await _attempts(client, event, registration_id, certificate["code"], {})
    bad_token = await _attempts(
        client, event, registration_id, certificate["code"], auth("not-a-token")
    )

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 401)
    assert {name: r.status_code for name, r in bad_token.items()} == dict.fromkeys(bad_token, 401)
    await _unchanged(client, event, certificate)


async def test_a_member_token_is_not_an_organizer_token(client, world):
    event, person, registration_id, certificate = await attended_certificate(client, world)

    responses = await _attempts(client, event, registration_id, certificate["code"], person.headers)

    assert all(r.status_code in (401, 403) for r in responses.values()), {
        name: r.status_code for name, r in responses.items()
    }
    await _unchanged(client, event, certificate)


async def test_the_events_region_organizer_may_do_everything(client, world):
    event = await held_event(client, world, token=world.colorado_organizer)
    first, second = await world.members(2)
    registrations = [await register(client, event, p) for p in (first, second)]
    await check_in(client, world, event["sessions"][0]["id"], *registrations)
    token = world.colorado_organizer

    one = await issue_one(client, registrations[0], token)
    job = await bulk_issue(client, event, token)
    reissued = await client.post(
        f"/api/manage/certificates/{one.json()['code']}/reissue",
        json={"holder_name": "Corrected Name"},
        headers=auth(token),
    )
    revoked = await client.post(
        f"/api/manage/certificates/{reissued.json()['code']}/revoke",
        json={"reason": "duplicate"},
        headers=auth(token),
    )

    assert one.status_code == 200, one.text
    assert (job["total"], job["done"]) == (2, 2)
    assert reissued.status_code == 200, reissued.text
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["state"] == "revoked"


async def test_an_admin_may_act_on_any_regions_event(client, world):
    event = await held_event(client, world, regions=["the-connective"])
    person = await world.member()
    registration_id = await register(client, event, person)
    await check_in(client, world, event["sessions"][0]["id"], registration_id)

    one = await issue_one(client, registration_id, world.admin)
    revoked = await client.post(
        f"/api/manage/certificates/{one.json()['code']}/revoke",
        json={"reason": "issued_in_error"},
        headers=auth(world.admin),
    )

    assert one.status_code == 200, one.text
    assert revoked.status_code == 200, revoked.text
    assert (await issue_one(client, registration_id, world.colorado_organizer)).status_code == 403


async def test_a_job_is_visible_only_to_those_who_may_see_its_event(client, world):
    event, _, _, _ = await attended_certificate(client, world)
    response = await client.post(
        f"/api/manage/events/{event['slug']}/certificates", headers=auth(world.admin)
    )
    job = await wait_for_job(client, response.json(), world.admin)
    url = f"/api/manage/certificate-jobs/{job['id']}"

    assert (await client.get(url, headers=auth(world.colorado_organizer))).status_code == 200
    assert (await client.get(url, headers=auth(world.connective_organizer))).status_code == 403
    assert (await client.get(url)).status_code == 401
    assert (
        await client.get("/api/manage/certificate-jobs/999999", headers=auth(world.admin))
    ).status_code == 404


async def test_unknown_events_and_codes_are_404_for_organizers(client, world):
    headers = auth(world.admin)
    assert (
        await client.post("/api/manage/events/no-such-event/certificates", headers=headers)
    ).status_code == 404
    code = "0" * 28
    for action, body in [("revoke", {"reason": "other"}), ("reissue", {"holder_name": "X"})]:
        response = await client.post(
            f"/api/manage/certificates/{code}/{action}", json=body, headers=headers
        )
        assert response.status_code == 404, (action, response.text)


# What a member sees of their own eligibility.


async def test_a_member_who_did_not_attend_sees_what_is_missing(client, world):
    event = await held_event(client, world)
    person = await world.member()
    await register(client, event, person)

    response = await client.get(f"/api/events/{event['slug']}/certificate", headers=person.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["eligible"] is False
    assert body["missing"] == ["Check in to at least 1 session (attended 0, 0 hours)."]
    assert body["attended_sessions"] == 0
    assert body["certificate"] is None


async def test_a_member_who_attended_sees_their_certificate(client, world):
    event, person, _, certificate = await attended_certificate(client, world, credit_hours=3)

    response = await client.get(f"/api/events/{event['slug']}/certificate", headers=person.headers)

    body = response.json()
    assert (body["eligible"], body["missing"], body["credit_hours"]) == (True, [], 3)
    assert body["certificate"]["code"] == certificate["code"]
    assert body["certificate"]["state"] == "valid"


async def test_a_member_not_registered_gets_404(client, world):
    event, _, _, _ = await attended_certificate(client, world)
    stranger = await world.member()

    response = await client.get(
        f"/api/events/{event['slug']}/certificate", headers=stranger.headers
    )

    assert response.status_code == 404, response.text


async def test_a_member_who_cancelled_is_told_only_confirmed_registrations_qualify(client, world):
    event = await held_event(client, world)
    person = await world.member()
    registration_id = await register(client, event, person)
    await check_in(client, world, event["sessions"][0]["id"], registration_id)
    await client.delete(f"/api/events/{event['slug']}/registration", headers=person.headers)

    body = (
        await client.get(f"/api/events/{event['slug']}/certificate", headers=person.headers)
    ).json()

    assert body["eligible"] is False
    assert body["missing"] == ["Only confirmed registrations earn a certificate."]


async def test_the_eligibility_endpoint_needs_a_member(client, world):
    event = await held_event(client, world)
    response = await client.get(f"/api/events/{event['slug']}/certificate")
    assert response.status_code == 401
    organizer = await client.get(
        f"/api/events/{event['slug']}/certificate", headers=auth(world.admin)
    )
    assert organizer.status_code == 401
