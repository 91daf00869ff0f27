"""Creating and changing events in the organizer console, through the real server: the
forms, their errors, confinement to an organizer's regions, sessions in the event's time
zone, publishing and cancelling, CSRF."""

from __future__ import annotations

import re
from html import unescape

import httpx
import pytest

from tests.events.web.test_console import console, csrf_of
from tests.support.world import auth

NEW = "/console/new-event"
DENVER_NEW_EVENT = {
    "title": "Traffic Signals 101",
    "slug": "",
    "kind": "workshop",
    "summary": "Timing plans for small cities.",
    "description": "## Agenda\n\nSignals, *then* lunch.",
    "regions": "colorado",
    "topics": ["transportation", "cybersecurity"],
    "timezone": "America/Denver",
    "venue_name": "City Hall",
    "venue_address": "1437 Bannock St, Denver, CO",
    "latitude": "39.7392",
    "longitude": "-104.9903",
    "online_url": "",
    "capacity": "30",
    "organization_seat_cap": "",
    "approval_required": "yes",
    "registration_opens_at": "2030-03-01T09:00",
    "registration_closes_at": "2030-03-03T17:30",
    "credit_hours": "1.5",
}


TAG = re.compile(r"<input\b([^>]*)>|<(textarea|select)\b([^>]*)>(.*?)</\2>", re.S)
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')


async def form_on(browser: httpx.AsyncClient, path: str) -> dict:
    """The page's form posting to ``path``, as a browser would send it: {name: value(s)}."""
    response = await browser.get(path)
    assert response.status_code == 200, response.text
    html = response.text.split(f'action="{path}"', 1)[1].split("</form>", 1)[0]
    fields: dict[str, list[str]] = {}
    for found in TAG.finditer(html):
        tag, inner = found[2] or "input", found[4]
        a = {key: unescape(value) for key, value in ATTRIBUTE.findall(found[1] or found[3])}
        if tag == "textarea":
            value = unescape(inner)
        elif tag == "select":
            value = re.search(r'<option value="([^"]*)" selected>', inner)[1]
        elif a.get("type") == "checkbox" and "checked" not in a:
            continue
        else:
            value = a.get("value", "")
        fields.setdefault(a["name"], []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in fields.items()}


async def api_event(client: httpx.AsyncClient, world, slug: str) -> dict:
    response = await client.get(f"/api/manage/events/{slug}", headers=auth(world.admin))
    assert response.status_code == 200, response.text
    return response.json()


async def api_slugs(client: httpx.AsyncClient, world) -> set[str]:
    response = await client.get("/api/manage/events", headers=auth(world.admin))
    return {item["slug"] for item in response.json()["items"]}


async def test_a_region_organizer_creates_a_draft(client, world):
    async with console(client, "co@nscp.test") as browser:
        home = await browser.get("/console")
        assert f'href="{NEW}"' in home.text
        page = await browser.get(NEW)
        assert page.status_code == 200
        # Their own region only; it is the one ticked, and its time zone is the default.
        assert 'value="colorado" checked' in page.text and 'value="the-connective"' not in page.text
        assert 'value="America/Denver"' in page.text
        assert '<label for="f-title">Title</label>' in page.text
        created = await browser.post(NEW, data={**DENVER_NEW_EVENT, "csrf": csrf_of(page.text)})
        assert created.status_code == 303, created.text
        assert created.headers["location"] == "/console/events/traffic-signals-101/sessions"
        home = (await browser.get("/console")).text
        assert "Traffic Signals 101" in home and "draft" in home
        sessions = await browser.get(created.headers["location"])
        assert "No sessions yet" in sessions.text and "Publish the event" in sessions.text
    event = await api_event(client, world, "traffic-signals-101")
    assert event["status"] == "draft" and event["kind"] == "workshop"
    assert [r["slug"] for r in event["regions"]] == ["colorado"]
    assert {t["slug"] for t in event["topics"]} == {"transportation", "cybersecurity"}
    assert event["capacity"] == 30 and event["approval_required"] is True
    assert event["credit_hours"] == 1.5 and event["online_url"] is None
    assert event["venue"]["name"] == "City Hall"
    assert event["venue"]["latitude"] == pytest.approx(39.7392, abs=1e-4)
    # Typed in Denver's time (MST, UTC-7).
    assert event["registration_opens_at"].startswith("2030-03-01T16:00:00")
    assert event["registration_closes_at"].startswith("2030-03-04T00:30:00")
    assert event["description"] == "## Agenda\n\nSignals, *then* lunch."


