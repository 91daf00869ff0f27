"""Text entering through Piccolo Admin follows the API's and the forms' policy (events.text):
NUL refused, stray control characters cleaned, time zones checked against the known list.

These hooks run first on every table the admin shows (mount.admin_route adds them), so the
tables' own hooks (records.py, bot/admin.py) and Piccolo's own writes see clean values.
JSON columns arrive as text: they are decoded, cleaned and encoded again.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from piccolo.columns import JSON, JSONB, Column
from piccolo.table import Table
from piccolo_admin.endpoints import TableConfig
from piccolo_api.crud.hooks import Hook, HookType

from events.admin.hooks import refuse
from events.errors import InvalidValue
from events.services.email_registrations import EMAIL, MAX_EMAIL
from events.text import clean_text, clean_tree
from events.zones import is_known_zone


def clean_value(column: Column, value: object) -> object:
    name = column._meta.name
    if not isinstance(value, str | list | dict):
        return value
    try:
        if not isinstance(value, str):  # JSON the admin's model already decoded
            return clean_tree(value, name)
        if isinstance(column, JSON | JSONB):
            try:
                decoded = json.loads(value)
            except ValueError:
                raise refuse(name, "This is not valid JSON.", "invalid_json") from None
            return json.dumps(clean_tree(decoded, name))
        cleaned = clean_text(value, name)
    except InvalidValue as error:
        raise refuse(name, error.detail, "invalid_value") from error
    if name == "timezone" and not is_known_zone(cleaned):
        raise refuse(name, f"'{cleaned[:80]}' is not an IANA time zone.", "invalid_timezone")
    if name == "mailbox":  # a region's: the From of nothing, but Reply-To and ORGANIZER
        return _mailbox(cleaned)
    return cleaned


def _mailbox(value: str) -> str | None:
    """An address a relay accepts, or None when the field is cleared."""
    address = value.strip()
    if not address:
        return None
    if len(address) > MAX_EMAIL or not EMAIL.match(address):
        raise refuse("mailbox", "Enter an email address, e.g. events@region.org.", "invalid_value")
    return address


def _column(table: type[Table], key: object) -> Column | None:
    if isinstance(key, Column):
        return key
    return table._meta.get_column_by_name(key) if isinstance(key, str) else None


def _hooks(table: type[Table]) -> list[Hook]:
    def on_save(row: Table) -> Table:
        for column in table._meta.columns:
            name = column._meta.name
            setattr(row, name, clean_value(column, getattr(row, name, None)))
        return row

    def on_patch(row_id: object, values: dict) -> dict:
        cleaned = {}
        for key, value in values.items():
            column = _column(table, key)
            cleaned[key] = clean_value(column, value) if column is not None else value
        return cleaned

    return [
        Hook(hook_type=HookType.pre_save, callable=on_save),
        Hook(hook_type=HookType.pre_patch, callable=on_patch),
    ]


def with_clean_entry(configs: Sequence[TableConfig]) -> list[TableConfig]:
    for config in configs:
        hooks = [*_hooks(config.table_class), *(config.hooks or [])]
        # PiccoloCRUD groups hooks with itertools.groupby, unsorted: a type's hooks must be
        # adjacent, or only its last run survives. Stable sort: ours stay first of each type.
        order = list(dict.fromkeys(hook.hook_type for hook in hooks))
        config.hooks = sorted(hooks, key=lambda hook: order.index(hook.hook_type))
    return list(configs)
