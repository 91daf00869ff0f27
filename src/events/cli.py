"""The ``convene`` command: migrate, load the demo coalition, issue tokens."""

from __future__ import annotations

import asyncio
import sys

import click

from events.config import PROJECT_ROOT, get_settings
from events.enums import OrganizerRole


def _piccolo_ready() -> None:
    # The migrations folders sit at the project root (see each app's piccolo_app.py).
    if str(PROJECT_ROOT) not in sys.path:
        sys.path.insert(0, str(PROJECT_ROOT))


@click.group()
def main() -> None:
    """Convene: events, registrations and attendance for the NSCP coalition."""


@main.command()
def migrate() -> None:
    """Apply every pending migration (SQLite or PostgreSQL, from DATABASE_URL)."""
    _piccolo_ready()
    from piccolo.apps.migrations.commands.forwards import run_forwards

    from events.db import prepare_sqlite_file

    settings = get_settings()
    if settings.is_sqlite:
        prepare_sqlite_file(settings)

    async def forwards() -> None:
        response = await run_forwards(app_name="all", fake=False)
        if not response.success:
            raise click.ClickException(response.message or "migrations failed")

    asyncio.run(forwards())


@main.command()
def demo() -> None:
    """Load the NSCP demo coalition; running it again changes nothing."""
    from events.demo import load_demo

    created = asyncio.run(load_demo())
    click.echo("Demo data loaded." if created else "Demo data already present; nothing changed.")


@main.command()
@click.argument("email")
@click.option("--name", default=None, help="Display name (for a new organizer)")
@click.option(
    "--role",
    type=click.Choice([role.value for role in OrganizerRole]),
    default=OrganizerRole.region_organizer.value,
)
@click.option("--region", "regions", multiple=True, help="Region slug; repeat for several")
@click.option(
    "--password",
    is_flag=True,
    help="Also ask for a password for the web console (/console), typed twice, hidden",
)
def organizer(
    email: str, name: str | None, role: str, regions: tuple[str, ...], password: bool
) -> None:
    """Create or update an organizer and print a new API token for them."""
    from events.services.organizers import MIN_PASSWORD_LENGTH, ensure_organizer, set_password

    secret = (
        click.prompt("Console password", hide_input=True, confirmation_prompt=True)
        if password
        else None
    )
    if secret is not None and len(secret) < MIN_PASSWORD_LENGTH:
        raise click.BadParameter(
            f"use at least {MIN_PASSWORD_LENGTH} characters", param_hint="--password"
        )

    async def run() -> str:
        token = await ensure_organizer(email, name, OrganizerRole(role), list(regions))
        if secret is not None:
            await set_password(email, secret)
        return token.token

    click.echo(asyncio.run(run()))


@main.command("member-token")
@click.argument("email")
@click.option("--label", default="cli")
def member_token(email: str, label: str) -> None:
    """Print a new personal API token for an existing member."""
    from events.services.members import issue_token_for_email

    token = asyncio.run(issue_token_for_email(email, label))
    click.echo(token.token)
