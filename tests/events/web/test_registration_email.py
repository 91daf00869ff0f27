"""Registering by email, end to end: the web form, a real SMTP server on loopback receiving
the confirmation email, the confirm page and its button, the manage link; and the
outbox-folder default of mail.py."""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest

from events import mail
from events.config import load_settings, smtp_settings
from events.db import fetch, fetch_one
from events.services import confirmation_emails
from events.web import form_tokens
from tests.support.polling import eventually
from tests.support.smtp import SmtpServer

HTML = "text/html"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
CONFIRM_LINK = re.compile(r"(https?://[^\s\"<>]+)/registrations/confirm/([A-Za-z0-9_-]{43})")
MANAGE_LINK = re.compile(r"(https?://[^\s\"<>]+)/registrations/manage/([A-Za-z0-9_-]{43})")
_n = itertools.count(1)


def _address(domain: str = "denvergov.test") -> str:
    return f"web{next(_n)}.{time.time_ns() % 10**9}@{domain}"


async def _form_token(client, slug: str) -> str:
    page = await client.get(f"/events/{slug}/register")
    assert page.status_code == 200, page.text
    return CSRF.search(page.text).group(1)


async def _request(client, slug: str, name: str, email: str, **answers: str):
    body = {"name": name, "email": email, "csrf_token": await _form_token(client, slug)}
    body.update({f"answer.{key}": value for key, value in answers.items()})
    return await client.post(f"/events/{slug}/register", data=body)


CONFIRM_SUBJECT = "Confirm your registration"  # not the notifications that follow


async def _confirm_token(smtp: SmtpServer, email: str) -> str:
    received = await smtp.wait_for(email, subject=CONFIRM_SUBJECT)
    assert received, f"no email reached {email}"
    return CONFIRM_LINK.search(received[-1].text).group(2)


async def _manage_token(smtp: SmtpServer, email: str) -> str:
    received = await smtp.wait_for(email, subject=CONFIRM_SUBJECT)
    return MANAGE_LINK.search(received[-1].text).group(2)


async def _press(client, path: str):
    """Open a page and press its form's button, as a person would."""
    page = await client.get(path)
    assert page.status_code == 200, page.text
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    return await client.post(action, data={"csrf_token": CSRF.search(page.text).group(1)})


async def _registered_by_email(client, smtp, slug: str, email: str, name: str = "Dana Web"):
    response = await _request(client, slug, name, email)
    assert response.status_code == 200, response.text
    token = await _confirm_token(smtp, email)
    return await _press(client, f"/registrations/confirm/{token}")


async def _registration(slug: str, email: str) -> dict | None:
    return await fetch_one(
        "SELECT r.id, r.status, r.source, r.answers FROM registration r "
        "JOIN member m ON m.id = r.member JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} AND m.email = {}",
        slug,
        email,
    )


