"""Issuing certificates through the real API: in bulk as a job, one by one, re-issue, revoke."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from certs import documents
from events.db import fetch, fetch_one
from tests.support.certificates import (
    attended_certificate,
    bulk_issue,
    certificate_dir,
    check_in,
    event_id,
    held_event,
    issue_one,
    pdf_text,
    raw_code,
    register,
    session,
    session_ids,
    wait_for_job,
)
from tests.support.polling import eventually
from tests.support.world import auth


async def _certificates(event: dict) -> list[dict]:
    return await fetch(
        "SELECT * FROM certificate WHERE event = {} ORDER BY id", await event_id(event)
    )


async def _attended_event(client, world, *, attended: int, absent: int = 0, **fields):
    """An event whose first ``attended`` registrations are checked in to its session."""
    event = await held_event(client, world, **fields)
    people = await world.members(attended + absent)
    registrations = [await register(client, event, person) for person in people]
    if attended:
        await check_in(client, world, event["sessions"][0]["id"], *registrations[:attended])
    return event, people, registrations


# Bulk issue.


async def test_bulk_issue_answers_at_once_with_a_job_to_poll(client, world):
    event, _, _ = await _attended_event(client, world, attended=2)

    response = await client.post(
        f"/api/manage/events/{event['slug']}/certificates", headers=auth(world.admin)
    )

    assert response.status_code == 202, response.text
    job = response.json()
    assert job["event"] == event["slug"]
    assert job["status"] in ("queued", "running", "done")
    assert job["poll_url"].endswith(f"/api/manage/certificate-jobs/{job['id']}")
    finished = await wait_for_job(client, job, world.admin)
    assert (finished["status"], finished["total"], finished["done"]) == ("done", 2, 2)
    assert finished["finished_at"] is not None
    assert finished["error"] is None


async def test_bulk_issue_certifies_only_eligible_confirmed_registrations(client, world):
    event = await held_event(client, world)
    present, absent, cancelled = await world.members(3)
    present_id = await register(client, event, present)
    await register(client, event, absent)
    cancelled_id = await register(client, event, cancelled)
    await check_in(client, world, event["sessions"][0]["id"], present_id, cancelled_id)
    response = await client.delete(
        f"/api/events/{event['slug']}/registration", headers=cancelled.headers
    )
    assert response.json()["status"] == "cancelled"

    job = await bulk_issue(client, event, world.admin)

    rows = await _certificates(event)
    assert [(row["registration"], row["status"]) for row in rows] == [(present_id, "valid")]
    assert rows[0]["job"] == job["id"]
    assert (job["total"], job["done"]) == (1, 1)


async def test_bulk_issue_is_idempotent(client, world):
    event, _, _ = await _attended_event(client, world, attended=3, absent=1)
    first = await bulk_issue(client, event, world.admin)
    codes_before = [row["code"] for row in await _certificates(event)]

    second = await bulk_issue(client, event, world.admin)

    assert [row["code"] for row in await _certificates(event)] == codes_before
    assert len(codes_before) == 3
    assert second["id"] != first["id"]  # a new job, as the first one had finished
    assert (second["total"], second["done"]) == (first["total"], first["done"]) == (3, 3)


async def test_bulk_issue_skips_registrations_already_issued(client, world):
    event, _, registrations = await _attended_event(client, world, attended=2)
    single = (await issue_one(client, registrations[0], world.admin)).json()

    await bulk_issue(client, event, world.admin)

    rows = await _certificates(event)
    assert len(rows) == 2
    assert raw_code(single["code"]) in [row["code"] for row in rows]
    assert [row["registration"] for row in rows if row["status"] == "valid"] == registrations


async def test_bulk_issue_covers_newly_eligible_attendees_on_a_second_run(client, world):
    event, _, registrations = await _attended_event(client, world, attended=1, absent=1)
    await bulk_issue(client, event, world.admin)
    await check_in(client, world, event["sessions"][0]["id"], registrations[1])

    job = await bulk_issue(client, event, world.admin)

    assert (job["total"], job["done"]) == (2, 2)
    assert [row["registration"] for row in await _certificates(event)] == registrations


async def test_bulk_issue_writes_every_pdf_to_disk(client, world):
    event, _, _ = await _attended_event(client, world, attended=3)
    await bulk_issue(client, event, world.admin)
    for row in await _certificates(event):
        path = certificate_dir() / f"{row['code']}.pdf"
        assert path.exists(), path
        assert row["holder_name"] in pdf_text(path.read_bytes())


async def test_bulk_issue_in_several_batches_gives_each_holder_their_own_pdf(client, world):
    """More certificates than one WeasyPrint document holds: every split page must land
    in the file of its own certificate."""
    count = documents.BATCH + 5
    event, _, _ = await _attended_event(client, world, attended=count)

    job = await bulk_issue(client, event, world.admin)

    assert (job["total"], job["done"]) == (count, count)
    rows = await _certificates(event)
    assert len({row["code"] for row in rows}) == count
    for row in rows:
        text = pdf_text((certificate_dir() / f"{row['code']}.pdf").read_bytes())
        assert row["holder_name"] in text
        assert "-".join(row["code"][i : i + 4] for i in range(0, 28, 4)) in text


async def test_a_pdf_missing_from_disk_is_rendered_again_on_download(client, world):
    event, _, _ = await _attended_event(client, world, attended=1)
    await bulk_issue(client, event, world.admin)
    [row] = await _certificates(event)
    path = certificate_dir() / f"{row['code']}.pdf"
    path.unlink()

    response = await client.get(f"/certificates/{row['code']}.pdf")

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert row["holder_name"] in pdf_text(response.content)
    assert path.exists()
    assert path.read_bytes() == response.content


async def test_a_stale_running_job_is_finished_when_run_again(client, world):
    """A worker died mid-job: some certificates issued, PDFs missing, the job 'running'
    with an old heartbeat. Running it again finishes the work without doing it twice."""
    event, _, registrations = await _attended_event(client, world, attended=3)
    issued = (await issue_one(client, registrations[0], world.admin)).json()
    long_ago = datetime.now(UTC) - timedelta(minutes=10)
    job = await fetch_one(
        "INSERT INTO certificate_job (event, status, total, done, created_at, started_at, "
        "updated_at) VALUES ({}, 'running', 3, 0, {}, {}, {}) RETURNING id",
        await event_id(event),
        long_ago,
        long_ago,
        long_ago,
    )

    await documents.run_job(job["id"])  # what the sweep queues after a restart

    async def finished():
        row = await fetch_one("SELECT * FROM certificate_job WHERE id = {}", job["id"])
        return row if row["status"] == "done" else None

    row = await eventually(finished, timeout=60)
    assert row, "the stale job was not finished"
    assert (row["total"], row["done"]) == (3, 3)
    rows = await _certificates(event)
    assert [r["registration"] for r in rows] == registrations
    assert raw_code(issued["code"]) == rows[0]["code"]  # kept, not issued twice
    assert all((certificate_dir() / f"{r['code']}.pdf").exists() for r in rows)


async def test_a_job_with_a_live_worker_is_left_alone(client, world):
    event, _, _ = await _attended_event(client, world, attended=1)
    now = datetime.now(UTC)
    job = await fetch_one(
        "INSERT INTO certificate_job (event, status, total, done, created_at, started_at, "
        "updated_at) VALUES ({}, 'running', 0, 0, {}, {}, {}) RETURNING id",
        await event_id(event),
        now,
        now,
        now,
    )

    await documents.run_job(job["id"])

    row = await fetch_one("SELECT status FROM certificate_job WHERE id = {}", job["id"])
    assert row["status"] == "running"
    assert await _certificates(event) == []
    # Asking again while it runs gives the same job, not a second one.
    response = await client.post(
        f"/api/manage/events/{event['slug']}/certificates", headers=auth(world.admin)
    )
    assert response.status_code == 202, response.text
    assert response.json()["id"] == job["id"]


async def test_a_job_that_cannot_render_fails_visibly_and_fetches_nothing(client, world):
    """Branding that points at a remote image: the job ends 'failed' with the reason."""
    event, _, _ = await _attended_event(client, world, attended=1)
    await fetch(
        "INSERT INTO region_branding (region, primary_color, accent_color, logo_svg, "
        "signatory_name, signatory_title) VALUES ({}, '#1f3a5f', '#b8860b', {}, '', '')",
        world.region_ids["colorado"],
        '<img src="http://127.0.0.1:9/logo.png">',
    )
    response = await client.post(
        f"/api/manage/events/{event['slug']}/certificates", headers=auth(world.admin)
    )
    job = response.json()

    async def finished():
        body = (
            await client.get(f"/api/manage/certificate-jobs/{job['id']}", headers=auth(world.admin))
        ).json()
        return body if body["status"] in ("done", "failed") else None

    body = await eventually(finished, timeout=60)
    assert body, "the job never finished"
    assert body["status"] == "failed"
    assert "127.0.0.1:9/logo.png" in body["error"]


# One registration.


async def test_issuing_to_someone_not_eligible_says_what_is_missing(client, world):
    event, _, [registration_id] = await _attended_event(client, world, attended=0, absent=1)

    response = await issue_one(client, registration_id, world.admin)

    assert response.status_code == 409, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["reason"] == "not_eligible"
    assert body["missing"] == ["Check in to at least 1 session (attended 0, 0 hours)."]
    assert await _certificates(event) == []


async def test_issuing_to_an_eligible_registration_gives_a_valid_certificate(client, world):
    event, [person], [registration_id] = await _attended_event(
        client, world, attended=1, credit_hours=2.5, title="Zero Trust for Cities"
    )

    before = datetime.now(UTC).date()
    response = await issue_one(client, registration_id, world.admin)
    after = datetime.now(UTC).date()

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "valid"
    assert body["event_title"] == "Zero Trust for Cities"
    assert body["event_kind"] == "workshop"
    assert body["region"] == "Colorado Smart Cities Alliance"
    assert body["credit_hours"] == 2.5
    assert body["issued_on"] in {before.isoformat(), after.isoformat()}  # a run at midnight
    [row] = await _certificates(event)
    assert raw_code(body["code"]) == row["code"]
    assert row["member"] == person.id
    assert row["organization_name"] == "City and County of Denver"
    assert row["place"] == "City Hall, 1437 Bannock St, Denver, CO"


async def test_issuing_again_returns_the_same_certificate(client, world):
    event, _, [registration_id] = await _attended_event(client, world, attended=1)
    first = await issue_one(client, registration_id, world.admin)
    second = await issue_one(client, registration_id, world.admin)
    assert first.status_code == second.status_code == 200
    assert first.json()["code"] == second.json()["code"]
    assert len(await _certificates(event)) == 1


async def test_issuing_to_an_unknown_registration_is_404(client, world):
    response = await issue_one(client, 999_999, world.admin)
    assert response.status_code == 404, response.text


async def test_credit_hours_follow_the_events_rule(client, world):
    event = await held_event(
        client,
        world,
        credit_hours=6,
        sessions=[session("Morning", 1.5, day=0), session("Afternoon", 2.25, day=0)],
    )
    await fetch(
        "INSERT INTO certificate_rule (event, min_sessions, credit, enabled) "
        "VALUES ({}, 1, 'attended', {})",
        await event_id(event),
        True,
    )
    person = await world.member()
    registration_id = await register(client, event, person)
    ids = session_ids(event)
    await check_in(client, world, ids["Morning"], registration_id)
    await check_in(client, world, ids["Afternoon"], registration_id)

    body = (await issue_one(client, registration_id, world.admin)).json()

    assert body["credit_hours"] == 3.75  # attended, not the event's fixed 6


# Re-issue and revoke.


async def test_reissuing_with_a_corrected_name_keeps_the_history(client, world):
    event, person, registration_id, old = await attended_certificate(
        client, world, name="Maria Jose Nunez"
    )

    response = await client.post(
        f"/api/manage/certificates/{old['code']}/reissue",
        json={"holder_name": "María José Núñez"},
        headers=auth(world.admin),
    )

    assert response.status_code == 200, response.text
    new = response.json()
    assert new["code"] != old["code"]
    assert (new["state"], new["holder_name"]) == ("valid", "María José Núñez")
    old_now = (await client.get(f"/api/certificates/{old['code']}")).json()
    assert old_now["state"] == "revoked"
    assert old_now["revocation_reason"] == "superseded"
    assert old_now["holder_name"] == "Maria Jose Nunez"  # as it was printed
    rows = await _certificates(event)
    assert [(r["code"], r["status"]) for r in rows] == [
        (raw_code(old["code"]), "revoked"),
        (raw_code(new["code"]), "valid"),
    ]
    assert rows[1]["supersedes"] == rows[0]["id"]
    assert rows[1]["registration"] == rows[0]["registration"] == registration_id
    pdf = await client.get(new["pdf_url"])
    assert pdf.status_code == 200
    assert "María José Núñez" in pdf_text(pdf.content)
    assert (await client.get(old["pdf_url"])).status_code == 404


async def test_reissuing_a_revoked_certificate_is_refused(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    await client.post(
        f"/api/manage/certificates/{certificate['code']}/revoke",
        json={"reason": "issued_in_error"},
        headers=auth(world.admin),
    )
    response = await client.post(
        f"/api/manage/certificates/{certificate['code']}/reissue",
        json={"holder_name": "Someone Else"},
        headers=auth(world.admin),
    )
    assert response.status_code == 409, response.text
    assert response.json()["reason"] == "not_valid"


async def test_revoking_records_the_date_and_the_reason(client, world):
    _, _, _, certificate = await attended_certificate(client, world)

    before = datetime.now(UTC).date()
    response = await client.post(
        f"/api/manage/certificates/{certificate['code']}/revoke",
        json={"reason": "attendance_corrected", "note": "Checked in by mistake"},
        headers=auth(world.admin),
    )
    after = datetime.now(UTC).date()

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "revoked"
    assert body["revocation_reason"] == "attendance_corrected"
    assert body["revoked_on"] in {before.isoformat(), after.isoformat()}
    assert "Checked in by mistake" not in response.text
    row = await fetch_one("SELECT * FROM certificate WHERE code = {}", raw_code(body["code"]))
    assert row["revocation_note"] == "Checked in by mistake"  # kept for the organizers


async def test_a_revoked_certificate_cannot_be_downloaded(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    assert (await client.get(certificate["pdf_url"])).status_code == 200
    await client.post(
        f"/api/manage/certificates/{certificate['code']}/revoke",
        json={"reason": "misconduct"},
        headers=auth(world.admin),
    )
    response = await client.get(certificate["pdf_url"])
    assert response.status_code == 404


async def test_revoking_needs_a_known_reason(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    for body in [{}, {"reason": "because"}, {"reason": "other", "secret": True}]:
        response = await client.post(
            f"/api/manage/certificates/{certificate['code']}/revoke",
            json=body,
            headers=auth(world.admin),
        )
        assert response.status_code in (400, 422), (body, response.text)
    status = (await client.get(f"/api/certificates/{certificate['code']}")).json()
    assert status["state"] == "valid"


async def test_a_revoked_registration_can_be_issued_a_new_certificate(client, world):
    event, _, registration_id, certificate = await attended_certificate(client, world)
    await client.post(
        f"/api/manage/certificates/{certificate['code']}/revoke",
        json={"reason": "issued_in_error"},
        headers=auth(world.admin),
    )
    again = await issue_one(client, registration_id, world.admin)
    assert again.status_code == 200, again.text
    assert again.json()["code"] != certificate["code"]
    assert [r["status"] for r in await _certificates(event)] == ["revoked", "valid"]
