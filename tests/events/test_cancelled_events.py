"""A cancelled event offers nobody a seat: no path that frees or adds seats promotes its
waitlist, shows a join link or queues a "you have a seat" message (services.seats)."""

from __future__ import annotations

from events.db import fetch
from events.enums import NotificationKind
from tests.support.world import auth

LINK = "https://meet.example.test/room"


async def _full_event_with_waitlist(client, world, waiting: int = 2):
    event = await world.create_event(client, capacity=1, online_url=LINK)
    seated, *queued = await world.members(1 + waiting)
    for person in (seated, *queued):
        response = await client.post(
            f"/api/events/{event['slug']}/registration", json={}, headers=person.headers
        )
        assert response.status_code == 201, response.text
    cancel = await client.post(
        f"/api/manage/events/{event['slug']}/cancel", headers=auth(world.admin)
    )
    assert cancel.status_code == 200, cancel.text
    return event, seated, queued


async def _statuses(slug: str) -> list[str]:
    rows = await fetch(
        "SELECT r.status FROM registration r JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} ORDER BY r.arrival",
        slug,
    )
    return [row["status"] for row in rows]


async def _promoted_messages(slug: str) -> list[dict]:
    return await fetch(
        "SELECT n.id FROM notification n JOIN registration r ON r.id = n.registration "
        "JOIN event e ON e.id = r.event WHERE e.slug = {} AND n.kind = 'promoted'",
        slug,
    )


async def test_a_confirmed_member_cancelling_promotes_nobody(client, world):
    event, seated, queued = await _full_event_with_waitlist(client, world)
    url = f"/api/events/{event['slug']}/registration"
    assert (await client.delete(url, headers=seated.headers)).status_code == 200
    assert await _statuses(event["slug"]) == ["cancelled", "waitlisted", "waitlisted"]
    head = (await client.get(url, headers=queued[0].headers)).json()
    assert head["status"] == "waitlisted" and head["online_url"] is None
    assert await _promoted_messages(event["slug"]) == []
    counters = await fetch("SELECT seats_taken FROM event WHERE slug = {}", event["slug"])
    assert counters[0]["seats_taken"] == 0  # the freed seat is counted free, not handed on


async def test_raising_capacity_or_lifting_it_promotes_nobody(client, world):
    event, _, _ = await _full_event_with_waitlist(client, world)
    for capacity in (5, None):
        response = await client.patch(
            f"/api/manage/events/{event['slug']}",
            json={"capacity": capacity},
            headers=auth(world.admin),
        )
        assert response.status_code == 200, response.text
    assert await _statuses(event["slug"]) == ["confirmed", "waitlisted", "waitlisted"]
    assert await _promoted_messages(event["slug"]) == []


async def test_an_organizer_removing_or_promoting_offers_no_seat(client, world):
    event, seated, queued = await _full_event_with_waitlist(client, world)
    ids = {
        row["member"]: row["id"]
        for row in await fetch(
            "SELECT r.id, r.member FROM registration r JOIN event e ON e.id = r.event "
            "WHERE e.slug = {}",
            event["slug"],
        )
    }
    removed = await client.delete(
        f"/api/manage/registrations/{ids[seated.id]}", headers=auth(world.admin)
    )
    assert removed.status_code == 200, removed.text
    promoted = await client.post(
        f"/api/manage/registrations/{ids[queued[0].id]}/promote", headers=auth(world.admin)
    )
    assert promoted.status_code == 409, promoted.text
    assert promoted.json()["reason"] == "event_cancelled"
    assert await _statuses(event["slug"]) == ["cancelled", "waitlisted", "waitlisted"]
    assert await _promoted_messages(event["slug"]) == []


async def test_confirmed_members_of_a_cancelled_event_see_no_join_link(client, world):
    event, seated, _ = await _full_event_with_waitlist(client, world, waiting=0)
    mine = await client.get(f"/api/events/{event['slug']}/registration", headers=seated.headers)
    assert mine.json()["status"] == "confirmed" and mine.json()["online_url"] is None


class _Recorder:
    def __init__(self) -> None:
        self.sent: list = []

    async def send(self, message) -> None:
        self.sent.append(message)


async def test_a_seat_message_queued_before_the_cancellation_is_not_sent(client, world):
    """Promoted before the cancel, delivered after it: the news is stale, so it is dropped
    (marked sent) rather than telling someone they have a seat at a cancelled event."""
    from events.notifier import get_notifier, set_notifier
    from events.services import notifications

    event, _, queued = await _full_event_with_waitlist(client, world, waiting=1)
    [registration] = await fetch("SELECT id FROM registration WHERE member = {}", queued[0].id)
    await notifications.record(NotificationKind.promoted, [registration["id"]])
    [notification] = await fetch(
        "SELECT id FROM notification WHERE registration = {} AND kind = 'promoted'",
        registration["id"],
    )
    notification_id = notification["id"]
    recorder, previous = _Recorder(), get_notifier()
    set_notifier(recorder)
    try:
        assert await notifications.deliver(notification_id) is True
    finally:
        set_notifier(previous)
    assert recorder.sent == []
    sent = await fetch("SELECT sent_at FROM notification WHERE id = {}", notification_id)
    assert sent[0]["sent_at"] is not None
