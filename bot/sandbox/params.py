"""Request parameters as Telegram reads them: query string, JSON body, form or multipart body.

Form bodies carry every value as a string; :func:`read_params` gives each known parameter its
type (int, float, bool, parsed JSON) and answers Telegram's parse errors for malformed JSON.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.errors import TelegramApiError, bad_request

JSONDict = dict[str, Any]

# A Bot API method implementation: the request's parameters in, the ``result`` out.
ApiMethod = Callable[[JSONDict], Awaitable[Any]]

_INT_PARAMS = frozenset(
    {
        "from_chat_id",
        "message_id",
        "offset",
        "limit",
        "reply_to_message_id",
        "user_id",
        "cache_time",
        "message_thread_id",
        "duration",
        "width",
        "height",
        "until_date",
        "max_connections",
    }
)
_FLOAT_PARAMS = frozenset({"timeout"})
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "allow_sending_without_reply",
        "show_alert",
        "drop_pending_updates",
        "remove_caption",
        "has_spoiler",
        "disable_web_page_preview",
        "disable_content_type_detection",
        "show_caption_above_media",
        "allow_paid_broadcast",
        "supports_streaming",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "message_ids",
        "media",
        "commands",
        "scope",
        "reply_parameters",
        "link_preview_options",
        "menu_button",
    }
)
_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "media": "can't parse InputMedia JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
}


# Telegram's limit on a file a bot uploads (a self-hosted Bot API server lifts it).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@dataclass
class Upload:
    """A file uploaded in a multipart body; tests read what was sent from ``content``."""

    filename: str | None
    content_type: str | None
    size: int
    content: bytes = field(default=b"", repr=False)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


async def read_params(request: web.Request) -> JSONDict:
    raw: JSONDict = dict(request.query)
    if request.can_read_body:
        if request.content_type == "application/json":
            try:
                data = await request.json()
            except ValueError:
                raise bad_request("can't parse JSON encoded request") from None
            if not isinstance(data, dict):
                raise bad_request("can't parse JSON encoded request")
            raw.update(data)
        elif request.content_type in {
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        }:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    content = value.file.read()
                    if len(content) > MAX_UPLOAD_BYTES:
                        raise TelegramApiError(413, "Request Entity Too Large")
                    raw[key] = Upload(value.filename, value.content_type, len(content), content)
                else:
                    raw[key] = value
    return _coerce_params(raw)


def _coerce_params(raw: JSONDict) -> JSONDict:
    """Form bodies carry strings (PTB JSON-encodes non-string values); give them their types."""
    out: JSONDict = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _JSON_PARAMS:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise bad_request(
                        _JSON_ERRORS.get(key, f"can't parse {key} JSON object")
                    ) from None
            elif key in _INT_PARAMS or key == "chat_id":
                parsed = as_int(value)
                value = parsed if parsed is not None else value
            elif key in _FLOAT_PARAMS:
                try:
                    value = float(value)
                except ValueError:
                    raise bad_request(f"invalid {key} specified") from None
            elif key in _BOOL_PARAMS:
                value = value.strip().lower() in {"true", "1", "yes"}
        out[key] = value
    return out
