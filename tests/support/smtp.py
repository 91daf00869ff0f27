"""A real SMTP server on loopback (aiosmtpd) that keeps every email it receives.

The app under test runs in another process and sends over SMTP with aiosmtplib, so the
emails cross a socket exactly as they would to a relay; the tests read them back parsed
by the email package.
"""

from __future__ import annotations

import asyncio
import email
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True, slots=True)
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        return part.get_content() if part else ""

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


class _Keep:
    def __init__(self, mailbox: SmtpServer) -> None:
        self.mailbox = mailbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:  # noqa: N802
        refusal = self.mailbox.refusal(address)
        if refusal is not None:
            return refusal  # as a relay answers for an unknown (5xx) or busy (4xx) mailbox
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        for address in envelope.rcpt_tos:
            gate = self.mailbox.gate(address)
            if gate is not None:  # a slow relay: the answer waits until released
                await asyncio.get_running_loop().run_in_executor(None, gate.wait)
        message = email.message_from_bytes(envelope.original_content, policy=policy.default)
        self.mailbox.add(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self._lock = threading.Lock()
        self._received: list[Received] = []
        self._refusals: dict[str, str] = {}
        self._gates: dict[str, threading.Event] = {}
        self.port = port
        self._controller: Controller | None = None
        self.start()

    def start(self) -> None:
        """Listen on the port (again, after ``stop()``: what was received is kept)."""
        self._controller = Controller(_Keep(self), hostname="127.0.0.1", port=self.port)
        self._controller.start()  # its own thread and event loop

    def stop(self) -> None:
        """The relay is down: connections to the port are refused until ``start()``."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def refuse(self, address: str, reply: str | None) -> None:
        """Answer RCPT TO ``address`` with ``reply`` (e.g. "550 5.1.1 No such user");
        None accepts it again."""
        with self._lock:
            if reply is None:
                self._refusals.pop(address.lower(), None)
            else:
                self._refusals[address.lower()] = reply

    def hold(self, address: str) -> None:
        """Keep the answer to DATA for ``address`` waiting (a slow relay: the message is
        in flight) until ``release(address)``."""
        with self._lock:
            self._gates[address.lower()] = threading.Event()

    def release(self, address: str) -> None:
        with self._lock:
            gate = self._gates.pop(address.lower(), None)
        if gate is not None:
            gate.set()

    def gate(self, address: str) -> threading.Event | None:
        with self._lock:
            return self._gates.get(address.lower())

    def refusal(self, address: str) -> str | None:
        with self._lock:
            return self._refusals.get(address.lower())

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def add(self, received: Received) -> None:
        with self._lock:
            self._received.append(received)

    def received(self, to: str | None = None, subject: str | None = None) -> list[Received]:
        """What reached ``to`` (everyone), with ``subject`` in the Subject (any subject)."""
        with self._lock:
            return [
                r
                for r in self._received
                if (to is None or to in r.recipients)
                and (subject is None or subject in str(r.message["Subject"]))
            ]

    async def wait_for(
        self, to: str, count: int = 1, timeout: float = 15.0, subject: str | None = None
    ) -> list[Received]:
        """The emails to ``to`` once there are ``count`` of them (they are sent by a task)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.received(to, subject)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            await asyncio.sleep(0.05)

    def close(self) -> None:
        with self._lock:
            gates, self._gates = list(self._gates.values()), {}
        for gate in gates:
            gate.set()
        self.stop()