async def test_saving_an_unchanged_form_changes_nothing(client, world):
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(NEW)
        await browser.post(NEW, data={**DENVER_NEW_EVENT, "csrf": csrf_of(page.text)})
        before = await api_event(client, world, "traffic-signals-101")
        edit = "/console/events/traffic-signals-101/edit"
        fields = await form_on(browser, edit)
        assert fields["capacity"] == "30" and fields["registration_opens_at"] == "2030-03-01T09:00"
        saved = await browser.post(edit, data=fields)
        assert saved.status_code == 303, saved.text
        assert saved.headers["location"] == "/console/events/traffic-signals-101"
    assert await api_event(client, world, "traffic-signals-101") == before


async def test_more_seats_admit_people_from_the_waitlist(client, world):
    event = await world.create_event(client, title="Small Room", capacity=1)
    slug = event["slug"]
    people = await world.members(3)
    for person in people:
        await client.post(f"/api/events/{slug}/registration", headers=person.headers)
    async with console(client, "co@nscp.test") as browser:
        edit = f"/console/events/{slug}/edit"
        fields = await form_on(browser, edit)
        assert fields["title"] == "Small Room" and fields["capacity"] == "1"
        saved = await browser.post(edit, data={**fields, "title": "Bigger Room", "capacity": "2"})
        assert saved.status_code == 303, saved.text
        dashboard = (await browser.get(f"/console/events/{slug}")).text
        assert "<h1>Bigger Room</h1>" in dashboard
        assert 'id="count-confirmed">2<' in dashboard and 'id="count-waitlisted">1<' in dashboard
    changed = await api_event(client, world, slug)
    assert changed["title"] == "Bigger Room" and changed["capacity"] == 2
    second = await client.get(f"/api/events/{slug}/registration", headers=people[1].headers)
    assert second.json()["status"] == "confirmed"  # the head of the waitlist moved up


