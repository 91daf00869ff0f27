"""Slack as the app sees it in tests: a fake Web API on loopback and a signed request sender.

The app under test runs in another process and talks to Slack over HTTP, so the fake is a real
HTTP server (not a mock): whatever slack_sdk sends - form or JSON, GET or POST, retries after a
429 - goes over a socket exactly as it would to slack.com. The sender plays Slack's side of the
other direction: slash commands, interactivity payloads and Events API callbacks, each signed
with the signing secret the server was started with.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
from slack_sdk.signature import SignatureVerifier

# What the test server is started with (see tests/conftest.py).
SIGNING_SECRET = "convene-test-signing-secret"
BOT_TOKEN = "xoxb-convene-test"

TEAM_ID = "T0NSCP"
TEAM_DOMAIN = "nscp"
APP_ID = "A0CONVENE"
BOT_USER_ID = "U0BOT"
BOT_ID = "B0BOT"
DEFAULT_CHANNEL_ID = "C0GENERAL"
VERIFICATION_TOKEN = "legacy-verification-token"  # deprecated by Slack, still in every payload

_NOT_DECODED = {"text", "markdown_text"}  # message text may start with "[" or "{" and stay text


@dataclass(frozen=True, slots=True)
class Call:
    """One request the app made to the fake; ``headers`` keys are lower-cased."""

    method: str  # Web API method ("chat.postMessage") or "response_url"
    params: dict[str, Any]
    headers: dict[str, str]
    at: float  # time.time() when it arrived
    limited: bool = False  # answered 429 (or 503 in an outage): the app is expected to retry
    path: str = ""
    body: str = field(default="", repr=False)  # as received, e.g. to check a signature
    answer: dict[str, Any] = field(default_factory=dict, repr=False)  # what the fake replied

    @property
    def token(self) -> str | None:
        """The bearer token the call was made with (or a legacy ``token`` param)."""
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        return self.params.get("token")


def _decode_fields(params: dict[str, Any]) -> dict[str, Any]:
    """Turn JSON strings in form fields (blocks, view, ...) back into objects for inspection."""
    decoded = {}
    for key, value in params.items():
        if isinstance(value, str) and key not in _NOT_DECODED and value[:1] in ("{", "["):
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        decoded[key] = value
    return decoded


def _parse_body(content_type: str, body: bytes) -> dict[str, Any]:
    if not body:
        return {}
    text = body.decode("utf-8")
    if content_type.split(";")[0].strip().lower() == "application/json":
        parsed = json.loads(text)
        return parsed if isinstance(parsed, dict) else {"_json": parsed}
    return dict(parse_qsl(text, keep_blank_values=True))


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            params = dict(parse_qsl(split.query, keep_blank_values=True))
            params.update(_parse_body(headers.get("content-type", ""), body))
        except ValueError as error:
            self._reply(400, {"ok": False, "error": "invalid_form_data", "detail": str(error)})
            return
        if split.path.startswith("/api/"):
            method = split.path.removeprefix("/api/")
        elif split.path.startswith("/response/"):
            method = "response_url"
        else:
            self._reply(404, {"ok": False, "error": "unknown_path"})
            return
        status, payload, extra = self.server.fake._answer(
            method, _decode_fields(params), headers, split.path, body.decode("utf-8", "replace")
        )
        self._reply(status, payload, extra)

    def _reply(self, status: int, payload: dict, extra: Mapping[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Keep pytest output clean: the calls are recorded instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default 5 drops bursts; the kernel retries them 1-7 s later
    fake: FakeSlack


class FakeSlack:
    """Slack's Web API on 127.0.0.1: records every call and answers like Slack does."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._limits: dict[str, list[int]] = {}  # method -> [remaining, retry_after]
        self._down: set[str] | None = None  # methods answered 503 ("*": all of them)
        self._held: dict[str, threading.Event] = {}  # method -> released when set
        self._ts = itertools.count(1)
        self._view_ids = itertools.count(1)
        self.users: dict[str, dict[str, Any]] = {}  # user_id -> {"email", "real_name", "tz"}
        self.port = 0
        self._serve()
        self.url = f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self._server = _Server(("127.0.0.1", self.port), _Handler)
        self._server.fake = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-slack",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Slack unreachable: the port refuses connections until ``start()``, which listens
        on the same port again; the calls recorded so far are kept."""
        self.close()

    def start(self) -> None:
        self._serve()

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL / AsyncWebClient(base_url=...) should be."""
        return f"{self.url}/api/"

    def response_url(self, tag: str) -> str:
        """A ``response_url`` for a command or action; posts to it are recorded."""
        return f"{self.url}/response/{tag}"

    # --- set-up -------------------------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        email: str | None = None,
        real_name: str = "",
        tz: str = "America/Denver",
        **extra: Any,
    ) -> None:
        """Make ``users.info`` know a person (same as writing to ``fake.users``)."""
        with self._lock:
            self.users[user_id] = {"email": email, "real_name": real_name, "tz": tz, **extra}

    def rate_limit(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        with self._lock:
            self._limits[method] = [times, retry_after]

    def outage(self, *methods: str) -> None:
        """Slack is down: every call (or only those of ``methods``) is answered 503 until
        ``recover()``. slack_sdk raises on it, as it would on Slack's own 5xx."""
        with self._lock:
            self._down = set(methods) or {"*"}

    def recover(self) -> None:
        with self._lock:
            self._down = None

    def hold(self, method: str) -> None:
        """Keep every call of ``method`` waiting (a slow Slack) until ``release(method)``."""
        with self._lock:
            self._held[method] = threading.Event()

    def release(self, method: str) -> None:
        with self._lock:
            gate = self._held.pop(method, None)
        if gate is not None:
            gate.set()

    def reset(self) -> None:
        """Forget calls, users, rate limits, outages and holds (between tests)."""
        with self._lock:
            self._calls.clear()
            self.users.clear()
            self._limits.clear()
            self._down = None
            held, self._held = list(self._held.values()), {}
        for gate in held:
            gate.set()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- inspection ---------------------------------------------------------------------------

    def calls(self, method: str | None = None) -> list[Call]:
        """A copy of the calls so far, optionally of one method only, oldest first."""
        with self._lock:
            return [call for call in self._calls if method is None or call.method == method]

    def _find(self, method: str, predicate: Callable[[Call], bool]) -> Call | None:
        return next((call for call in self.calls(method) if predicate(call)), None)

    def _missing(self, method: str, timeout: float) -> AssertionError:
        seen = "\n".join(
            f"  {call.method}{' (429)' if call.limited else ''}: {call.params!r}"
            for call in self.calls()
        )
        return AssertionError(
            f"no matching {method} call within {timeout}s; calls seen:\n{seen or '  (none)'}"
        )

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        timeout: float = 10,
    ) -> Call:
        """The first call of ``method`` matching ``predicate``: the bot works after it acks."""
        deadline = time.monotonic() + timeout
        while True:
            call = self._find(method, predicate)
            if call is not None:
                return call
            if time.monotonic() > deadline:
                raise self._missing(method, timeout)
            await asyncio.sleep(0.02)

    def wait_for_sync(
        self,
        method: str,
        predicate: Callable[[Call], bool] = lambda call: True,
        timeout: float = 10,
    ) -> Call:
        """``wait_for`` for code outside an event loop."""
        deadline = time.monotonic() + timeout
        while True:
            call = self._find(method, predicate)
            if call is not None:
                return call
            if time.monotonic() > deadline:
                raise self._missing(method, timeout)
            time.sleep(0.02)

    # --- answers ------------------------------------------------------------------------------

    def _next_ts(self) -> str:
        micros = 1_700_000_000_000_000 + next(self._ts) * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _answer(
        self, method: str, params: dict[str, Any], headers: dict[str, str], path: str, body: str
    ) -> tuple[int, dict, dict[str, str]]:
        with self._lock:
            gate = self._held.get(method)
        if gate is not None:
            gate.wait(timeout=60)  # each request has its own thread: only this one waits
        with self._lock:
            if self._down is not None and ("*" in self._down or method in self._down):
                self._calls.append(Call(method, params, headers, time.time(), True, path, body))
                return 503, {"ok": False, "error": "service_unavailable"}, {}
            limit = self._limits.get(method)
            limited = bool(limit and limit[0] > 0)
            if limited:
                limit[0] -= 1
            if limited:
                error = {"ok": False, "error": "ratelimited"}
                self._calls.append(
                    Call(method, params, headers, time.time(), limited, path, body, error)
                )
                return 429, error, {"Retry-After": str(limit[1])}
            answer = self._respond(method, params)
            self._calls.append(
                Call(method, params, headers, time.time(), limited, path, body, answer)
            )
            return 200, answer, {}

    def _respond(self, method: str, params: dict[str, Any]) -> dict:  # holds the lock
        match method:
            case "auth.test":
                return {
                    "ok": True,
                    "url": "https://nscp.slack.com/",
                    "team": "NSCP",
                    "user": "convene",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                }
            case "users.info":
                return self._user_info(params.get("user", ""))
            case "chat.postMessage":
                ts = self._next_ts()
                message = {"type": "message", "text": params.get("text", ""), "ts": ts}
                if "blocks" in params:
                    message["blocks"] = params["blocks"]
                return {"ok": True, "channel": params.get("channel"), "ts": ts, "message": message}
            case "chat.postEphemeral":
                return {"ok": True, "message_ts": self._next_ts()}
            case "chat.update":
                return {
                    "ok": True,
                    "channel": params.get("channel"),
                    "ts": params.get("ts"),
                    "text": params.get("text", ""),
                }
            case "views.open" | "views.push" | "views.update" | "views.publish":
                view = params.get("view")
                view = dict(view) if isinstance(view, dict) else {}
                view_id = params.get("view_id") or f"V{next(self._view_ids):04d}"
                return {"ok": True, "view": {**view, "id": view_id, "hash": "h"}}
            case "conversations.open":
                users = str(params.get("users", "")).split(",")
                return {"ok": True, "channel": {"id": f"D{users[0]}"}}
            case "conversations.info":
                return {"ok": True, "channel": {"id": params.get("channel"), "name": "general"}}
            case "oauth.v2.access":  # the code an install's redirect carries: "code-<team>"
                team = str(params.get("code", "")).removeprefix("code-") or TEAM_ID
                return {
                    "ok": True,
                    "app_id": APP_ID,
                    "authed_user": {"id": "U0INSTALLER"},
                    "scope": "commands,chat:write,im:write,users:read,users:read.email",
                    "token_type": "bot",
                    "access_token": f"xoxb-installed-{team}",
                    "bot_user_id": BOT_USER_ID,
                    "team": {"id": team, "name": f"Workspace {team}"},
                    "enterprise": None,
                    "is_enterprise_install": False,
                }
            case _:
                return {"ok": True}

    def _user_info(self, user_id: str) -> dict:
        known = self.users.get(user_id)
        if known is None:
            return {"ok": False, "error": "user_not_found"}
        email = known.get("email")
        real_name = known.get("real_name") or ""
        name = known.get("name") or (email.split("@")[0] if email else user_id.lower())
        profile = {"real_name": real_name, "display_name": known.get("display_name", real_name)}
        if email is not None:
            profile["email"] = email
        return {
            "ok": True,
            "user": {
                "id": user_id,
                "team_id": TEAM_ID,
                "name": name,
                "real_name": real_name,
                "tz": known.get("tz") or "America/Denver",
                "tz_offset": known.get("tz_offset", -25200),
                "is_bot": known.get("is_bot", False),
                "deleted": known.get("deleted", False),
                "profile": profile,
            },
        }