async def test_the_registration_counts_only_once_the_emailed_link_is_confirmed(
    client, world, smtp_server
):
    event = await world.create_event(
        client,
        capacity=5,
        questions=[
            {"key": "diet", "label": "Dietary needs", "kind": "text"},
            {"key": "role", "label": "Role", "kind": "choice", "choices": ["Staff", "Elected"]},
            {"key": "photo_ok", "label": "Photos OK?", "kind": "boolean", "required": True},
        ],
    )
    slug, email = event["slug"], _address()

    requested = await _request(
        client, slug, "  Dana   Web ", email.upper(), diet="None", role="Staff", photo_ok="no"
    )

    assert requested.status_code == 200, requested.text
    assert requested.headers["content-type"].startswith(HTML)
    assert "Check your email" in requested.text and email in requested.text
    received = await smtp_server.wait_for(email)
    assert len(received) == 1
    message = received[0].message
    assert message["Subject"] == f"Confirm your registration: {event['title']}"
    assert message["From"] == "Convene <no-reply@localhost>"
    assert message["To"].addresses[0].addr_spec == email
    assert message["To"].addresses[0].display_name == "Dana Web"
    base, token = CONFIRM_LINK.search(received[0].text).groups()
    assert base == str(client.base_url).rstrip("/")
    assert f"/registrations/confirm/{token}" in received[0].html  # the HTML alternative too
    assert MANAGE_LINK.search(received[0].text) and MANAGE_LINK.search(received[0].html)
    # Nothing counts yet: no member, no registration, no seat; only the token's hash is kept.
    assert await fetch_one("SELECT id FROM member WHERE email = {}", email) is None
    # The message reaches the SMTP server just before the sender stamps sent_at: wait for it.
    stored = await eventually(
        lambda: fetch_one(
            "SELECT token_hash, sent_at, answers FROM email_confirmation "
            "WHERE email = {} AND sent_at IS NOT NULL",
            email,
        )
    )
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()

    page = await client.get(f"/registrations/confirm/{token}")  # what a mail scanner does
    assert page.status_code == 200 and page.headers["content-type"].startswith(HTML)
    assert "Confirm my registration" in page.text and "Dana Web" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert await _registration(slug, email) is None

    confirmed = await client.post(
        f"/registrations/confirm/{token}", data={"csrf_token": CSRF.search(page.text).group(1)}
    )

    assert confirmed.status_code == 200, confirmed.text
    assert "You're registered" in confirmed.text
    registration = await _registration(slug, email)
    assert (registration["status"], registration["source"]) == ("confirmed", "web")
    assert '"photo_ok":false' in registration["answers"].replace(" ", "")
    member = await fetch_one(
        "SELECT m.name, o.slug FROM member m JOIN organization o ON o.id = m.organization "
        "WHERE m.email = {}",
        email,
    )
    assert (member["name"], member["slug"]) == ("Dana Web", "denver")  # by the email's domain
    seats = await fetch_one("SELECT seats_taken FROM event WHERE slug = {}", slug)
    assert seats["seats_taken"] == 1
    # The email is sent once: a second delivery of the task finds it sent.
    row = await fetch_one("SELECT id FROM email_confirmation WHERE email = {}", email)
    assert await confirmation_emails.send(row["id"]) is False
    assert len(smtp_server.received(email, CONFIRM_SUBJECT)) == 1


async def test_a_full_event_puts_the_confirmer_on_the_waitlist(client, world, smtp_server):
    event = await world.create_event(client, capacity=1)
    holder = await world.member()
    taken = await client.post(f"/api/events/{event['slug']}/registration", headers=holder.headers)
    assert taken.json()["status"] == "confirmed"
    email = _address()

    confirmed = await _registered_by_email(client, smtp_server, event["slug"], email)

    assert confirmed.status_code == 200, confirmed.text
    assert "waitlist" in confirmed.text and "<strong>1</strong>" in confirmed.text
    assert (await _registration(event["slug"], email))["status"] == "waitlisted"


async def test_an_event_with_approval_leaves_the_registration_pending(client, world, smtp_server):
    event = await world.create_event(client, capacity=10, approval_required=True)
    email = _address()

    confirmed = await _registered_by_email(client, smtp_server, event["slug"], email)

    assert "Pending approval" in confirmed.text
    assert (await _registration(event["slug"], email))["status"] == "pending"


async def test_an_unknown_domain_may_register_for_an_open_event(client, world, smtp_server):
    event = await world.create_event(client, capacity=10)
    email = _address("unknown.test")

    confirmed = await _registered_by_email(client, smtp_server, event["slug"], email)

    assert (await _registration(event["slug"], email))["status"] == "confirmed", confirmed.text
    member = await fetch_one("SELECT organization FROM member WHERE email = {}", email)
    assert member["organization"] is None


