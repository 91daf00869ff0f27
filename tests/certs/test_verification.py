"""Public verification: the page for people, the JSON, the badge, sharing, rate limits."""

from __future__ import annotations

import hashlib
import html
import json
import os
import random
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from certs import codes, signing
from certs.render import display_code
from tests.conftest import BIN, _free_port, _spawn, _wait_for
from tests.support import badges
from tests.support.certificates import attended_certificate, raw_code
from tests.support.world import auth

ORGANIZATION = "City and County of Denver"


async def _revoke(client, world, code: str, reason: str = "issued_in_error", note: str = ""):
    response = await client.post(
        f"/api/manage/certificates/{code}/revoke",
        json={"reason": reason, "note": note},
        headers=auth(world.admin),
    )
    assert response.status_code == 200, response.text
    return response.json()


def _page_text(response: httpx.Response) -> str:
    return html.unescape(response.text)


# Valid.


async def test_a_valid_certificate_verifies_as_json(client, world, server):
    event, _, _, certificate = await attended_certificate(
        client, world, name="María José Núñez", title="Smart Parking Pilots", credit_hours=4
    )

    response = await client.get(f"/api/certificates/{certificate['code']}")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "valid"
    assert body["holder_name"] == "María José Núñez"
    assert body["event_title"] == "Smart Parking Pilots"
    assert body["event_kind"] == "workshop"
    assert body["region"] == "Colorado Smart Cities Alliance"
    assert body["credit_hours"] == 4
    assert body["starts_on"] == body["ends_on"]
    assert body["revoked_on"] is None and body["revocation_reason"] is None
    code = raw_code(body["code"])
    assert body["code"] == display_code(code)
    assert body["verify_url"] == f"{server}/verify/{code}"
    assert body["pdf_url"] == f"{server}/certificates/{code}.pdf"


async def test_a_valid_certificate_verifies_on_the_page(client, world):
    _, _, _, certificate = await attended_certificate(
        client, world, name="María José Núñez", title="Smart Parking Pilots"
    )

    response = await client.get(f"/verify/{raw_code(certificate['code'])}")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    text = _page_text(response)
    assert "Valid" in text
    assert "María José Núñez" in text
    assert "Smart Parking Pilots" in text
    assert certificate["code"] in text
    assert "Revoked" not in text
    assert certificate["pdf_url"] in text


