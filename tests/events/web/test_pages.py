"""The public pages, through the real server: lists, filters, an event, regions, errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import days_from_today
from tests.support.world import auth

HTML = "text/html"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


class Outline(HTMLParser):
    """What the accessibility checks need: headings, form controls and their labels."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.controls: list[dict] = []
        self.labels: set[str] = set()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("input", "select", "textarea") and attributes.get("type") != "hidden":
            self.controls.append(attributes)
        if tag == "label" and attributes.get("for"):
            self.labels.add(attributes["for"] or "")

    def find(self, tag: str, **attributes: str) -> list[dict]:
        return [
            found
            for name, found in self.tags
            if name == tag and all(found.get(k) == v for k, v in attributes.items())
        ]


def assert_accessible(html: str) -> Outline:
    outline = Outline(html)
    assert '<html lang="en">' in html
    assert 'href="#main"' in html and 'id="main"' in html  # skip link and its target
    assert outline.headings.count(1) == 1, outline.headings
    for previous, current in zip(outline.headings, outline.headings[1:], strict=False):
        assert current <= previous + 1, f"heading levels skip: {outline.headings}"
    for control in outline.controls:
        assert control.get("id") in outline.labels, f"control without a label: {control}"
    for landmark in ("header", "nav", "main", "footer"):
        assert outline.find(landmark), landmark
    return outline


def _at(days: int, hour: int = 17) -> datetime:
    return days_from_today(days, hour)


def _sessions(*days: float, hours: int = 3, title: str = "Session") -> list[dict]:
    return [
        {
            "title": f"{title} {n}",
            "starts_at": _at(day).isoformat(),
            "ends_at": (_at(day) + timedelta(hours=hours)).isoformat(),
        }
        for n, day in enumerate(days, start=1)
    ]


def _clock(moment: datetime) -> str:
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"


async def _page(client, url: str, status: int = 200, **params) -> str:
    response = await client.get(url, params=params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(HTML)
    return response.text


def _titles(html: str) -> list[str]:
    return re.findall(r'<h[23] class="card-title"><a href="/events/([^"]+)">', html)


@pytest.fixture
async def catalogue(client, world) -> dict[str, dict]:
    events = {
        "denver": await world.create_event(
            client,
            slug="denver-cyber",
            title="Denver Cyber Defense",
            kind="workshop",
            regions=["colorado"],
            topics=["cybersecurity"],
            capacity=30,
            sessions=_sessions(5),
        ),
        "phoenix": await world.create_event(
            client,
            slug="phoenix-transit",
            title="Phoenix Transit Webinar",
            kind="webinar",
            timezone="America/Phoenix",
            regions=["the-connective"],
            topics=["transportation"],
            venue=None,
            online_url="https://meet.example/secret-transit-room",
            sessions=_sessions(15, hours=1),
        ),
        "summit": await world.create_event(
            client,
            slug="joint-summit",
            title="Joint Resilience Summit",
            kind="conference",
            regions=["colorado", "the-connective"],
            topics=["resilience", "environment"],
            sessions=_sessions(30, 31),
        ),
    }
    await world.create_event(client, slug="hidden-draft", title="Denver Draft", publish=False)
    await world.create_event(
        client, slug="long-gone", title="Long Gone Meetup", sessions=_sessions(-20)
    )
    return events


# --- the events list ------------------------------------------------------------------------


async def test_events_list_shows_upcoming_published_events(client, catalogue):
    html = await _page(client, "/events")
    assert _titles(html) == ["denver-cyber", "phoenix-transit", "joint-summit"]
    assert "Denver Draft" not in html and "Long Gone" not in html
    assert "3 events coming up." in html
    start = _at(5).astimezone(ZoneInfo("America/Denver"))
    end = start + timedelta(hours=3)
    assert f"{_clock(start)} – {_clock(end)} {end.tzname()}" in html  # the event's zone
    phoenix = _at(15).astimezone(ZoneInfo("America/Phoenix"))
    assert f"{_clock(phoenix)} – {_clock(phoenix + timedelta(hours=1))} MST" in html
    assert f'<time datetime="{_at(5).isoformat()}">' in html
    assert "30 seats left" in html and "Open registration" in html
    assert "<dd>Online</dd>" in html and "<dd>City Hall</dd>" in html
    assert "Colorado Smart Cities Alliance, The Connective" in html  # region names
    assert (await _page(client, "/")).count('class="card-title"') == 3
    outline = assert_accessible(html)
    assert outline.find("a", href="/events", **{"aria-current": "page"})


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "colorado"}, ["denver-cyber", "joint-summit"]),
        ({"region": "the-connective"}, ["phoenix-transit", "joint-summit"]),
        ({"topic": "environment"}, ["joint-summit"]),
        ({"kind": "webinar"}, ["phoenix-transit"]),
        ({"q": "transit"}, ["phoenix-transit"]),
        ({"region": "colorado", "kind": "conference"}, ["joint-summit"]),
        ({"region": "atlantis"}, []),
    ],
)
async def test_events_list_filters(client, catalogue, params, expected):
    html = await _page(client, "/events", **params)
    assert _titles(html) == expected
    if not expected:
        assert "No events match." in html