@pytest.mark.parametrize("domain", ["guest.test", "unknown.test"])
async def test_members_only_events_refuse_non_member_organizations(
    client, world, smtp_server, domain
):
    event = await world.create_event(client, capacity=10, members_only=True)
    email = _address(domain)

    refused = await _request(client, event["slug"], "Gus Guest", email)

    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith(HTML)
    assert "your organization is not a member" in refused.text
    assert f'value="{email}"' in refused.text  # the form again, as typed
    assert await fetch_one("SELECT id FROM email_confirmation WHERE email = {}", email) is None


async def test_an_existing_member_keeps_their_name_and_registers_once(client, world, smtp_server):
    event = await world.create_event(client, capacity=10)
    person = await world.member(name="Ana Nguyen")

    first = await _registered_by_email(client, smtp_server, event["slug"], person.email, "Mallory")
    second = await _request(client, event["slug"], "Ana", person.email)
    assert second.status_code == 200
    emails = await smtp_server.wait_for(person.email, count=2, subject=CONFIRM_SUBJECT)
    again = await _press(
        client, f"/registrations/confirm/{CONFIRM_LINK.search(emails[-1].text).group(2)}"
    )

    assert "You're registered" in first.text and "You're registered" in again.text
    rows = await fetch(
        "SELECT r.id FROM registration r JOIN event e ON e.id = r.event "
        "WHERE e.slug = {} AND r.member = {}",
        event["slug"],
        person.id,
    )
    assert len(rows) == 1
    member = await fetch_one("SELECT name FROM member WHERE id = {}", person.id)
    assert member["name"] == "Ana Nguyen"


async def test_a_confirm_link_is_single_use_expires_and_cannot_be_forged(
    client, world, smtp_server
):
    event = await world.create_event(client, capacity=10)
    used_email, stale_email = _address(), _address()
    await _request(client, event["slug"], "Una Used", used_email)
    await _request(client, event["slug"], "Sam Stale", stale_email)
    used, stale = (
        await _confirm_token(smtp_server, used_email),
        await _confirm_token(smtp_server, stale_email),
    )
    assert (await _press(client, f"/registrations/confirm/{used}")).status_code == 200
    await fetch(
        "UPDATE email_confirmation SET expires_at = {} WHERE email = {}",
        datetime.now(UTC) - timedelta(minutes=1),
        stale_email,
    )
    forged = "A" * 43

    for token, status, words in [
        (used, 410, "already been used"),
        (stale, 410, "expired"),
        (forged, 404, "not valid"),
        ("short", 404, "not valid"),
    ]:
        page = await client.get(f"/registrations/confirm/{token}")
        assert page.status_code == status, (token, page.text)
        assert page.headers["content-type"].startswith(HTML)
        assert words in page.text
        # Pressing the button of a stale page changes nothing either.
        token_for_post = form_tokens.issue(f"confirm:{token}")
        pressed = await client.post(
            f"/registrations/confirm/{token}", data={"csrf_token": token_for_post}
        )
        assert pressed.status_code == status
    assert await _registration(event["slug"], stale_email) is None
    assert (await _registration(event["slug"], used_email))["status"] == "confirmed"


