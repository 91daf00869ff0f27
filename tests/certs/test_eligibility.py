"""The eligibility rule, a pure function, and the attendance it is fed from the database."""

from __future__ import annotations

from decimal import Decimal

from certs.eligibility import (
    Rule,
    SessionAttendance,
    attendance_by_registration,
    evaluate,
    rule_for,
)
from certs.enums import CreditMode
from events.enums import EventKind
from tests.support.certificates import (
    check_in,
    event_id,
    held_event,
    register,
    session,
    session_ids,
    set_rule,
)
from tests.support.world import auth

WORKSHOP = EventKind.workshop
TRACK = EventKind.training_track


def attended(*flags: bool, hours: str = "1.5", required: tuple[int, ...] = ()) -> list:
    """Sessions in order; ``flags`` say which were attended; ``required`` are indexes."""
    return [
        SessionAttendance(
            session_id=i + 1,
            title=f"Session {i + 1}",
            hours=Decimal(hours),
            required=i in required,
            attended=flag,
        )
        for i, flag in enumerate(flags)
    ]


def sessions_of(*hours_attended: tuple[str, bool]) -> list[SessionAttendance]:
    return [
        SessionAttendance(i + 1, f"Session {i + 1}", Decimal(hours), False, flag)
        for i, (hours, flag) in enumerate(hours_attended)
    ]


# Workshops, webinars and conferences: N sessions, or H hours.


def test_by_default_one_session_is_enough():
    verdict = evaluate(WORKSHOP, Rule(), attended(False, True, False))
    assert verdict.eligible
    assert verdict.missing == []
    assert verdict.attended_sessions == 1


def test_by_default_attending_nothing_is_not_enough():
    verdict = evaluate(WORKSHOP, Rule(), attended(False, False))
    assert not verdict.eligible
    assert verdict.attended_sessions == 0
    assert verdict.missing == ["Check in to at least 1 session (attended 0, 0 hours)."]


def test_an_event_without_sessions_certifies_nobody():
    verdict = evaluate(WORKSHOP, Rule(), [])
    assert not verdict.eligible
    assert verdict.missing


def test_exactly_n_sessions_is_enough_and_one_fewer_is_not():
    rule = Rule(min_sessions=3)
    assert evaluate(EventKind.conference, rule, attended(True, True, True, False)).eligible
    short = evaluate(EventKind.conference, rule, attended(True, True, False, False))
    assert not short.eligible
    assert short.missing == ["Check in to at least 3 sessions (attended 2, 3 hours)."]


def test_hours_are_an_alternative_to_sessions():
    rule = Rule(min_sessions=3, min_hours=Decimal("4"))
    verdict = evaluate(
        EventKind.webinar, rule, sessions_of(("2.5", True), ("1.5", True), ("1", False))
    )
    assert verdict.eligible  # two sessions, but exactly four hours
    assert verdict.attended_hours == Decimal("4")


def test_just_under_the_hours_and_the_sessions_is_not_enough():
    rule = Rule(min_sessions=3, min_hours=Decimal("4"))
    verdict = evaluate(
        EventKind.webinar, rule, sessions_of(("2.5", True), ("1.25", True), ("1", False))
    )
    assert not verdict.eligible
    assert verdict.missing == [
        "Check in to at least 3 sessions or 4 hours (attended 2, 3.75 hours)."
    ]


def test_sessions_still_count_when_the_rule_also_sets_hours():
    rule = Rule(min_sessions=2, min_hours=Decimal("10"))
    assert evaluate(WORKSHOP, rule, attended(True, True, hours="0.5")).eligible


def test_the_missing_hours_are_written_for_people():
    """Durations such as 80 minutes are not whole hours: say 1.33, not 1.333333333…"""
    rule = Rule(min_sessions=2, min_hours=Decimal("3"))
    eighty_minutes = Decimal(str(80 * 60 / 3600))
    sessions = [SessionAttendance(1, "Keynote", eighty_minutes, False, True)]
    verdict = evaluate(WORKSHOP, rule, sessions)
    assert verdict.missing == [
        "Check in to at least 2 sessions or 3 hours (attended 1, 1.33 hours)."
    ]


