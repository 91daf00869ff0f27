"""Seed a fault-test database: ``python -m tests.faults.seed COUNT`` (DATABASE_URL set).

The coalition of tests/support/world.py, and COUNT members who hear about their
registrations on both channels (a linked Slack account and email), so every registration
is two messages. Prints the tokens as JSON; the stack copies the seeded database per test.
"""

from __future__ import annotations

import asyncio
import json
import sys

from events.config import get_settings
from events.db import database_lifespan, fetch
from tests.support import world as world_module
from tests.support.slack import TEAM_ID


async def seed(count: int) -> dict:
    async with database_lifespan(get_settings()):
        world = await world_module.build_world()
        people = await world.members(count)
        for person in people:
            await fetch(
                "INSERT INTO slack_identity (member, team_id, user_id) VALUES ({}, {}, {})",
                person.id,
                TEAM_ID,
                slack_user(person.id),
            )
        await fetch("UPDATE member SET notify_channels = 'both'")
    return {
        "admin": world.admin,
        "members": [{"id": p.id, "email": p.email, "token": p.token} for p in people],
    }


def slack_user(member_id: int) -> str:
    return f"U{member_id:06d}"


if __name__ == "__main__":
    print(json.dumps(asyncio.run(seed(int(sys.argv[1])))))
