"""The Slack bot as a Convene extension: the Slack endpoints, the FAQ and questions API and
console page, the FAQ in Piccolo Admin, Slack DMs as the notifier, the bot's housekeeping, the
channel posts' outbox in /metrics, and the questions a member asked, in their data export
and at their erasure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from events.extensions import ConsoleLink, ConvenePlugin, Sweep

TEMPLATES = Path(__file__).parent / "templates"


class SlackPlugin(ConvenePlugin):
    name = "bot"

    def route_handlers(self) -> list:
        """POST /slack/events: bolt when Slack is configured, a clear 503 when it is not;
        the organizers' FAQ and questions API either way."""
        from bot.api import FaqController, QuestionController
        from bot.route import slack_routes
        from bot.slack_app import build_bolt_app

        slack = self.settings.slack
        bolt = build_bolt_app(slack) if slack else None
        return [*slack_routes(bolt), FaqController, QuestionController]

    def on_app_init(self, app_config):
        """And, with one bot token, ``auth.test`` started as the app starts, so that a
        modal's submission (whose ack waits for the registration) seldom waits for it."""
        app_config = super().on_app_init(app_config)
        app_config.on_startup.append(_warm_installed_workspace)
        return app_config

    def console_pages(self) -> list:
        from bot.console import FaqConsoleController

        return [FaqConsoleController]

    def console_links(self) -> list[ConsoleLink]:
        return [ConsoleLink("FAQ and questions", "/console/faq", staff=False)]

    def template_directories(self) -> list[Path]:
        return [TEMPLATES]

    def admin_tables(self) -> list:
        from bot.admin import bot_tables

        return bot_tables()

    def sweeps(self) -> list[Sweep]:
        from bot.tasks import purge_seen_events, sweep_slack_posts

        return [purge_seen_events, sweep_slack_posts]

    def metrics(self) -> list:
        return [slack_posts]

    def frequent_sweeps(self) -> list[Sweep]:
        from bot.tasks import slack_post_retries

        return [slack_post_retries()]

    def start(self) -> None:
        """Notifications go to Slack DMs when Slack is configured (else to the log)."""
        slack = self.settings.slack
        if slack is None:
            return
        from bot.installations import configure_workspaces
        from bot.notify import SlackNotifier
        from bot.slack_app import web_client
        from events.notifier import set_notifier

        client = web_client(slack)
        configure_workspaces(client, slack.installs_with_oauth)
        set_notifier(SlackNotifier(client))

    async def member_export(self, member_id: int) -> dict[str, Any]:
        from bot import member_data

        return await member_data.export(member_id)

    async def erase_member(self, member_id: int) -> None:
        from bot import member_data

        await member_data.erase(member_id)


async def slack_posts() -> list:
    """The channel posts' outbox (bot.posts), beside the core's in /metrics."""
    from bot.posts import OUTBOX
    from events.observability.readings import outbox_readings

    return outbox_readings("slack_post", "slack", await OUTBOX.backlog())


async def _warm_installed_workspace() -> None:
    from bot.installations import warm_installed_workspace

    warm_installed_workspace()
