"""The certificate as rendered: HTML from the template, PDF from WeasyPrint, split with pypdf.

No server here: plain data in, PDF bytes out, read back with pypdf and, for the QR code,
rasterized with pdfium and decoded with zxing-cpp.
"""

from __future__ import annotations

import http.server
import threading
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pypdfium2
import pytest
import segno
import zxingcpp

from certs import codes
from certs.pdf import render_pdf, split_pages
from certs.render import (
    QR_MASK,
    Branding,
    CertificateView,
    certificates_html,
    display_code,
    format_dates,
)
from tests.support.certificates import pdf_reader

LETTER_LANDSCAPE = (792, 612)  # points


def view(**fields) -> CertificateView:
    code = fields.pop("code", None) or codes.new_code()
    base = CertificateView(
        code=code,
        verify_url=f"https://convene.test/verify/{code}",
        holder_name="María José Núñez",
        organization_name="City and County of Denver",
        event_title="Securing Municipal Networks",
        event_kind="workshop",
        region_name="Colorado Smart Cities Alliance",
        place="City Hall, 1437 Bannock St, Denver, CO",
        starts_on=date(2026, 3, 4),
        ends_on=date(2026, 3, 4),
        credit_hours=Decimal("3.5"),
        issued_on=date(2026, 3, 5),
        branding=Branding(signatory_name="Ada Lovelace", signatory_title="Program Director"),
    )
    return replace(base, **fields)


def qr_codes_on_first_page(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)]


@pytest.fixture(scope="module")
def one() -> tuple[CertificateView, bytes]:
    certificate = view()
    return certificate, render_pdf(certificates_html([certificate]))


def test_the_pdf_text_has_the_name_the_event_and_the_printed_code(one):
    certificate, pdf = one
    text = pdf_reader(pdf).pages[0].extract_text()
    assert "María José Núñez" in text
    assert "Securing Municipal Networks" in text
    assert display_code(certificate.code) in text
    assert "-" in display_code(certificate.code)


def test_the_pdf_says_who_where_when_and_how_many_hours(one):
    _, pdf = one
    text = pdf_reader(pdf).pages[0].extract_text()
    for expected in [
        "City and County of Denver",
        "Certificate of Attendance",
        "Workshop",
        "March 4, 2026",
        "City Hall, 1437 Bannock St, Denver, CO",
        "3.5 continuing-education hours",
        "Ada Lovelace",
        "Program Director",
    ]:
        assert expected in text, expected


def test_the_pdf_is_one_us_letter_landscape_page(one):
    _, pdf = one
    reader = pdf_reader(pdf)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == LETTER_LANDSCAPE


def test_the_qr_code_decodes_to_the_verification_url(one):
    certificate, pdf = one
    assert qr_codes_on_first_page(pdf) == [f"https://convene.test/verify/{certificate.code}"]


def test_the_qr_code_is_the_segno_svg_of_the_verification_url():
    certificate = view()
    qr = segno.make(certificate.verify_url, error="m", mask=QR_MASK)
    expected = qr.svg_inline(scale=3, border=0)
    assert certificate.qr_svg == expected
    assert expected in certificates_html([certificate])


def test_the_printed_verification_address_leads_to_the_verify_page(one):
    certificate, pdf = one
    text = pdf_reader(pdf).pages[0].extract_text()
    assert "Verify at convene.test/verify" in text
    assert certificate.verify_url == f"https://convene.test/verify/{certificate.code}"


def test_a_track_is_a_certificate_of_completion():
    html = certificates_html([view(event_kind="training_track")])
    assert "Certificate of Completion" in html
    assert "has completed the training track" in html
    assert "Training track" in html


def test_many_certificates_split_into_one_pdf_each_in_order():
    names = ["Ana Pérez", "Björn Ødegaard", "Nguyễn Thị Minh", "Zoë O’Brien"]
    views = [view(holder_name=name) for name in names]
    pages = split_pages(render_pdf(certificates_html(views)))
    assert len(pages) == len(views)
    for certificate, page in zip(views, pages, strict=True):
        reader = pdf_reader(page)
        assert len(reader.pages) == 1
        text = reader.pages[0].extract_text()
        assert certificate.holder_name in text
        assert display_code(certificate.code) in text
        assert qr_codes_on_first_page(page) == [certificate.verify_url]


