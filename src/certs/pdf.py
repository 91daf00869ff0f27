"""HTML to PDF with WeasyPrint; many certificates as one document, split with pypdf.

``import weasyprint`` takes about a second, so this module is imported only by the code
that renders (the worker, or a download whose PDF is missing), never at web start-up.
"""

from __future__ import annotations

import io
import logging
import threading

from pypdf import PdfReader, PdfWriter
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from certs.render import TEMPLATES

logging.getLogger("weasyprint").setLevel(logging.WARNING)  # it reports every step at INFO


def offline_fetcher() -> URLFetcher:
    """Certificates render offline: http(s) and every other remote scheme are refused."""
    return URLFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)


class RenderError(RuntimeError):
    """The document referred to something it may not fetch (e.g. a remote image)."""


_local = threading.local()


def _font_config() -> FontConfiguration:
    """One per thread, reused: a new one per document costs ~19 ms and ~0.3 MB that is
    never given back, which adds up in a long-lived process."""
    if not hasattr(_local, "fonts"):
        _local.fonts = FontConfiguration()
    return _local.fonts


def render_pdf(html: str) -> bytes:
    base = TEMPLATES.as_uri() + "/"
    document = HTML(string=html, base_url=base, url_fetcher=offline_fetcher())
    try:
        return document.write_pdf(font_config=_font_config())
    except FatalURLFetchingError as exc:
        # A BaseException: it would slip past `except Exception` and leave a job running.
        raise RenderError(f"{exc}: certificates render offline") from exc


def split_pages(document: bytes) -> list[bytes]:
    """One PDF per page of ``document``: one certificate each."""
    reader = PdfReader(io.BytesIO(document))
    pages = []
    for page in reader.pages:
        writer = PdfWriter()
        writer.add_page(page)
        out = io.BytesIO()
        writer.write(out)
        pages.append(out.getvalue())
    return pages
