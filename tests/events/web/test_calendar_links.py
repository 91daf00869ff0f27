"""Item 11.11: "Add to calendar" offers Google, Outlook for work or school and Outlook.com,
with spaces as %20 (Outlook shows a "+" as a plus sign), on the real event page."""

from __future__ import annotations

from html.parser import HTMLParser

from tests.support.world import auth

TITLE = "Smart Streets & Curbs: 1 + 1"


class Links(HTMLParser):
    """Each link's text (visible words only) and its href, unescaped by the parser."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: dict[str, str] = {}
        self._href: str | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href, self._text = dict(attrs).get("href"), []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links["".join(self._text).strip()] = self._href
            self._href = None


async def test_the_event_page_offers_both_outlooks_and_google_encoded_with_percent_20(
    client, world, server
):
    event = await world.create_event(
        client,
        title=TITLE,
        sessions=[
            {
                "title": "Main",
                "starts_at": "2030-06-03T09:00:00.750-06:00",
                "ends_at": "2030-06-03T11:30:00-06:00",
            }
        ],
    )
    details = f"{server}/events/{event['slug']}".replace(":", "%3A").replace("/", "%2F")
    subject = "Smart%20Streets%20%26%20Curbs%3A%201%20%2B%201"
    outlook_query = (
        f"path=%2Fcalendar%2Faction%2Fcompose&rru=addevent&subject={subject}"
        "&startdt=2030-06-03T15%3A00%3A00Z&enddt=2030-06-03T17%3A30%3A00Z"
        f"&body={details}&location=City%20Hall"
    )
    expected = {
        "Google Calendar": (
            f"https://calendar.google.com/calendar/render?action=TEMPLATE&text={subject}"
            f"&dates=20300603T150000Z%2F20300603T173000Z&details={details}&location=City%20Hall"
        ),
        "Outlook (work or school)": (
            f"https://outlook.office.com/calendar/0/deeplink/compose?{outlook_query}"
        ),
        "Outlook.com": f"https://outlook.live.com/calendar/0/deeplink/compose?{outlook_query}",
    }
    page = await client.get(f"/events/{event['slug']}", headers={"accept": "text/html"})
    assert page.status_code == 200
    links = Links(page.text).links
    for label, url in expected.items():
        assert links[label] == url, label
    # The API (and the bot, which shows the API's links) gives the very same URLs.
    detail = (await client.get(f"/api/events/{event['slug']}")).json()["calendar"]
    assert detail["google"] == expected["Google Calendar"]
    assert detail["outlook_office"] == expected["Outlook (work or school)"]
    assert detail["outlook"] == expected["Outlook.com"]
    manager = await client.get(f"/api/manage/events/{event['slug']}", headers=auth(world.admin))
    assert manager.json()["calendar"] == detail