def test_three_eighty_minute_sessions_are_exactly_four_hours():
    """Durations come from floats (4800 s / 3600): their sum must not fall short of H."""
    eighty_minutes = Decimal(str(80 * 60 / 3600))
    sessions = [SessionAttendance(i, f"S{i}", eighty_minutes, False, True) for i in range(3)]
    verdict = evaluate(WORKSHOP, Rule(min_sessions=5, min_hours=Decimal("4")), sessions)
    assert verdict.eligible, verdict.missing
    assert verdict.attended_hours == Decimal("4")


# Training tracks: every required session, and N in all.


def test_a_track_needs_every_required_session():
    verdict = evaluate(TRACK, Rule(min_sessions=2), attended(True, True, False, required=(0, 2)))
    assert not verdict.eligible
    assert verdict.missing == ["Attend the required session “Session 3”."]


def test_a_missed_required_session_counts_even_when_n_is_exceeded():
    verdict = evaluate(
        TRACK, Rule(min_sessions=2), attended(False, True, True, True, required=(0,))
    )
    assert verdict.attended_sessions == 3
    assert not verdict.eligible
    assert verdict.missing == ["Attend the required session “Session 1”."]


def test_a_track_needs_n_sessions_in_all_besides_the_required_ones():
    verdict = evaluate(
        TRACK, Rule(min_sessions=3), attended(True, True, False, False, required=(0, 1))
    )
    assert not verdict.eligible
    assert verdict.missing == ["Attend at least 3 sessions in all (attended 2)."]


def test_a_track_names_everything_that_is_missing():
    verdict = evaluate(TRACK, Rule(min_sessions=3), attended(False, False, True, required=(0, 1)))
    assert verdict.missing == [
        "Attend the required session “Session 1”.",
        "Attend the required session “Session 2”.",
        "Attend at least 3 sessions in all (attended 1).",
    ]


def test_a_track_with_every_required_session_and_exactly_n_is_complete():
    verdict = evaluate(
        TRACK, Rule(min_sessions=3), attended(True, True, True, False, required=(0, 2))
    )
    assert verdict.eligible
    assert verdict.missing == []


def test_hours_do_not_replace_sessions_on_a_track():
    rule = Rule(min_sessions=3, min_hours=Decimal("1"))
    verdict = evaluate(TRACK, rule, attended(True, False, False, hours="8"))
    assert not verdict.eligible


# Credit hours.


def test_fixed_credit_is_the_events_hours_whatever_was_attended():
    rule = Rule(credit=CreditMode.fixed, fixed_hours=Decimal("6.5"))
    verdict = evaluate(WORKSHOP, rule, attended(True, False, hours="1"))
    assert verdict.credit_hours == Decimal("6.50")


def test_attended_credit_sums_the_attended_durations_rounded_to_hundredths():
    rule = Rule(credit=CreditMode.attended, fixed_hours=Decimal("6"))
    eighty_minutes = Decimal(str(80 * 60 / 3600))  # as attendance_by_registration computes it
    sessions = [
        SessionAttendance(1, "A", eighty_minutes, False, True),
        SessionAttendance(2, "B", eighty_minutes, False, True),
        SessionAttendance(3, "C", Decimal("3"), False, False),
    ]
    verdict = evaluate(WORKSHOP, rule, sessions)
    assert verdict.credit_hours == Decimal("2.67")
    assert str(verdict.credit_hours) == "2.67"


def test_attended_credit_rounds_half_up():
    rule = Rule(credit=CreditMode.attended)
    seven_and_a_half_minutes = Decimal(str(450 / 3600))  # 0.125
    verdict = evaluate(WORKSHOP, rule, sessions_of((str(seven_and_a_half_minutes), True)))
    assert verdict.credit_hours == Decimal("0.13")


def test_attended_credit_is_zero_when_nothing_was_attended():
    verdict = evaluate(WORKSHOP, Rule(credit=CreditMode.attended), attended(False, False))
    assert verdict.credit_hours == Decimal("0.00")


# From the database: the rule row, and attendance session by session.


async def test_without_a_rule_row_an_event_gets_the_defaults_of_its_kind(client, world):
    event = await held_event(client, world, credit_hours=2.5)
    rule = await rule_for({"id": await event_id(event), "credit_hours": 2.5})
    assert rule == Rule(
        min_sessions=1, min_hours=None, credit=CreditMode.fixed, fixed_hours=Decimal("2.5")
    )


