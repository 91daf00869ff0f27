"""Certificates as a Convene extension: verification and issuing routes, the console's
certificate page, the render pool's shutdown, and the sweep of unfinished jobs."""

from __future__ import annotations

from pathlib import Path

from events.extensions import ConsoleLink, ConvenePlugin, Sweep

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
        from certs.tasks import sweep_certificate_jobs

        return [sweep_certificate_jobs]
