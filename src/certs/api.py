"""Certificate routes: public verification and download, organizer issuing, eligibility."""

from __future__ import annotations

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.di import Provide
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.params import FromPath
from litestar.response import File
from litestar.status_codes import HTTP_200_OK, HTTP_202_ACCEPTED, HTTP_404_NOT_FOUND

from certs import documents, issuing, jobs, verification
from certs.render import render_verify_page
from certs.schemas import (
    CertificateRuleView,
    CertificateStatusView,
    Eligibility,
    Job,
    ReissueRequest,
    RevokeRequest,
)
from certs.service import eligibility_for_member
from events.auth import provide_member, provide_organizer
from events.config import get_settings
from events.di import Member, Organizer
from events.errors import NotFound, http_error_handler


def _rate_limited() -> list:
    per_minute = get_settings().verify_rate_limit
    return [RateLimitConfig(rate_limit=("minute", per_minute)).middleware]


def _too_many_requests(request: Request, exc: TooManyRequestsException) -> Response:
    """The problem+json answer, keeping the RateLimit-* headers that say when to retry."""
    response = http_error_handler(request, exc)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if "RateLimit-Reset" in (exc.headers or {}):
        response.headers["Retry-After"] = exc.headers["RateLimit-Reset"]
    return response


def _rule_view(row: dict) -> CertificateRuleView:
    hours = row["min_hours"]
    return CertificateRuleView(
        min_sessions=row["min_sessions"],
        min_hours=None if hours is None else float(hours),
        credit=row["credit"],
    )


class VerificationController(Controller):
    """Public: anyone holding a code. Rate-limited per client address."""

    tags = ["certificates"]
    exception_handlers = {TooManyRequestsException: _too_many_requests}

    def __init__(self, owner) -> None:
        self.middleware = _rate_limited()
        super().__init__(owner)

    @get("/verify/{code:str}", summary="Verification page for people", include_in_schema=False)
    async def verify_page(self, code: FromPath[str]) -> Response[str]:
        row = await verification.find(code)
        view = verification.status_view(row) if row else None
        return Response(
            render_verify_page(view),
            media_type="text/html",
            status_code=HTTP_200_OK if view else HTTP_404_NOT_FOUND,
        )

    @get("/api/certificates/{code:str}", summary="Verify a certificate")
    async def status(self, code: FromPath[str]) -> CertificateStatusView:
        row = await verification.find(code)
        if row is None:
            raise NotFound("No certificate has this code.", state="unknown")
        return verification.status_view(row)

    @get("/api/certificates/{code:str}/badge", summary="Open Badges 3.0 credential")
    async def badge(self, code: FromPath[str]) -> Response[dict]:
        row = await verification.find(code)
        if row is None:
            raise NotFound("No certificate has this code.", state="unknown")
        return Response(verification.badge(row), media_type="application/vc+ld+json")

    @get("/certificates/{filename:str}", summary="Download the PDF; the code is the key")
    async def download(self, filename: FromPath[str]) -> File:
        row = await verification.find(filename.removesuffix(".pdf"))
        if row is None or not filename.endswith(".pdf") or row["status"] != "valid":
            raise NotFound("No certificate to download here.")
        path = await documents.ensure_pdf(row)
        return File(
            path=path,
            filename=f"certificate-{row['code'][:10]}.pdf",
            media_type="application/pdf",
            content_disposition_type="inline",
        )


class ManageCertificateController(Controller):
    path = "/api/manage"
    tags = ["organizers"]
    dependencies = {"organizer": Provide(provide_organizer)}

    @post(
        "/events/{slug:str}/certificates",
        summary="Issue certificates to every eligible attendee (a job; poll it)",
        status_code=HTTP_202_ACCEPTED,
    )
    async def bulk_issue(self, organizer: Organizer, slug: FromPath[str]) -> Job:
        return await jobs.start(organizer, slug)

    @get("/events/{slug:str}/certificate-rule", summary="How attendees earn the certificate")
    async def get_rule(self, organizer: Organizer, slug: FromPath[str]) -> CertificateRuleView:
        return _rule_view(await issuing.get_rule(organizer, slug))

    @put("/events/{slug:str}/certificate-rule", summary="Set how attendees earn the certificate")
    async def set_rule(
        self, organizer: Organizer, slug: FromPath[str], data: CertificateRuleView
    ) -> CertificateRuleView:
        rule = msgspec.structs.asdict(data)
        return _rule_view(await issuing.set_rule(organizer, slug, rule))

    @get("/certificate-jobs/{job_id:int}", summary="A bulk issue job's progress")
    async def job(self, organizer: Organizer, job_id: FromPath[int]) -> Job:
        return await jobs.progress(organizer, job_id)

    @post(
        "/registrations/{registration_id:int}/certificate",
        summary="Issue one registration's certificate",
        status_code=HTTP_200_OK,
    )
    async def issue_one(
        self, organizer: Organizer, registration_id: FromPath[int]
    ) -> CertificateStatusView:
        row = await issuing.issue_one(organizer, registration_id)
        return verification.status_view(await verification.find(row["code"]))

    @post(
        "/certificates/{code:str}/revoke", summary="Revoke, with a reason", status_code=HTTP_200_OK
    )
    async def revoke(
        self, organizer: Organizer, code: FromPath[str], data: RevokeRequest
    ) -> CertificateStatusView:
        row = await issuing.revoke(organizer, code, data.reason, data.note)
        return verification.status_view(await verification.find(row["code"]))

    @post(
        "/certificates/{code:str}/reissue",
        summary="Re-issue (e.g. a corrected name); the old one stays on record",
        status_code=HTTP_200_OK,
    )
    async def reissue(
        self, organizer: Organizer, code: FromPath[str], data: ReissueRequest
    ) -> CertificateStatusView:
        row = await issuing.reissue(organizer, code, data.holder_name)
        return verification.status_view(await verification.find(row["code"]))


class MyCertificateController(Controller):
    path = "/api/events/{slug:str}/certificate"
    tags = ["members"]
    dependencies = {"member": Provide(provide_member)}

    @get("/", summary="Do I qualify for a certificate, and what is missing?")
    async def eligibility(self, member: Member, slug: FromPath[str]) -> Eligibility:
        return await eligibility_for_member(member, slug)
