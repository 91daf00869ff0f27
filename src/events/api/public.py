"""Public endpoints: the event catalogue, regions and topics."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from events import schemas
from events.api.params import PageNumber, PerPage
from events.enums import EventKind
from events.errors import NotFound
from events.services import catalog


class EventController(Controller):
    path = "/api/events"
    tags = ["events"]

    @get("/", summary="List published events")
    async def list_events(
        self,
        region: Annotated[str | None, QueryParameter(description="Region slug")] = None,
        topic: Annotated[str | None, QueryParameter(description="Topic slug")] = None,
        kind: Annotated[EventKind | None, QueryParameter()] = None,
        starts_after: Annotated[
            datetime | None, QueryParameter(query="from", description="Events ending after")
        ] = None,
        starts_before: Annotated[
            datetime | None, QueryParameter(query="to", description="Events starting before")
        ] = None,
        q: Annotated[str | None, QueryParameter(max_length=100, description="Text")] = None,
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> schemas.Page[schemas.EventSummary]:
        return await catalog.list_events(
            region=region,
            topic=topic,
            kind=kind.value if kind else None,
            starts_after=starts_after,
            starts_before=starts_before,
            text=q,
            page=page,
            per_page=per_page,
        )

    @get("/{slug:str}", summary="An event with its sessions and seats left")
    async def get_event(self, slug: FromPath[str]) -> schemas.Event:
        event = await catalog.public_event(slug)
        if event is None:
            raise NotFound(f"No event '{slug}'.")
        return event


class CatalogController(Controller):
    path = "/api"
    tags = ["events"]

    @get("/regions", summary="The coalition's regions")
    async def list_regions(self) -> list[schemas.Region]:
        return await catalog.regions()

    @get("/topics", summary="Event topics")
    async def list_topics(self) -> list[schemas.Topic]:
        return await catalog.topics()
