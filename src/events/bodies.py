"""The one place request bodies are decoded: JSON for the API, forms for pages and console.

Litestar decodes JSON bodies loosely (``"capacity": "10"`` becomes 10) and lets decoder
failures escape as 500s (``RecursionError`` on deep nesting, ``UnicodeDecodeError`` in a
multipart part). ``ConveneRequest`` replaces its ``json()`` and ``form()``:

- a body that cannot be decoded, or nests deeper than ``text.MAX_DEPTH``, is a 400
  ``malformed_body``;
- every string, keys included, goes through ``text.clean_tree`` (NUL refused, stray
  control characters cleaned);
- JSON is converted to the handler's ``data`` type strictly: no strings for numbers or
  booleans; a mismatch is the usual 400 ``validation_failed`` naming the field.

Forms bound to ``data`` are parsed by Litestar's extractor from the connection's cached
form, so ``read_form`` (a ``before_request`` hook) fills that cache with the cleaned form
first. ``BodyDecoding`` installs both.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request
from litestar.config.app import AppConfig
from litestar.datastructures import FormMultiDict
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.plugins import InitPlugin
from litestar.types import Empty

from events.errors import MalformedBody
from events.text import clean_tree

FORM_TYPES = (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART)


def decode_json(body: bytes, target: Any) -> Any:
    """Bytes to ``target`` (``Any`` for no particular type), cleaned and strictly typed."""
    try:
        value = msgspec.json.decode(body or b"null")
    except (msgspec.DecodeError, RecursionError) as error:
        raise MalformedBody(f"The body is not valid JSON: {_first_line(error)}") from None
    value = clean_tree(value)
    if target is Any:
        return value
    try:
        return msgspec.convert(value, type=target, strict=True, str_keys=True)
    except msgspec.ValidationError as error:
        message, _, where = str(error).partition(" - at `$")
        key = where.rstrip("`").lstrip(".")
        problem = {"message": message, "source": "body", **({"key": key} if key else {})}
        raise ValidationException(
            detail="The body does not match its schema.", extra=[problem]
        ) from None


def _first_line(error: BaseException) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__


class ConveneRequest(Request):
    async def json(self) -> Any:
        if self._json is Empty:
            cached = self._connection_state.json
            if cached is Empty:
                cached = decode_json(await self.body(), self._data_type())
                self._connection_state.json = cached
            self._json = cached
        return self._json

    async def form(self) -> FormMultiDict:
        if self._form is Empty:
            try:
                await super().form()  # caches the parsed form in the connection's state
            except (UnicodeDecodeError, LookupError) as error:
                raise MalformedBody(f"The form cannot be read: {_first_line(error)}") from None
            raw = self._connection_state.form
            cleaned = clean_tree(raw if isinstance(raw, dict) else {})  # files stay as they are
            self._connection_state.form = cleaned
            self._form = FormMultiDict.from_form_data(cleaned)
        return self._form

    def _data_type(self) -> Any:
        handler = self.scope.get("route_handler")
        signature = getattr(handler, "parsed_fn_signature", None)
        field = signature.parameters.get("data") if signature else None
        return field.annotation if field is not None else Any


async def read_form(request: Request) -> None:
    """Parse (and clean) a form body before Litestar's extractor reads the cached form."""
    if isinstance(request, ConveneRequest) and request.content_type[0] in FORM_TYPES:
        await request.form()


class BodyDecoding(InitPlugin):
    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.request_class = ConveneRequest
        app_config.before_request = read_form
        return app_config


__all__ = ["BodyDecoding", "ConveneRequest", "decode_json"]