async def test_events_list_filters_by_dates_in_local_days(client, catalogue):
    denver_day = _at(5).astimezone(ZoneInfo("America/Denver")).date()
    html = await _page(client, "/events", **{"from": denver_day.isoformat()})
    assert _titles(html) == ["denver-cyber", "phoenix-transit", "joint-summit"]
    html = await _page(client, "/events", to=denver_day.isoformat())
    assert _titles(html) == ["denver-cyber"]  # "to" includes its whole day
    day_after = denver_day + timedelta(days=1)
    html = await _page(client, "/events", **{"from": day_after.isoformat()})
    assert _titles(html) == ["phoenix-transit", "joint-summit"]
    past = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    html = await _page(client, "/events", **{"from": past, "to": denver_day.isoformat()})
    assert _titles(html) == ["long-gone", "denver-cyber"]  # an explicit "from" shows the past


async def test_events_list_keeps_the_filters_in_the_form(client, catalogue):
    html = await _page(client, "/events", region="colorado", kind="conference", q="summit")
    assert '<option value="colorado" selected>' in html
    assert '<option value="conference" selected>' in html
    assert 'name="q" type="search" value="summit"' in html
    assert 'href="/events">Clear filters</a>' in html


async def test_unusable_filters_are_explained_not_refused(client, catalogue):
    html = await _page(client, "/events", kind="party", **{"from": "next tuesday"})
    assert _titles(html) == ["denver-cyber", "phoenix-transit", "joint-summit"]
    assert "There is no kind of event called “party”" in html
    assert "should look like 2025-03-04" in html
    html = await _page(client, "/events", page="abc")
    assert len(_titles(html)) == 3


