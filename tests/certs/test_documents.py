"""The PDF a holder downloads from the running server, read back as text and as a picture."""

from __future__ import annotations

import pypdfium2
import zxingcpp

from events.db import fetch
from tests.support.certificates import attended_certificate, pdf_reader, pdf_text, raw_code
from tests.support.world import auth


def _qr_codes(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=3).to_pil()
    finally:
        document.close()
    return [result.text for result in zxingcpp.read_barcodes(image)]


async def test_the_downloaded_pdf_names_the_holder_the_event_and_the_code(client, world):
    _, _, _, certificate = await attended_certificate(
        client, world, name="María José Núñez", title="Traffic Signal Cybersecurity", credit_hours=3
    )

    response = await client.get(certificate["pdf_url"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "María José Núñez" in text
    assert "Traffic Signal Cybersecurity" in text
    assert certificate["code"] in text  # the printed form, with dashes
    assert "-" in certificate["code"]
    for expected in [
        "City and County of Denver",
        "Colorado Smart Cities Alliance",
        "Workshop",
        "City Hall, 1437 Bannock St, Denver, CO",
        "3 continuing-education hours",
    ]:
        assert expected in text, expected


async def test_the_downloaded_pdf_is_one_us_letter_landscape_page(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    reader = pdf_reader((await client.get(certificate["pdf_url"])).content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)


async def test_the_qr_code_leads_to_the_verification_page(client, world, server):
    _, _, _, certificate = await attended_certificate(client, world)
    pdf = (await client.get(certificate["pdf_url"])).content

    [target] = _qr_codes(pdf)

    assert target == f"{server}/verify/{raw_code(certificate['code'])}"
    assert target == certificate["verify_url"]
    page = await client.get(target.removeprefix(server))
    assert page.status_code == 200
    assert "Valid" in page.text
    assert "Verify at 127.0.0.1" in pdf_text(pdf)


async def test_the_region_branding_is_printed(client, world):
    await fetch(
        "INSERT INTO region_branding (region, primary_color, accent_color, logo_svg, "
        "signatory_name, signatory_title) VALUES ({}, '#0b5394', '#c27c0e', {}, {}, {})",
        world.region_ids["colorado"],
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        '<circle cx="5" cy="5" r="5" fill="#0b5394"/></svg>',
        "Dana Whitfield",
        "Executive Director",
    )
    _, _, _, certificate = await attended_certificate(client, world)

    text = pdf_text((await client.get(certificate["pdf_url"])).content)

    assert "Dana Whitfield" in text
    assert "Executive Director" in text


async def test_without_branding_the_region_gets_good_defaults(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    text = pdf_text((await client.get(certificate["pdf_url"])).content)
    assert "Colorado Smart Cities Alliance Board" in text
    assert "Program Director" in text
    assert text.startswith("CSC\n")  # the region's initials stand in for a logo


async def test_the_pdf_is_a_snapshot_of_what_was_certified(client, world):
    """Editing the event after issuing changes neither the record nor the PDF."""
    event, _, _, certificate = await attended_certificate(client, world, title="Original Title")
    response = await client.patch(
        f"/api/manage/events/{event['slug']}",
        json={"title": "Renamed Later"},
        headers=auth(world.admin),
    )
    assert response.status_code == 200, response.text

    text = pdf_text((await client.get(certificate["pdf_url"])).content)
    status = (await client.get(f"/api/certificates/{certificate['code']}")).json()

    assert "Original Title" in text
    assert status["event_title"] == "Original Title"