async def test_the_manage_link_shows_the_registration_and_cancels_it(client, world, smtp_server):
    event = await world.create_event(client, capacity=1)
    email = _address()
    await _request(client, event["slug"], "Mo Manage", email)
    manage = f"/registrations/manage/{await _manage_token(smtp_server, email)}"
    unconfirmed = await client.get(manage)
    assert unconfirmed.status_code == 200
    assert "isn't confirmed yet" in unconfirmed.text and "Cancel" not in unconfirmed.text
    await _press(client, f"/registrations/confirm/{await _confirm_token(smtp_server, email)}")
    waiting = await world.member()
    queued = await client.post(f"/api/events/{event['slug']}/registration", headers=waiting.headers)
    assert queued.json()["status"] == "waitlisted"

    page = await client.get(manage)
    assert page.status_code == 200
    assert "Confirmed" in page.text and "Cancel my registration" in page.text
    feed = re.search(r'href="(webcal://[^"]+/calendar/me/[A-Za-z0-9_-]{43}\.ics)"', page.text)
    assert feed, page.text
    cancelled = await _press(client, manage)

    assert cancelled.status_code == 200, cancelled.text
    assert "Your registration is cancelled" in cancelled.text
    assert "Cancel my registration" not in cancelled.text
    assert (await _registration(event["slug"], email))["status"] == "cancelled"
    # The seat went to the head of the waitlist.
    promoted = await client.get(
        f"/api/events/{event['slug']}/registration", headers=waiting.headers
    )
    assert promoted.json()["status"] == "confirmed"
    seats = await fetch_one("SELECT seats_taken FROM event WHERE slug = {}", event["slug"])
    assert seats["seats_taken"] == 1
    assert (await client.get("/registrations/manage/" + "B" * 43)).status_code == 404

    # A month after the event the link has done its work (it shows a calendar secret).
    await fetch(
        "UPDATE event SET ends_at = {} WHERE slug = {}",
        datetime.now(UTC) - timedelta(days=31),
        event["slug"],
    )
    expired = await client.get(manage)
    assert expired.status_code == 410 and "expired a month after the event" in expired.text


async def test_bad_input_shows_the_form_again_with_errors_and_writes_nothing(
    client, world, smtp_server
):
    event = await world.create_event(
        client, questions=[{"key": "org", "label": "Department", "required": True}]
    )
    token = await _form_token(client, event["slug"])

    response = await client.post(
        f"/events/{event['slug']}/register",
        data={"name": "   ", "email": "not-an-email", "csrf_token": token},
    )

    assert response.status_code == 422
    assert response.headers["content-type"].startswith(HTML)
    assert "Enter your name." in response.text
    assert "Enter an email address like name@example.org." in response.text
    assert "An answer is required." in response.text
    assert 'value="not-an-email"' in response.text and 'aria-invalid="true"' in response.text
    assert CSRF.search(response.text)  # a fresh token: the visitor can correct and resend
    for bad in ["a@b", "two@@denvergov.test", "x@denvergov.test\r\nBcc: y@z.test"]:
        again = await client.post(
            f"/events/{event['slug']}/register",
            data={"name": "Val", "email": bad, "answer.org": "IT", "csrf_token": token},
        )
        assert again.status_code == 422, bad
    rows = await fetch(
        "SELECT c.id FROM email_confirmation c JOIN event e ON e.id = c.event WHERE e.slug = {}",
        event["slug"],
    )
    assert rows == []


async def test_posts_without_a_valid_form_token_are_refused(client, world, smtp_server):
    event = await world.create_event(client, capacity=10)
    slug, email = event["slug"], _address()
    other = await world.create_event(client, capacity=10)
    stale = form_tokens.issue(f"register:{slug}", now=time.time() - 7 * 3600)
    tampered = (await _form_token(client, slug))[:-2] + "xx"

    for token in [None, "", "garbage", stale, tampered, await _form_token(client, other["slug"])]:
        body = {"name": "Cee Surf", "email": email}
        if token is not None:
            body["csrf_token"] = token
        refused = await client.post(f"/events/{slug}/register", data=body)
        assert refused.status_code == 403, token
        assert refused.headers["content-type"].startswith(HTML)
    assert await fetch_one("SELECT id FROM email_confirmation WHERE email = {}", email) is None

    await _request(client, slug, "Cee Surf", email)
    confirm_token = await _confirm_token(smtp_server, email)
    assert (await client.post(f"/registrations/confirm/{confirm_token}")).status_code == 403
    wrong = form_tokens.issue("confirm:someone-else")
    pressed = await client.post(
        f"/registrations/confirm/{confirm_token}", data={"csrf_token": wrong}
    )
    assert pressed.status_code == 403
    assert await _registration(slug, email) is None


