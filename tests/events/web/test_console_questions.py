"""An event's registration questions in the organizer console, through the real server: the
rows, keys that stay with their questions, removing, the form's errors, the service's
refusals, confinement to an organizer's regions, CSRF; and the pure form reader."""

from __future__ import annotations

import httpx
import pytest

from events import schemas
from events.db import fetch
from events.web.console import question_forms
from events.web.console.form_fields import FormInvalid
from events.web.console.question_forms import QuestionRow, QuestionsForm
from tests.events.web.test_console import console, csrf_of
from tests.events.web.test_console_events import api_event, form_on

DIET = {"key": "diet", "label": "Dietary needs", "kind": "text", "required": False}
ROLE = {"key": "role", "label": "Your role", "kind": "choice", "choices": ["Staff", "Elected"]}


def questions_of(slug: str) -> str:
    return f"/console/events/{slug}/questions"


async def answers_of(client: httpx.AsyncClient, slug: str, person) -> dict:
    response = await client.get(f"/api/events/{slug}/registration", headers=person.headers)
    assert response.status_code == 200, response.text
    return response.json()["answers"]


async def test_questions_are_added_and_changed_and_answers_stay(client, world):
    event = await world.create_event(client, questions=[DIET])
    slug = event["slug"]
    person = await world.member()
    registered = await client.post(
        f"/api/events/{slug}/registration",
        json={"answers": {"diet": "vegan"}},
        headers=person.headers,
    )
    assert registered.status_code == 201, registered.text
    path = questions_of(slug)
    async with console(client, "co@nscp.test") as browser:
        details = await browser.get(f"/console/events/{slug}/edit")
        assert f'href="{path}"' in details.text  # linked from the event's status box
        page = await browser.get(path)
        assert page.status_code == 200
        html = page.text
        assert f'href="{path}" aria-current="page">Questions</a>' in html
        # The question, then two empty rows, each a fieldset with its legend.
        assert html.count("<fieldset") == 3 and "<legend>Question 3</legend>" in html
        assert '<label for="f-q-0-label">Label</label>' in html
        assert 'aria-describedby="f-q-0-label-hint"' in html  # where its answers are kept
        assert f'href="{path}?rows=5">Add more rows</a>' in html
        fields = await form_on(browser, path)
        assert fields["q-0-key"] == "diet" and fields["q-0-label"] == "Dietary needs"
        assert fields["q-0-kind"] == "text" and "q-0-required" not in fields
        assert fields["q-1-label"] == "" and "q-1-key" not in fields
        saved = await browser.post(
            path,
            data={
                **fields,
                "q-0-label": "Food allergies?",
                "q-0-required": "yes",
                "q-1-label": "T-shirt size",
                "q-1-kind": "choice",
                "q-1-choices": "S\r\nM\r\n\r\n L \r\nM",
                "q-2-label": "Parking needed?",
                "q-2-kind": "boolean",
                "q-2-choices": "ignored for yes or no",
            },
        )
        assert saved.status_code == 303, saved.text
        assert saved.headers["location"] == f"{path}?saved=1"
        shown = await browser.get(saved.headers["location"])
        assert "The questions are saved." in shown.text
        fields = await form_on(browser, path)
        assert fields["q-1-key"] == "t_shirt_size" and fields["q-1-choices"] == "S\nM\nL"
        assert fields["q-0-required"] == "yes" and fields["q-2-kind"] == "boolean"
        assert fields["q-3-label"] == fields["q-4-label"] == ""  # two empty rows again
    after = await api_event(client, world, slug)
    assert after["questions"] == [
        {
            "key": "diet",
            "label": "Food allergies?",
            "kind": "text",
            "required": True,
            "choices": [],
        },
        {
            "key": "t_shirt_size",
            "label": "T-shirt size",
            "kind": "choice",
            "required": False,
            "choices": ["S", "M", "L"],
        },
        {
            "key": "parking_needed",
            "label": "Parking needed?",
            "kind": "boolean",
            "required": False,
            "choices": [],
        },
    ]
    # The answer given under the old label is still there, under the same key.
    assert await answers_of(client, slug, person) == {"diet": "vegan"}


