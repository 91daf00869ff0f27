"""The bolt AsyncApp and its listeners. Every listener acknowledges first (Slack wants an
answer within 3 seconds) and works after; bolt runs it as a task, so the HTTP response
leaves as soon as ``ack`` is called."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot import blocks, commands, posts, qa, qa_blocks
from bot.home import publish_home
from bot.identity import NotRecognised, SlackPerson, person_for
from bot.installations import PiccoloOAuthStateStore, configure_workspaces
from bot.lookup import find_event
from bot.respond import retrying_respond
from bot.route import INSTALL_PATH, REDIRECT_PATH
from events.calendar import tokens
from events.config import SlackSettings
from events.db import fetch_one
from events.enums import RegistrationSource
from events.errors import DomainError, InvalidInput, database_outage
from events.services import catalog, registrations

logger = logging.getLogger("convene.bot")

COMMAND = "/events"
SUBSCRIBED_EVENTS = ("app_home_opened", "app_mention")  # manifest.yml subscribes to these


def web_client(settings: SlackSettings) -> AsyncWebClient:
    """A 429 is retried after its Retry-After; a dropped connection, once more."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(max_retry_count=1),
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


BOT_SCOPES = [  # manifest.yml asks for the same
    "app_mentions:read",
    "chat:write",
    "commands",
    "im:write",
    "users:read",
    "users:read.email",
]


def build_bolt_app(settings: SlackSettings) -> AsyncApp:
    client = web_client(settings)
    workspaces = configure_workspaces(client, settings.installs_with_oauth)
    if settings.installs_with_oauth:
        app = AsyncApp(
            client=client,
            signing_secret=settings.signing_secret,
            installation_store=workspaces.store,
            oauth_settings=AsyncOAuthSettings(
                client_id=settings.client_id,
                client_secret=settings.client_secret,
                scopes=BOT_SCOPES,
                installation_store=workspaces.store,
                state_store=PiccoloOAuthStateStore(),
                install_path=INSTALL_PATH,
                redirect_uri_path=REDIRECT_PATH,
            ),
        )
    else:
        assert workspaces.installed is not None
        app = AsyncApp(
            client=client,
            signing_secret=settings.signing_secret,
            authorize=workspaces.installed.authorizer(),  # never waits for Slack
        )
    app.middleware(retrying_respond)
    app.command(COMMAND)(events_command)
    for action in (blocks.REGISTER, blocks.CANCEL, blocks.DETAILS):
        app.action(action)(event_button)
    app.action(blocks.ADD_TO_CALENDAR)(just_ack)  # a link: the browser does the work
    app.action(blocks.OPEN_MEMBER_PAGE)(just_ack)
    app.action(blocks.ROTATE_CALENDAR)(rotate_calendar)
    app.action(blocks.ANSWER_QUESTION)(open_answer_modal)
    app.action(blocks.SAVE_TO_FAQ)(save_to_faq)
    app.view(blocks.REGISTER_MODAL)(submit_registration)
    app.view(blocks.ANSWER_MODAL)(submit_answer)
    app.event("app_mention")(app_mention)
    app.event("app_home_opened")(home_opened)
    app.event("message")(just_ack)  # DMs and channel chatter: nothing to do
    return app


async def just_ack(ack: AsyncAck) -> None:
    await ack()


async def _as_member(
    client: AsyncWebClient,
    team_id: str,
    user_id: str,
    tell: Callable[[str], Awaitable[object]],
    work: Callable[[SlackPerson], Awaitable[object]],
) -> None:
    """Run ``work`` as the member behind this Slack user; refusals become a message."""
    try:
        await work(await person_for(client, team_id, user_id))
    except NotRecognised as refusal:
        await tell(refusal.message)
    except DomainError as error:  # details may repeat what they typed: escaped
        await tell(f":warning: {blocks.escape(error.detail)}")
    except Exception as exc:
        await tell(_sorry(exc, user_id))


def _sorry(exc: Exception, user_id: str) -> str:
    """What to tell the member when their request failed on our side (logged here)."""
    outage = database_outage(exc)
    if outage is not None:  # logged by database_outage, without a traceback
        return f":hourglass: {outage.detail}"
    logger.exception("bot: request by %s failed", user_id, exc_info=exc)
    return "Sorry, something went wrong on our side. Please try again in a minute."