async def test_the_rule_row_is_read_as_written(client, world):
    event = await held_event(client, world, credit_hours=3)
    await set_rule(event, min_sessions=2, min_hours=3.5, credit="attended")
    rule = await rule_for({"id": await event_id(event), "credit_hours": 3})
    assert rule == Rule(
        min_sessions=2,
        min_hours=Decimal("3.5"),
        credit=CreditMode.attended,
        fixed_hours=Decimal("3"),
    )


async def test_attendance_comes_session_by_session_with_durations(client, world):
    event = await held_event(
        client,
        world,
        kind="training_track",
        sessions=[
            session("Intro", 1.5, day=0, required=True),
            session("Lab", 80 / 60, day=1),
        ],
    )
    ids = session_ids(event)
    person = await world.member()
    registration_id = await register(client, event, person)
    await check_in(client, world, ids["Lab"], registration_id)

    attendance = await attendance_by_registration(await event_id(event))

    assert [(s.title, s.required, s.attended) for s in attendance[registration_id]] == [
        ("Intro", True, False),
        ("Lab", False, True),
    ]
    assert attendance[registration_id][0].hours == Decimal("1.5")
    lab_credit = evaluate(TRACK, Rule(credit=CreditMode.attended), attendance[registration_id])
    assert lab_credit.credit_hours == Decimal("1.33")


async def test_cancelled_sessions_neither_count_nor_are_required(client, world):
    event = await held_event(
        client,
        world,
        kind="training_track",
        sessions=[
            session("Foundations", 2, day=0, required=True),
            session("Field visit", 3, day=1, required=True),
            session("Wrap-up", 1, day=2),
        ],
    )
    ids = session_ids(event)
    person = await world.member()
    registration_id = await register(client, event, person)
    await check_in(client, world, ids["Foundations"], registration_id)
    await check_in(client, world, ids["Wrap-up"], registration_id)
    await set_rule(event, min_sessions=2, credit="attended")
    # Attended, then cancelled: it no longer counts.
    cancelled = await client.post(
        f"/api/manage/sessions/{ids['Wrap-up']}/cancel", headers=auth(world.admin)
    )
    assert cancelled.status_code == 200, cancelled.text
    before = await attendance_by_registration(await event_id(event))
    assert [s.title for s in before[registration_id]] == ["Foundations", "Field visit"]
    # Required but cancelled: no longer required.
    cancelled = await client.post(
        f"/api/manage/sessions/{ids['Field visit']}/cancel", headers=auth(world.admin)
    )
    assert cancelled.status_code == 200, cancelled.text

    attendance = await attendance_by_registration(await event_id(event))
    sessions = attendance[registration_id]

    assert [s.title for s in sessions] == ["Foundations"]
    rule = await rule_for({"id": await event_id(event), "credit_hours": 0})
    verdict = evaluate(TRACK, rule, sessions)
    assert verdict.missing == ["Attend at least 2 sessions in all (attended 1)."]
    assert verdict.credit_hours == Decimal("2.00")  # the cancelled hour is not credited


async def test_only_confirmed_registrations_are_evaluated(client, world):
    event = await held_event(client, world)
    staying, leaving = await world.members(2)
    kept = await register(client, event, staying)
    gone = await register(client, event, leaving)
    await check_in(client, world, event["sessions"][0]["id"], kept, gone)
    response = await client.delete(
        f"/api/events/{event['slug']}/registration", headers=leaving.headers
    )
    assert response.status_code == 200, response.text

    attendance = await attendance_by_registration(await event_id(event))

    assert set(attendance) == {kept}


async def test_hours_exactly_h_from_real_sessions_are_enough(client, world):
    event = await held_event(
        client,
        world,
        sessions=[session(f"Part {n}", 80 / 60, day=n) for n in range(4)],
        credit_hours=5,
    )
    await set_rule(event, min_sessions=4, min_hours=4, credit="attended")
    person = await world.member()
    registration_id = await register(client, event, person)
    for title in ("Part 0", "Part 1", "Part 2"):
        await check_in(client, world, session_ids(event)[title], registration_id)

    response = await client.get(f"/api/events/{event['slug']}/certificate", headers=person.headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["eligible"] is True, body
    assert body["missing"] == []
    assert (body["attended_sessions"], body["attended_hours"], body["credit_hours"]) == (3, 4, 4)