async def test_removing_a_question_keeps_answers_and_its_key_unused(client, world):
    event = await world.create_event(client, questions=[DIET, ROLE])
    slug = event["slug"]
    person = await world.member()
    answers = {"diet": "none", "role": "Staff"}
    await client.post(
        f"/api/events/{slug}/registration", json={"answers": answers}, headers=person.headers
    )
    path = questions_of(slug)
    async with console(client, "co@nscp.test") as browser:
        fields = await form_on(browser, path)
        assert fields["q-1-kind"] == "choice" and fields["q-1-choices"] == "Staff\nElected"
        saved = await browser.post(
            path,
            data={
                **fields,
                "q-0-remove": "yes",
                "q-1-label": "Your job",  # relabelled: still "role"
                "q-2-label": "Diet",  # "diet" was the removed question's
                "q-3-label": "Your role",  # "role" is taken
            },
        )
        assert saved.status_code == 303, saved.text
    after = await api_event(client, world, slug)
    assert [(q["key"], q["label"]) for q in after["questions"]] == [
        ("role", "Your job"),
        ("diet_2", "Diet"),
        ("your_role", "Your role"),
    ]
    assert await answers_of(client, slug, person) == answers
    async with console(client, "co@nscp.test") as browser:
        fields = await form_on(browser, path)
        removed = {k: v for k, v in fields.items() if not k.startswith("q-")}
        assert (await browser.post(path, data=removed)).status_code == 303  # no rows: none left
    assert (await api_event(client, world, slug))["questions"] == []


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"q-1-required": "yes"}, "q-1-label", "Type the question, or tick Remove"),
        ({"q-0-label": ""}, "q-0-label", "Type the question, or tick Remove"),
        ({"q-1-label": "x" * 301}, "q-1-label", "Keep the question to 300 characters."),
        ({"q-1-label": "Size", "q-1-kind": "choice"}, "q-1-choices", "Give the choices"),
        ({"q-1-label": "Size", "q-1-kind": "choice", "q-1-choices": " \n "}, "q-1-choices", "Give"),
        (
            {"q-1-label": "Size", "q-1-kind": "choice", "q-1-choices": "x" * 301},
            "q-1-choices",
            "Keep each choice to 300 characters.",
        ),
        ({"q-1-label": "Essay", "q-1-kind": "essay"}, "q-1-kind", "Choose the kind of answer."),
        ({"q-0-key": "Not A Key!"}, "q-0-label", "could not be read"),
        ({"q-1-label": "Again", "q-1-key": "diet"}, "q-1-label", "could not be read"),
    ],
)
async def test_invalid_rows_show_the_form_again_and_write_nothing(
    client, world, changes, field, message
):
    event = await world.create_event(client, questions=[DIET])
    path = questions_of(event["slug"])
    async with console(client, "co@nscp.test") as browser:
        fields = await form_on(browser, path)
        typed = {**fields, "q-2-label": "Kept <as typed>", **changes}
        response = await browser.post(path, data=typed)
    assert response.status_code == 422, response.text
    assert "text/html" in response.headers["content-type"]
    html = response.text
    assert f'<span class="field-error" id="f-{field}-error">' in html
    assert message in html.split(f'id="f-{field}-error">')[1].split("</span>")[0]
    assert f'href="#f-{field}"' in html  # the summary links to the field
    tag = html.split(f'id="f-{field}"')[1].split(">")[0]
    assert f'f-{field}-error"' in tag and 'aria-invalid="true"' in tag
    assert 'value="Kept &lt;as typed&gt;"' in html  # what was typed stays, escaped
    assert (await api_event(client, world, event["slug"]))["questions"] == [{**DIET, "choices": []}]


async def test_at_most_twenty_questions_and_more_rows_on_request(client, world):
    event = await world.create_event(client, questions=[DIET])
    path = questions_of(event["slug"])
    async with console(client, "co@nscp.test") as browser:
        for rows, blank in (("abc", 2), ("-4", 0), ("999", 20), ("5", 5)):
            page = await browser.get(f"{path}?rows={rows}")
            assert page.status_code == 200
            assert page.text.count("<fieldset") == 1 + blank, rows
        assert "Add more rows" not in (await browser.get(f"{path}?rows=20")).text
        fields = await form_on(browser, path)
        many = {**fields, **{f"q-{n}-label": f"Question number {n}" for n in range(1, 21)}}
        response = await browser.post(path, data=many)
        assert response.status_code == 422
        assert 'id="f-questions-error">Ask at most 20 questions' in response.text
        assert 'href="#f-questions"' in response.text
        assert response.text.count("<fieldset") == 21  # as typed
        del many["q-20-label"]
        assert (await browser.post(path, data=many)).status_code == 303
    assert len((await api_event(client, world, event["slug"]))["questions"]) == 20


