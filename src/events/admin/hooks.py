"""What every Piccolo Admin hook needs: who is acting, what really changed, how to refuse.

Hooks run inside Piccolo Admin (Starlette): a refusal is an ``HTTPException`` whose detail
has the shape of a FastAPI validation error, which the admin shows next to the form, with
Convene's machine-readable reason as its ``type``.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping, Set
from datetime import datetime
from decimal import Decimal

from fastapi import HTTPException
from piccolo.columns import Column
from piccolo.table import Table
from starlette.requests import Request

from events.auth import OrganizerPrincipal
from events.errors import DomainError

ORGANIZER_SCOPE_KEY = "convene.organizer"  # set by mount.AdminGate on every request
UNPROCESSABLE = 422


def acting_admin(request: Request) -> OrganizerPrincipal:
    return request.scope[ORGANIZER_SCOPE_KEY]


def refuse(field: str, message: str, reason: str) -> HTTPException:
    return HTTPException(
        status_code=UNPROCESSABLE, detail=[{"loc": [field], "msg": message, "type": reason}]
    )


@contextlib.contextmanager
def domain_errors(field: str = "record") -> Iterator[None]:
    """A service's refusal, shown in the admin with its reason."""
    try:
        yield
    except DomainError as error:
        reason = error.extra.get("reason", error.code)
        raise refuse(field, error.detail, reason) from error


def same(new: object, old: object) -> bool:
    """Equal as far as the admin's form can tell: its date inputs drop sub-seconds,
    PostgreSQL keeps REAL coordinates in single precision, JSON arrives as text."""
    if isinstance(new, datetime) and isinstance(old, datetime):
        return abs((new - old).total_seconds()) < 1
    if isinstance(new, float | int | Decimal) and isinstance(old, float | int | Decimal):
        return abs(float(new) - float(old)) < 1e-5
    if isinstance(new, str) and isinstance(old, list | dict):
        with contextlib.suppress(ValueError):
            return json.loads(new) == old
    if isinstance(new, str) and isinstance(old, str) and new[:1] in "[{":
        with contextlib.suppress(ValueError):
            return json.loads(new) == json.loads(old)
    return new == old


async def current_row(table: type[Table], row_id: object) -> dict:
    row = await table.select().where(table._meta.primary_key == row_id).first()
    if row is None:
        raise HTTPException(status_code=404, detail="No such record.")
    return row


def changed(
    values: Mapping[Column, object], row: dict, *, ignore: Set[str] = frozenset()
) -> dict[str, object]:
    """The form's values that differ from the row, by column name, but for ``ignore``."""
    return {
        name: value
        for column, value in values.items()
        if (name := column._meta.name) not in ignore and not same(value, row[name])
    }


def refuse_fixed(changes: Mapping[str, object], fixed: Mapping[str, str]) -> None:
    """``fixed``: column name -> why it cannot change."""
    for name in sorted(changes.keys() & fixed.keys()):
        raise refuse(name, fixed[name], "fixed_column")


async def unchanged(table: type[Table], row_id: object) -> dict:
    """After a service has written the row, Piccolo still runs its UPDATE with what a hook
    returns: give it the row's own ``updated_at``, a write that changes nothing."""
    column = table._meta.get_column_by_name("updated_at")
    row = await table.select(column).where(table._meta.primary_key == row_id).first()
    return {column: row["updated_at"]} if row else {}
