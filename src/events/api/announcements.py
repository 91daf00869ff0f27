"""Organizer endpoints for announcements to an event's registrants, and their delivery."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from events.announcement_schemas import (
    Announcement,
    AnnouncementCreate,
    AnnouncementDetail,
    AnnouncementPreview,
    Audience,
)
from events.api.manage import ORGANIZER
from events.api.params import PageNumber, PerPage
from events.di import Organizer
from events.enums import DeliveryState
from events.schemas import Page
from events.services import announcements


class AnnouncementController(Controller):
    path = "/api/manage/events/{slug:str}/announcements"
    tags = ["organizers"]
    dependencies = ORGANIZER

    @post(
        "/preview",
        summary="How many an announcement to this audience would reach (nothing is sent)",
        status_code=HTTP_200_OK,
    )
    async def preview(
        self, organizer: Organizer, slug: FromPath[str], data: Audience
    ) -> AnnouncementPreview:
        return await announcements.preview(organizer, slug, data)

    @post(
        "/",
        summary="Send an announcement to the event's registrants (409 no_recipients if none)",
        status_code=HTTP_201_CREATED,
    )
    async def send(
        self, organizer: Organizer, slug: FromPath[str], data: AnnouncementCreate
    ) -> Announcement:
        return await announcements.send(organizer, slug, data)

    @get("/", summary="Announcements sent, newest first, with delivery counts per channel")
    async def history(
        self,
        organizer: Organizer,
        slug: FromPath[str],
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> Page[Announcement]:
        return await announcements.history(organizer, slug, page, per_page)

    @get("/{announcement_id:int}", summary="One announcement and each recipient's delivery")
    async def detail(
        self,
        organizer: Organizer,
        slug: FromPath[str],
        announcement_id: FromPath[int],
        # "state" is a name Litestar reserves for the app's state: read it by its query name
        in_state: Annotated[DeliveryState | None, QueryParameter(query="state")] = None,
        page: PageNumber = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> AnnouncementDetail:
        return await announcements.detail(
            organizer, slug, announcement_id, in_state, page, per_page
        )