async def test_a_service_refusal_shows_the_form_with_its_message(client, world):
    event = await world.create_event(client, questions=[DIET])
    slug = event["slug"]
    path = questions_of(slug)
    async with console(client, "co@nscp.test") as browser:
        fields = await form_on(browser, path)
        # Changed behind the form's back: a published event without a venue or a join link.
        await fetch("UPDATE event SET venue_name = NULL, online_url = NULL WHERE slug = {}", slug)
        response = await browser.post(path, data={**fields, "q-1-label": "New one"})
    assert response.status_code == 409
    assert 'id="form-notice">A published event needs a venue' in response.text
    assert 'value="New one"' in response.text
    assert [q["key"] for q in (await api_event(client, world, slug))["questions"]] == ["diet"]


async def test_organizers_change_only_their_regions_questions(client, world):
    event = await world.create_event(client, questions=[DIET])
    path = questions_of(event["slug"])
    async with console(client, "phx@nscp.test") as browser:
        csrf = csrf_of((await browser.get("/console")).text)
        for response in (
            await browser.get(path),
            await browser.post(path, data={"csrf": csrf, "q-0-label": "Mine now"}),
        ):
            assert response.status_code == 403
            assert "text/html" in response.headers["content-type"]
            assert "region you do not organize" in response.text
    async with console(client, "door@nscp.test") as browser:
        assert (await browser.get(path)).status_code == 403  # check-in staff
    assert (await api_event(client, world, event["slug"]))["questions"] == [{**DIET, "choices": []}]


async def test_posts_without_the_csrf_token_write_nothing(client, world):
    event = await world.create_event(client, questions=[DIET])
    path = questions_of(event["slug"])
    async with console(client, "co@nscp.test") as browser:
        fields = await form_on(browser, path)
        for token in (None, "forged"):
            sent = {k: v for k, v in fields.items() if k != "csrf"}
            sent["q-0-remove"] = "yes"
            if token:
                sent["csrf"] = token
            response = await browser.post(path, data=sent)
            assert response.status_code == 403 and "expired" in response.text
    assert (await api_event(client, world, event["slug"]))["questions"] == [{**DIET, "choices": []}]


# The pure form reader ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "taken", "key"),
    [
        ("Dietary needs?", (), "dietary_needs"),
        ("Café crème", (), "cafe_creme"),
        ("¿¡!?", (), "question"),
        ("日本語", ("question",), "question_2"),
        ("Size", ("size", "size_2"), "size_3"),
        ("a" * 60, ("a" * 40,), "a" * 38 + "_2"),
    ],
)
def test_a_new_questions_key_comes_from_its_label(label, taken, key):
    assert question_forms.derive_key(label, set(taken)) == key


def test_rows_are_read_in_number_order_and_blank_rows_left_out():
    posted = {
        "q-10-label": "Second",
        "q-2-label": ["First"],
        "q-2-kind": "boolean",
        "q-2-remove": "",
        "q-5-label": "",
        "q-5-kind": "text",
        "q-x-label": "not a row",
        "csrf": "token",
    }
    form = question_forms.read_questions(posted)
    assert [row.label for row in form.rows] == ["First", "", "Second"]
    update = question_forms.questions_update(form)
    assert update.questions == [
        schemas.Question(key="first", label="First", kind="boolean"),
        schemas.Question(key="second", label="Second"),
    ]


def test_too_many_rows_are_refused_before_anything_else():
    form = QuestionsForm(rows=[QuestionRow(label="x")] * 101)
    with pytest.raises(FormInvalid) as refused:
        question_forms.questions_update(form)
    assert list(refused.value.errors) == ["questions"]