async def test_a_typed_code_in_lowercase_with_dashes_is_accepted(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    typed = certificate["code"].lower()
    assert "-" in typed

    page = await client.get(f"/verify/{typed}")
    status = await client.get(f"/api/certificates/{typed}")
    badge = await client.get(f"/api/certificates/{typed}/badge")

    assert (page.status_code, status.status_code, badge.status_code) == (200, 200, 200)
    assert status.json()["code"] == certificate["code"]


# Revoked.


async def test_a_revoked_certificate_says_when_and_why_as_json(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    revoked = await _revoke(client, world, certificate["code"], "misconduct", "Signed in a friend")

    response = await client.get(f"/api/certificates/{certificate['code']}")

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "revoked"
    assert body["revocation_reason"] == "misconduct"
    assert body["revoked_on"] == revoked["revoked_on"]
    assert body["revoked_on"] is not None
    assert "Signed in a friend" not in response.text


async def test_a_revoked_certificate_says_when_and_why_on_the_page(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    revoked = await _revoke(
        client, world, certificate["code"], "attendance_corrected", "Left after ten minutes"
    )

    response = await client.get(f"/verify/{certificate['code']}")

    assert response.status_code == 200
    text = _page_text(response)
    assert "Revoked" in text
    assert f"Revoked on {revoked['revoked_on']} (attendance corrected)" in text
    assert "Left after ten minutes" not in text
    assert "Download the PDF" not in text


async def test_the_internal_note_is_never_shown_publicly(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    note = "Internal: complaint ticket 4711"
    await _revoke(client, world, certificate["code"], "other", note)
    for path in [
        f"/verify/{certificate['code']}",
        f"/api/certificates/{certificate['code']}",
        f"/api/certificates/{certificate['code']}/badge",
        f"/certificates/{raw_code(certificate['code'])}.pdf",
    ]:
        response = await client.get(path)
        assert "4711" not in response.text, path


# Unknown.


async def test_an_unknown_code_is_404_as_json(client, world):
    for code in [codes.new_code(), display_code(codes.new_code()), "not-a-code"]:
        response = await client.get(f"/api/certificates/{code}")
        assert response.status_code == 404, code
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["state"] == "unknown"


async def test_an_unknown_code_is_404_on_the_page(client, world):
    for code in [codes.new_code(), "not-a-code"]:
        response = await client.get(f"/verify/{code}")
        assert response.status_code == 404, code
        assert response.headers["content-type"].startswith("text/html")
        assert "Unknown" in response.text
        assert "No certificate has this code" in response.text


async def test_an_unknown_code_has_no_badge_and_no_pdf(client, world):
    code = codes.new_code()
    assert (await client.get(f"/api/certificates/{code}/badge")).status_code == 404
    assert (await client.get(f"/certificates/{code}.pdf")).status_code == 404


async def test_the_pdf_is_served_only_under_its_pdf_name(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    code = raw_code(certificate["code"])
    assert (await client.get(f"/certificates/{code}.pdf")).status_code == 200
    assert (await client.get(f"/certificates/{code}")).status_code == 404
    assert (await client.get(f"/certificates/{code}.txt")).status_code == 404


# What is not shown.


async def test_neither_the_page_nor_the_json_shows_email_or_organization(client, world):
    _, person, _, certificate = await attended_certificate(client, world)
    for path in [f"/verify/{certificate['code']}", f"/api/certificates/{certificate['code']}"]:
        response = await client.get(path)
        text = _page_text(response)
        assert response.status_code == 200
        assert person.email not in text, path
        assert "@" not in text, path
        assert ORGANIZATION not in text, path
        assert "denvergov" not in text, path
    keys = set((await client.get(f"/api/certificates/{certificate['code']}")).json())
    assert not keys & {"email", "organization", "organization_name", "member", "registration"}


# Sharing.


async def test_the_linkedin_link_adds_the_certificate_to_a_profile(client, world, server):
    _, _, _, certificate = await attended_certificate(client, world, title="Curb Management 101")

    link = urlsplit(certificate["linkedin_url"])

    assert (link.scheme, link.netloc, link.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {key: values[0] for key, values in parse_qs(link.query).items()}
    assert query["startTask"] == "CERTIFICATION_NAME"
    assert query["name"] == "Curb Management 101"
    assert query["organizationName"] == "Colorado Smart Cities Alliance"
    assert query["certUrl"] == f"{server}/verify/{raw_code(certificate['code'])}"
    assert query["certId"] == certificate["code"]
    page = await client.get(f"/verify/{certificate['code']}")
    assert html.escape(certificate["linkedin_url"]) in page.text


async def test_the_badge_is_an_open_badges_3_credential(client, world, server):
    _, _, _, certificate = await attended_certificate(
        client, world, name="María José Núñez", title="Curb Management 101", credit_hours=2.5
    )

    response = await client.get(f"/api/certificates/{certificate['code']}/badge")

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    badge = response.json()
    badges.check_schema(badge)
    assert badge["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert badge["@context"][1].startswith("https://purl.imsglobal.org/spec/ob/v3p0/context-3.0")
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"] == certificate["badge_url"]
    assert badge["issuer"]["type"] == ["Profile"]
    assert badge["issuer"]["name"] == "Colorado Smart Cities Alliance"
    assert badge["issuer"]["id"].startswith("did:key:z6Mk")  # an Ed25519 key
    assert badge["issuer"]["url"] == f"{server}/regions/colorado"
    assert badge["validFrom"].startswith(certificate["issued_on"])
    assert "validUntil" not in badge
    subject = badge["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["name"] == "María José Núñez"
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Curb Management 101"
    assert achievement["creditsAvailable"] == 2.5
    assert achievement["criteria"]["narrative"]
    assert ORGANIZATION not in response.text
    assert "@denvergov" not in response.text
    assert server in badge["id"]


async def test_a_revoked_badge_is_valid_only_until_the_revocation(client, world, verifier):
    _, _, _, certificate = await attended_certificate(client, world)
    revoked = await _revoke(client, world, certificate["code"])
    badge = (await client.get(f"/api/certificates/{certificate['code']}/badge")).json()
    assert badge["validUntil"].startswith(revoked["revoked_on"])
    badges.check_schema(badge)
    assert verifier.verify(badge)["verified"] is True  # signed again with its end date


@pytest.fixture(scope="session")
def verifier() -> badges.BadgeVerifier:
    return badges.install()


async def test_the_badge_is_signed_by_its_region_and_verifies_independently(
    client, world, verifier
):
    _, _, _, certificate = await attended_certificate(client, world, name="Ana Núñez")
    badge = (await client.get(f"/api/certificates/{certificate['code']}/badge")).json()
    badges.check_schema(badge)
    [proof] = badge["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"].startswith(badge["issuer"]["id"] + "#")
    assert proof["proofValue"].startswith("z")
    assert verifier.verify(badge) == {"verified": True, "errors": []}
    # The same credential every time: one signature per certificate and status.
    again = (await client.get(f"/api/certificates/{certificate['code']}/badge")).json()
    assert again == badge

    forged = {**badge, "credentialSubject": {**badge["credentialSubject"], "name": "Eve"}}
    assert verifier.verify(forged)["verified"] is False
    # Another region's key cannot speak for this one.
    other = (await client.get(f"/api/certificates/{certificate['code']}/badge")).json()
    other["issuer"] = {**other["issuer"], "id": signing.issuer_did("the-connective")}
    assert verifier.verify(other)["verified"] is False


async def test_the_badge_names_its_holder_by_a_salted_hash_of_their_email(client, world, verifier):
    """OB 3.0: a subject has an ``id`` or an ``identifier``; ours is an IdentityObject whose
    salt differs per certificate and stays put, so the signed badge is reproducible."""
    _, person, _, first = await attended_certificate(client, world, name="Ana Núñez")
    _, _, _, second = await attended_certificate(client, world)
    badge = (await client.get(f"/api/certificates/{first['code']}/badge")).json()
    badges.check_schema(badge)
    [identity] = badge["credentialSubject"]["identifier"]
    assert set(identity) == {"type", "identityHash", "identityType", "hashed", "salt"}
    assert (identity["type"], identity["identityType"], identity["hashed"]) == (
        "IdentityObject",
        "emailAddress",
        True,
    )
    expected = hashlib.sha256((person.email + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == f"sha256${expected}"
    assert person.email not in json.dumps(badge)
    assert verifier.verify(badge) == {"verified": True, "errors": []}
    other = (await client.get(f"/api/certificates/{second['code']}/badge")).json()
    assert other["credentialSubject"]["identifier"][0]["salt"] != identity["salt"]
    again = (await client.get(f"/api/certificates/{first['code']}/badge")).json()
    assert again == badge
    # The hash is signed: another address cannot be swapped in.
    swapped = json.loads(json.dumps(badge))
    swapped["credentialSubject"]["identifier"][0]["identityHash"] = "sha256$" + "0" * 64
    assert verifier.verify(swapped)["verified"] is False


# Rate limits.


async def test_verification_reports_its_rate_limit(client, world):
    _, _, _, certificate = await attended_certificate(client, world)
    address = {"X-Forwarded-For": f"2001:db8::{random.getrandbits(32):x}"}

    first = await client.get(f"/api/certificates/{certificate['code']}", headers=address)
    second = await client.get(f"/verify/{certificate['code']}", headers=address)

    assert first.headers["RateLimit-Limit"] == second.headers["RateLimit-Limit"] == "1000"
    assert (
        int(second.headers["RateLimit-Remaining"]) == int(first.headers["RateLimit-Remaining"]) - 1
    )


@pytest.fixture
def strict_server(server, database_url):
    """A second server on the same database whose verification allows 3 requests a minute."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(os.environ["CONVENE_DATA_DIR"]) / "strict-server.log"
    env = {**os.environ, "BASE_URL": base, "LOG_LEVEL": "WARNING", "VERIFY_RATE_LIMIT": "3"}
    process = _spawn(
        [
            str(BIN / "uvicorn"),
            "--factory",
            "events.app:create_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        env,
        log,
    )
    try:
        _wait_for(f"{base}/health", process, log)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


async def test_too_many_verifications_from_one_address_get_429(world, client, strict_server):
    _, _, _, certificate = await attended_certificate(client, world)
    mine = {"X-Forwarded-For": f"2001:db8::{random.getrandbits(32):x}"}
    theirs = {"X-Forwarded-For": f"2001:db8::{random.getrandbits(32):x}"}
    async with httpx.AsyncClient(base_url=strict_server, timeout=30) as strict:
        paths = [
            f"/api/certificates/{certificate['code']}",
            f"/verify/{certificate['code']}",
            f"/api/certificates/{certificate['code']}/badge",
        ]
        allowed = [(await strict.get(path, headers=mine)).status_code for path in paths]
        refused = await strict.get(f"/verify/{certificate['code']}", headers=mine)
        refused_json = await strict.get(f"/api/certificates/{codes.new_code()}", headers=mine)
        other_client = await strict.get(f"/api/certificates/{certificate['code']}", headers=theirs)

    assert allowed == [200, 200, 200]
    assert refused.status_code == 429
    assert refused_json.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "rate_limited"
    assert refused.headers["RateLimit-Limit"] == "3"
    assert refused.headers["RateLimit-Remaining"] == "0"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert other_client.status_code == 200
