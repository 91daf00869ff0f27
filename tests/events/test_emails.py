"""The pure email builders (events.emails): every notification template renders its text and
HTML parts, HTML that Outlook's desktop renderer reads (tables, inline styles, nothing
fetched), and the MIME layout with and without a calendar invitation."""

from __future__ import annotations

import re

import pytest

from events import emails
from tests.support.mailbox import PLAIN_LAYOUT, invitation_layout, layout

TEMPLATES = [
    "registered",
    "approved",
    "declined",
    "promoted",
    "event_changed",
    "session_cancelled",
    "event_cancelled",
    "registration_cancelled",
    "reminder",
    "certificate_issued",
    "announcement",
]
SESSION = emails.SessionLine("Main <hall>", "Tue, Dec 15, 10:00 AM – 1:00 PM MST", "City Hall")


def _data(template: str) -> emails.MessageEmail:
    return emails.MessageEmail(
        template=template,
        subject="Registered: Cafe & <Co>",
        name="Ana <script>",
        event_title="Cafe & <Co>",
        event_url="https://convene.test/events/cafe",
        preferences_url="https://convene.test/me/preferences/1.sig",
        status="confirmed",
        sessions=(SESSION,),
        session=SESSION,
        join_url="https://meet.example/cafe",
        links=(emails.Link("Download the PDF", "https://convene.test/certificates/X.pdf"),),
        invitation="REQUEST",
        organizers="Colorado Smart Cities Alliance",
        unsubscribe_url="https://convene.test/me/unsubscribe/1.sig?list=reminders",
        list_name="reminder",
        soon="tomorrow",
        paragraphs=("First <b>line</b>\nsecond line", "Another paragraph"),
        sent_by="Dana",
    )


@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_renders_text_and_safe_html(template):
    email = emails.message_email(_data(template))

    assert email.text.startswith("Hello Ana <script>,")
    assert "https://convene.test/me/preferences/1.sig" in email.text
    assert "https://convene.test/me/preferences/1.sig" in email.html
    assert "<script>" not in email.html and "Ana &lt;script&gt;" in email.html
    assert "Cafe &amp; &lt;Co&gt;" in email.html
    assert 'role="presentation"' in email.html  # layout tables, for Outlook's renderer
    assert not re.search(r"<link|<style|<img|src=\"http|@import", email.html)  # nothing fetched
    assert "{{" not in email.text + email.html


def test_an_announcement_keeps_its_paragraphs_and_line_breaks_escaped():
    email = emails.message_email(_data("announcement"))

    assert "First <b>line</b>\nsecond line" in email.text
    assert "First &lt;b&gt;line&lt;/b&gt;<br>second line" in email.html


def test_the_mime_layout_with_and_without_an_invitation():
    body = emails.Email("Subject\nwith a break", "text", "<p>html</p>")
    plain = emails.build_email(
        emails.OutgoingEmail(body, headers={"Reply-To": "Colorado <co@x.example>"}),
        sender="Convene <no-reply@x.example>",
        to="ana@y.example",
    )
    assert layout(plain) == PLAIN_LAYOUT
    assert plain["Subject"] == "Subject with a break" and plain["Reply-To"]
    assert plain["Message-ID"].endswith("@x.example>")

    calendar = b"BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n"
    invited = emails.build_email(
        emails.OutgoingEmail(body, calendar=calendar, calendar_method="CANCEL"),
        sender="Convene <no-reply@x.example>",
        to="ana@y.example",
    )
    assert layout(invited) == invitation_layout("CANCEL")
    [part] = [p for p in invited.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_payload(decode=True) == calendar  # CRLF kept
