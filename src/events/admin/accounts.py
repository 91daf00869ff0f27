"""Mirror accounts: one Piccolo ``BaseUser`` per admin organizer, matched by email.

The mirror's password is random and never shown, and the admin's own login is closed
(``mount``): the only way in is a session opened here for an organizer who is logged in to
the console and is an active coalition admin at that moment and at every request after.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from events.auth import OrganizerPrincipal, organizer_for_email
from events.db import DB, fetch_one
from events.errors import Forbidden

# Piccolo's own tables name no engine and would look for one through PICCOLO_CONF at their
# first query: bound to Convene's here, they never depend on how a process was started.
for _table in (BaseUser, SessionsBase):
    _table._meta.db = DB

SESSION_IDLE = timedelta(hours=1)  # extended while in use (EXTEND_WHEN_IDLE_FOR)...
SESSION_MAX = timedelta(hours=12)  # ...up to a working day, like the console's session
EXTEND_WHEN_IDLE_FOR = timedelta(minutes=20)
CONSOLE_SESSION_KEY = "admin_session"  # the token, kept in the console's session: logout ends it


async def open_session(organizer: OrganizerPrincipal) -> str:
    """A new Piccolo Admin session token for this admin organizer."""
    if not organizer.is_admin:
        raise Forbidden("Only coalition admins can edit records.", reason="admin_only")
    user_id = await _mirror_user(organizer.id)
    now = datetime.now()  # noqa: DTZ005 - Piccolo's session table keeps naive local times
    session = await SessionsBase.create_session(
        user_id=user_id, expiry_date=now + SESSION_IDLE, max_expiry_date=now + SESSION_MAX
    )
    return session.token


async def admin_for_session(token: str) -> OrganizerPrincipal | None:
    """The organizer behind a Piccolo Admin session, while they are an active admin.

    Losing the role or being deactivated closes the mirror's sessions at once."""
    user_id = await SessionsBase.get_user_id(token, increase_expiry=EXTEND_WHEN_IDLE_FOR)
    if user_id is None:
        return None
    user = await BaseUser.select(BaseUser.email).where(BaseUser.id == user_id).first()
    organizer = await organizer_for_email(user["email"]) if user else None
    if organizer is None or not organizer.is_admin:
        await close_sessions(user_id)
        return None
    return organizer


async def close_sessions(user_id: int) -> None:
    await SessionsBase.delete().where(SessionsBase.user_id == user_id)
    await BaseUser.update({BaseUser.active: False, BaseUser.admin: False}).where(
        BaseUser.id == user_id
    )


async def end_session(token: str) -> None:
    """Console logout ends the admin session it opened too."""
    await SessionsBase.remove_session(token)


async def purge_ended_sessions() -> int:
    now = datetime.now()  # noqa: DTZ005 - naive, as Piccolo keeps them
    ended = (SessionsBase.expiry_date < now) | (SessionsBase.max_expiry_date < now)
    removed = await SessionsBase.delete().where(ended).returning(SessionsBase.id)
    return len(removed)


async def _mirror_user(organizer_id: int) -> int:
    organizer = await fetch_one("SELECT email, name FROM organizer WHERE id = {}", organizer_id)
    if organizer is None:  # deleted a moment ago
        raise Forbidden("Only coalition admins can edit records.", reason="admin_only")
    email, name = organizer["email"], organizer["name"]
    found = await BaseUser.select(BaseUser.id).where(BaseUser.email == email).first()
    mirror = {BaseUser.active: True, BaseUser.admin: True, BaseUser.superuser: False}
    if found is not None:
        await BaseUser.update({**mirror, BaseUser.first_name: name}).where(
            BaseUser.id == found["id"]
        )
        return found["id"]
    # Piccolo Admin shows the username; emails longer than its 100 characters get an id.
    username = email if len(email) <= BaseUser.username.length else f"organizer-{organizer_id}"
    user = await BaseUser.create_user(
        username=username,
        password=secrets.token_urlsafe(32),
        email=email,
        first_name=name,
        active=True,
        admin=True,
        superuser=False,
    )
    return user.id