async def test_organizers_change_only_their_regions_events(client, world):
    colorado = await world.create_event(client, title="Denver Only")
    slug, session_id = colorado["slug"], colorado["sessions"][0]["id"]
    phoenix = await world.create_event(client, regions=["the-connective"], publish=False)
    async with console(client, "phx@nscp.test") as browser:
        token = await browser.get(NEW)
        assert 'value="the-connective"' in token.text and 'value="colorado"' not in token.text
        csrf = csrf_of(token.text)
        for path in (
            f"/console/events/{slug}/edit",
            f"/console/events/{slug}/sessions",
            f"/console/events/{slug}/cancel",
            f"/console/events/{slug}/sessions/{session_id}/edit",
            f"/console/events/{slug}/sessions/{session_id}/cancel",
        ):
            for response in (
                await browser.get(path),
                await browser.post(path, data={"csrf": csrf}),
            ):
                assert response.status_code == 403, path
                assert "text/html" in response.headers["content-type"]
                assert "region you do not organize" in response.text
        edit = await browser.post(
            f"/console/events/{slug}/edit", data={**DENVER_NEW_EVENT, "csrf": csrf}
        )
        assert edit.status_code == 403
        published = await browser.post(f"/console/events/{slug}/publish", data={"csrf": csrf})
        assert published.status_code == 403
        # Another event's session through one's own event: not found.
        mine = f"/console/events/{phoenix['slug']}/sessions/{session_id}"
        assert (await browser.get(f"{mine}/edit")).status_code == 404
        assert (await browser.post(f"{mine}/cancel", data={"csrf": csrf})).status_code == 404
        # Hosting in a region one does not organize is refused on the form.
        refused = await browser.post(NEW, data={**DENVER_NEW_EVENT, "csrf": csrf})
        assert refused.status_code == 422
        assert 'id="f-regions-error"' in refused.text
    after = await api_event(client, world, slug)
    assert after["title"] == "Denver Only" and after["status"] == "published"
    assert after["sessions"][0]["status"] == "scheduled"
    assert "traffic-signals-101" not in await api_slugs(client, world)
    async with console(client, "door@nscp.test") as browser:
        response = await browser.get(NEW)
        assert response.status_code == 403 and "Check-in staff" in response.text
        assert "/console/new-event" not in (await browser.get("/console")).text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "Give the event a title."),
        ({"capacity": "lots"}, "capacity", "Enter a whole number from 1 to 100,000"),
        ({"capacity": "0"}, "capacity", "Enter a whole number"),
        ({"timezone": "Mars/Olympus"}, "timezone", "is not a time zone name we know"),
        ({"timezone": "../../etc/passwd"}, "timezone", "is not a time zone name we know"),
        ({"registration_opens_at": "2030-13-45T25:00"}, "registration_opens_at", "Enter a date"),
        ({"registration_opens_at": "9999-12-31T23:00"}, "registration_opens_at", "Enter a date"),
        ({"registration_opens_at": "2030-03-10T02:30"}, "registration_opens_at", "clocks skip"),
        (
            {"registration_closes_at": "2030-02-01T09:00"},
            "registration_closes_at",
            "Registration must close after it opens.",
        ),
        ({"latitude": "north"}, "latitude", "Enter a latitude"),
        ({"longitude": ""}, "longitude", "Give both the latitude and the longitude"),
        ({"venue_name": ""}, "venue_name", "Give the venue a name"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "Enter a link"),
        ({"credit_hours": "-1"}, "credit_hours", "Enter hours from 0 to 999.99."),
        ({"credit_hours": "1000"}, "credit_hours", "Enter hours from 0 to 999.99."),
        ({"slug": "Not A Slug!"}, "slug", "Use lowercase letters"),
        ({"title": "¡¿!?", "slug": ""}, "slug", "Type an address name"),
        ({"regions": []}, "regions", "Choose the region that hosts the event."),
        ({"topics": "no-such-topic"}, "topics", "Choose from the list."),
        ({"kind": "party"}, "kind", "Choose the kind of event."),
    ],
)
async def test_invalid_input_shows_the_form_again_and_writes_nothing(
    client, world, changes, field, message
):
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(NEW)
        typed = {**DENVER_NEW_EVENT, "summary": "Kept <as typed>", **changes}
        response = await browser.post(NEW, data={**typed, "csrf": csrf_of(page.text)})
    assert response.status_code == 422, response.text
    assert "text/html" in response.headers["content-type"]
    html = response.text
    assert f'<span class="field-error" id="f-{field}-error">' in html
    assert message in html.split(f'id="f-{field}-error">')[1].split("</span>")[0]
    assert f'href="#f-{field}"' in html  # the summary links to the field
    if field not in ("regions", "topics"):
        assert f'f-{field}-error"' in html.split(f'id="f-{field}"')[1].split(">")[0]
        assert 'aria-invalid="true"' in html
    assert 'value="Kept &lt;as typed&gt;"' in html  # what was typed stays, escaped
    assert await api_slugs(client, world) == set()


async def test_a_taken_address_is_a_conflict_next_to_its_field(client, world):
    taken = await world.create_event(client)
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(NEW)
        data = {**DENVER_NEW_EVENT, "slug": taken["slug"], "csrf": csrf_of(page.text)}
        response = await browser.post(NEW, data=data)
    assert response.status_code == 409
    assert 'id="f-slug-error"' in response.text
    assert "Another event has this address name" in response.text


async def test_an_invalid_edit_changes_nothing(client, world):
    event = await world.create_event(client, capacity=5)
    async with console(client, "co@nscp.test") as browser:
        edit = f"/console/events/{event['slug']}/edit"
        fields = await form_on(browser, edit)
        for bad in ({"capacity": "-3", "title": "New"}, {"title": "", "capacity": "9"}):
            response = await browser.post(edit, data={**fields, **bad})
            assert response.status_code == 422
        # A published event keeps a venue or a join link: the service says so.
        response = await browser.post(
            edit, data={**fields, "venue_name": "", "venue_address": "", "latitude": ""}
        )
        assert response.status_code == 409 and 'id="f-venue_name-error"' in response.text
    after = await api_event(client, world, event["slug"])
    assert after["title"] == event["title"] and after["capacity"] == 5
    assert after["venue"]["name"] == "City Hall"