async def test_htmx_request_gets_the_list_alone(client, catalogue):
    response = await client.get(
        "/events", params={"kind": "webinar"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(HTML)
    assert "HX-Request" in response.headers["vary"]
    html = response.text
    assert "<html" not in html and "<form" not in html and "<h1" not in html
    assert _titles(html) == ["phoenix-transit"]
    assert 'id="result-count"' in html and 'hx-swap-oob="innerHTML"' in html
    assert "1 event coming up matching your filters." in html
    # A history restore needs the whole page.
    restore = await client.get(
        "/events", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in restore.text


async def test_full_page_wires_htmx_to_the_filter_form(client, catalogue):
    html = await _page(client, "/events")
    assert 'hx-get="/events" hx-target="#results"' in html
    assert re.search(r'<script src="/static/htmx\.min\.js\?v=\w+" defer>', html)
    assert 'action="/events" method="get"' in html  # works without JavaScript too
    assert "hx-swap-oob" not in html


async def test_events_list_paginates(client, world):
    for n in range(23):
        await world.create_event(
            client, slug=f"many-{n:02d}", title=f"Many {n:02d}", sessions=_sessions(2 + n)
        )
    first = await _page(client, "/events", region="colorado")
    assert len(_titles(first)) == 20
    assert "23 events coming up matching your filters, page 1 of 2." in first
    assert re.search(r'<a href="/events\?region=colorado" aria-current="page">', first)
    assert 'href="/events?region=colorado&amp;page=2" rel="next"' in first
    second = await _page(client, "/events", region="colorado", page="2")
    assert _titles(second) == ["many-20", "many-21", "many-22"]
    assert re.search(r'<a href="/events\?region=colorado&amp;page=2" aria-current="page">', second)
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert_accessible(second)


# --- one event ------------------------------------------------------------------------------


async def test_event_page(client, world):
    start = _at(12, hour=16)
    await world.create_event(
        client,
        slug="grid-track",
        title="Grid Modernization Track",
        kind="training_track",
        summary="Three mornings on the grid",
        description="## Agenda\n\nBring **your laptop**.\n\n### Day one\n\n- Intro\n- Lab",
        capacity=2,
        credit_hours=6,
        venue={
            "name": "Denver Public Library",
            "address": "10 W 14th Ave Pkwy, Denver, CO",
            "latitude": 39.7375,
            "longitude": -104.9875,
        },
        sessions=[
            {
                "title": f"Morning {n}",
                "starts_at": (start + timedelta(days=7 * n)).isoformat(),
                "ends_at": (start + timedelta(days=7 * n, hours=3)).isoformat(),
            }
            for n in range(3)
        ],
    )
    html = await _page(client, "/events/grid-track")
    assert "<title>Grid Modernization Track · Convene</title>" in html
    assert '<h1 id="event-title">Grid Modernization Track</h1>' in html
    assert "Three mornings on the grid" in html
    assert "<h3>Agenda</h3>" in html and "<h4>Day one</h4>" in html  # under "About"
    assert "<strong>your laptop</strong>" in html and "<li>Intro</li>" in html
    local = start.astimezone(ZoneInfo("America/Denver"))
    tz = local.tzname()
    assert f"{_clock(local)} – {_clock(local + timedelta(hours=3))} {tz}" in html
    assert f"America/Denver ({tz})" in html
    assert f'<time datetime="{start.isoformat()}" data-local' in html
    assert "Morning 0" in html and "Morning 2" in html
    assert "2 seats left" in html
    assert "<dd>6</dd>" in html
    assert "https://www.openstreetmap.org/?mlat=39.73750&amp;mlon=-104.98750" in html
    base = str(client.base_url)
    assert f'href="{base}/calendar/events/grid-track.ics"' in html
    assert 'href="webcal://' in html and "calendar/events/grid-track.ics" in html
    assert 'href="https://calendar.google.com/calendar/render?' in html
    assert 'href="https://outlook.live.com/calendar/' in html
    assert '<a href="/regions/colorado">Colorado Smart Cities Alliance</a>' in html
    assert re.search(r'<script src="/static/localtime\.js\?v=\w+" defer>', html)
    assert_accessible(html)


async def test_event_page_shows_the_waitlist_and_never_attendees(client, world):
    event = await world.create_event(
        client,
        title="Small Room",
        capacity=1,
        venue=None,
        online_url="https://meet.example/secret-room-42",
    )
    people = await world.members(3)
    for person in people:
        response = await client.post(
            f"/api/events/{event['slug']}/registration", headers=person.headers
        )
        assert response.status_code == 201, response.text
    html = await _page(client, f"/events/{event['slug']}")
    assert "Full: 2 on the waitlist" in html
    assert "Online. The link is sent to confirmed attendees." in html
    for page in (html, await _page(client, "/events"), await _page(client, "/regions/colorado")):
        assert "meet.example" not in page and "secret-room" not in page
        assert not EMAIL.search(page), EMAIL.search(page)
        for person in people:
            assert f"Member {person.id}" not in page


async def test_event_page_address_map_link_and_closed_registration(client, world):
    event = await world.create_event(
        client,
        title="Closed Doors",
        registration_closes_at=(datetime.now(UTC) - timedelta(hours=1)).isoformat(),
    )
    html = await _page(client, f"/events/{event['slug']}")
    assert "Registration closed" in html
    assert "https://www.openstreetmap.org/search?query=1437+Bannock+St%2C+Denver%2C+CO" in html


async def test_cancelled_event_says_so(client, world):
    event = await world.create_event(client, title="Called Off")
    await client.post(f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin))
    html = await _page(client, f"/events/{event['slug']}")
    assert "This event has been cancelled." in html
    assert "Add to calendar" not in html
    assert 'badge-alert">Cancelled' in await _page(client, "/events")


async def test_titles_and_descriptions_are_escaped(client, world):
    event = await world.create_event(
        client,
        title="<script>alert(1)</script> Hack Night",
        summary='"><img src=x onerror=alert(2)>',
        description="<script>alert(3)</script>\n\n[click](javascript:alert(4)) <b>bold</b>",
    )
    for html in (
        await _page(client, f"/events/{event['slug']}"),
        await _page(client, "/events"),
        await _page(client, "/regions/colorado"),
    ):
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Hack Night" in html
    html = await _page(client, f"/events/{event['slug']}")
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert 'href="javascript:' not in html


@pytest.mark.parametrize("path", ["/events/no-such-event", "/regions/atlantis"])
async def test_unknown_pages_are_html_404s(client, world, path):
    html = await _page(client, path, status=404)
    assert "<h1>Page not found</h1>" in html
    assert_accessible(html)


async def test_draft_event_is_a_404_page(client, world):
    event = await world.create_event(client, title="Secret Plans", publish=False)
    html = await _page(client, f"/events/{event['slug']}", status=404)
    assert "Secret Plans" not in html


# --- regions --------------------------------------------------------------------------------


async def test_regions_page_lists_regions_with_feeds(client, world):
    html = await _page(client, "/regions")
    assert '<a href="/regions/colorado">Colorado Smart Cities Alliance</a>' in html
    assert '<a href="/regions/the-connective">The Connective</a>' in html
    assert "webcal://" in html and "/calendar/regions/colorado.ics" in html
    outline = assert_accessible(html)
    assert outline.find("a", href="/regions", **{"aria-current": "page"})


async def test_region_page_lists_its_upcoming_events(client, catalogue):
    html = await _page(client, "/regions/the-connective")
    assert "<h1>The Connective</h1>" in html
    assert _titles(html) == ["phoenix-transit", "joint-summit"]
    assert "/calendar/regions/the-connective.ics" in html
    assert 'href="webcal://' in html
    colorado = await _page(client, "/regions/colorado")
    assert _titles(colorado) == ["denver-cyber", "joint-summit"]  # not the past one
    assert_accessible(colorado)


# --- footer, static files -------------------------------------------------------------------


async def test_footer_form_redirects_to_the_verification_page(client, world):
    html = await _page(client, "/events")
    assert '<form class="verify-form" action="/verify" method="get"' in html
    response = await client.get("/verify", params={"code": " abcd-efgh 1234 "})
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/verify/abcd-efgh%201234"
    followed = await client.get(response.headers["location"])
    assert followed.status_code == 404 and "Unknown" in followed.text  # certs' own page
    empty = await client.get("/verify", params={"code": ""})
    assert empty.headers["location"] == "/"


async def test_static_files(client, server):
    css = await client.get("/static/convene.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert ":focus-visible" in css.text
    assert "max-age" in css.headers["cache-control"]
    js = await client.get("/static/htmx.min.js")
    assert js.status_code == 200 and "htmx" in js.text
    assert (await client.get("/static/localtime.js")).status_code == 200
    assert (await client.get("/static/../app.py")).status_code == 404


async def test_json_api_is_unchanged(client, catalogue):
    response = await client.get("/api/events")
    assert response.headers["content-type"].startswith("application/json")
    assert (
        (await client.get("/api/events/no-such"))
        .headers["content-type"]
        .startswith("application/problem+json")
    )
