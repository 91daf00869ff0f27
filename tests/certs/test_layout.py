"""Every word of a certificate inside its frame, in every script, at every allowed length.

Read back with poppler's ``pdftotext -bbox`` (each word's box on the page) and the fonts
embedded in the PDF (tests.support.pdf_glyphs): no word past the frame, none missing,
none drawn over another, no character without a glyph, right-to-left names right to left.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from html import unescape

import pytest

from certs.pdf import render_certificates, render_pdf
from certs.render import Branding, certificates_html, direction
from certs.tables import Certificate, RegionBranding
from events.tables import Region
from tests.certs.test_render import view
from tests.support.certificates import attended_certificate, raw_code
from tests.support.pdf_glyphs import missing_glyphs

PAGE = (792.0, 612.0)  # Letter landscape, points
FRAME = 0.63 * 72  # the inner border, 0.63in from each edge
WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)

# The longest values the database holds, in words of Latin, Greek and Cyrillic with
# diacritics and wide capitals (a name is as long as members.name allows, and so on).
WORDS = ["Wolfeschlegelsteinhausen", "Ångström-Øresund", "WMWMWM", "Παπαδόπουλος", "Щербаков"]
CJK = "김민준이서연박지호王小明山田太郎"


def longest(length: int, words: list[str] = WORDS) -> str:
    text, n = "", 0
    while len(text) < length:
        text += (" " if text else "") + words[n % len(words)]
        n += 1
    return text[:length].rstrip()


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


def words_of(pdf: bytes) -> list[Word]:
    done = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True)
    assert done.returncode == 0, done.stderr
    return [
        Word(unescape(m[4]), float(m[0]), float(m[1]), float(m[2]), float(m[3]))
        for m in WORD.findall(done.stdout.decode())
    ]


def _plain(text: str) -> str:
    return "".join(text.split()).casefold()


def _same_letters(printed: str, word: str) -> bool:
    return sorted(printed.casefold()) == sorted(word.casefold())


def assert_laid_out(pdf: bytes, *texts: str) -> list[Word]:
    """Every word inside the frame (so on the page), every text whole, no word over another."""
    words = words_of(pdf)
    outside = [
        w
        for w in words
        if w.x0 < FRAME or w.y0 < FRAME or w.x1 > PAGE[0] - FRAME or w.y1 > PAGE[1] - FRAME
    ]
    assert outside == []
    printed = _plain("".join(w.text for w in words))
    for text in texts:
        if direction(text) == "ltr":
            assert _plain(text) in printed, text
        else:  # pdftotext reads right-to-left words in visual order, ligatures as drawn
            for part in text.split():
                assert any(_same_letters(w.text, part) for w in words), (part, text)
    for n, a in enumerate(words):
        for b in words[n + 1 :]:
            # the middle of each line: font boxes overlap a little from line to line
            inset_a, inset_b = (a.y1 - a.y0) * 0.2, (b.y1 - b.y0) * 0.2
            overlaps = (
                a.x0 < b.x1 - 0.5
                and b.x0 < a.x1 - 0.5
                and a.y0 + inset_a < b.y1 - inset_b
                and b.y0 + inset_b < a.y1 - inset_a
            )
            assert not overlaps, (a, b)
    return words


def longest_view(words: list[str] = WORDS, **fields):
    return view(
        holder_name=longest(Certificate.holder_name.length, words),
        organization_name=longest(Certificate.organization_name.length, words),
        event_title=longest(Certificate.event_title.length, words),
        region_name=longest(Region.name.length, words),
        place=longest(Certificate.place.length, words),
        credit_hours=Decimal("9999.99"),
        starts_on=date(2026, 12, 30),
        ends_on=date(2027, 1, 2),
        branding=Branding(
            signatory_name=longest(RegionBranding.signatory_name.length, words),
            signatory_title=longest(RegionBranding.signatory_title.length, words),
        ),
        **fields,
    )


@pytest.mark.parametrize(
    "words",
    [WORDS, [CJK], ["A" * 300], ["محمد", "عبد", "الله", "بن", "سلمان"]],
    ids=["latin-greek-cyrillic", "cjk-without-spaces", "one-unbroken-word", "arabic"],
)
def test_the_longest_values_stay_inside_the_frame(words):
    certificate = longest_view(words)
    pdf = render_pdf(certificates_html([certificate]))
    texts = [
        certificate.holder_name,
        certificate.organization_name,
        certificate.event_title,
        certificate.region_name,
        certificate.place,
        certificate.credit_text,
        certificate.branding.signatory_name,
        certificate.branding.signatory_title,
    ]
    assert_laid_out(pdf, *texts)
    assert missing_glyphs(pdf) == set()


def test_the_longest_values_stay_inside_when_drawn_as_two_layers():
    """A bulk run stacks the holder's layer on the shared backdrop: the same boxes."""
    views = [longest_view(code=None) for _ in range(3)]
    for certificate, pdf in zip(views, render_certificates(views), strict=True):
        assert_laid_out(pdf, certificate.holder_name, certificate.event_title)


NAMES = {
    "latin": "Zoë Ægir-Łukasiewicz Núñez",
    "greek": "Γιώργος Παπαδόπουλος",
    "cyrillic": "Дмитрий Иванович Соколов",
    "chinese": "王小明",
    "japanese": "山田 太郎 やまだ タロウ",
    "korean": "김민준 이서연",
    "arabic": "محمد عبد الله",
    "hebrew": "דוד בן גוריון",
    "devanagari": "अमिताभ बच्चन",
}


@pytest.mark.parametrize("script", list(NAMES))
def test_names_in_every_script_print_with_real_glyphs(script):
    name = NAMES[script]
    pdf = render_pdf(certificates_html([view(holder_name=name, organization_name=name)]))
    assert missing_glyphs(pdf) == set()
    assert_laid_out(pdf, name)


def test_a_character_no_font_has_is_reported_missing():
    """The check itself: a private-use character has no glyph anywhere."""
    pdf = render_pdf(certificates_html([view(holder_name="Ana \ue000 Kim")]))
    assert missing_glyphs(pdf) == {"\ue000"}


@pytest.mark.parametrize(
    "name", [NAMES["arabic"], NAMES["hebrew"], "محمد Ali", "שרה Cohen-Levi"], ids=str
)
def test_right_to_left_names_read_right_to_left(name):
    """The first word of the name is the rightmost, Latin parts included."""
    assert direction(name) == "rtl"
    pdf = render_pdf(certificates_html([view(holder_name=name, organization_name="")]))
    words = words_of(pdf)
    positions = []
    for part in name.split():
        [found] = [w for w in words if _same_letters(w.text, part)]
        positions.append(found.x0)
    assert positions == sorted(positions, reverse=True), (name, positions)


def test_left_to_right_names_keep_their_order():
    assert direction("Ana محمد") == "ltr" and direction("123 Ana") == "ltr"
    assert direction("") == "ltr"


async def test_a_member_with_the_longest_name_gets_a_whole_certificate(client, world):
    """The issue's case through the server: a 200-character name and title, six words
    and more, every one of them on the page inside the frame."""
    name = longest(200)
    title = longest(200, list(reversed(WORDS)))
    _, _, _, certificate = await attended_certificate(client, world, name=name, title=title)
    response = await client.get(f"/certificates/{raw_code(certificate['code'])}.pdf")
    assert response.status_code == 200, response.text
    words = assert_laid_out(response.content, name, title)
    assert len(name.split()) > 6 and len(words) > len(name.split()) + len(title.split())
