"""Connections to the SMTP relay, kept open and reused between messages.

Opening a connection costs a TCP (and TLS) handshake, the greeting, EHLO and a login,
several times the cost of one message on it: an announcement to thousands would spend
most of its time there. Each process keeps up to ``CONNECTIONS`` open connections (which
also caps how many messages it sends at once, as relays limit clients' concurrency),
retires one after ``MESSAGES_PER_CONNECTION`` messages or ``IDLE_LIMIT`` unused (relays
drop idle clients), and drops one on any error but a refused recipient (after which
aiosmtplib has reset the envelope). A reused connection the relay has closed meanwhile is
replaced and the message sent again on the new one, once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from email.message import EmailMessage

import aiosmtplib
from aiosmtplib.email import extract_recipients, extract_sender

from events.config import SmtpSettings
from events.mail_policy import wire_bytes

CONNECTIONS = 4
MESSAGES_PER_CONNECTION = 100
IDLE_LIMIT = 30.0  # seconds
TIMEOUT = 30.0  # seconds for one exchange with the relay


@dataclass
class _Connection:
    client: aiosmtplib.SMTP
    sent: int = 0
    last_used: float = field(default_factory=time.monotonic)

    @property
    def worn(self) -> bool:
        idle = time.monotonic() - self.last_used
        return self.sent >= MESSAGES_PER_CONNECTION or idle > IDLE_LIMIT


class Relay:
    """The open connections of one process (one event loop) to one relay."""

    def __init__(self, smtp: SmtpSettings) -> None:
        self.smtp = smtp
        self.idle: list[_Connection] = []
        self.slots = asyncio.Semaphore(CONNECTIONS)

    async def send(self, message: EmailMessage) -> None:
        data = wire_bytes(message)
        sender, recipients = extract_sender(message), extract_recipients(message)
        async with self.slots:
            connection, reused = await self._take()
            try:
                try:
                    await connection.client.sendmail(sender, recipients, data, timeout=TIMEOUT)
                except (aiosmtplib.SMTPServerDisconnected, ConnectionError):
                    if not reused:
                        raise
                    await _close(connection)  # closed by the relay while idle: once more
                    connection = await self._open()
                    await connection.client.sendmail(sender, recipients, data, timeout=TIMEOUT)
            except aiosmtplib.SMTPRecipientsRefused:
                self._keep(connection)  # the envelope is reset; the connection is fine
                raise
            except BaseException:
                await _close(connection)
                raise
            connection.sent += 1
            self._keep(connection)

    async def _take(self) -> tuple[_Connection, bool]:
        while self.idle:
            connection = self.idle.pop()
            if not connection.worn and connection.client.is_connected:
                return connection, True
            await _close(connection, politely=True)
        return await self._open(), False

    async def _open(self) -> _Connection:
        smtp = self.smtp
        client = aiosmtplib.SMTP(
            hostname=smtp.host,
            port=smtp.port,
            username=smtp.username,
            password=smtp.password,
            use_tls=smtp.use_tls,
            start_tls=smtp.start_tls,
            timeout=TIMEOUT,
        )
        await client.connect()
        return _Connection(client)

    def _keep(self, connection: _Connection) -> None:
        connection.last_used = time.monotonic()
        self.idle.append(connection)

    async def close(self) -> None:
        idle, self.idle = self.idle, []
        for connection in idle:
            await _close(connection, politely=True)


async def _close(connection: _Connection, *, politely: bool = False) -> None:
    with contextlib.suppress(Exception):
        if politely and connection.client.is_connected:
            await connection.client.quit(timeout=5)
    connection.client.close()


_relay: tuple[asyncio.AbstractEventLoop, Relay] | None = None


def relay_for(smtp: SmtpSettings) -> Relay:
    """This event loop's relay (connections belong to the loop that opened them)."""
    global _relay
    loop = asyncio.get_running_loop()
    if _relay is None or _relay[0] is not loop or _relay[1].smtp != smtp:
        _relay = (loop, Relay(smtp))
    return _relay[1]