async def test_the_event_page_leads_to_the_form_which_htmx_can_load_alone(client, world):
    event = await world.create_event(client, capacity=10)
    slug = event["slug"]

    event_page = await client.get(f"/events/{slug}")
    whole = await client.get(f"/events/{slug}/register")
    fragment = await client.get(f"/events/{slug}/register", headers={"HX-Request": "true"})

    assert f'href="/events/{slug}/register"' in event_page.text or (
        f'action="/events/{slug}/register"' in event_page.text
    )
    assert whole.text.lstrip().startswith("<!doctype html>")
    assert not fragment.text.lstrip().startswith("<!doctype html>")
    for page in (whole, fragment):
        assert f'action="/events/{slug}/register"' in page.text and CSRF.search(page.text)
    draft = await world.create_event(client, publish=False)
    assert (await client.get(f"/events/{draft['slug']}/register")).status_code == 404


async def test_one_address_gets_at_most_three_emails_an_hour_per_event(client, world, smtp_server):
    event = await world.create_event(client, capacity=10)
    email = _address()

    pages = [await _request(client, event["slug"], "Rita Repeat", email) for _ in range(4)]

    assert [page.status_code for page in pages] == [200] * 4  # the page tells nobody
    rows = await fetch("SELECT id FROM email_confirmation WHERE email = {}", email)
    assert len(rows) == 3


async def test_without_smtp_url_emails_are_written_to_the_outbox(tmp_path, monkeypatch):
    settings = load_settings({"CONVENE_DATA_DIR": str(tmp_path), "SECRET_KEY": "k"})
    assert settings.smtp is None and settings.mail_outbox_dir == tmp_path / "outbox"
    monkeypatch.setattr(mail, "get_settings", lambda: settings)

    await mail.send_mail("ana@example.org", "Hello", "Plain words.\n", "<p>Rich words.</p>")

    files = list((tmp_path / "outbox").iterdir())
    assert [path.suffix for path in files] == [".eml"]
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert (message["To"], message["Subject"]) == ("ana@example.org", "Hello")
    assert message["From"] == "Convene <no-reply@localhost>"
    assert message.get_body(preferencelist=("plain",)).get_content() == "Plain words.\n"
    assert "Rich words." in message.get_body(preferencelist=("html",)).get_content()


def test_mail_settings_come_from_the_environment(tmp_path):
    settings = load_settings(
        {
            "CONVENE_DATA_DIR": str(tmp_path),
            "SECRET_KEY": "k",
            "SMTP_URL": "smtp://user%40org:p%3Ass@mail.example.org:587?starttls=1",
            "MAIL_FROM": "NSCP Events <events@nscp.example>",
            "MAIL_OUTBOX_DIR": str(tmp_path / "sent"),
        }
    )
    smtp = settings.smtp
    assert (smtp.host, smtp.port, smtp.username, smtp.password) == (
        "mail.example.org",
        587,
        "user@org",
        "p:ss",
    )
    assert (smtp.use_tls, smtp.start_tls) == (False, True)
    assert "p:ss" not in repr(smtp)
    assert settings.mail_from == "NSCP Events <events@nscp.example>"
    assert settings.mail_outbox_dir == tmp_path / "sent"
    implicit = smtp_settings("smtps://relay.example.org")
    assert (implicit.port, implicit.use_tls, implicit.start_tls) == (465, True, False)
    assert smtp_settings("smtp://relay.example.org").port == 25
    with pytest.raises(ValueError):
        smtp_settings("http://relay.example.org")


async def test_a_title_stored_with_line_breaks_and_control_characters_still_sends_one_line(
    client, world, smtp_server
):
    """Rows stored before the entry side cleaned text: the subject is still one clean line."""
    event = await world.create_event(client)
    await fetch(
        "UPDATE event SET title = {} WHERE slug = {}", "Curb\nData\x0bDay\x07", event["slug"]
    )
    email = _address()
    response = await _request(client, event["slug"], "Dana Web", email)
    assert response.status_code == 200, response.text
    [received] = await smtp_server.wait_for(email)
    assert received.message["Subject"] == "Confirm your registration: Curb Data Day"