async def test_sessions_are_added_changed_and_cancelled_in_the_events_time_zone(client, world):
    draft = await world.create_event(client, publish=False, sessions=[], timezone="America/Denver")
    slug = draft["slug"]
    base = f"/console/events/{slug}/sessions"
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(base)
        assert page.status_code == 200 and "No sessions yet" in page.text
        assert "In America/Denver time" in page.text
        csrf = csrf_of(page.text)
        session = {
            "title": "Morning",
            "starts_at": "2030-07-01T09:00",
            "ends_at": "2030-07-01T12:00",
            "location_name": "",
            "location_address": "",
            "description": "",
            "csrf": csrf,
        }
        # Refused: the end before the start, a date that is not one, no title.
        for bad, field in (
            ({"ends_at": "2030-07-01T08:00"}, "ends_at"),
            ({"starts_at": "July 1st"}, "starts_at"),
            ({"starts_at": ""}, "starts_at"),
            ({"title": "  "}, "title"),
            ({"location_name": "x" * 201}, "location_name"),
        ):
            refused = await browser.post(base, data={**session, **bad})
            assert refused.status_code == 422, bad
            assert f'id="f-{field}-error"' in refused.text
        assert (await api_event(client, world, slug))["sessions"] == []

        added = await browser.post(base, data={**session, "required": "yes"})
        assert added.status_code == 303 and added.headers["location"] == base
        (created,) = (await api_event(client, world, slug))["sessions"]
        assert created["starts_at"].startswith("2030-07-01T15:00:00")  # MDT, UTC-6
        assert created["ends_at"].startswith("2030-07-01T18:00:00")
        assert created["required"] is True
        listed = (await browser.get(base)).text
        assert "Morning" in listed and "Mon, Jul 1, 2030, 9:00 AM – 12:00 PM MDT" in listed

        edit = f"{base}/{created['id']}/edit"
        fields = await form_on(browser, edit)
        assert fields["starts_at"] == "2030-07-01T09:00" and fields["required"] == "yes"
        renamed = await browser.post(edit, data={**fields, "title": "Morning block"})
        assert renamed.status_code == 303
        after = (await api_event(client, world, slug))["sessions"][0]
        assert after["title"] == "Morning block"
        assert after["revision"] == created["revision"]  # a new title is not a new time
        refused = await browser.post(edit, data={**fields, "ends_at": "2030-06-30T10:00"})
        assert refused.status_code == 422 and 'id="f-ends_at-error"' in refused.text
        fields = await form_on(browser, edit)
        moved = await browser.post(edit, data={**fields, "ends_at": "2030-07-01T13:30"})
        assert moved.status_code == 303
        after = (await api_event(client, world, slug))["sessions"][0]
        assert after["ends_at"].startswith("2030-07-01T19:30:00")
        assert after["revision"] == created["revision"] + 1

        cancel = f"{base}/{created['id']}/cancel"
        confirm = await browser.get(cancel)
        assert confirm.status_code == 200 and "Cancel “Morning block”?" in confirm.text
        cancelled = await browser.post(cancel, data={"csrf": csrf})
        assert cancelled.status_code == 303 and cancelled.headers["location"] == base
        assert 'aria-label="Change “Morning block”"' not in (await browser.get(base)).text
    assert (await api_event(client, world, slug))["sessions"][0]["status"] == "cancelled"


