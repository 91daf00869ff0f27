"""Certificates as a Convene extension: verification and issuing routes, the console's
certificate page, the render pool's shutdown, the sweeps of unfinished jobs and of
certificates without their holder's message, the jobs' progress in /metrics, and the
member's certificates on their page, in their export and at their erasure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events.extensions import ConsoleLink, ConvenePlugin, MemberSection, Sweep

TEMPLATES = Path(__file__).parent / "templates"


class CertificatesPlugin(ConvenePlugin):
    name = "certs"

    def route_handlers(self) -> list:
        from certs.api import (
            ManageCertificateController,
            MyCertificateController,
            VerificationController,
        )

        return [VerificationController, ManageCertificateController, MyCertificateController]

    def shutdown_hooks(self) -> list:
        from certs.documents import shutdown_render_pool

        return [shutdown_render_pool]

    def console_pages(self) -> list:
        from certs.console import CertificateConsoleController

        return [CertificateConsoleController]

    def console_links(self) -> list[ConsoleLink]:
        return [ConsoleLink("Certificates", "/console/events/{slug}/certificates")]

    def template_directories(self) -> list[Path]:
        return [TEMPLATES]

    def sweeps(self) -> list[Sweep]:
        from certs.messages import record_missing_messages
        from certs.tasks import sweep_certificate_jobs

        return [sweep_certificate_jobs, record_missing_messages]

    def frequent_sweeps(self) -> list[Sweep]:
        from certs.tasks import resume_stalled_jobs

        return [resume_stalled_jobs]

    def metrics(self) -> list:
        from certs.jobs import certificate_jobs

        return [certificate_jobs]

    async def member_sections(self, member_id: int) -> list[MemberSection]:
        from certs import member_data

        return await member_data.sections(member_id)

    async def member_export(self, member_id: int) -> dict[str, Any]:
        from certs import member_data

        return await member_data.export(member_id)

    async def erase_member(self, member_id: int) -> None:
        from certs import member_data

        await member_data.erase(member_id)
