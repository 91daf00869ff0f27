"""The console's registration-questions form: rows of typed fields, read into the API's
``schemas.Question`` list.

Pure: no database, no HTTP; form_fields.py reads the text. Each row's fields are named
``q-<n>-<field>``; the rows are read in the order of their numbers and shown again numbered
0, 1, 2, ... An existing question keeps its key (a hidden field), so relabelling it keeps the
answers registrants gave under that key; a new question's key is made from its label, unlike
every key the event has or the form mentions, so a removed question's answers are never
taken for a new question's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from typing import Any

from msgspec import Struct

from events import schemas
from events.enums import QuestionKind
from events.errors import DomainError
from events.web.console.form_fields import (
    FieldReader,
    FormInvalid,
    convert,
    posted_text,
    posted_ticked,
)

KEY = re.compile(r"^[a-z0-9_]{1,40}$")  # schemas.Question.key
FIELD = re.compile(r"^q-(\d{1,4})-(key|label|kind|required|choices|remove)$")
KIND_OPTIONS = [
    (QuestionKind.text.value, "Text answer"),
    (QuestionKind.choice.value, "Choice"),
    (QuestionKind.boolean.value, "Yes or no"),
]
KINDS = {value for value, _ in KIND_OPTIONS}
MAX_QUESTIONS = schemas.MAX_QUESTIONS
MAX_LABEL = schemas.MAX_LABEL
MAX_CHOICES = schemas.MAX_CHOICES
MAX_CHOICE = schemas.MAX_CHOICE
MAX_ROWS = 100  # rows read from one form; a page offers at most MAX_QUESTIONS + MAX_BLANK
BLANK_ROWS = 2  # empty rows under the questions
MAX_BLANK = 20
LIST = "questions"  # the form's own field: problems with the list as a whole


class QuestionRow(Struct, kw_only=True):
    """One row as typed (or as prefilled from a question); ``key`` is empty for a new one."""

    key: str = ""
    label: str = ""
    kind: str = QuestionKind.text.value
    required: bool = False
    choices: str = ""  # one per line
    remove: bool = False

    @property
    def is_blank(self) -> bool:
        """Nothing typed: the row is left out."""
        return not (
            self.key
            or self.label
            or self.required
            or self.choices
            or self.kind != QuestionKind.text.value
        )


class QuestionsForm(Struct, kw_only=True):
    rows: list[QuestionRow] = []

    def values(self) -> dict[str, Any]:
        """Every row's fields by their names, for the form's field macros."""
        return {
            f"q-{n}-{field}": getattr(row, field)
            for n, row in enumerate(self.rows)
            for field in QuestionRow.__struct_fields__
        }


def refusal(exc: DomainError) -> tuple[dict[str, str], str | None]:
    """(field errors, notice): the form's own problems by field, a service's as a notice
    (its reasons name no row)."""
    return (exc.errors, None) if isinstance(exc, FormInvalid) else ({}, exc.detail)


def blank_count(requested: str | None) -> int:
    """How many empty rows a page asks for (``?rows=5``), within reason."""
    try:
        count = int(requested or BLANK_ROWS)
    except ValueError:
        count = BLANK_ROWS
    return min(max(count, 0), MAX_BLANK)


def questions_form(questions: list[schemas.Question], blank: int = BLANK_ROWS) -> QuestionsForm:
    rows = [
        QuestionRow(
            key=question.key,
            label=question.label,
            kind=str(question.kind),
            required=question.required,
            choices="\n".join(question.choices),
        )
        for question in questions
    ]
    return QuestionsForm(rows=rows + [QuestionRow() for _ in range(blank)])


def read_questions(data: Mapping[str, Any]) -> QuestionsForm:
    """The rows as posted, in the order of their numbers (unnumbered fields are ignored)."""
    numbers = sorted({int(found[1]) for name in data if (found := FIELD.match(str(name)))})
    return QuestionsForm(
        rows=[
            QuestionRow(
                key=posted_text(data, f"q-{n}-key"),
                label=posted_text(data, f"q-{n}-label"),
                kind=posted_text(data, f"q-{n}-kind") or QuestionKind.text.value,
                required=posted_ticked(data, f"q-{n}-required"),
                choices=posted_text(data, f"q-{n}-choices", multiline=True),
                remove=posted_ticked(data, f"q-{n}-remove"),
            )
            for n in numbers
        ]
    )


def derive_key(label: str, taken: Collection[str]) -> str:
    """ "Dietary needs?" -> "dietary_needs", or "dietary_needs_2" when that one is taken."""
    plain = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "_", plain).strip("_")[:40].rstrip("_") or "question"
    key, n = base, 1
    while key in taken:
        n += 1
        suffix = f"_{n}"
        key = base[: 40 - len(suffix)].rstrip("_") + suffix
    return key


def _choices(read: FieldReader, field: str, text: str) -> list[str]:
    choices = list(dict.fromkeys(line.strip() for line in text.split("\n") if line.strip()))
    if not choices:
        read.fail(field, "Give the choices, one per line.")
    elif len(choices) > MAX_CHOICES:
        read.fail(field, f"Offer at most {MAX_CHOICES} choices.")
    elif any(len(choice) > MAX_CHOICE for choice in choices):
        read.fail(field, f"Keep each choice to {MAX_CHOICE} characters.")
    return choices


def _question(read: FieldReader, n: int, row: QuestionRow) -> dict[str, Any]:
    """One kept row's values; its key is settled afterwards."""
    name = f"q-{n}-"
    if not row.label:
        read.fail(name + "label", "Type the question, or tick Remove to leave it out.")
    elif len(row.label) > MAX_LABEL:
        read.fail(name + "label", f"Keep the question to {MAX_LABEL} characters.")
    if row.kind not in KINDS:
        read.fail(name + "kind", "Choose the kind of answer.")
    is_choice = row.kind == QuestionKind.choice.value
    return {
        "key": row.key,
        "label": row.label,
        "kind": row.kind if row.kind in KINDS else QuestionKind.text.value,
        "required": row.required,
        # Typed choices stay on the form for another kind, but only a choice offers them.
        "choices": _choices(read, name + "choices", row.choices) if is_choice else [],
    }