async def test_publishing_needs_a_session_and_a_place(client, world):
    draft = await world.create_event(client, publish=False, sessions=[], venue=None)
    slug = draft["slug"]
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(f"/console/events/{slug}/edit")
        assert "Publish the event" in page.text
        csrf = csrf_of(page.text)
        publish = f"/console/events/{slug}/publish"
        refused = await browser.post(publish, data={"csrf": csrf})
        assert refused.status_code == 409
        assert "Add at least one session before publishing." in refused.text
        assert 'action="/console/events/' + slug + '/edit"' in refused.text  # the form again
        await browser.post(
            f"/console/events/{slug}/sessions",
            data={
                "title": "Only",
                "starts_at": "2030-05-05T10:00",
                "ends_at": "2030-05-05T11:00",
                "csrf": csrf,
            },
        )
        refused = await browser.post(publish, data={"csrf": csrf})
        assert refused.status_code == 409 and 'id="f-venue_name-error"' in refused.text
        fields = await form_on(browser, f"/console/events/{slug}/edit")
        online = {**fields, "online_url": "https://meet.example.org/signals"}
        assert (await browser.post(f"/console/events/{slug}/edit", data=online)).status_code == 303
        published = await browser.post(publish, data={"csrf": csrf})
        assert published.status_code == 303
        assert published.headers["location"] == f"/console/events/{slug}"
        assert "Publish the event" not in (await browser.get(f"/console/events/{slug}/edit")).text
    assert (await api_event(client, world, slug))["status"] == "published"
    assert (await client.get(f"/events/{slug}")).status_code == 200


async def test_cancelling_an_event_is_confirmed_first(client, world):
    event = await world.create_event(client)
    slug = event["slug"]
    await client.post(f"/api/events/{slug}/registration", headers=(await world.member()).headers)
    async with console(client, "co@nscp.test") as browser:
        confirm = await browser.get(f"/console/events/{slug}/cancel")
        assert confirm.status_code == 200
        assert f"Cancel {event['title']}?" in confirm.text
        assert "The 1 person registered" in confirm.text
        assert (await api_event(client, world, slug))["status"] == "published"  # not yet
        done = await browser.post(
            f"/console/events/{slug}/cancel", data={"csrf": csrf_of(confirm.text)}
        )
        assert done.status_code == 303 and done.headers["location"] == f"/console/events/{slug}"
        again = await browser.get(f"/console/events/{slug}/cancel")
        assert "is cancelled" in again.text and "Yes, cancel" not in again.text
    assert (await api_event(client, world, slug))["status"] == "cancelled"


async def test_posts_without_the_csrf_token_write_nothing(client, world):
    event = await world.create_event(client, title="Guarded")
    slug, session_id = event["slug"], event["sessions"][0]["id"]
    async with console(client, "co@nscp.test") as browser:
        fields = await form_on(browser, f"/console/events/{slug}/edit")
        for path, data in (
            (NEW, DENVER_NEW_EVENT),
            (f"/console/events/{slug}/edit", {**fields, "title": "Changed"}),
            (f"/console/events/{slug}/sessions", {"title": "X", "starts_at": "2030-01-01T09:00"}),
            (f"/console/events/{slug}/sessions/{session_id}/cancel", {}),
            (f"/console/events/{slug}/cancel", {}),
        ):
            for token in (None, "forged"):
                sent = {k: v for k, v in data.items() if k != "csrf"}
                if token:
                    sent["csrf"] = token
                response = await browser.post(path, data=sent)
                assert response.status_code == 403, (path, token)
                assert "expired" in response.text
    after = await api_event(client, world, slug)
    assert after["title"] == "Guarded" and after["status"] == "published"
    assert [s["status"] for s in after["sessions"]] == ["scheduled"]
    assert await api_slugs(client, world) == {slug}


async def test_what_postgresql_would_refuse_is_cleaned_or_refused_first(client, world):
    async with console(client, "co@nscp.test") as browser:
        page = await browser.get(NEW)
        data = {**DENVER_NEW_EVENT, "title": "Nul\x00 Byte", "csrf": csrf_of(page.text)}
        # NUL is refused as in the API (events.text); other control characters are cleaned.
        assert (await browser.post(NEW, data=data)).status_code == 422
        data["title"] = "Nul\x0b Byte"
        assert (await browser.post(NEW, data=data)).status_code == 303
        too_long = {**data, "slug": "other", "venue_name": "v" * 201}
        refused = await browser.post(NEW, data=too_long)
        assert refused.status_code == 422 and 'id="f-venue_name-error"' in refused.text
    assert (await api_event(client, world, "nul-byte"))["title"] == "Nul Byte"
