"""Who may see an online event's join link: one rule for the API and the personal feed."""

from __future__ import annotations

from events.enums import EventStatus, RegistrationStatus


def join_link(online_url: str | None, registration_status: str, event_status: str) -> str | None:
    """The join link is for a confirmed seat at an event that takes place: none once the
    event is cancelled (the API, the personal feed)."""
    if registration_status != RegistrationStatus.confirmed:
        return None
    return None if event_status == EventStatus.cancelled else online_url
