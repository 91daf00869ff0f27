"""The console's page for an event's registration questions.

Thin like event_pages.py: read the rows (question_forms), make one service call (the event's
whole question list is replaced; registrations keep the answers they hold), redirect. A
refusal, the form's own or the service's, shows the rows again as typed with the problem
next to its field. Events the organizer may not change are refused by the services, shown
as the console's error pages.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, get, post
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect, Template

from events import schemas
from events.auth import OrganizerPrincipal
from events.di import Organizer
from events.errors import DomainError
from events.services import events
from events.web.console import event_views, question_forms
from events.web.console.pages import CONSOLE_ORGANIZER
from events.web.console.question_forms import QuestionsForm
from events.web.console.responses import page

QUESTIONS = "console/event_questions.html"
Flag = Annotated[str | None, QueryParameter(required=False)]


def _questions_page(
    request: Request,
    organizer: OrganizerPrincipal,
    event: schemas.Event,
    form: QuestionsForm,
    refused: DomainError | None = None,
    *,
    saved: bool = False,
) -> Template:
    errors, notice = question_forms.refusal(refused) if refused else ({}, None)
    return page(
        request,
        QUESTIONS,
        organizer,
        status_code=refused.status if refused else 200,
        event=event,
        form=form,
        values=form.values(),
        kinds=question_forms.KIND_OPTIONS,
        more_rows=question_forms.more_rows(form),
        limit=question_forms.MAX_QUESTIONS,
        errors=errors,
        notice=notice,
        saved=saved,
    )


class QuestionEditorController(Controller):
    """What an event asks people when they register."""

    path = "/events/{slug:str}/questions"  # under the console router (/console)
    include_in_schema = False
    dependencies = CONSOLE_ORGANIZER

    @get("/")
    async def questions(
        self,
        request: Request,
        organizer: Organizer,
        slug: FromPath[str],
        rows: Flag = None,
        saved: Flag = None,
    ) -> Template:
        event = await event_views.managed_event(organizer, slug)
        form = question_forms.questions_form(event.questions, question_forms.blank_count(rows))
        return _questions_page(request, organizer, event, form, saved=saved == "1")

    @post("/")
    async def save(
        self, request: Request, organizer: Organizer, slug: FromPath[str]
    ) -> Redirect | Template:
        event = await event_views.managed_event(organizer, slug)
        # The raw form: its fields are numbered rows (q-0-label, q-1-label, ...).
        form = question_forms.read_questions((await request.form()).dict())
        try:
            changes = question_forms.questions_update(form, [q.key for q in event.questions])
            await events.update_event(organizer, slug, changes)
        except DomainError as refused:
            if "reason" not in refused.extra:  # not about the form (forbidden, not found)
                raise
            return _questions_page(request, organizer, event, form, refused)
        return Redirect(f"/console/events/{slug}/questions?saved=1", status_code=303)
