"""HTML to PDF with WeasyPrint; many certificates as one document, split with pypdf.

``import weasyprint`` takes about a second, so this module is imported only by the code
that renders (the worker, or a download whose PDF is missing), never at web start-up.
"""

from __future__ import annotations

import io
import logging
import threading

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    EncodedStreamObject,
    NameObject,
    StreamObject,
)
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from certs.render import TEMPLATES, CertificateView, certificates_html

logging.getLogger("weasyprint").setLevel(logging.WARNING)  # it reports every step at INFO

BACKDROP = NameObject("/ConveneBackdrop")


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
    return [_single_page_pdf(page) for page in PdfReader(io.BytesIO(document)).pages]


def render_certificates(views: list[CertificateView]) -> list[bytes]:
    """One PDF per certificate, the same as rendering each by itself, but cheaper.

    Certificates of one bulk run differ only in their holder's name, organization, code
    and QR code. So the backdrop they share is rendered once, the holders' layers as one
    document, and each page is stacked onto its backdrop, which is embedded as a form
    XObject (drawn by reference, not laid out again). Where backdrops barely repeat,
    whole pages are cheaper, and that is what is rendered.
    """
    backdrops = list(dict.fromkeys(view.backdrop for view in views))
    if len(backdrops) * 2 > len(views):
        return split_pages(render_pdf(certificates_html(views)))
    forms = [_as_form(page) for page in _pages(certificates_html(backdrops, "backdrop"))]
    form_of = dict(zip(backdrops, forms, strict=True))
    holders = _pages(certificates_html(views, "holder"))
    return [
        _single_page_pdf(page, underneath=form_of[view.backdrop])
        for view, page in zip(views, holders, strict=True)
    ]


def _pages(html: str) -> list[PageObject]:
    return list(PdfReader(io.BytesIO(render_pdf(html))).pages)


def _as_form(page: PageObject) -> EncodedStreamObject:
    """A page as a form XObject: its drawing, its resources and its box."""
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form[NameObject("/Type")] = NameObject("/XObject")
    form[NameObject("/Subtype")] = NameObject("/Form")
    form[NameObject("/BBox")] = page.mediabox
    form[NameObject("/Resources")] = page["/Resources"]
    return form.flate_encode()


def _single_page_pdf(page: PageObject, underneath: StreamObject | None = None) -> bytes:
    writer = PdfWriter()
    added = writer.add_page(page)
    if underneath is not None:
        resources = added["/Resources"].get_object()
        xobjects = resources.setdefault(NameObject("/XObject"), type(resources)())
        xobjects.get_object()[BACKDROP] = writer._add_object(underneath.clone(writer))
        draw = DecodedStreamObject()
        draw.set_data(b"q " + BACKDROP.encode() + b" Do Q\n")
        # The backdrop first, so the holder's layer is drawn over it; q/Q leave the page's
        # own graphics state as its content stream expects it.
        added[NameObject("/Contents")] = ArrayObject(
            [writer._add_object(draw), *_content_refs(added)]
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _content_refs(page: PageObject) -> list:
    contents = page.raw_get("/Contents")
    resolved = contents.get_object()
    return list(resolved) if isinstance(resolved, ArrayObject) else [contents]
