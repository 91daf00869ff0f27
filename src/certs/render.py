"""Certificate HTML: plain data in, HTML out (pure; no database, no HTTP).

WeasyPrint turns it into PDF in certs.pdf, which is imported only where PDFs are made.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal

import segno
from jinja2 import Environment, FileSystemLoader, select_autoescape

from certs.fit import Box, size_class, size_classes, size_for
from events.formatting import KIND_LABELS

TEMPLATES = Path(__file__).parent / "templates"
QR_MASK = 2

# The boxes of the variable text, in points, where the template places them (1in = 72pt):
# each holds the longest value allowed (names, titles and organizations 200 characters,
# regions 120, places 300) by wrapping and smaller type, and never pushes another box.
COLUMN = 9 * 72  # the centred column, 1in from either edge of the 11in page
SIGNATURE = 4.2 * 72
BOXES = {
    "region": Box(COLUMN, 0.34 * 72, 13, 5, 1.15, letter_spacing=0.12, small_caps=True),
    "name": Box(COLUMN, 0.78 * 72, 30, 6, 1.15),
    "organization": Box(COLUMN, 0.3 * 72, 12, 5, 1.15),
    "event": Box(COLUMN, 0.72 * 72, 18, 5, 1.15),
    "details": Box(COLUMN, 0.4 * 72, 11, 5, 1.25),
    "credit": Box(COLUMN, 0.28 * 72, 13, 5, 1.15),
    "signatory_name": Box(SIGNATURE, 0.5 * 72, 10.5, 5, 1.2),
    "signatory_title": Box(SIGNATURE, 0.5 * 72, 10.5, 5, 1.2),
    "verify_at": Box(3.6 * 72, 12, 8.5, 4, 1.3),
}
SIZE_CLASSES = size_classes(list(BOXES.values()))


@dataclass(frozen=True, slots=True)
class Branding:
    primary_color: str = "#1f3a5f"
    accent_color: str = "#b8860b"
    logo_svg: str | None = None
    signatory_name: str = ""
    signatory_title: str = ""
    monogram: str = "NSCP"


@dataclass(frozen=True, slots=True)
class CertificateView:
    code: str
    verify_url: str
    holder_name: str
    organization_name: str
    event_title: str
    event_kind: str
    region_name: str
    place: str
    starts_on: date
    ends_on: date
    credit_hours: Decimal
    issued_on: date
    branding: Branding

    @property
    def heading(self) -> str:
        track = self.event_kind == "training_track"
        return "Certificate of Completion" if track else "Certificate of Attendance"

    @property
    def achievement(self) -> str:
        if self.event_kind == "training_track":
            return "has completed the training track"
        return "attended"

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.event_kind, self.event_kind)

    @property
    def dates(self) -> str:
        return format_dates(self.starts_on, self.ends_on)

    @property
    def credit_text(self) -> str:
        hours = f"{self.credit_hours.normalize():f}"
        unit = "hour" if self.credit_hours == 1 else "hours"
        return f"{hours} continuing-education {unit}" if self.credit_hours else ""

    @property
    def display_code(self) -> str:
        return display_code(self.code)

    @property
    def verify_url_short(self) -> str:
        """Where codes are checked: the verification URL without its scheme and code."""
        return self.verify_url.split("://", 1)[-1].rsplit("/", 1)[0]

    @property
    def qr_svg(self) -> str:
        # A fixed mask: choosing the best of eight is 85 % of making the code (~9 ms), and any
        # mask decodes; M error correction keeps a printed code readable.
        qr = segno.make(self.verify_url, error="m", mask=QR_MASK)
        return qr.svg_inline(scale=3, border=0)

    @property
    def details(self) -> str:
        parts = (self.kind_label, self.dates, self.place)
        return " · ".join(part for part in parts if part)

    @property
    def verify_at(self) -> str:
        return f"Verify at {self.verify_url_short}"

    def fit(self, box: str) -> str:
        """The size class that fits this certificate's text into the box of that name."""
        text = {
            "region": self.region_name,
            "name": self.holder_name,
            "organization": self.organization_name,
            "event": self.event_title,
            "details": self.details,
            "credit": self.credit_text,
            "signatory_name": self.branding.signatory_name,
            "signatory_title": self.branding.signatory_title,
            "verify_at": self.verify_at,
        }[box]
        return size_class(size_for(text, BOXES[box]))

    @property
    def backdrop(self) -> CertificateView:
        """This certificate without its holder: the same for every certificate of a bulk
        run that shares event, region, branding and credit, so it is drawn once for all."""
        return replace(
            self,
            code="",
            holder_name="",
            organization_name="",
            verify_url=self.verify_url.rsplit("/", 1)[0] + "/",
        )


def display_code(code: str) -> str:
    """Readable groups of four: ABCD-EFGH-…"""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def format_dates(starts_on: date, ends_on: date) -> str:
    if starts_on == ends_on:
        return f"{starts_on:%B} {starts_on.day}, {starts_on.year}"
    if (starts_on.year, starts_on.month) == (ends_on.year, ends_on.month):
        return f"{starts_on:%B} {starts_on.day}–{ends_on.day}, {ends_on.year}"
    if starts_on.year == ends_on.year:
        return f"{starts_on:%B} {starts_on.day} – {ends_on:%B} {ends_on.day}, {ends_on.year}"
    first = f"{starts_on:%B} {starts_on.day}, {starts_on.year}"
    return f"{first} – {ends_on:%B} {ends_on.day}, {ends_on.year}"


def direction(text: str) -> str:
    """ "rtl" or "ltr" by the text's first strong character (Unicode's rule for a paragraph,
    what dir="auto" does in browsers: WeasyPrint lays out every box left to right unless
    told), so "محمد Ali" starts at the right."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


@lru_cache(maxsize=1)
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"])
    )
    environment.filters["direction"] = direction
    return environment


Layer = Literal["full", "backdrop", "holder"]


def certificates_html(certificates: list[CertificateView], layer: Layer = "full") -> str:
    """One HTML document, one Letter-landscape page per certificate: whole certificates,
    or only their backdrops, or only their holders' parts (the two layers add up to the
    whole page; certs.pdf stacks them)."""
    # Colours go in classes: a style attribute on every page costs ~5 ms a page to parse.
    brands = {
        branding: number
        for number, branding in enumerate(dict.fromkeys(c.branding for c in certificates))
    }
    template = _environment().get_template("certificate.html")
    return template.render(
        certificates=certificates, layer=layer, brands=brands, size_classes=SIZE_CLASSES
    )


def render_verify_page(view) -> str:
    """The public verification page (``view`` is a CertificateStatusView or None)."""
    return _environment().get_template("verify.html").render(view=view)
