"""The email package's policies, with the work that repeats between messages done once.

Parsing a header (``policy.default``'s header registry) and folding it for the wire are
the costliest steps of building and sending a message: a milliseconds-long share of every
delivery, mostly spent on the same From, Subject and Content-Type again and again. Header
objects are immutable and their folded form depends only on the name, the value and the
policy, so both are remembered (bounded). What differs per message (To, Message-ID, Date)
still parses as before; the bytes on the wire are the same.
"""

from __future__ import annotations

import email.policy
from email.generator import BytesGenerator
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.policy import EmailPolicy
from functools import lru_cache
from io import BytesIO

REMEMBERED = 4096  # header values; an announcement's To headers are all different


class _ReusedHeaders(HeaderRegistry):
    @lru_cache(maxsize=REMEMBERED)  # noqa: B019 - one registry per process, never freed
    def __call__(self, name: str, value: str):
        return super().__call__(name, value)


class _FoldedOnce(EmailPolicy):
    @lru_cache(maxsize=REMEMBERED)  # noqa: B019 - two policies per process, never freed
    def fold_binary(self, name: str, value: str) -> bytes:
        return super().fold_binary(name, value)


_HEADERS = _ReusedHeaders()
# What messages are built with (policy.default's settings) ...
BUILD = email.policy.default.clone(header_factory=_HEADERS)
# ... and how they are written for SMTP (policy.SMTP's: CRLF line ends), as aiosmtplib would.
WIRE = _FoldedOnce().clone(linesep="\r\n", header_factory=_HEADERS)


def new_message() -> EmailMessage:
    return EmailMessage(policy=BUILD)


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as sent over SMTP (Bcc never set: Convene writes to one member)."""
    with BytesIO() as out:
        BytesGenerator(out, policy=WIRE).flatten(message)
        return out.getvalue()
