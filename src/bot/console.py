"""The console's FAQ page: the entries an organizer may curate (and the coalition's), adding
and removing them, and members' questions from Slack still waiting for an organizer."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Redirect, Template

from bot import faq_admin
from bot.enums import QuestionStatus
from bot.schemas import FaqEntry, FaqEntryCreate, PendingQuestion
from events.auth import OrganizerPrincipal
from events.di import Organizer
from events.errors import InvalidInput
from events.web.console.pages import CONSOLE_ORGANIZER
from events.web.console.responses import page

SHOWN = 200  # entries and questions on the page; the API pages through the rest


class FaqForm(msgspec.Struct):
    scope: str = ""
    question: str = ""
    answer: str = ""
    event: str = ""
    region: str = ""


class FaqPage(msgspec.Struct):
    entries: list[FaqEntry]
    entries_total: int
    questions: list[PendingQuestion]
    questions_total: int


async def faq_page(organizer: OrganizerPrincipal) -> FaqPage:
    entries = await faq_admin.list_entries(
        organizer, event=None, region=None, scope=None, page=1, per_page=SHOWN
    )
    questions = await faq_admin.pending_questions(
        organizer, status=QuestionStatus.escalated, page=1, per_page=SHOWN
    )
    return FaqPage(entries.items, entries.total, questions.items, questions.total)


async def add_entry(organizer: OrganizerPrincipal, form: FaqForm) -> FaqEntry:
    """The form's text fields as the API's FaqEntryCreate (same limits, same checks)."""
    fields = {
        "scope": form.scope,
        "question": form.question,
        "answer": form.answer,
        "event": form.event.strip() or None,
        "region": form.region.strip() or None,
    }
    try:
        data = msgspec.convert(fields, FaqEntryCreate)
    except msgspec.ValidationError as exc:
        raise InvalidInput(f"Check the form: {exc}", reason="invalid_faq_entry") from None
    return await faq_admin.create_entry(organizer, data)


class FaqConsoleController(Controller):
    path = "/faq"  # under the console router (/console)
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/")
    async def faq(self, request: Request, organizer: Organizer) -> Template:
        view = await faq_page(organizer)
        return page(request, "console/faq.html", organizer, view=view)

    @post("/")
    async def add(
        self,
        organizer: Organizer,
        data: Annotated[FaqForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Redirect:
        entry = await add_entry(organizer, data)
        return Redirect(f"/console/faq#entry-{entry.id}", status_code=303)

    @post("/{entry_id:int}/delete")
    async def delete(self, organizer: Organizer, entry_id: FromPath[int]) -> Redirect:
        await faq_admin.delete_entry(organizer, entry_id)
        return Redirect("/console/faq", status_code=303)
