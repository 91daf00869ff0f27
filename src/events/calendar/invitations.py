"""Calendar invitations by email (iMIP, RFC 6047): pure builders, plain data in, bytes out.

An invitation is a VCALENDAR with ``METHOD:REQUEST`` (add or update these sessions) or
``METHOD:CANCEL`` (remove them), one ORGANIZER (the event's region mailbox) and, in every
VEVENT, the member as ATTENDEE. The VEVENTs are the feeds' own entries (entries.py), so a
session has the same UID in an invitation as in every feed.

SEQUENCE. A calendar program applies an invitation only when its SEQUENCE is higher than
the last one it saw for that UID (equal: the same version again). The session's
``revision`` rises with every change of time or place and with a cancellation of the
session or the event, so the feeds and updated REQUESTs use it. A member's own
cancellation changes no session, yet its CANCEL must outrank the REQUEST before it, and a
REQUEST after the member registers again must outrank that CANCEL. So, for the message of
one registration, with ``c`` = the number of ``registration_cancelled`` email
notifications recorded for that registration before this message (rows with a lower id):

- REQUEST, and the CANCEL of a cancelled session or event: ``revision + 2c``;
- CANCEL of the member's own cancellation: ``revision + 2c + 1``.

Example, from revision 0: REQUEST 0; the member cancels: CANCEL 1; registers again:
REQUEST 2; the session moves (revision 1): REQUEST 3; the member cancels: CANCEL 4. Every
input is in the database, so a message sent twice (a retry) says the same, and any worker
derives the same number.
``sequence()`` is that rule.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum

from icalendar import Calendar, vCalAddress, vDDDTypes, vText

from events.calendar.ical import PRODID, SessionEntry, clean_text, session_component
from events.text import ANY_CONTROL


class Method(StrEnum):
    request = "REQUEST"
    cancel = "CANCEL"


@dataclass(frozen=True, slots=True)
class Party:
    """An ORGANIZER or ATTENDEE: a name and an email address."""

    name: str
    email: str

    def address(self) -> vCalAddress:
        address = vCalAddress(f"mailto:{clean_text(self.email, uri=True)}")
        # A parameter is one line (RFC 5545 3.2): any control character becomes a space.
        name = " ".join(ANY_CONTROL.sub(" ", self.name).split())
        if name:
            address.params["CN"] = name
        return address


@dataclass(frozen=True, slots=True)
class Invitation:
    method: Method
    organizer: Party
    attendee: Party
    sessions: tuple[SessionEntry, ...]  # as the feeds show them (entries.build_entry)
    sequence: dict[str, int]  # per UID: see sequence()
    stamp: datetime  # when the message is made: DTSTAMP


def sequence(revision: int, cancellations_before: int, *, own_cancel: bool = False) -> int:
    """The SEQUENCE of a session in a member's invitation (the module's rule)."""
    return revision + 2 * cancellations_before + (1 if own_cancel else 0)


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


def render(invitation: Invitation) -> bytes:
    calendar = Calendar()
    calendar["PRODID"] = vText(PRODID)
    calendar["VERSION"] = vText("2.0")
    calendar["CALSCALE"] = vText("GREGORIAN")
    calendar["METHOD"] = vText(invitation.method.value)
    cancel = invitation.method is Method.cancel
    for entry in invitation.sessions:
        # The feeds name the region's page as ORGANIZER; an invitation needs its mailbox.
        shown = replace(
            entry,
            sequence=invitation.sequence[entry.uid],
            status="CANCELLED" if cancel else entry.status,
            organizer_url=None,
        )
        event = session_component(shown)
        event["DTSTAMP"] = vDDDTypes(_utc(invitation.stamp))
        event["ORGANIZER"] = invitation.organizer.address()
        attendee = invitation.attendee.address()
        attendee.params.update(
            {
                "CUTYPE": "INDIVIDUAL",
                "ROLE": "REQ-PARTICIPANT",
                "PARTSTAT": "NEEDS-ACTION",
                "RSVP": "FALSE",  # replies are not read: the registration is the answer
            }
        )
        event["ATTENDEE"] = attendee
        calendar.add_component(event)
    return calendar.to_ical()
