"""Bulk rendering in layers (certs.pdf.render_certificates): each PDF must be the very page
a render of that certificate by itself would give, only cheaper to make."""

from __future__ import annotations

from decimal import Decimal

import pypdfium2
from PIL import ImageChops

from certs.pdf import render_certificates, render_pdf
from certs.render import Branding, certificates_html, display_code
from tests.certs.test_render import qr_codes_on_first_page, view
from tests.support.certificates import pdf_reader

LONG_NAME = "Maximiliana Alexandrina Fitzgerald-Montgomery de la Cruz"


def picture(pdf: bytes):
    document = pypdfium2.PdfDocument(pdf)
    try:
        assert len(document) == 1
        return document[0].render(scale=1.5).to_pil().convert("RGB")
    finally:
        document.close()


def batch() -> list:
    """Two backdrops (the credit differs), a long name, a member with no organization."""
    views = [view(holder_name=f"Attendee {n}", organization_name=f"Town {n}") for n in range(5)]
    views[1] = view(holder_name=LONG_NAME, credit_hours=Decimal("6"))
    views[3] = view(holder_name="Zoë O’Brien", organization_name="", credit_hours=Decimal("6"))
    return views


def test_each_stacked_pdf_looks_exactly_like_the_certificate_rendered_alone():
    views = batch()
    assert len({v.backdrop for v in views}) == 2  # so the layered path is the one taken
    for certificate, pdf in zip(views, render_certificates(views), strict=True):
        assert "/ConveneBackdrop" in pdf.decode("latin-1")
        alone = render_pdf(certificates_html([certificate]))
        assert ImageChops.difference(picture(pdf), picture(alone)).getbbox() is None


def test_each_stacked_pdf_has_its_holder_event_code_and_qr_code():
    views = batch()
    for certificate, pdf in zip(views, render_certificates(views), strict=True):
        text = " ".join(pdf_reader(pdf).pages[0].extract_text().split())
        assert certificate.holder_name in text
        assert "Securing Municipal Networks" in text
        assert certificate.credit_text in text
        assert display_code(certificate.code) in text
        assert qr_codes_on_first_page(pdf) == [certificate.verify_url]


def test_certificates_that_share_little_are_rendered_as_whole_pages():
    views = [view(credit_hours=Decimal(n + 1)) for n in range(3)]
    pdfs = render_certificates(views)
    for certificate, pdf in zip(views, pdfs, strict=True):
        assert "/ConveneBackdrop" not in pdf.decode("latin-1")
        assert certificate.credit_text in pdf_reader(pdf).pages[0].extract_text()


def test_certificates_of_two_regions_keep_their_own_branding():
    colorado = Branding(primary_color="#0b3d2e", signatory_name="Ada Lovelace")
    phoenix = Branding(primary_color="#8c1d40", signatory_name="Grace Hopper")
    views = [view(branding=colorado) for _ in range(3)] + [view(branding=phoenix) for _ in range(3)]
    pdfs = render_certificates(views)
    assert "Ada Lovelace" in pdf_reader(pdfs[0]).pages[0].extract_text()
    assert "Grace Hopper" in pdf_reader(pdfs[-1]).pages[0].extract_text()


def test_a_long_name_gets_smaller_type_and_stays_in_its_box():
    assert view(holder_name="Ana Pérez").fit("name") == "s30"
    assert float(view(holder_name=LONG_NAME).fit("name")[1:].replace("_", ".")) < 30
    text = pdf_reader(render_pdf(certificates_html([view(holder_name=LONG_NAME)])))
    assert LONG_NAME in " ".join(text.pages[0].extract_text().split())
