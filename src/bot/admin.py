"""The FAQ in Piccolo Admin (/admin): entries keep an owner that matches their scope.

The full-text index follows edits by itself (SQLite triggers, PostgreSQL's expression index).
"""

from __future__ import annotations

from piccolo_admin.endpoints import TableConfig
from piccolo_api.crud.hooks import Hook, HookType

from bot.faq import check_owner
from bot.tables import FaqEntry
from events.admin.hooks import current_row, domain_errors, refuse


def _check(scope: str, event_id: int | None, region_id: int | None, question: str, answer: str):
    for name, text in (("question", question), ("answer", answer)):
        if not (text or "").strip():
            raise refuse(name, f"A FAQ entry needs a {name}.", f"empty_{name}")
    with domain_errors("scope"):
        check_owner(scope, event_id, region_id)


def _new_entry(row: FaqEntry) -> FaqEntry:
    _check(row.scope, row.event, row.region, row.question, row.answer)
    return row


async def _changed_entry(row_id: int, values: dict) -> dict:
    merged = {**await current_row(FaqEntry, row_id)}
    merged.update({column._meta.name: value for column, value in values.items()})
    _check(merged["scope"], merged["event"], merged["region"], merged["question"], merged["answer"])
    return values


def bot_tables() -> list[TableConfig]:
    return [
        TableConfig(
            FaqEntry,
            menu_group="Slack",
            hooks=[
                Hook(hook_type=HookType.pre_save, callable=_new_entry),
                Hook(hook_type=HookType.pre_patch, callable=_changed_entry),
            ],
        )
    ]