def field_order(form: QuestionsForm) -> list[str]:
    """The form's fields in page order: the list of problems follows it."""
    fields = ("label", "kind", "choices", "key")
    return [LIST, *(f"q-{n}-{field}" for n in range(len(form.rows)) for field in fields)]


def questions_update(form: QuestionsForm, current: Collection[str] = ()) -> schemas.EventUpdate:
    """The questions the form keeps, in its order, as the event's new list. ``current``: the
    keys of the event's questions now, which a new question's key never takes."""
    read = FieldReader(field_order(form))
    if len(form.rows) > MAX_ROWS:
        read.fail(LIST, f"The form has more than {MAX_ROWS} rows: reload the page.")
        read.done()
    kept: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, row in enumerate(form.rows):
        if row.remove or row.is_blank:
            continue
        if row.key and (not KEY.match(row.key) or row.key in seen):
            # Only a changed page sends these: the form never does.
            read.fail(f"q-{n}-label", "This question could not be read: reload the page.")
        seen.add(row.key)
        kept.append(_question(read, n, row))
    if len(kept) > MAX_QUESTIONS:
        read.fail(LIST, f"Ask at most {MAX_QUESTIONS} questions: remove some.")
    read.done()
    # Every key the event has or the form mentions, removed ones included, stays unused.
    taken = {*current, *(row.key for row in form.rows if row.key)}
    for values in kept:
        if not values["key"]:
            values["key"] = derive_key(values["label"], taken)
            taken.add(values["key"])
    return convert({"questions": kept}, schemas.EventUpdate)


def more_rows(form: QuestionsForm) -> int | None:
    """How many empty rows the "Add more rows" link asks for; None when no more fit."""
    blank = sum(row.is_blank for row in form.rows)
    if blank >= MAX_BLANK or len(form.rows) >= MAX_QUESTIONS:
        return None
    return min(blank + 3, MAX_BLANK)
