"""Organizer routes for the bot: curating the FAQ, and the questions waiting for an answer.

They work whether or not Slack is configured: the FAQ can be prepared before the bot runs.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter

from bot import faq_admin
from bot.enums import FaqScope, QuestionStatus
from bot.schemas import FaqEntry, FaqEntryCreate, FaqEntryUpdate, PendingQuestion
from events import schemas
from events.api.params import PageNumber, PerPage
from events.auth import provide_organizer
from events.di import Organizer

ORGANIZER = {"organizer": Provide(provide_organizer)}


class FaqController(Controller):
    path = "/api/manage/faq"
    tags = ["faq"]
    dependencies = ORGANIZER

    @get("/", summary="FAQ entries: the coalition's, my regions' and their events'")
    async def list_entries(
        self,
        organizer: Organizer,
        event: Annotated[str | None, QueryParameter(description="Event slug")] = None,
        region: Annotated[str | None, QueryParameter(description="Region slug")] = None,
        # "scope" is Litestar's reserved name for the ASGI scope: alias the parameter.
        faq_scope: Annotated[FaqScope | None, QueryParameter(query="scope")] = None,
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> schemas.Page[FaqEntry]:
        return await faq_admin.list_entries(
            organizer, event=event, region=region, scope=faq_scope, page=page, per_page=per_page
        )

    @post("/", summary="Add an entry for an event, a region or the coalition (admins)")
    async def create_entry(self, organizer: Organizer, data: FaqEntryCreate) -> FaqEntry:
        return await faq_admin.create_entry(organizer, data)

    @patch("/{entry_id:int}", summary="Reword an entry's question or answer")
    async def update_entry(
        self, organizer: Organizer, entry_id: FromPath[int], data: FaqEntryUpdate
    ) -> FaqEntry:
        return await faq_admin.update_entry(organizer, entry_id, data)

    @delete("/{entry_id:int}", summary="Remove an entry")
    async def delete_entry(self, organizer: Organizer, entry_id: FromPath[int]) -> None:
        await faq_admin.delete_entry(organizer, entry_id)


class QuestionController(Controller):
    path = "/api/manage/questions"
    tags = ["faq"]
    dependencies = ORGANIZER

    @get("/", summary="Members' questions, by default those waiting for an organizer")
    async def list_questions(
        self,
        organizer: Organizer,
        status: Annotated[QuestionStatus, QueryParameter()] = QuestionStatus.escalated,
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> schemas.Page[PendingQuestion]:
        return await faq_admin.pending_questions(
            organizer, status=status, page=page, per_page=per_page
        )