class SlackSigner:
    """Signs request bodies the way Slack does, so the app's verification is really exercised."""

    def __init__(self, secret: str = SIGNING_SECRET) -> None:
        self._verifier = SignatureVerifier(secret)

    def headers(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        timestamp = int(time.time()) if timestamp is None else timestamp
        signature = self._verifier.generate_signature(timestamp=str(timestamp), body=body)
        return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": signature}


# Slack's state.values entry for each kind of input element: key -> how the value is carried.
_STATE_SHAPES: dict[str, Callable[[Any], dict[str, Any]]] = {
    "plain_text_input": lambda v: {"value": v},
    "email_text_input": lambda v: {"value": v},
    "url_text_input": lambda v: {"value": v},
    "number_input": lambda v: {"value": None if v is None else str(v)},
    "static_select": lambda v: {"selected_option": _option(v)},
    "external_select": lambda v: {"selected_option": _option(v)},
    "radio_buttons": lambda v: {"selected_option": _option(v)},
    "multi_static_select": lambda v: {"selected_options": [_option(x) for x in v or []]},
    "multi_external_select": lambda v: {"selected_options": [_option(x) for x in v or []]},
    "checkboxes": lambda v: {"selected_options": [_option(x) for x in v or []]},
    "datepicker": lambda v: {"selected_date": v},
    "timepicker": lambda v: {"selected_time": v},
    "datetimepicker": lambda v: {"selected_date_time": v},
    "users_select": lambda v: {"selected_user": v},
    "multi_users_select": lambda v: {"selected_users": list(v or [])},
    "conversations_select": lambda v: {"selected_conversation": v},
    "channels_select": lambda v: {"selected_channel": v},
}


def _option(value: Any) -> dict[str, Any] | None:
    if value is None or isinstance(value, dict):
        return value
    return {"text": {"type": "plain_text", "text": str(value), "emoji": True}, "value": value}


def state_values(fields: Mapping[str, tuple]) -> dict[str, dict[str, dict[str, Any]]]:
    """Slack's ``view.state.values`` from ``{block_id: (action_id, value[, element_type])}``.

    The element type defaults to ``plain_text_input``; select types take an option value (or a
    full option dict), multi-selects and checkboxes a list of them, pickers their string.
    """
    values: dict[str, dict[str, dict[str, Any]]] = {}
    for block_id, spec in fields.items():
        action_id, value, *rest = spec
        kind = rest[0] if rest else "plain_text_input"
        values.setdefault(block_id, {})[action_id] = {"type": kind, **_STATE_SHAPES[kind](value)}
    return values


class SlackDriver:
    """Plays Slack towards the app: signed POSTs to /slack/events, shaped like Slack's.

    Every method returns the app's ``httpx.Response``. ``signature=`` replaces the computed
    signature and ``timestamp=`` signs with another time, for tests of rejected requests.
    """

    def __init__(
        self,
        base_url: str,
        fake: FakeSlack,
        *,
        secret: str = SIGNING_SECRET,
        path: str = "/slack/events",
        team_id: str = TEAM_ID,
    ) -> None:
        self.http = httpx.AsyncClient(base_url=base_url, timeout=30)
        self.fake = fake
        self.signer = SlackSigner(secret)
        self.path = path
        self.team_id = team_id
        self._counter = itertools.count(1)
        self.last_trigger_id: str | None = None
        self.last_response_url: str | None = None

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> SlackDriver:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # --- transport ----------------------------------------------------------------------------

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        signature: str | None = None,
        timestamp: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """POST a raw body, signed (or deliberately mis-signed)."""
        signed = self.signer.headers(body, timestamp)
        if signature is not None:
            signed["X-Slack-Signature"] = signature
        all_headers = {"Content-Type": content_type, **signed, **(headers or {})}
        return await self.http.post(self.path, content=body.encode(), headers=all_headers)

    async def interaction(
        self, payload: dict[str, Any], *, signature: str | None = None, timestamp: int | None = None
    ) -> httpx.Response:
        """Any interactivity payload, form-encoded as ``payload=<json>`` like Slack sends it."""
        body = urlencode({"payload": json.dumps(payload)})
        return await self.send(
            body, "application/x-www-form-urlencoded", signature=signature, timestamp=timestamp
        )

    def _ids(self, kind: str, trigger_id: str | None, response_url: str | None) -> tuple:
        n = next(self._counter)
        self.last_trigger_id = trigger_id or f"trig-{n}"
        self.last_response_url = response_url or self.fake.response_url(f"{kind}-{n}")
        return self.last_trigger_id, self.last_response_url

    def _user(self, user_id: str, team_id: str | None) -> dict[str, str]:
        name = user_id.lower()
        return {"id": user_id, "username": name, "name": name, "team_id": team_id or self.team_id}

    def _team(self, team_id: str | None) -> dict[str, str]:
        return {"id": team_id or self.team_id, "domain": TEAM_DOMAIN}

    # --- what Slack sends ---------------------------------------------------------------------

    async def command(
        self,
        text: str,
        *,
        user_id: str,
        team_id: str | None = None,
        channel_id: str = DEFAULT_CHANNEL_ID,
        channel_name: str = "general",
        command: str = "/events",
        trigger_id: str | None = None,
        response_url: str | None = None,
        signature: str | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """A slash command, form-encoded as Slack posts it."""
        trigger_id, response_url = self._ids("command", trigger_id, response_url)
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id or self.team_id,
            "team_domain": TEAM_DOMAIN,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        return await self.send(
            urlencode(form),
            "application/x-www-form-urlencoded",
            signature=signature,
            timestamp=timestamp,
        )

    async def block_action(
        self,
        action_id: str,
        value: Any = None,
        *,
        user_id: str,
        team_id: str | None = None,
        channel_id: str | None = None,
        view: dict[str, Any] | None = None,
        message: dict[str, Any] | None = None,
        block_id: str | None = None,
        action_type: str = "button",
        trigger_id: str | None = None,
        response_url: str | None = None,
        signature: str | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """A click (or selection) on a Block Kit element.

        In a message (the default) the action carries ``channel`` (``C0GENERAL`` unless
        ``channel_id`` is given) and ``message``; with ``view`` (a modal or the Home tab, e.g.
        ``{"id": "V1", "type": "home"}``) it carries the view and no channel unless one is given.
        """
        trigger_id, response_url = self._ids("action", trigger_id, response_url)
        now = f"{time.time():.6f}"
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id or f"block-{action_id}",
            "type": action_type,
            "action_ts": now,
        }
        if action_type == "button":
            action["value"] = value
            action["text"] = {"type": "plain_text", "text": action_id, "emoji": True}
        else:
            action.update(_STATE_SHAPES[action_type](value))
        payload: dict[str, Any] = {
            "type": "block_actions",
            "token": VERIFICATION_TOKEN,
            "user": self._user(user_id, team_id),
            "team": self._team(team_id),
            "api_app_id": APP_ID,
            "is_enterprise_install": False,
            "trigger_id": trigger_id,
            "actions": [action],
        }
        if view is None and channel_id is None:
            channel_id = DEFAULT_CHANNEL_ID
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": "general"}
        if view is not None:
            view = {"type": "modal", "team_id": team_id or self.team_id, **view}
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id")}
        else:
            message = message or {"type": "message", "ts": "1700000000.000001", "text": ""}
            payload["message"] = message
            payload["response_url"] = response_url
            payload["container"] = {
                "type": "message",
                "message_ts": message.get("ts"),
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
        return await self.interaction(payload, signature=signature, timestamp=timestamp)

    async def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, dict[str, Any]]],
        *,
        user_id: str,
        team_id: str | None = None,
        private_metadata: str = "",
        view_id: str | None = None,
        trigger_id: str | None = None,
        signature: str | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """A modal's Submit: ``values`` in state.values shape (see :func:`state_values`)."""
        trigger_id, _ = self._ids("submission", trigger_id, None)
        payload = {
            "type": "view_submission",
            "token": VERIFICATION_TOKEN,
            "user": self._user(user_id, team_id),
            "team": self._team(team_id),
            "api_app_id": APP_ID,
            "is_enterprise_install": False,
            "trigger_id": trigger_id,
            "view": {
                "id": view_id or f"V{next(self._counter):04d}",
                "team_id": team_id or self.team_id,
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values},
                "hash": "h",
                "blocks": [],
                "app_id": APP_ID,
                "bot_id": BOT_ID,
            },
            "response_urls": [],
        }
        return await self.interaction(payload, signature=signature, timestamp=timestamp)

    async def event(
        self,
        event: dict[str, Any],
        *,
        team_id: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        signature: str | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """An Events API callback; ``retry_num`` marks it as Slack's redelivery of ``event_id``."""
        now = time.time()
        body = {
            "token": VERIFICATION_TOKEN,
            "team_id": team_id or self.team_id,
            "api_app_id": APP_ID,
            "event": {"event_ts": f"{now:.6f}", **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._counter):08d}",
            "event_time": int(now),
            "authorizations": [
                {"team_id": team_id or self.team_id, "user_id": BOT_USER_ID, "is_bot": True}
            ],
            "is_ext_shared_channel": False,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return await self.send(
            json.dumps(body),
            "application/json",
            signature=signature,
            timestamp=timestamp,
            headers=headers,
        )

    async def url_verification(
        self, challenge: str, *, signature: str | None = None, timestamp: int | None = None
    ) -> httpx.Response:
        """The handshake Slack does when the Events request URL is set."""
        body = {"token": VERIFICATION_TOKEN, "challenge": challenge, "type": "url_verification"}
        return await self.send(
            json.dumps(body), "application/json", signature=signature, timestamp=timestamp
        )


@dataclass(slots=True)
class SlackHarness:
    """What the ``slack`` fixture yields: the fake Web API and the signed sender."""

    api: FakeSlack
    driver: SlackDriver
