"""Member endpoints, authenticated by a personal API token."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import Provide
from litestar.params import FromPath, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from events import schemas
from events.api.params import PageNumber, PerPage
from events.auth import bearer_token, provide_member
from events.di import Member
from events.errors import NotFound
from events.services import members, registrations


class MeController(Controller):
    path = "/api/me"
    tags = ["members"]
    dependencies = {"member": Provide(provide_member)}

    @get("/", summary="The member behind the token")
    async def me(self, member: Member) -> schemas.Member:
        return await members.member(member.id)

    @get("/registrations", summary="My registrations, soonest event first")
    async def my_registrations(
        self,
        member: Member,
        include_inactive: Annotated[
            bool, QueryParameter(description="Also cancelled and declined ones")
        ] = False,
        page: PageNumber = 1,
        per_page: PerPage = 20,
    ) -> schemas.Page[schemas.MyRegistration]:
        return await members.my_registrations(
            member, include_inactive=include_inactive, page=page, per_page=per_page
        )


class RegistrationController(Controller):
    path = "/api/events/{slug:str}/registration"
    tags = ["members"]
    dependencies = {"member": Provide(provide_member)}

    @post(
        "/",
        summary="Register (idempotent)",
        description="201 when created, 200 with the existing registration on a repeat.",
        status_code=HTTP_201_CREATED,
    )
    async def register(
        self, slug: FromPath[str], request: Request, data: schemas.RegistrationCreate | None = None
    ) -> Response[schemas.Registration]:
        # The hot path of a flash crowd: the token is checked in the same query as the
        # event (registrations.register_by_token), not by the member dependency first.
        token = bearer_token(request)
        record = await registrations.register_by_token(token, slug, data.answers if data else {})
        return Response(
            members.registration_struct(record),
            status_code=HTTP_201_CREATED if record.created else HTTP_200_OK,
        )

    @get("/", summary="My registration for this event")
    async def get_registration(self, slug: FromPath[str], member: Member) -> schemas.Registration:
        record = await registrations.registration_of(member, slug)
        if record is None:
            raise NotFound("You are not registered for this event.")
        return members.registration_struct(record)

    @delete("/", summary="Cancel my registration", status_code=HTTP_200_OK)
    async def cancel(self, slug: FromPath[str], member: Member) -> schemas.Registration:
        return members.registration_struct(await registrations.cancel(member, slug))