def _ephemeral(respond: AsyncRespond) -> Callable[[str], Awaitable[object]]:
    return lambda text: respond(text=text, response_type="ephemeral")


async def events_command(
    ack: AsyncAck, command: dict, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    await ack()

    async def work(person: SlackPerson) -> None:
        turn = commands.Turn(
            person, client, respond, command["channel_id"], command.get("trigger_id")
        )
        await commands.run(turn, command.get("text", ""))

    await _as_member(client, command["team_id"], command["user_id"], _ephemeral(respond), work)


async def event_button(ack: AsyncAck, body: dict, client: AsyncWebClient, respond: AsyncRespond):
    await ack()
    action = body["actions"][0]
    user = body["user"]
    in_view = body.get("view") is not None  # Home tab or modal: no response_url there

    async def tell(text: str) -> None:
        if in_view:
            await client.chat_postMessage(channel=user["id"], text=text)
        else:
            await respond(text=text, response_type="ephemeral", replace_original=False)

    async def work(person: SlackPerson) -> None:
        found = await find_event(action["value"])
        if found.event is None:
            await tell("That event is no longer available.")
            return
        replier = _replier(tell)
        if in_view and action["action_id"] == blocks.REGISTER:
            # There a reply would be a DM, and the outbox DMs the confirmation already:
            # one registration, one message (the Home tab shows the status after).
            replier = _quiet
        turn = commands.Turn(
            person, client, replier, body.get("channel", {}).get("id", ""),
            body.get("trigger_id"),
        )  # fmt: skip
        handler = {
            blocks.REGISTER: commands.register,
            blocks.CANCEL: commands.cancel,
            blocks.DETAILS: commands.show,
        }[action["action_id"]]
        await handler(turn, found.event)
        if in_view and body["view"].get("type") == "home":
            await publish_home(client, user["id"], person.member.id)

    await _as_member(client, user.get("team_id") or body["team"]["id"], user["id"], tell, work)


async def _quiet(text: str = "", **_: object) -> None:
    """A Turn's respond() where the outcome reaches the member another way."""


def _replier(tell: Callable[[str], Awaitable[object]]):
    """A Turn's respond() for places without a response_url: text only."""

    async def respond(text: str, blocks: list | None = None, **_: object) -> None:
        if blocks:
            text = "\n".join(
                b["text"]["text"] for b in blocks if b.get("type") == "section" and "text" in b
            )
        await tell(text)

    return respond


async def rotate_calendar(ack: AsyncAck, body: dict, client: AsyncWebClient, respond):
    await ack()
    user = body["user"]

    async def work(person: SlackPerson) -> None:
        link = await tokens.rotate(person.member)
        await respond(
            text="Your new calendar link",
            blocks=blocks.calendar_reply(link),
            response_type="ephemeral",
            replace_original=True,
        )

    team_id = user.get("team_id") or body["team"]["id"]
    await _as_member(client, team_id, user["id"], _ephemeral(respond), work)


async def submit_registration(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient):
    """Validation errors are shown inside the modal (response_action "errors")."""
    user = body["user"]
    slug = view["private_metadata"]
    try:
        event = await catalog.public_event(slug)
        booleans = {q.key for q in event.questions if q.kind == "boolean"} if event else set()
        answers = _answers(view, booleans)
        person = await person_for(client, user.get("team_id") or body["team"]["id"], user["id"])
        await registrations.register(person.member, slug, answers, source=RegistrationSource.slack)
    except InvalidInput as error:
        errors = {
            f"q:{problem['question']}": problem["message"]
            for problem in error.extra.get("errors", [])
        }
        await ack(response_action="errors", errors=errors or {"_": error.detail})
        return
    except (DomainError, NotRecognised) as refusal:
        await ack()
        if isinstance(refusal, DomainError):
            text = blocks.escape(refusal.detail)
        else:
            text = refusal.message
        await client.chat_postMessage(channel=user["id"], text=f":warning: {text}")
        return
    except Exception as exc:  # the database is down, say: Slack still gets its answer
        await ack()
        await client.chat_postMessage(channel=user["id"], text=_sorry(exc, user["id"]))
        return
    # The confirmation comes as a DM from the outbox, like every registration's; a second
    # submission (a double click) found the same registration and says nothing more.
    await ack()


def _answers(view: dict, booleans: set[str]) -> dict[str, str | bool]:
    """state.values → {question key: answer}; the Yes/No selects of boolean questions
    become booleans."""
    answers: dict[str, str | bool] = {}
    for block_id, fields in view["state"]["values"].items():
        if not block_id.startswith("q:"):
            continue
        field = fields.get("answer", {})
        value = field.get("value")
        if field.get("selected_option"):
            value = field["selected_option"]["value"]
        key = block_id[2:]
        if value is not None:
            answers[key] = value in ("Yes", True) if key in booleans else value
    return answers


async def open_answer_modal(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
    await ack()
    user = body["user"]
    question_id = int(body["actions"][0]["value"])

    async def work(person: SlackPerson) -> None:
        question = await qa.question_for_organizer(person.organizer, question_id)
        await client.views_open(
            trigger_id=body["trigger_id"],
            view=qa_blocks.answer_modal(question_id, question["text"]),
        )

    async def tell(text: str) -> None:
        await client.chat_postEphemeral(channel=body["channel"]["id"], user=user["id"], text=text)

    await _as_member(client, user.get("team_id") or body["team"]["id"], user["id"], tell, work)


async def submit_answer(ack: AsyncAck, body: dict, view: dict, client: AsyncWebClient) -> None:
    text = (view["state"]["values"]["answer"]["answer"].get("value") or "").strip()
    if not text:
        await ack(response_action="errors", errors={"answer": "Write an answer."})
        return
    await ack()
    user = body["user"]
    question_id = int(view["private_metadata"])

    async def tell(text: str) -> None:
        await client.chat_postMessage(channel=user["id"], text=text)

    async def work(person: SlackPerson) -> None:
        await qa.answer(client, person, question_id, text)

    await _as_member(client, user.get("team_id") or body["team"]["id"], user["id"], tell, work)


async def save_to_faq(ack: AsyncAck, body: dict, client: AsyncWebClient) -> None:
    await ack()
    user = body["user"]
    question_id = int(body["actions"][0]["value"])

    async def tell(text: str) -> None:
        await client.chat_postEphemeral(channel=body["channel"]["id"], user=user["id"], text=text)

    async def work(person: SlackPerson) -> None:
        await qa.save_to_faq(client, person, question_id)

    await _as_member(client, user.get("team_id") or body["team"]["id"], user["id"], tell, work)


async def first_delivery(event_id: str | None) -> bool:
    """Slack retries an event it thinks we missed (X-Slack-Retry-Num), with the same
    event_id: only the first delivery does anything."""
    if not event_id:
        return True
    row = await fetch_one(
        "INSERT INTO slack_event_seen (event_id, seen_at) VALUES ({}, {}) "
        "ON CONFLICT DO NOTHING RETURNING id",
        event_id,
        datetime.now(UTC),
    )
    return row is not None


async def app_mention(ack: AsyncAck, body: dict, event: dict, client: AsyncWebClient) -> None:
    await ack()
    if not await first_delivery(body.get("event_id")):
        return
    text = " ".join(word for word in event.get("text", "").split() if not word.startswith("<@"))
    channel = event["channel"]
    thread = event.get("thread_ts") or event["ts"]

    team_id = event.get("team") or body.get("team_id")

    async def tell(message: str) -> None:  # through the outbox, like the answer
        await posts.say(body.get("team_id") or team_id, channel, message, thread_ts=thread)

    async def work(person: SlackPerson) -> None:
        if not text.strip():
            await tell("Ask me about an event, e.g. “when does it start?” or “are seats left?”")
            return
        await qa.ask_in_channel(client, person, channel, text, thread_ts=thread)

    await _as_member(client, team_id, event["user"], tell, work)


async def home_opened(ack: AsyncAck, body: dict, event: dict, client: AsyncWebClient) -> None:
    await ack()
    if event.get("tab", "home") != "home" or not await first_delivery(body.get("event_id")):
        return

    async def tell(message: str) -> None:
        await client.views_publish(
            user_id=event["user"],
            view={"type": "home", "blocks": [blocks.section(message)]},
        )

    async def work(person: SlackPerson) -> None:
        await publish_home(client, event["user"], person.member.id)

    await _as_member(client, body.get("team_id"), event["user"], tell, work)
