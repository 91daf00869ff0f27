"""Answers to an event's registration questions, checked against the questions."""

from __future__ import annotations

from typing import cast

from events.enums import QuestionKind
from events.errors import InvalidInput
from events.text import clean_tree


def validate_answers(
    questions: list[dict], answers: dict[str, str | bool]
) -> dict[str, str | bool]:
    """Return the answers cleaned up, or raise InvalidInput listing every problem.

    Text is cleaned here too (not only in the API's body decoding): answers also arrive
    from the Slack bot and the web form."""
    answers = cast(dict[str, str | bool], clean_tree(answers, "answers"))
    by_key = {question["key"]: question for question in questions}
    errors: list[dict[str, str]] = [
        {"question": key, "message": "There is no such question."}
        for key in answers
        if key not in by_key
    ]
    cleaned: dict[str, str | bool] = {}
    for key, question in by_key.items():
        value = answers.get(key)
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if question.get("required"):
                errors.append({"question": key, "message": "An answer is required."})
            continue
        kind = QuestionKind(question.get("kind", QuestionKind.text))
        if kind is QuestionKind.boolean and not isinstance(value, bool):
            errors.append({"question": key, "message": "Answer true or false."})
        elif kind is QuestionKind.choice and value not in question.get("choices", []):
            errors.append({"question": key, "message": "Pick one of the offered choices."})
        elif kind is QuestionKind.text and not isinstance(value, str):
            errors.append({"question": key, "message": "Answer with text."})
        elif isinstance(value, str) and len(value) > 2000:
            errors.append({"question": key, "message": "Keep the answer under 2000 characters."})
        else:
            cleaned[key] = value
    if errors:
        raise InvalidInput(
            "Some answers to the registration questions are missing or invalid.",
            reason="invalid_answers",
            errors=errors,
        )
    return cleaned
