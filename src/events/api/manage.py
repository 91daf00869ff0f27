"""Organizer endpoints: events, sessions, registrations and attendance, per region."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from events import schemas
from events.api.params import PageNumber, PerPage
from events.auth import provide_organizer
from events.di import Organizer
from events.enums import EventStatus, RegistrationStatus
from events.services import attendance, decisions, events, members

ORGANIZER = {"organizer": Provide(provide_organizer)}


class ManageEventController(Controller):
    path = "/api/manage/events"
    tags = ["organizers"]
    dependencies = ORGANIZER

    @get("/", summary="Events in my regions, drafts included")
    async def list_events(
        self,
        organizer: Organizer,
        status: Annotated[EventStatus | None, QueryParameter()] = None,
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> schemas.Page[schemas.EventSummary]:
        return await events.managed_events(
            organizer, status=status.value if status else None, page=page, per_page=per_page
        )

    @post("/", summary="Create an event (as a draft)")
    async def create_event(self, organizer: Organizer, data: schemas.EventCreate) -> schemas.Event:
        return await events.create_event(organizer, data)

    @get("/{slug:str}", summary="An event, with its join link")
    async def get_event(self, organizer: Organizer, slug: FromPath[str]) -> schemas.Event:
        return await events.manager_event(organizer, slug)

    @patch("/{slug:str}", summary="Change an event; capacity changes promote from the waitlist")
    async def update_event(
        self, organizer: Organizer, slug: FromPath[str], data: schemas.EventUpdate
    ) -> schemas.Event:
        return await events.update_event(organizer, slug, data)

    @post("/{slug:str}/publish", summary="Publish a draft", status_code=HTTP_200_OK)
    async def publish(self, organizer: Organizer, slug: FromPath[str]) -> schemas.Event:
        return await events.publish_event(organizer, slug)

    @post("/{slug:str}/cancel", summary="Cancel an event", status_code=HTTP_200_OK)
    async def cancel(self, organizer: Organizer, slug: FromPath[str]) -> schemas.Event:
        return await events.cancel_event(organizer, slug)

    @post("/{slug:str}/sessions", summary="Add a session")
    async def add_session(
        self, organizer: Organizer, slug: FromPath[str], data: schemas.SessionCreate
    ) -> schemas.Event:
        return await events.add_session(organizer, slug, data)

    @get("/{slug:str}/registrations", summary="Attendees, waitlist and pending approvals")
    async def list_registrations(
        self,
        organizer: Organizer,
        slug: FromPath[str],
        status: Annotated[RegistrationStatus | None, QueryParameter()] = None,
        page: PageNumber = 1,
        per_page: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> schemas.Page[schemas.Attendee]:
        return await events.attendees(organizer, slug, status, page, per_page)

    @get(
        "/{slug:str}/registrations.csv",
        summary="Attendees as CSV",
        media_type="text/csv; charset=utf-8",
    )
    async def export_registrations(
        self, organizer: Organizer, slug: FromPath[str]
    ) -> Response[str]:
        body = await events.attendees_csv(organizer, slug)
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{slug}-attendees.csv"'},
        )


class ManageSessionController(Controller):
    path = "/api/manage/sessions/{session_id:int}"
    tags = ["organizers"]
    dependencies = ORGANIZER

    @patch("/", summary="Change a session; time or place changes bump its revision")
    async def update_session(
        self, organizer: Organizer, session_id: FromPath[int], data: schemas.SessionUpdate
    ) -> schemas.Event:
        return await events.change_session(organizer, session_id, data)

    @post("/cancel", summary="Cancel a session", status_code=HTTP_200_OK)
    async def cancel_session(
        self, organizer: Organizer, session_id: FromPath[int]
    ) -> schemas.Event:
        return await events.cancel_session(organizer, session_id)

    @get("/attendance", summary="Who is checked in")
    async def list_attendance(
        self, organizer: Organizer, session_id: FromPath[int]
    ) -> list[schemas.CheckIn]:
        return await attendance.session_check_ins(organizer, session_id)

    @post("/attendance", summary="Check in one or many registrations", status_code=HTTP_200_OK)
    async def check_in(
        self, organizer: Organizer, session_id: FromPath[int], data: schemas.CheckInRequest
    ) -> schemas.CheckInResult:
        return await attendance.check_in(organizer, session_id, data)

    @delete("/attendance/{registration_id:int}", summary="Undo a check-in")
    async def undo_check_in(
        self, organizer: Organizer, session_id: FromPath[int], registration_id: FromPath[int]
    ) -> None:
        await attendance.undo_check_in(organizer, session_id, registration_id)


class ManageRegistrationController(Controller):
    path = "/api/manage/registrations/{registration_id:int}"
    tags = ["organizers"]
    dependencies = ORGANIZER

    @post("/approve", summary="Approve a pending registration", status_code=HTTP_200_OK)
    async def approve(
        self, organizer: Organizer, registration_id: FromPath[int]
    ) -> schemas.Registration:
        return members.registration_struct(await decisions.approve(organizer, registration_id))

    @post("/decline", summary="Decline a pending registration", status_code=HTTP_200_OK)
    async def decline(
        self, organizer: Organizer, registration_id: FromPath[int]
    ) -> schemas.Registration:
        return members.registration_struct(await decisions.decline(organizer, registration_id))

    @post(
        "/promote",
        summary="Admit from the waitlist out of turn (adds a seat when full)",
        status_code=HTTP_200_OK,
    )
    async def promote(
        self, organizer: Organizer, registration_id: FromPath[int]
    ) -> schemas.Registration:
        return members.registration_struct(await decisions.promote(organizer, registration_id))

    @delete("/", summary="Remove a registration", status_code=HTTP_200_OK)
    async def remove(
        self, organizer: Organizer, registration_id: FromPath[int]
    ) -> schemas.Registration:
        return members.registration_struct(await decisions.remove(organizer, registration_id))


class ManageMemberController(Controller):
    path = "/api/manage/members"
    tags = ["organizers"]
    dependencies = ORGANIZER

    @post("/", summary="Create a member (admins)", status_code=HTTP_201_CREATED)
    async def create_member(
        self, organizer: Organizer, data: schemas.MemberCreate
    ) -> schemas.Member:
        return await members.create_member_as(organizer, data)

    @post("/{member_id:int}/tokens", summary="Issue a member API token (admins)")
    async def issue_token(
        self, organizer: Organizer, member_id: FromPath[int], data: schemas.TokenCreate
    ) -> schemas.IssuedToken:
        return await members.issue_member_token_as(organizer, member_id, data.label)