def test_very_long_fields_still_take_one_page_each():
    """Splitting relies on one page per certificate, whatever the lengths."""
    views = [
        view(),
        view(
            holder_name="Maximiliana Alexandrina Fitzgerald-Montgomery de la Cruz y Villanueva",
            organization_name="Department of Transportation and Infrastructure " * 3,
            event_title=("Resilient Infrastructure and Emergency Management " * 4)[:200],
            place=("Very long venue name and street address, " * 8)[:300],
        ),
        view(),
    ]
    assert len(split_pages(render_pdf(certificates_html(views)))) == 3


def test_names_are_text_not_markup():
    certificate = view(holder_name="Tom & Jerry <b>Bold</b>")
    html = certificates_html([certificate])
    assert "Tom &amp; Jerry &lt;b&gt;Bold&lt;/b&gt;" in html
    text = pdf_reader(render_pdf(html)).pages[0].extract_text()
    assert "Tom & Jerry <b>Bold</b>" in text


def test_a_region_logo_is_drawn_instead_of_the_monogram():
    logo = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>CSCA logo</title></svg>'
    )
    branded = certificates_html([view(branding=Branding(logo_svg=logo, monogram="CSCA"))])
    plain = certificates_html([view(branding=Branding(monogram="CSCA"))])
    assert "CSCA logo" in branded and 'class="monogram"' not in branded
    assert 'class="monogram">CSCA<' in plain


def test_branding_colours_reach_the_page():
    html = certificates_html(
        [view(branding=Branding(primary_color="#123456", accent_color="#abcdef"))]
    )
    assert "--primary: #123456; --accent: #abcdef;" in html


class Recorder(http.server.BaseHTTPRequestHandler):
    """A loopback HTTP server that notes every request it gets."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/svg+xml")
        self.end_headers()
        self.wfile.write(b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>')

    def log_message(self, *args):
        pass


@pytest.fixture
def remote():
    """The address of a loopback server standing for "the network", and its hit list."""
    Recorder.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", Recorder.hits
    finally:
        server.shutdown()
        server.server_close()


def test_a_remote_image_in_an_inline_svg_logo_is_not_fetched(remote):
    url, hits = remote
    logo = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="{url}/logo.png" width="10" height="10"/></svg>'
    )
    pdf = render_pdf(certificates_html([view(branding=Branding(logo_svg=logo))]))
    assert len(pdf_reader(pdf).pages) == 1
    assert hits == []


def test_a_remote_stylesheet_or_image_is_refused_with_an_ordinary_error(remote):
    """Refused, not fetched; and an Exception (WeasyPrint's own is a BaseException, which
    would slip past the job's error handling and leave the job running forever)."""
    url, hits = remote
    for html in [
        certificates_html([view()]).replace(
            "</head>", f'<link rel="stylesheet" href="{url}/style.css"></head>'
        ),
        certificates_html([view(branding=Branding(logo_svg=f'<img src="{url}/logo.png">'))]),
    ]:
        with pytest.raises(Exception, match="disallowed protocol|Error fetching"):
            render_pdf(html)
    assert hits == []


@pytest.mark.parametrize(
    ("starts", "ends", "expected"),
    [
        (date(2026, 3, 4), date(2026, 3, 4), "March 4, 2026"),
        (date(2026, 3, 4), date(2026, 3, 6), "March 4–6, 2026"),
        (date(2026, 3, 30), date(2026, 4, 2), "March 30 – April 2, 2026"),
        (date(2026, 12, 30), date(2027, 1, 2), "December 30, 2026 – January 2, 2027"),
    ],
)
def test_dates_read_like_a_certificate(starts, ends, expected):
    assert format_dates(starts, ends) == expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (Decimal("1"), "1 continuing-education hour"),
        (Decimal("1.50"), "1.5 continuing-education hours"),
        (Decimal("10.00"), "10 continuing-education hours"),
        (Decimal("0"), ""),
    ],
)
def test_credit_hours_are_printed_plainly(hours, expected):
    assert view(credit_hours=hours).credit_text == expected
