"""A fake Telegram Bot API for tests, served over real HTTP on loopback by aiohttp.

The bot under test talks to it through python-telegram-bot (``base_url=fake.base_url``), either in
the test's own process or as a separate ``python -m bot`` process. All state lives in the
:class:`FakeTelegram` object; test code sets up the world, injects updates, injects faults and
inspects what the bot did, all in-process.

The fake validates requests the way Telegram does (HTML parsing, length limits, keyboard limits,
permissions, "message is not modified", expired callback queries, rate limits) and answers with
Telegram's error descriptions, because the bot classifies errors by those fragments.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import inspect
import itertools
import json
import math
import re
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = [
    "Call",
    "FakeTelegram",
    "TelegramApiError",
    "Upload",
    "auto_entities",
    "parse_html",
    "utf16_len",
]

JSONDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_BUTTONS = 100

GROUP_WINDOW = 60.0
GROUP_MAX = 20
PRIVATE_BURST = 3
PRIVATE_RATE = 1.0
GLOBAL_WINDOW = 1.0
GLOBAL_MAX = 30

FAULT_KINDS = frozenset({"429", "500", "502", "drop", "timeout", "accept_then_drop"})

# Telegram's default when allowed_updates was never set (or set to an empty list).
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)

CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)

# Parameters that arrive as strings in form bodies and must be coerced.
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

_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)

_MEDIA_KINDS = (
    "photo",
    "video",
    "document",
    "animation",
    "voice",
    "audio",
    "sticker",
    "video_note",
)
_CONTENT_KEYS = (
    "text",
    "entities",
    "link_preview_options",
    "animation",
    "audio",
    "document",
    "photo",
    "sticker",
    "video",
    "video_note",
    "voice",
    "caption",
    "caption_entities",
    "show_caption_above_media",
    "has_media_spoiler",
    "contact",
    "dice",
    "location",
    "poll",
    "venue",
)
_RIGHTS_WORDS = {
    "text": "text messages",
    "photo": "photos",
    "video": "videos",
    "document": "documents",
    "animation": "animations",
    "voice": "voice notes",
    "audio": "audio files",
    "sticker": "stickers",
    "video_note": "video notes",
}
_FILE_ID_PREFIX = {
    "photo": "AgACAgIAAxkBAAI",
    "video": "BAACAgIAAxkBAAI",
    "document": "BQACAgIAAxkBAAI",
    "animation": "CgACAgIAAxkBAAI",
    "voice": "AwACAgIAAxkBAAI",
    "audio": "CQACAgIAAxkBAAI",
    "sticker": "CAACAgIAAxkBAAI",
    "video_note": "DQACAgIAAxkBAAI",
}
_ENTITY_TYPES = frozenset(
    {
        "mention",
        "hashtag",
        "cashtag",
        "bot_command",
        "url",
        "email",
        "phone_number",
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "code",
        "pre",
        "text_link",
        "text_mention",
        "custom_emoji",
    }
)


class TelegramApiError(Exception):
    """An error answer: ``{"ok": false, "error_code": code, "description": description}``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def _bad(detail: str) -> TelegramApiError:
    return TelegramApiError(400, f"Bad Request: {detail}")


def _forbidden(detail: str) -> TelegramApiError:
    return TelegramApiError(403, f"Forbidden: {detail}")


def _flood(retry_after: int) -> TelegramApiError:
    return TelegramApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


@dataclass
class Call:
    """One request the fake received. ``at`` is the fake's clock (monotonic) at arrival."""

    method: str
    params: JSONDict
    ok: bool
    result: Any
    error: str | None
    at: float
    error_code: int | None = None
    fault: str | None = None


@dataclass
class Upload:
    """A file uploaded in a multipart body."""

    filename: str | None
    content_type: str | None
    size: int


@dataclass
class _Fault:
    method: str
    chat_id: int | None
    kind: str
    remaining: int
    retry_after: int


@dataclass
class _Query:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False


@dataclass
class _FileRecord:
    kind: str
    obj: Any
    file_id: str
    file_unique_id: str
    file_size: int


@dataclass
class _Chat:
    chat_id: int
    kind: str  # "private", "group", "supergroup", "channel"
    info: JSONDict
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    bot_status: str = "left"  # administrator / member / restricted / left / kicked
    bot_can_post: bool = True
    messages: dict[int, JSONDict] = field(default_factory=dict)
    bot_message_ids: list[int] = field(default_factory=list)
    next_message_id: int = 1

    @property
    def label(self) -> str:
        return {"channel": "channel chat", "group": "group chat"}.get(self.kind, "supergroup chat")


# --------------------------------------------------------------------------------------------
# Text helpers: UTF-16 lengths, the HTML parser, automatic entities
# --------------------------------------------------------------------------------------------

_SPACES = frozenset(" \t\r\n\v\f\0")
_TRIM = " \t\r\n\v\f"
_NAMED_HTML_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_HTML_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "s",
        "strike",
        "del",
        "u",
        "ins",
        "tg-spoiler",
        "tg-emoji",
        "span",
        "pre",
        "code",
        "blockquote",
    }
)
_SIMPLE_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "u": "underline",
    "ins": "underline",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts lengths and offsets in."""
    return len(text.encode("utf-16-le")) // 2


def _utf16_offsets(text: str) -> list[int]:
    """``result[i]`` is the UTF-16 offset of ``text[i]``; ``result[len(text)]`` the total."""
    out = [0]
    acc = 0
    for ch in text:
        acc += 2 if ord(ch) > 0xFFFF else 1
        out.append(acc)
    return out


def _byte_offset(text: str, pos: int) -> int:
    return len(text[:pos].encode("utf-8", "surrogatepass"))


def _decode_html_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the entity at ``text[pos] == "&"`` like Telegram; None if it is not one."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        value = 0
        if end < n and text[end] == "x":
            end += 1
            while end < n and text[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[end], 16)
                end += 1
        else:
            while end < n and text[end] in "0123456789":
                value = value * 10 + int(text[end])
                end += 1
        if value == 0 or value >= 0x10FFFF or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        named = _NAMED_HTML_ENTITIES.get(text[pos + 1 : end])
        if named is None:
            return None
        char = named
    if end < n and text[end] == ";":
        end += 1
    return char, end


def _normalize_link(url: str) -> str | None:
    url = url.strip()
    if re.fullmatch(r"(?i)(https?|tg|ton|ftp)://\S+", url):
        return url
    if re.fullmatch(
        r"(?i)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:[/?#]\S*)?", url
    ):
        return "http://" + url
    return None


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the plain text
    out_index: int  # index into the plain text characters


def parse_html(
    text: str,
    *,
    strict_entities: bool = True,
    user_lookup: Callable[[int], JSONDict | None] | None = None,
) -> tuple[str, list[JSONDict]]:
    """Parse Telegram-flavoured HTML into plain text and entities (UTF-16 offsets).

    Mirrors the Bot API server's parser and its error descriptions. With ``strict_entities``
    an ``&name;`` that is not one of Telegram's four named entities is rejected (Telegram would
    show it literally, which is never what a bot means); a bare ``&`` is accepted as Telegram does.
    """
    out: list[str] = []
    u16 = 0
    entities: list[JSONDict] = []
    stack: list[_OpenTag] = []
    n = len(text)
    i = 0

    def fail(detail: str) -> TelegramApiError:
        return _bad(f"can't parse entities: {detail}")

    def emit(chunk: str) -> None:
        nonlocal u16
        out.append(chunk)
        u16 += utf16_len(chunk)

    while i < n:
        ch = text[i]
        if ch == "&":
            decoded = _decode_html_entity(text, i)
            if decoded is not None:
                emit(decoded[0])
                i = decoded[1]
                continue
            if strict_entities:
                m = re.match(r"&([A-Za-z][A-Za-z0-9]*);", text[i : i + 40])
                if m:
                    raise fail(
                        f'Unsupported HTML entity "&{m.group(1)};" '
                        f"at byte offset {_byte_offset(text, i)}"
                    )
            emit("&")
            i += 1
            continue
        if ch != "<":
            emit(ch)
            i += 1
            continue

        begin = i
        if i + 1 < n and text[i + 1] == "/":
            if not stack:
                raise fail(f"Unexpected end tag at byte offset {_byte_offset(text, begin)}")
            j = i + 2
            while j < n and text[j] not in _SPACES and text[j] != ">":
                j += 1
            end_name = text[i + 2 : j].lower()
            while j < n and text[j] in _SPACES:
                j += 1
            if j >= n or text[j] != ">":
                raise fail(f"Unclosed end tag at byte offset {_byte_offset(text, begin)}")
            top = stack[-1]
            if end_name and end_name != top.name:
                raise fail(
                    f"Unmatched end tag at byte offset {_byte_offset(text, begin)}, "
                    f'expected "</{top.name}>", found "</{end_name}>"'
                )
            stack.pop()
            _close_html_tag(top, u16, "".join(out[top.out_index :]), entities, user_lookup, fail)
            i = j + 1
            continue

        j = i + 1
        while j < n and text[j] not in _SPACES and text[j] != ">":
            j += 1
        if j >= n:
            raise fail(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
        name = text[i + 1 : j].lower()
        if name not in _HTML_TAGS:
            raise fail(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, begin)}')
        argument = ""
        while True:
            while j < n and text[j] in _SPACES:
                j += 1
            if j >= n:
                raise fail(
                    f'Unclosed start tag "{name}" at byte offset {_byte_offset(text, begin)}'
                )
            if text[j] == ">":
                break
            attr_begin = j
            while j < n and text[j] not in _SPACES and text[j] not in "=>":
                j += 1
            attr = text[attr_begin:j].lower()
            if not attr:
                raise fail(
                    f'Empty attribute name in the tag "{name}" '
                    f"at byte offset {_byte_offset(text, begin)}"
                )
            while j < n and text[j] in _SPACES:
                j += 1
            if j < n and text[j] != "=":
                if name == "blockquote" and attr == "expandable":
                    argument = "1"
                continue
            if j >= n:
                raise fail(
                    f'Unclosed start tag "{name}" at byte offset {_byte_offset(text, begin)}'
                )
            j += 1
            while j < n and text[j] in _SPACES:
                j += 1
            if j >= n:
                raise fail(
                    f'Unclosed start tag "{name}" at byte offset {_byte_offset(text, begin)}'
                )
            if text[j] not in "'\"":
                token_begin = j
                while j < n and ((text[j].isascii() and text[j].isalnum()) or text[j] in ".-"):
                    j += 1
                value = text[token_begin:j].lower()
                if j < n and text[j] not in _SPACES and text[j] != ">":
                    raise fail(
                        "Unexpected end of name token at byte offset "
                        f"{_byte_offset(text, token_begin)}"
                    )
            else:
                quote = text[j]
                j += 1
                parts: list[str] = []
                while j < n and text[j] != quote:
                    if text[j] == "&":
                        dec = _decode_html_entity(text, j)
                        if dec is not None:
                            parts.append(dec[0])
                            j = dec[1]
                            continue
                    parts.append(text[j])
                    j += 1
                if j < n:
                    j += 1
                value = "".join(parts)
            if j >= n:
                raise fail(f"Unclosed start tag at byte offset {_byte_offset(text, begin)}")
            if name == "a" and attr == "href":
                argument = value
            elif name == "code" and attr == "class" and value.startswith("language-"):
                argument = value[len("language-") :]
            elif name == "span" and attr == "class" and value.startswith("tg-"):
                argument = value[len("tg-") :]
            elif name == "tg-emoji" and attr == "emoji-id":
                argument = value
            elif name == "blockquote" and attr == "expandable":
                argument = "1"
        if name == "span" and argument != "spoiler":
            raise fail(
                f'Tag "span" must have class "tg-spoiler" at byte offset '
                f"{_byte_offset(text, begin)}"
            )
        stack.append(_OpenTag(name, argument, u16, len(out)))
        i = j + 1

    if stack:
        raise fail(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        entity.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _close_html_tag(
    tag: _OpenTag,
    u16: int,
    inner: str,
    entities: list[JSONDict],
    user_lookup: Callable[[int], JSONDict | None] | None,
    fail: Callable[[str], TelegramApiError],
) -> None:
    length = u16 - tag.offset
    name = tag.name
    if name == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and last["offset"] == tag.offset
            and last["length"] == length
        ):
            entities.pop()
            language = last.get("_language")
            entity: JSONDict = {"type": "pre", "offset": tag.offset, "length": length}
            if language:
                entity["language"] = language
            entities.append(entity)
            return
        if length > 0:
            entities.append({"type": "pre", "offset": tag.offset, "length": length})
        return
    if length <= 0:
        return
    if name in _SIMPLE_TAG_TYPES:
        entities.append({"type": _SIMPLE_TAG_TYPES[name], "offset": tag.offset, "length": length})
    elif name == "code":
        entities.append(
            {"type": "code", "offset": tag.offset, "length": length, "_language": tag.argument}
        )
    elif name == "blockquote":
        kind = "expandable_blockquote" if tag.argument else "blockquote"
        entities.append({"type": kind, "offset": tag.offset, "length": length})
    elif name == "tg-emoji":
        if not tag.argument.isdigit():
            raise fail("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": tag.offset,
                "length": length,
                "custom_emoji_id": tag.argument,
            }
        )
    elif name == "a":
        url = tag.argument or inner
        mention = re.fullmatch(r"(?i)tg://user\?id=(\d+)", url.strip())
        if mention:
            uid = int(mention.group(1))
            user = user_lookup(uid) if user_lookup else None
            if user is None:
                user = {"id": uid, "is_bot": False, "first_name": ""}
            entities.append(
                {"type": "text_mention", "offset": tag.offset, "length": length, "user": user}
            )
            return
        link = _normalize_link(url)
        if link is not None:
            entities.append(
                {"type": "text_link", "offset": tag.offset, "length": length, "url": link}
            )


_TLDS = (
    "com|org|net|me|io|ru|id|de|uk|eu|info|co|app|dev|ly|gov|edu|tv|news|xyz|in|us|fr|nl|it|es|"
    "pl|ua|by|kz|tr|br|jp|cn|au|ca|ch|at|be|se|no|fi|dk|cz|sk|hu|ro|bg|gr|pt|ie|il|ir|my|sg|ph|"
    "vn|th|kr|tw|hk|nz|za|mx|ar|cl|pe|online|site|club|live|link|page|social|media"
)
_URL_RE = re.compile(
    r"(?i)(?<![\w@.\-/])(?:(?:https?|tg|ftp)://[^\s<>\"]+|"
    r"(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _TLDS + r")(?![\w-])(?::\d{1,5})?"
    r"(?:[/?#][^\s<>\"]*)?)"
)
_AUTO_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("url", _URL_RE),
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?!\w)")),
    ("mention", re.compile(r"(?<![\w@])@[A-Za-z][A-Za-z0-9_]{3,31}(?![\w@])")),
    ("hashtag", re.compile(r"(?<![\w#])#\w*[^\W\d]\w*")),
)
_BLOCKING_TYPES = frozenset(
    {
        "code",
        "pre",
        "text_link",
        "text_mention",
        "url",
        "email",
        "mention",
        "bot_command",
        "hashtag",
        "cashtag",
        "custom_emoji",
    }
)


def _trim_url(url: str) -> str:
    while url and url[-1] in ".,;:!?'\"":
        url = url[:-1]
    while url.endswith(")") and url.count(")") > url.count("("):
        url = url[:-1]
    return url


def auto_entities(text: str, existing: Iterable[JSONDict] = ()) -> list[JSONDict]:
    """Entities Telegram detects by itself: urls, bot commands, mentions, hashtags."""
    offsets = _utf16_offsets(text)
    blocked = [
        (e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in _BLOCKING_TYPES
    ]
    found: list[JSONDict] = []
    for kind, pattern in _AUTO_PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if kind == "url":
                end = start + len(_trim_url(m.group(0)))
            if end <= start:
                continue
            a, b = offsets[start], offsets[end]
            if any(a < y and x < b for x, y in blocked):
                continue
            found.append({"type": kind, "offset": a, "length": b - a})
            blocked.append((a, b))
    return found


def _trim_formatted(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Strip surrounding whitespace as Telegram does, moving and clipping entities."""
    left = len(text) - len(text.lstrip(_TRIM))
    shift = utf16_len(text[:left])
    new_text = text[left:].rstrip(_TRIM)
    total = utf16_len(new_text)
    out: list[JSONDict] = []
    for entity in entities:
        start = max(0, entity["offset"] - shift)
        end = min(total, entity["offset"] - shift + entity["length"])
        if end > start:
            moved = dict(entity)
            moved["offset"] = start
            moved["length"] = end - start
            out.append(moved)
    return new_text, out


def _sorted_entities(entities: Iterable[JSONDict]) -> list[JSONDict]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


# --------------------------------------------------------------------------------------------
# Rate limits
# --------------------------------------------------------------------------------------------


class _RateLimiter:
    """Telegram-like flood control: per group/channel, per private chat, and overall."""

    def __init__(self) -> None:
        self.groups: dict[int, deque[float]] = {}
        self.private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, last refill)
        self.overall: deque[float] = deque()

    @staticmethod
    def _window_wait(stamps: deque[float], window: float, limit: int, n: int, now: float) -> float:
        while stamps and stamps[0] <= now - window:
            stamps.popleft()
        if len(stamps) + n <= limit:
            return 0.0
        if n > limit:
            return window
        index = len(stamps) + n - limit - 1
        return stamps[index] + window - now

    def check(self, chat: _Chat, n: int, now: float) -> int | None:
        """Return seconds to wait (429), or None after consuming ``n`` message slots."""
        waits = [self._window_wait(self.overall, GLOBAL_WINDOW, GLOBAL_MAX, n, now)]
        tokens = 0.0
        need = 0.0
        if chat.kind == "private":
            tokens, last = self.private.get(chat.chat_id, (float(PRIVATE_BURST), now))
            tokens = min(float(PRIVATE_BURST), tokens + (now - last) * PRIVATE_RATE)
            need = float(min(n, PRIVATE_BURST))
            if tokens + 1e-9 < need:
                waits.append((need - tokens) / PRIVATE_RATE)
        else:
            stamps = self.groups.setdefault(chat.chat_id, deque())
            waits.append(self._window_wait(stamps, GROUP_WINDOW, GROUP_MAX, n, now))
        wait = max(waits)
        if wait > 0:
            return max(1, math.ceil(wait))
        self.overall.extend([now] * n)
        if chat.kind == "private":
            self.private[chat.chat_id] = (max(0.0, tokens - need), now)
        else:
            self.groups[chat.chat_id].extend([now] * n)
        return None


# --------------------------------------------------------------------------------------------
# The fake
# --------------------------------------------------------------------------------------------

ApiMethod = Callable[[JSONDict], Awaitable[Any]]


class FakeTelegram:
    """A fake Bot API server with a scriptable world.

    Typical use::

        fake = FakeTelegram()
        await fake.start()
        world = World.build(fake)                      # tests.factories
        fake.send_message(SATU_ID, text="/start")      # a user writes to the bot
        ...                                            # run the bot against fake.base_url
        sent = await fake.wait_for(lambda: fake.messages_in(SATU_ID))
        query_id = fake.press(MOD_ONE_ID, GROUP, sent[0]["message_id"], "v1:take:1")
        fake.fail("sendMessage", kind="429", retry_after=3)
        await fake.stop()

    Beyond the brief: ``advance_time`` (the fake's clock for rate limits and query ages),
    ``hang_seconds``, ``strict_html_entities``, ``add_member``/``remove_member``,
    ``set_bot_status``, ``unblock_bot``, ``deactivate_user``, ``edit_user_message``,
    ``delete_by_user``, ``commands_for``, ``clear_faults``, ``api_url``.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int = 1000,
        bot_username: str = "report_desk_bot",
        callback_query_ttl: float = 15.0,
        enforce_rate_limits: bool = False,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.callback_query_ttl = callback_query_ttl
        self.enforce_rate_limits = enforce_rate_limits
        self.hang_seconds: float = 30.0
        self.strict_html_entities: bool = True
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Report Desk",
            "username": bot_username,
        }

        self.calls: list[Call] = []
        self.rate_limited = 0
        self.hook_errors: list[BaseException] = []
        self.my_commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.bot_names: dict[str, str] = {}
        self.bot_descriptions: dict[str, str] = {}
        self.bot_short_descriptions: dict[str, str] = {}
        self.webhook_url = ""

        self._users: dict[int, JSONDict] = {}
        self._started: set[int] = set()
        self._blocked: set[int] = set()
        self._deactivated: set[int] = set()
        self._chats: dict[int, _Chat] = {}
        self._files: dict[str, _FileRecord] = {}
        self._file_seq = itertools.count(1)
        self._media_group_seq = itertools.count(13_000_000_000_000_001)
        self._query_seq = itertools.count(4_611_686_018_427_387_001)
        self._queries: dict[str, _Query] = {}
        self._faults: list[_Fault] = []
        self._hooks: dict[str, list[tuple[Callable[[], Any], bool]]] = {}
        self._rates = _RateLimiter()
        self._time_shift = 0.0

        self._updates: list[JSONDict] = []
        self._next_update_id = 1
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._wakeup = asyncio.Event()
        self._stopping = asyncio.Event()

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._methods: dict[str, tuple[str, ApiMethod]] = {}
        for attr in dir(self):
            if attr.startswith("_api_"):
                name = attr[len("_api_") :]
                self._methods[name.lower()] = (name, getattr(self, attr))

    # ---------------------------------------------------------------- server lifecycle

    async def start(self, port: int | None = None) -> None:
        """Listen on 127.0.0.1. A restarted fake keeps its previous port (and base_url)."""
        if self._runner is not None:
            return
        self._stopping = asyncio.Event()
        self._wakeup = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        wanted = port if port is not None else (self._port or 0)
        site = web.TCPSite(runner, "127.0.0.1", wanted, reuse_address=True)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop serving: long polls return, hanging requests are dropped. State is kept."""
        if self._runner is None:
            return
        self._stopping.set()
        self._wakeup.set()
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def api_url(self) -> str:
        """The full prefix including the token, for raw HTTP requests: ``api_url + "/getMe"``."""
        return f"{self.base_url}{self.token}"

    # ---------------------------------------------------------------- clock

    def now(self) -> float:
        """The fake's clock (monotonic seconds, shifted by :meth:`advance_time`)."""
        return time.monotonic() + self._time_shift

    def advance_time(self, seconds: float) -> None:
        """Move the fake's clock forward: rate-limit windows and callback query ages see it."""
        self._time_shift += seconds

    # ---------------------------------------------------------------- world setup

    def add_user(
        self,
        user_id: int,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> JSONDict:
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if last_name is not None:
            user["last_name"] = last_name
        if username is not None:
            user["username"] = username
        if language_code is not None:
            user["language_code"] = language_code
        self._users[user_id] = user
        info: JSONDict = {"id": user_id, "type": "private", "first_name": first_name}
        if last_name is not None:
            info["last_name"] = last_name
        if username is not None:
            info["username"] = username
        existing = self._chats.get(user_id)
        if existing is not None:
            existing.info = info
        else:
            self._chats[user_id] = _Chat(user_id, "private", info, members={user_id})
        return copy.deepcopy(user)

    def user(self, user_id: int) -> JSONDict:
        return copy.deepcopy(self._user(user_id))

    def add_group(
        self,
        chat_id: int,
        title: str,
        *,
        members: Iterable[int] = (),
        bot_is_member: bool = True,
        bot_can_post: bool = True,
        username: str | None = None,
        admins: Iterable[int] = (),
        bot_is_admin: bool = True,
    ) -> JSONDict:
        """A supergroup. The bot is an administrator unless ``bot_is_admin=False`` (then a plain
        member); ``bot_can_post=False`` makes it a restricted member that cannot send."""
        info: JSONDict = {"id": chat_id, "title": title, "type": "supergroup"}
        if username is not None:
            info["username"] = username
        if not bot_is_member:
            status = "left"
        elif not bot_can_post:
            status = "restricted"
        else:
            status = "administrator" if bot_is_admin else "member"
        admin_ids = set(admins)
        self._chats[chat_id] = _Chat(
            chat_id,
            "supergroup",
            info,
            members=set(members) | admin_ids,
            admins=admin_ids,
            bot_status=status,
            bot_can_post=bot_can_post,
        )
        return copy.deepcopy(info)

    def add_channel(
        self,
        chat_id: int,
        title: str,
        *,
        username: str | None = None,
        bot_is_admin: bool = False,
    ) -> JSONDict:
        info: JSONDict = {"id": chat_id, "title": title, "type": "channel"}
        if username is not None:
            info["username"] = username
        self._chats[chat_id] = _Chat(
            chat_id,
            "channel",
            info,
            bot_status="administrator" if bot_is_admin else "left",
            bot_can_post=bot_is_admin,
        )
        return copy.deepcopy(info)

    def chat(self, chat_id: int) -> JSONDict:
        return copy.deepcopy(self._chat(chat_id).info)

    def add_member(self, chat_id: int, user_id: int, *, admin: bool = False) -> None:
        chat = self._chat(chat_id)
        chat.members.add(user_id)
        if admin:
            chat.admins.add(user_id)

    def remove_member(self, chat_id: int, user_id: int) -> None:
        chat = self._chat(chat_id)
        chat.members.discard(user_id)
        chat.admins.discard(user_id)

    def block_bot(self, user_id: int, *, notify: bool = True) -> None:
        """The user blocks the bot. Like Telegram, enqueues a my_chat_member update (kicked)
        unless ``notify=False``."""
        self._user(user_id)
        self._blocked.add(user_id)
        if notify:
            self._enqueue_my_chat_member(self._chat(user_id), user_id, "member", "kicked")

    def unblock_bot(self, user_id: int, *, notify: bool = True) -> None:
        self._user(user_id)
        if user_id in self._blocked:
            self._blocked.discard(user_id)
            if notify:
                self._enqueue_my_chat_member(self._chat(user_id), user_id, "kicked", "member")

    def deactivate_user(self, user_id: int) -> None:
        """The account is deleted: sends answer 403 "Forbidden: user is deactivated"."""
        self._user(user_id)
        self._deactivated.add(user_id)

    def remove_bot_from_group(self, chat_id: int, *, by_user_id: int | None = None) -> None:
        chat = self._chat(chat_id)
        old = chat.bot_status
        chat.bot_status = "kicked"
        self._enqueue_my_chat_member(chat, self._actor(chat, by_user_id), old, "kicked")

    def restore_bot_to_group(self, chat_id: int, *, by_user_id: int | None = None) -> None:
        chat = self._chat(chat_id)
        old = chat.bot_status
        chat.bot_status = "member"
        chat.bot_can_post = True
        self._enqueue_my_chat_member(chat, self._actor(chat, by_user_id), old, "member")

    def bot_added_to_group(self, chat_id: int, by_user_id: int) -> None:
        chat = self._chat(chat_id)
        self._user(by_user_id)
        old = chat.bot_status
        chat.bot_status = "member"
        chat.bot_can_post = True
        chat.members.add(by_user_id)
        self._enqueue_my_chat_member(chat, by_user_id, old, "member")

    def set_bot_status(self, chat_id: int, status: str, *, notify: bool = True) -> None:
        """Set the bot's status in a group/channel directly (e.g. promote to administrator)."""
        if status not in {"administrator", "member", "restricted", "left", "kicked"}:
            raise ValueError(f"unknown status {status!r}")
        chat = self._chat(chat_id)
        old = chat.bot_status
        chat.bot_status = status
        chat.bot_can_post = status in {"administrator", "member"}
        if notify:
            self._enqueue_my_chat_member(chat, self._actor(chat, None), old, status)

    # ---------------------------------------------------------------- injecting updates

    def send_message(
        self,
        user_id: int,
        chat_id: int | None = None,
        text: str | None = None,
        *,
        forward_origin: JSONDict | None = None,
        reply_to_message_id: int | None = None,
        photo: bool = False,
        video: bool = False,
        document: bool = False,
        animation: bool = False,
        voice: bool = False,
        audio: bool = False,
        sticker: bool = False,
        caption: str | None = None,
        media_group_id: str | None = None,
        has_protected_content: bool = False,
        date: int | None = None,
    ) -> JSONDict:
        """A user sends (or forwards) a message; returns the Message dict delivered to the bot."""
        user = self._user(user_id)
        chat = self._chat(user_id if chat_id is None else chat_id)
        if chat.kind == "private":
            if chat.chat_id != user_id:
                raise AssertionError(f"user {user_id} cannot write in {chat.chat_id}'s chat")
            self._started.add(user_id)
            if user_id in self._blocked:
                self.unblock_bot(user_id)
        elif chat.kind == "channel":
            raise AssertionError("users post in channels through raw_update (channel_post)")
        elif user_id not in chat.members:
            raise AssertionError(f"user {user_id} is not a member of chat {chat.chat_id}")

        flags = {
            "photo": photo,
            "video": video,
            "document": document,
            "animation": animation,
            "voice": voice,
            "audio": audio,
            "sticker": sticker,
        }
        kinds = [k for k, on in flags.items() if on]
        if len(kinds) > 1:
            raise ValueError(f"one media kind per message, got {kinds}")
        content: JSONDict = {}
        if forward_origin is not None:
            content["forward_origin"] = copy.deepcopy(forward_origin)
            content["forward_date"] = forward_origin.get("date", int(time.time()))
        if reply_to_message_id is not None:
            target = chat.messages.get(reply_to_message_id)
            if target is None or target.get("_deleted"):
                raise AssertionError(f"no message {reply_to_message_id} in chat {chat.chat_id}")
            content["reply_to_message"] = self._public(target, nested=False)
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        if has_protected_content:
            content["has_protected_content"] = True
        if kinds:
            kind = kinds[0]
            content.update(self._media_content(kind, self._new_file(kind)))
            if kind != "sticker":
                body = caption if caption is not None else text
                if body:
                    content["caption"] = body
                    entities = auto_entities(body)
                    if entities:
                        content["caption_entities"] = _sorted_entities(entities)
        else:
            if text is None:
                raise ValueError("a message needs text or media")
            content["text"] = text
            entities = auto_entities(text)
            if entities:
                content["entities"] = _sorted_entities(entities)
        msg = self._store_message(chat, user, content, from_bot=False, date=date)
        public = self._public(msg)
        if chat.kind == "private" or chat.bot_status not in {"left", "kicked"}:
            self._enqueue("message", public)
        return copy.deepcopy(public)

    def edit_user_message(self, chat_id: int, message_id: int, text: str) -> JSONDict:
        """The user edits a text message they sent: enqueues an edited_message update."""
        chat = self._chat(chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or message_id in chat.bot_message_ids:
            raise AssertionError(f"no user message {message_id} in chat {chat_id}")
        msg["text"] = text
        entities = auto_entities(text)
        if entities:
            msg["entities"] = _sorted_entities(entities)
        else:
            msg.pop("entities", None)
        msg["edit_date"] = int(time.time())
        public = self._public(msg)
        self._enqueue("edited_message", public)
        return copy.deepcopy(public)

    def delete_by_user(self, chat_id: int, message_id: int) -> None:
        """The user deletes a message (bots get no update); copies of it then fail."""
        chat = self._chat(chat_id)
        if message_id not in chat.messages:
            raise AssertionError(f"no message {message_id} in chat {chat_id}")
        chat.messages[message_id]["_deleted"] = True

    def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """A user presses an inline button on a message; returns the callback query id."""
        user = self._user(user_id)
        chat = self._chat(chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or msg.get("_deleted"):
            raise AssertionError(f"no message {message_id} in chat {chat_id} to press a button on")
        query_id = str(next(self._query_seq))
        self._queries[query_id] = _Query(query_id, user_id, chat_id, message_id, data, self.now())
        query: JSONDict = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": self._public(msg),
            "chat_instance": str(abs(chat_id) * 7919 + 104729),
            "data": data,
        }
        self._enqueue("callback_query", query)
        return query_id

    def expire_queries(self) -> None:
        """Age every open callback query past its time to live."""
        for query in self._queries.values():
            query.created = -math.inf

    def raw_update(self, update: JSONDict) -> None:
        """Enqueue an update as given; ``update_id`` is assigned when missing."""
        update = copy.deepcopy(update)
        if "update_id" not in update:
            update = {"update_id": self._next_update_id, **update}
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._updates.append(update)
        self._wakeup.set()

    # ---------------------------------------------------------------- observing

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        wanted = method.lower()
        return [
            c
            for c in self.calls
            if c.method.lower() == wanted
            and (chat_id is None or _as_int(c.params.get("chat_id")) == chat_id)
        ]

    def messages_in(self, chat_id: int) -> list[JSONDict]:
        """Messages the bot sent into the chat, as they are now (edited, not deleted), in order.
        Stored messages carry private keys: ``_html`` (the markup sent) and ``_deleted``."""
        chat = self._chat(chat_id)
        return [
            copy.deepcopy(chat.messages[mid])
            for mid in sorted(chat.bot_message_ids)
            if not chat.messages[mid].get("_deleted")
        ]

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        """Any stored message (the user's or the bot's), including deleted ones (``_deleted``)."""
        chat = self._chat(chat_id)
        if message_id not in chat.messages:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return copy.deepcopy(chat.messages[message_id])

    def answered(self, query_id: str) -> Call | None:
        """The successful answerCallbackQuery for the query; else the last failed attempt."""
        attempts = [
            c
            for c in self.calls
            if c.method == "answerCallbackQuery"
            and str(c.params.get("callback_query_id")) == str(query_id)
        ]
        for attempt in attempts:
            if attempt.ok:
                return attempt
        return attempts[-1] if attempts else None

    @property
    def pending_updates(self) -> int:
        return len(self._updates)

    def commands_for(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Commands set with setMyCommands for exactly this scope and language."""
        key = _scope_key_of(scope or {"type": "default"})
        return copy.deepcopy(self.my_commands.get((key, language_code), []))

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the fixture's public interface
        *,
        description: str | None = None,
    ) -> Any:
        """Poll ``predicate`` every 10 ms until truthy; return its value.

        LookupError/AssertionError raised by the predicate count as "not yet". On timeout raises
        AssertionError describing the predicate, its last value and the latest calls.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        last: Any = None
        last_error: BaseException | None = None
        while True:
            try:
                value = predicate()
                if inspect.isawaitable(value):
                    value = await value
                last_error = None
            except (LookupError, AssertionError) as exc:
                value = None
                last_error = exc
            if value:
                return value
            last = value
            if loop.time() >= deadline:
                break
            await asyncio.sleep(0.01)
        what = description or _describe_callable(predicate)
        recent = "\n".join(f"  {_summarize_call(c)}" for c in self.calls[-10:]) or "  (none)"
        detail = f"last value {last!r}" if last_error is None else f"last error {last_error!r}"
        raise AssertionError(
            f"timed out after {timeout}s waiting for: {what}\n{detail}\n"
            f"pending updates: {self.pending_updates}\nlatest calls:\n{recent}"
        )

    # ---------------------------------------------------------------- fault injection

    def fail(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        kind: str = "500",
        times: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"``: any method) fail with ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        self._faults.append(_Fault(method.lower(), chat_id, kind, times, retry_after))

    def clear_faults(self) -> None:
        self._faults.clear()

    def crash_hook(self, point: str, callback: Callable[[], Any], *, once: bool = True) -> None:
        """Call ``callback`` at ``point`` ("after_get_updates", "after_send_accepted:<method>")
        once the response has been written. One-shot unless ``once=False``."""
        point = point.lower()
        if point != "after_get_updates" and not point.startswith("after_send_accepted:"):
            raise ValueError(f"unknown hook point {point!r}")
        self._hooks.setdefault(point, []).append((callback, once))

    # ---------------------------------------------------------------- internals: state

    def _user(self, user_id: int) -> JSONDict:
        user = self._users.get(user_id)
        if user is None:
            raise KeyError(f"unknown user {user_id}: call add_user first")
        return user

    def _chat(self, chat_id: int) -> _Chat:
        chat = self._chats.get(chat_id)
        if chat is None:
            raise KeyError(f"unknown chat {chat_id}")
        return chat

    def _actor(self, chat: _Chat, by_user_id: int | None) -> int:
        if by_user_id is not None:
            self._user(by_user_id)
            return by_user_id
        for uid in sorted(chat.admins) + sorted(chat.members):
            if uid in self._users:
                return uid
        placeholder = 777_000
        if placeholder not in self._users:
            self._users[placeholder] = {"id": placeholder, "is_bot": False, "first_name": "Admin"}
        return placeholder

    def _enqueue(self, kind: str, payload: JSONDict) -> JSONDict:
        update = {"update_id": self._next_update_id, kind: copy.deepcopy(payload)}
        self._next_update_id += 1
        self._updates.append(update)
        self._wakeup.set()
        return update

    def _enqueue_my_chat_member(self, chat: _Chat, actor_id: int, old: str, new: str) -> None:
        actor = self.bot_user if actor_id == self.bot_id else self._user(actor_id)
        self._enqueue(
            "my_chat_member",
            {
                "chat": copy.deepcopy(chat.info),
                "from": copy.deepcopy(actor),
                "date": int(time.time()),
                "old_chat_member": self._member_dict(self.bot_user, old, chat),
                "new_chat_member": self._member_dict(self.bot_user, new, chat),
            },
        )

    def _member_dict(self, user: JSONDict, status: str, chat: _Chat) -> JSONDict:
        user = copy.deepcopy(user)
        if status == "creator":
            return {"user": user, "status": "creator", "is_anonymous": False}
        if status == "administrator":
            member: JSONDict = {
                "user": user,
                "status": "administrator",
                "can_be_edited": False,
                "is_anonymous": False,
                "can_manage_chat": True,
                "can_delete_messages": True,
                "can_manage_video_chats": True,
                "can_restrict_members": True,
                "can_promote_members": False,
                "can_change_info": True,
                "can_invite_users": True,
                "can_post_stories": False,
                "can_edit_stories": False,
                "can_delete_stories": False,
            }
            if chat.kind == "channel":
                member["can_post_messages"] = chat.bot_can_post or user["id"] != self.bot_id
                member["can_edit_messages"] = True
            else:
                member["can_pin_messages"] = True
                member["can_manage_topics"] = False
            return member
        if status == "restricted":
            return {
                "user": user,
                "status": "restricted",
                "is_member": True,
                "can_send_messages": False,
                "can_react_to_messages": False,
                "can_send_audios": False,
                "can_send_documents": False,
                "can_send_photos": False,
                "can_send_videos": False,
                "can_send_video_notes": False,
                "can_send_voice_notes": False,
                "can_send_polls": False,
                "can_send_other_messages": False,
                "can_add_web_page_previews": False,
                "can_change_info": False,
                "can_invite_users": False,
                "can_pin_messages": False,
                "can_manage_topics": False,
                "can_edit_tag": False,
                "until_date": 0,
            }
        if status == "kicked":
            return {"user": user, "status": "kicked", "until_date": 0}
        return {"user": user, "status": status}

    @staticmethod
    def _public(msg: JSONDict, *, nested: bool = True) -> JSONDict:
        out = {k: copy.deepcopy(v) for k, v in msg.items() if not k.startswith("_")}
        if not nested:
            out.pop("reply_to_message", None)
        return out

    def _store_message(
        self,
        chat: _Chat,
        sender: JSONDict | None,
        content: JSONDict,
        *,
        from_bot: bool,
        date: int | None = None,
    ) -> JSONDict:
        mid = chat.next_message_id
        chat.next_message_id += 1
        msg: JSONDict = {"message_id": mid}
        if chat.kind == "channel":
            msg["sender_chat"] = copy.deepcopy(chat.info)
        elif sender is not None:
            msg["from"] = copy.deepcopy(sender)
        msg["chat"] = copy.deepcopy(chat.info)
        msg["date"] = date if date is not None else int(time.time())
        msg.update(content)
        chat.messages[mid] = msg
        if from_bot:
            chat.bot_message_ids.append(mid)
        return msg

    def _new_file(self, kind: str, file_name: str | None = None) -> Any:
        n = next(self._file_seq)
        prefix = _FILE_ID_PREFIX[kind]

        def ids(tag: str) -> tuple[str, str]:
            return f"{prefix}{n:07d}{tag}Zk", f"AQAD{n:07d}{tag}"

        if kind == "photo":
            sizes: list[JSONDict] = []
            for tag, (w, h, size) in zip(
                "abc", ((90, 67, 1_620), (320, 240, 17_210), (1280, 960, 131_842)), strict=True
            ):
                fid, uid = ids(tag)
                sizes.append(
                    {
                        "file_id": fid,
                        "file_unique_id": uid,
                        "file_size": size,
                        "width": w,
                        "height": h,
                    }
                )
            for photo_size in sizes:
                self._files[photo_size["file_id"]] = _FileRecord(
                    "photo",
                    sizes,
                    photo_size["file_id"],
                    photo_size["file_unique_id"],
                    photo_size["file_size"],
                )
            return copy.deepcopy(sizes)
        fid, uid = ids("")
        obj: JSONDict = {"file_id": fid, "file_unique_id": uid}
        if kind == "video":
            obj.update(width=1280, height=720, duration=12, mime_type="video/mp4")
            obj.update(file_name=file_name or f"video_{n}.mp4", file_size=2_345_678)
        elif kind == "document":
            obj.update(file_name=file_name or f"document_{n}.pdf", mime_type="application/pdf")
            obj.update(file_size=48_213)
        elif kind == "animation":
            obj.update(width=480, height=270, duration=3, mime_type="video/mp4")
            obj.update(file_name=file_name or f"animation_{n}.mp4", file_size=312_004)
        elif kind == "voice":
            obj.update(duration=4, mime_type="audio/ogg", file_size=9_871)
        elif kind == "audio":
            obj.update(duration=183, performer="Unknown", title=f"Track {n}")
            obj.update(file_name=file_name or f"audio_{n}.mp3", mime_type="audio/mpeg")
            obj.update(file_size=4_402_113)
        elif kind == "sticker":
            obj.update(type="regular", width=512, height=512, is_animated=False, is_video=False)
            obj.update(emoji="🙂", set_name="FakePack", file_size=21_456)
        elif kind == "video_note":
            obj.update(length=240, duration=6, file_size=301_220)
        self._files[fid] = _FileRecord(kind, obj, fid, uid, int(obj.get("file_size", 0)))
        return copy.deepcopy(obj)

    @staticmethod
    def _media_content(kind: str, obj: Any) -> JSONDict:
        content: JSONDict = {kind: obj}
        if kind == "animation":
            content["document"] = {
                k: obj[k]
                for k in ("file_name", "mime_type", "file_id", "file_unique_id", "file_size")
                if k in obj
            }
        return content

    def _resolve_chat(self, chat_id: Any) -> _Chat:
        if chat_id is None or chat_id == "":
            raise _bad("chat_id is empty")
        if isinstance(chat_id, bool):
            raise _bad("chat not found")
        if isinstance(chat_id, str):
            s = chat_id.strip()
            if s.startswith("@"):
                wanted = s[1:].lower()
                for candidate in self._chats.values():
                    name = candidate.info.get("username")
                    if candidate.kind != "private" and name and name.lower() == wanted:
                        return candidate
                raise _bad("chat not found")
            try:
                chat_id = int(s)
            except ValueError:
                raise _bad("chat not found") from None
        if isinstance(chat_id, float) and chat_id.is_integer():
            chat_id = int(chat_id)
        chat = self._chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise _bad("chat not found")
        hidden = chat.kind == "channel" and chat.bot_status in {"left", "kicked"}
        if hidden and "username" not in chat.info:
            raise _bad("chat not found")
        return chat

    def _check_can_send(self, chat: _Chat, what: str) -> None:
        if chat.kind == "private":
            self._check_private(chat)
            return
        if chat.bot_status == "kicked":
            raise _forbidden(f"bot was kicked from the {chat.label}")
        if chat.bot_status == "left":
            raise _forbidden(f"bot is not a member of the {chat.label}")
        if chat.kind == "channel":
            if chat.bot_status != "administrator" or not chat.bot_can_post:
                raise _bad("need administrator rights in the channel chat")
        elif chat.bot_status == "restricted" or not chat.bot_can_post:
            raise _bad(f"not enough rights to send {_RIGHTS_WORDS.get(what, what)} to the chat")

    def _check_private(self, chat: _Chat) -> None:
        uid = chat.chat_id
        if uid in self._deactivated:
            raise _forbidden("user is deactivated")
        if uid in self._blocked:
            raise _forbidden("bot was blocked by the user")
        if uid not in self._started:
            raise _forbidden("bot can't initiate conversation with a user")

    def _check_access(self, chat: _Chat) -> None:
        """The bot can read/edit in the chat (not necessarily post)."""
        if chat.kind == "private":
            self._check_private(chat)
            return
        if chat.bot_status == "kicked":
            raise _forbidden(f"bot was kicked from the {chat.label}")
        if chat.bot_status == "left":
            if chat.kind == "channel":
                if "username" in chat.info:
                    return
                raise _bad("chat not found")
            raise _forbidden(f"bot is not a member of the {chat.label}")

    def _rate(self, chat: _Chat, n: int = 1) -> None:
        if not self.enforce_rate_limits or n <= 0:
            return
        wait = self._rates.check(chat, n, self.now())
        if wait is not None:
            self.rate_limited += 1
            raise _flood(wait)

    def _format(
        self, text: Any, parse_mode: Any, entities: Any
    ) -> tuple[str, list[JSONDict], str | None]:
        """Return (plain text, entities, original html or None) as Telegram would store them."""
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        html_source: str | None = None
        mode = str(parse_mode).strip().lower() if parse_mode else ""
        if entities:
            plain, ents = text, self._check_entities(text, entities)
        elif mode == "html":
            plain, ents = parse_html(
                text, strict_entities=self.strict_html_entities, user_lookup=self._users.get
            )
            html_source = text
        elif mode in {"markdown", "markdownv2"}:
            raise _bad("unsupported parse_mode (this fake Bot API implements only HTML)")
        elif mode:
            raise _bad("unsupported parse_mode")
        else:
            plain, ents = text, []
        plain, ents = _trim_formatted(plain, ents)
        ents = _sorted_entities(ents + auto_entities(plain, ents))
        return plain, ents, html_source

    @staticmethod
    def _check_entities(text: str, entities: Any) -> list[JSONDict]:
        if not isinstance(entities, list):
            raise _bad("can't parse entities JSON object")
        total = utf16_len(text)
        out: list[JSONDict] = []
        for entity in entities:
            if not isinstance(entity, dict):
                raise _bad("can't parse entities: MessageEntity must be an Object")
            kind = entity.get("type")
            offset = _as_int(entity.get("offset"))
            length = _as_int(entity.get("length"))
            if kind not in _ENTITY_TYPES:
                raise _bad(f"can't parse entities: unsupported entity type {kind!r}")
            if offset is None or length is None or offset < 0 or length < 0:
                raise _bad("can't parse entities: wrong entity offset or length")
            end = min(total, offset + length)
            if end <= offset:
                continue
            clean = dict(entity)
            clean["offset"] = offset
            clean["length"] = end - offset
            if kind == "text_link" and _normalize_link(str(clean.get("url", ""))) is None:
                raise _bad("can't parse entities: wrong HTTP URL specified")
            out.append(clean)
        return out

    def _text_content(self, p: JSONDict) -> JSONDict:
        text, entities, html_source = self._format(
            p.get("text"), p.get("parse_mode"), p.get("entities")
        )
        if not text:
            raise _bad("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise _bad("message is too long")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        if isinstance(p.get("link_preview_options"), dict):
            content["link_preview_options"] = p["link_preview_options"]
        if html_source is not None:
            content["_html"] = html_source
        return content

    def _caption_content(self, caption: Any, parse_mode: Any, entities: Any) -> JSONDict:
        if caption is None or caption == "":
            return {}
        text, ents, html_source = self._format(caption, parse_mode, entities)
        if utf16_len(text) > MAX_CAPTION:
            raise _bad("message caption is too long")
        content: JSONDict = {}
        if text:
            content["caption"] = text
        if ents:
            content["caption_entities"] = ents
        if html_source is not None:
            content["_html"] = html_source
        return content

    @staticmethod
    def _check_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        """Validate reply_markup; return the inline keyboard to store on the message, if any."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad(
                    "can't parse inline keyboard button: "
                    'Field "inline_keyboard" must be of type Array of Arrays'
                )
            clean_rows: list[list[JSONDict]] = []
            total = 0
            for row in rows:
                clean_row: list[JSONDict] = []
                for button in row:
                    clean_row.append(_check_inline_button(button))
                    total += 1
                if clean_row:
                    clean_rows.append(clean_row)
            if total > MAX_BUTTONS:
                raise _bad("reply markup is too long")
            return {"inline_keyboard": clean_rows} if clean_rows else None
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise _bad("can't parse reply keyboard markup JSON object")
            for row in rows:
                for button in row:
                    text = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(text, str) or not text:
                        raise _bad("can't parse keyboard button: text must be a non-empty String")
            return None
        if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
            return None
        raise _bad("can't parse reply keyboard markup JSON object")

    def _reply_target(self, chat: _Chat, p: JSONDict) -> JSONDict | None:
        params = p.get("reply_parameters")
        allow = bool(p.get("allow_sending_without_reply"))
        message_id: int | None = None
        target_chat = chat
        if isinstance(params, dict):
            message_id = _as_int(params.get("message_id"))
            allow = allow or bool(params.get("allow_sending_without_reply"))
            if params.get("chat_id") not in (None, ""):
                target_chat = self._resolve_chat(params["chat_id"])
        elif p.get("reply_to_message_id") is not None:
            message_id = _as_int(p.get("reply_to_message_id"))
        if message_id is None:
            return None
        target = target_chat.messages.get(message_id)
        if target is None or target.get("_deleted"):
            if allow:
                return None
            raise _bad("message to be replied not found")
        return self._public(target, nested=False)

    def _send_content(
        self, p: JSONDict, content: JSONDict, *, markup: JSONDict | None, chat: _Chat
    ) -> JSONDict:
        reply = self._reply_target(chat, p)
        self._rate(chat, 1)
        full: JSONDict = {}
        if reply is not None:
            full["reply_to_message"] = reply
        full.update(content)
        if p.get("protect_content"):
            full["has_protected_content"] = True
        if markup is not None:
            full["reply_markup"] = markup
        msg = self._store_message(chat, self.bot_user, full, from_bot=True)
        return self._public(msg)

    def _find_message(self, chat: _Chat, message_id: Any, missing: str) -> JSONDict:
        mid = _as_int(message_id)
        if mid is None:
            raise _bad("message identifier is not specified")
        msg = chat.messages.get(mid)
        if msg is None or msg.get("_deleted"):
            raise _bad(missing)
        return msg

    def _resolve_media(self, kind: str, value: Any, p: JSONDict, *, name: str | None = None) -> Any:
        if isinstance(value, str) and value.startswith("attach://"):
            value = p.get(value[len("attach://") :])
            if value is None:
                raise _bad("wrong file identifier/HTTP URL specified")
        if isinstance(value, Upload):
            return self._new_file(kind, file_name=value.filename or name)
        if not isinstance(value, str) or not value:
            raise _bad(f"there is no {kind} in the request")
        if re.match(r"(?i)https?://", value):
            raise _bad("failed to get HTTP URL content")
        record = self._files.get(value)
        if record is None:
            raise _bad("wrong file identifier/HTTP URL specified")
        if record.kind != kind:
            raise _bad("type of file mismatch")
        return copy.deepcopy(record.obj)

    def _copy_source(self, p: JSONDict) -> tuple[_Chat, _Chat]:
        target = self._resolve_chat(p.get("chat_id"))
        source = self._resolve_chat(p.get("from_chat_id"))
        if source.kind != "private":
            self._check_access(source)
        return target, source

    @staticmethod
    def _content_of(msg: JSONDict, *, action: str) -> JSONDict:
        if msg.get("has_protected_content"):
            raise _bad(f"message can't be {action}")
        content = {k: copy.deepcopy(msg[k]) for k in _CONTENT_KEYS if k in msg}
        if not content:
            raise _bad(f"message can't be {action}")
        if "_html" in msg:
            content["_html"] = msg["_html"]
        return content

    @staticmethod
    def _content_kind(content: JSONDict) -> str:
        for kind in _MEDIA_KINDS:
            if kind in content:
                return kind
        return "text"

    def _origin_of(self, source: _Chat, msg: JSONDict) -> JSONDict:
        if "forward_origin" in msg:
            return copy.deepcopy(msg["forward_origin"])
        if source.kind == "channel":
            return {
                "type": "channel",
                "date": msg["date"],
                "chat": copy.deepcopy(source.info),
                "message_id": msg["message_id"],
            }
        if "sender_chat" in msg:
            return {
                "type": "chat",
                "date": msg["date"],
                "sender_chat": copy.deepcopy(msg["sender_chat"]),
            }
        return {"type": "user", "date": msg["date"], "sender_user": copy.deepcopy(msg["from"])}

    def _copy_many(self, p: JSONDict, *, forward: bool) -> list[JSONDict]:
        action = "forwarded" if forward else "copied"
        target, source = self._copy_source(p)
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise _bad("message identifiers are not specified")
        if len(ids) > 100:
            raise _bad("too many messages")
        wanted = [_as_int(x) for x in ids]
        if any(x is None for x in wanted) or wanted != sorted(set(wanted), key=lambda v: v or 0):
            raise _bad("message identifiers must be in strictly increasing order")
        found: list[JSONDict] = []
        for mid in wanted:
            msg = source.messages.get(mid or 0)
            if msg is None or msg.get("_deleted"):
                continue
            self._content_of(msg, action=action)
            found.append(msg)
        if not found:
            raise _bad(f"message to {'forward' if forward else 'copy'} not found")
        contents = [self._content_of(msg, action=action) for msg in found]
        for content in contents:
            self._check_can_send(target, self._content_kind(content))
        self._rate(target, len(found))
        new_groups: dict[str, str] = {}
        out: list[JSONDict] = []
        for msg, content in zip(found, contents, strict=True):
            full: JSONDict = {}
            if forward:
                full["forward_origin"] = self._origin_of(source, msg)
                full["forward_date"] = full["forward_origin"]["date"]
            full.update(content)
            if p.get("remove_caption") and not forward:
                for key in ("caption", "caption_entities", "_html"):
                    full.pop(key, None)
            group = msg.get("media_group_id")
            if group is not None:
                if group not in new_groups:
                    new_groups[group] = str(next(self._media_group_seq))
                full["media_group_id"] = new_groups[group]
            if p.get("protect_content"):
                full["has_protected_content"] = True
            stored = self._store_message(target, self.bot_user, full, from_bot=True)
            out.append({"message_id": stored["message_id"]})
        return out

    def _copy_one(self, p: JSONDict, *, forward: bool) -> JSONDict:
        target, source = self._copy_source(p)
        action = "forwarded" if forward else "copied"
        msg = self._find_message(
            source, p.get("message_id"), f"message to {'forward' if forward else 'copy'} not found"
        )
        content = self._content_of(msg, action=action)
        kind = self._content_kind(content)
        self._check_can_send(target, kind)
        markup: JSONDict | None = None
        if not forward:
            markup = self._check_markup(p.get("reply_markup"))
            if kind not in {"text", "sticker"} and ("caption" in p or p.get("remove_caption")):
                for key in ("caption", "caption_entities", "_html"):
                    content.pop(key, None)
                if not p.get("remove_caption"):
                    content.update(
                        self._caption_content(
                            p.get("caption"), p.get("parse_mode"), p.get("caption_entities")
                        )
                    )
        full: JSONDict = {}
        if forward:
            full["forward_origin"] = self._origin_of(source, msg)
            full["forward_date"] = full["forward_origin"]["date"]
        full.update(content)
        return self._send_content(p, full, markup=markup, chat=target)

    # ---------------------------------------------------------------- HTTP

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        if file_match:
            if file_match.group(1) != self.token:
                return _json_response(401, _error_body(401, "Unauthorized"))
            return web.Response(body=b"FAKE-FILE:" + file_match.group(2).encode())
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z0-9_]+)/?", path)
        if not match:
            return _json_response(404, _error_body(404, "Not Found"))
        token, requested = match.groups()
        if token != self.token:
            return _json_response(401, _error_body(401, "Unauthorized"))
        entry = self._methods.get(requested.lower())
        if entry is None:
            return _json_response(404, _error_body(404, "Not Found"))
        name, impl = entry
        at = self.now()
        try:
            params = await self._read_params(request)
        except TelegramApiError as exc:
            self.calls.append(Call(name, {}, False, None, exc.description, at, exc.code))
            return _json_response(exc.code, _error_body(exc.code, exc.description))

        fault = self._take_fault(name, params)
        if fault is not None and fault.kind != "accept_then_drop":
            return await self._inject_fault(request, name, params, fault, at)

        try:
            result = await impl(params)
        except TelegramApiError as exc:
            call = Call(name, params, False, None, exc.description, at, exc.code)
            body = _error_body(exc.code, exc.description, exc.parameters)
            status = exc.code
        else:
            call = Call(name, params, True, result, None, at)
            body = {"ok": True, "result": result}
            status = 200
        if fault is not None:
            call.fault = fault.kind
            self.calls.append(call)
            _drop(request)
            return web.Response(status=200)
        self.calls.append(call)
        response = _json_response(status, body)
        await response.prepare(request)
        await response.write_eof()
        if call.ok:
            if name == "getUpdates" and result:
                await self._run_hooks("after_get_updates")
            await self._run_hooks(f"after_send_accepted:{name.lower()}")
        return response

    async def _read_params(self, request: web.Request) -> JSONDict:
        raw: JSONDict = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                try:
                    data = await request.json()
                except ValueError:
                    raise _bad("can't parse JSON encoded request") from None
                if not isinstance(data, dict):
                    raise _bad("can't parse JSON encoded request")
                raw.update(data)
            elif request.content_type in {
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            }:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        content = value.file.read()
                        raw[key] = Upload(value.filename, value.content_type, len(content))
                    else:
                        raw[key] = value
        return _coerce_params(raw)

    def _take_fault(self, method: str, params: JSONDict) -> _Fault | None:
        wanted = method.lower()
        for fault in self._faults:
            if fault.method not in {wanted, "*"}:
                continue
            if fault.chat_id is not None and _as_int(params.get("chat_id")) != fault.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            return fault
        return None

    async def _inject_fault(
        self, request: web.Request, name: str, params: JSONDict, fault: _Fault, at: float
    ) -> web.StreamResponse:
        kind = fault.kind
        if kind == "429":
            exc = _flood(fault.retry_after)
            self.calls.append(Call(name, params, False, None, exc.description, at, 429, kind))
            return _json_response(429, _error_body(429, exc.description, exc.parameters))
        if kind == "500":
            self.calls.append(
                Call(name, params, False, None, "Internal Server Error", at, 500, kind)
            )
            return _json_response(500, _error_body(500, "Internal Server Error"))
        if kind == "502":
            self.calls.append(Call(name, params, False, None, "Bad Gateway", at, 502, kind))
            return web.Response(status=502, text=NGINX_502, content_type="text/html")
        if kind == "drop":
            self.calls.append(Call(name, params, False, None, "connection dropped", at, None, kind))
            _drop(request)
            return web.Response(status=200)
        # "timeout": hang longer than the client waits, then drop (or earlier, on stop()).
        self.calls.append(Call(name, params, False, None, "request hung", at, None, kind))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.hang_seconds)
        _drop(request)
        return web.Response(status=200)

    async def _run_hooks(self, point: str) -> None:
        hooks = self._hooks.get(point)
        if not hooks:
            return
        to_run = list(hooks)
        self._hooks[point] = [(cb, once) for cb, once in hooks if not once]
        for callback, _once in to_run:
            try:
                value = callback()
                if inspect.isawaitable(value):
                    await value
            except Exception as exc:  # a broken hook must not break the server
                self.hook_errors.append(exc)

    # ---------------------------------------------------------------- API: bot & updates

    async def _api_getMe(self, p: JSONDict) -> Any:
        me = copy.deepcopy(self.bot_user)
        me.update(
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
        return me

    async def _api_logOut(self, p: JSONDict) -> Any:
        return True

    async def _api_close(self, p: JSONDict) -> Any:
        return True

    async def _api_getUpdates(self, p: JSONDict) -> Any:
        self._poll_generation += 1
        generation = self._poll_generation
        self._wakeup.set()  # an older long poll still waiting gets 409 Conflict
        await asyncio.sleep(0)
        if self.webhook_url:
            raise TelegramApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        allowed = p.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(str(a) for a in allowed) if allowed else None
        offset = _as_int(p.get("offset"))
        if offset is not None:
            self._confirm(offset)
        limit = _as_int(p.get("limit"))
        limit = 100 if limit is None or limit <= 0 else min(limit, 100)
        timeout = p.get("timeout")
        timeout = float(timeout) if isinstance(timeout, int | float) else 0.0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            if generation != self._poll_generation:
                raise TelegramApiError(409, CONFLICT)
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._stopping.is_set():
                return batch
            self._wakeup.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wakeup.wait(), remaining)

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if int(u["update_id"]) >= offset]

    def _deliverable(self, limit: int) -> list[JSONDict]:
        allowed = self._allowed_updates or DEFAULT_ALLOWED_UPDATES
        kept = [u for u in self._updates if _update_kind(u) in allowed]
        self._updates = kept
        return copy.deepcopy(kept[:limit])

    async def _api_setWebhook(self, p: JSONDict) -> Any:
        url = str(p.get("url") or "")
        if url and not url.startswith("https://"):
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = url
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_deleteWebhook(self, p: JSONDict) -> Any:
        self.webhook_url = ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, p: JSONDict) -> Any:
        info: JSONDict = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates is not None:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _scope_key(self, scope: Any) -> str:
        if scope is None:
            return _scope_key_of({"type": "default"})
        if not isinstance(scope, dict):
            raise _bad("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        simple = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
        if kind in simple:
            return _scope_key_of({"type": kind})
        if kind not in {"chat", "chat_administrators", "chat_member"}:
            raise _bad("wrong BotCommandScope type specified")
        chat = self._resolve_chat(scope.get("chat_id"))
        if chat.kind == "private" and chat.chat_id not in self._started:
            raise _bad("chat not found")
        if kind != "chat" and chat.kind == "private":
            raise _bad("can't use the scope in private chats")
        normalized: JSONDict = {"type": kind, "chat_id": chat.chat_id}
        if kind == "chat_member":
            user_id = _as_int(scope.get("user_id"))
            if user_id is None or user_id not in self._users:
                raise _bad("user not found")
            normalized["user_id"] = user_id
        return _scope_key_of(normalized)

    async def _api_setMyCommands(self, p: JSONDict) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        clean: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        if clean:
            self.my_commands[key] = clean
        else:
            self.my_commands.pop(key, None)
        return True

    async def _api_deleteMyCommands(self, p: JSONDict) -> Any:
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        self.my_commands.pop(key, None)
        return True

    async def _api_getMyCommands(self, p: JSONDict) -> Any:
        key = (self._scope_key(p.get("scope")), str(p.get("language_code") or ""))
        return copy.deepcopy(self.my_commands.get(key, []))

    async def _api_setMyName(self, p: JSONDict) -> Any:
        name = str(p.get("name") or "")
        if len(name) > 64:
            raise _bad("bot name is too long")
        self.bot_names[str(p.get("language_code") or "")] = name
        return True

    async def _api_getMyName(self, p: JSONDict) -> Any:
        return {"name": self.bot_names.get(str(p.get("language_code") or ""), "Report Desk")}

    async def _api_setMyDescription(self, p: JSONDict) -> Any:
        description = str(p.get("description") or "")
        if len(description) > 512:
            raise _bad("bot description is too long")
        self.bot_descriptions[str(p.get("language_code") or "")] = description
        return True

    async def _api_getMyDescription(self, p: JSONDict) -> Any:
        return {"description": self.bot_descriptions.get(str(p.get("language_code") or ""), "")}

    async def _api_setMyShortDescription(self, p: JSONDict) -> Any:
        description = str(p.get("short_description") or "")
        if len(description) > 120:
            raise _bad("bot short description is too long")
        self.bot_short_descriptions[str(p.get("language_code") or "")] = description
        return True

    async def _api_getMyShortDescription(self, p: JSONDict) -> Any:
        lang = str(p.get("language_code") or "")
        return {"short_description": self.bot_short_descriptions.get(lang, "")}

    async def _api_setChatMenuButton(self, p: JSONDict) -> Any:
        return True

    # ---------------------------------------------------------------- API: sending

    async def _api_sendMessage(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        self._check_can_send(chat, "text")
        content = self._text_content(p)
        markup = self._check_markup(p.get("reply_markup"))
        return self._send_content(p, content, markup=markup, chat=chat)

    async def _send_media(self, p: JSONDict, kind: str) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        self._check_can_send(chat, kind)
        obj = self._resolve_media(kind, p.get(kind), p)
        content = self._media_content(kind, obj)
        if kind != "sticker":
            content.update(
                self._caption_content(
                    p.get("caption"), p.get("parse_mode"), p.get("caption_entities")
                )
            )
        if p.get("has_spoiler") and kind in {"photo", "video", "animation"}:
            content["has_media_spoiler"] = True
        markup = self._check_markup(p.get("reply_markup"))
        return self._send_content(p, content, markup=markup, chat=chat)

    async def _api_sendPhoto(self, p: JSONDict) -> Any:
        return await self._send_media(p, "photo")

    async def _api_sendDocument(self, p: JSONDict) -> Any:
        return await self._send_media(p, "document")

    async def _api_sendVideo(self, p: JSONDict) -> Any:
        return await self._send_media(p, "video")

    async def _api_sendAnimation(self, p: JSONDict) -> Any:
        return await self._send_media(p, "animation")

    async def _api_sendVoice(self, p: JSONDict) -> Any:
        return await self._send_media(p, "voice")

    async def _api_sendAudio(self, p: JSONDict) -> Any:
        return await self._send_media(p, "audio")

    async def _api_sendSticker(self, p: JSONDict) -> Any:
        return await self._send_media(p, "sticker")

    async def _api_sendVideoNote(self, p: JSONDict) -> Any:
        return await self._send_media(p, "video_note")

    async def _api_sendMediaGroup(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        media = p.get("media")
        if not isinstance(media, list):
            raise _bad("can't parse InputMedia JSON object")
        if not 2 <= len(media) <= 10:
            raise _bad("wrong number of media in the album: must include 2-10 items")
        kinds: list[str] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in {
                "photo",
                "video",
                "document",
                "audio",
            }:
                raise _bad("can't parse InputMedia JSON object")
            kinds.append(str(item["type"]))
        distinct = set(kinds)
        if ("document" in distinct or "audio" in distinct) and len(distinct) > 1:
            odd = sorted(distinct & {"document", "audio"})[0]
            raise _bad(f"{odd} can't be mixed with other media types")
        for kind in distinct:
            self._check_can_send(chat, kind)
        contents: list[JSONDict] = []
        for item in media:
            kind = str(item["type"])
            content = self._media_content(kind, self._resolve_media(kind, item.get("media"), p))
            content.update(
                self._caption_content(
                    item.get("caption"), item.get("parse_mode"), item.get("caption_entities")
                )
            )
            if item.get("has_spoiler") and kind in {"photo", "video"}:
                content["has_media_spoiler"] = True
            contents.append(content)
        reply = self._reply_target(chat, p)
        self._rate(chat, len(contents))
        group_id = str(next(self._media_group_seq))
        out: list[JSONDict] = []
        for content in contents:
            full: JSONDict = {}
            if reply is not None:
                full["reply_to_message"] = reply
            full["media_group_id"] = group_id
            full.update(content)
            if p.get("protect_content"):
                full["has_protected_content"] = True
            msg = self._store_message(chat, self.bot_user, full, from_bot=True)
            out.append(self._public(msg))
        return out

    async def _api_copyMessage(self, p: JSONDict) -> Any:
        msg = self._copy_one(p, forward=False)
        return {"message_id": msg["message_id"]}

    async def _api_forwardMessage(self, p: JSONDict) -> Any:
        return self._copy_one(p, forward=True)

    async def _api_copyMessages(self, p: JSONDict) -> Any:
        return self._copy_many(p, forward=False)

    async def _api_forwardMessages(self, p: JSONDict) -> Any:
        return self._copy_many(p, forward=True)

    async def _api_sendChatAction(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        self._check_can_send(chat, "text")
        return True

    # ---------------------------------------------------------------- API: editing, deleting

    def _editable(self, p: JSONDict) -> tuple[_Chat, JSONDict]:
        if p.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")
        chat = self._resolve_chat(p.get("chat_id"))
        self._check_access(chat)
        msg = self._find_message(chat, p.get("message_id"), "message to edit not found")
        if msg["message_id"] not in chat.bot_message_ids:
            raise _bad("message can't be edited")
        return chat, msg

    def _apply_edit(self, chat: _Chat, msg: JSONDict, changes: JSONDict) -> JSONDict:
        self._rate(chat, 1)
        for key, value in changes.items():
            if value is None:
                msg.pop(key, None)
            else:
                msg[key] = value
        msg["edit_date"] = int(time.time())
        return self._public(msg)

    async def _api_editMessageText(self, p: JSONDict) -> Any:
        chat, msg = self._editable(p)
        content = self._text_content(p)
        markup = self._check_markup(p.get("reply_markup"), inline_only=True)
        if "text" not in msg:
            raise _bad("there is no text in the message to edit")
        if (
            content["text"] == msg.get("text")
            and content.get("entities", []) == msg.get("entities", [])
            and markup == msg.get("reply_markup")
        ):
            raise _bad(NOT_MODIFIED)
        return self._apply_edit(
            chat,
            msg,
            {
                "text": content["text"],
                "entities": content.get("entities"),
                "_html": content.get("_html"),
                "reply_markup": markup,
            },
        )

    async def _api_editMessageCaption(self, p: JSONDict) -> Any:
        chat, msg = self._editable(p)
        if self._content_kind(msg) in {"text", "sticker"}:
            raise _bad("there is no caption in the message to edit")
        content = self._caption_content(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities")
        )
        markup = self._check_markup(p.get("reply_markup"), inline_only=True)
        if (
            content.get("caption") == msg.get("caption")
            and content.get("caption_entities", []) == msg.get("caption_entities", [])
            and markup == msg.get("reply_markup")
        ):
            raise _bad(NOT_MODIFIED)
        return self._apply_edit(
            chat,
            msg,
            {
                "caption": content.get("caption"),
                "caption_entities": content.get("caption_entities"),
                "_html": content.get("_html"),
                "reply_markup": markup,
            },
        )

    async def _api_editMessageReplyMarkup(self, p: JSONDict) -> Any:
        chat, msg = self._editable(p)
        markup = self._check_markup(p.get("reply_markup"), inline_only=True)
        if markup == msg.get("reply_markup"):
            raise _bad(NOT_MODIFIED)
        return self._apply_edit(chat, msg, {"reply_markup": markup})

    def _delete_one(self, chat: _Chat, msg: JSONDict) -> None:
        own = msg["message_id"] in chat.bot_message_ids
        if not own and chat.kind != "private" and chat.bot_status != "administrator":
            raise _bad("message can't be deleted")
        msg["_deleted"] = True

    async def _api_deleteMessage(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        self._check_access(chat)
        msg = self._find_message(chat, p.get("message_id"), "message to delete not found")
        self._delete_one(chat, msg)
        return True

    async def _api_deleteMessages(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        self._check_access(chat)
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise _bad("message identifiers are not specified")
        for raw_id in ids:
            msg = chat.messages.get(_as_int(raw_id) or 0)
            if msg is not None and not msg.get("_deleted"):
                self._delete_one(chat, msg)
        return True

    # ---------------------------------------------------------------- API: callback queries

    async def _api_answerCallbackQuery(self, p: JSONDict) -> Any:
        text = p.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            raise _bad("MESSAGE_TOO_LONG")
        query = self._queries.get(str(p.get("callback_query_id")))
        if query is None or query.answered or self.now() - query.created > self.callback_query_ttl:
            raise _bad(QUERY_TOO_OLD)
        query.answered = True
        return True

    # ---------------------------------------------------------------- API: chats

    async def _api_getChat(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        if chat.kind != "private" and chat.bot_status == "kicked":
            raise _forbidden(f"bot was kicked from the {chat.label}")
        if chat.kind == "supergroup" and chat.bot_status == "left" and "username" not in chat.info:
            raise _forbidden(f"bot is not a member of the {chat.label}")
        info = copy.deepcopy(chat.info)
        info.update(
            accent_color_id=0,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.kind == "private":
            user = self._users.get(chat.chat_id, {})
            if "username" in user:
                info["active_usernames"] = [user["username"]]
        return info

    async def _api_getChatMember(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        if chat.kind != "private":
            self._check_access(chat)
        user_id = _as_int(p.get("user_id"))
        if user_id == self.bot_id:
            status = "member" if chat.kind == "private" else chat.bot_status
            return self._member_dict(self.bot_user, status, chat)
        if user_id is None or user_id not in self._users:
            raise _bad("user not found")
        user = self._users[user_id]
        if chat.kind == "private":
            return self._member_dict(user, "member" if user_id == chat.chat_id else "left", chat)
        if user_id in chat.admins:
            return self._member_dict(user, "administrator", chat)
        if user_id in chat.members:
            return self._member_dict(user, "member", chat)
        return self._member_dict(user, "left", chat)

    async def _api_getChatAdministrators(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        if chat.kind == "private":
            raise _bad("there are no administrators in the private chat")
        self._check_access(chat)
        out = [
            self._member_dict(self._users[uid], "administrator", chat)
            for uid in sorted(chat.admins)
            if uid in self._users
        ]
        if chat.bot_status == "administrator":
            out.append(self._member_dict(self.bot_user, "administrator", chat))
        return out

    async def _api_getChatMemberCount(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        self._check_access(chat)
        bot = 1 if chat.bot_status in {"administrator", "member", "restricted"} else 0
        return len(chat.members) + bot

    async def _api_leaveChat(self, p: JSONDict) -> Any:
        chat = self._resolve_chat(p.get("chat_id"))
        if chat.kind == "private":
            raise _bad("chat member status can't be changed in private chats")
        self._check_access(chat)
        old = chat.bot_status
        chat.bot_status = "left"
        self._enqueue_my_chat_member(chat, self.bot_id, old, "left")
        return True

    async def _api_getFile(self, p: JSONDict) -> Any:
        record = self._files.get(str(p.get("file_id") or ""))
        if record is None:
            raise _bad("invalid file_id")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_path": f"{record.kind}s/{record.file_unique_id}",
        }


# --------------------------------------------------------------------------------------------
# Module helpers
# --------------------------------------------------------------------------------------------


def _check_inline_button(button: Any) -> JSONDict:
    if not isinstance(button, dict):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise _bad("BUTTON_TEXT_INVALID")
    actions = [k for k in _BUTTON_ACTIONS if button.get(k) is not None]
    if not actions:
        raise _bad("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise _bad(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    action = actions[0]
    value = button[action]
    if action == "callback_data" and (
        not isinstance(value, str) or not 1 <= len(value.encode("utf-8")) <= MAX_CALLBACK_DATA
    ):
        raise _bad("BUTTON_DATA_INVALID")
    if action == "url" and (not isinstance(value, str) or _normalize_link(value) is None):
        raise _bad("BUTTON_URL_INVALID")
    return {k: copy.deepcopy(v) for k, v in button.items() if v is not None}


def _as_int(value: Any) -> int | None:
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


def _coerce_params(raw: JSONDict) -> JSONDict:
    """Form bodies carry strings (PTB JSON-encodes non-string values); give them their types."""
    out: JSONDict = {}
    for key, value in raw.items():
        if isinstance(value, str):
            if key in _JSON_PARAMS:
                try:
                    value = json.loads(value)
                except ValueError:
                    raise _bad(_JSON_ERRORS.get(key, f"can't parse {key} JSON object")) from None
            elif key in _INT_PARAMS or key == "chat_id":
                parsed = _as_int(value)
                value = parsed if parsed is not None else value
            elif key in _FLOAT_PARAMS:
                try:
                    value = float(value)
                except ValueError:
                    raise _bad(f"invalid {key} specified") from None
            elif key in _BOOL_PARAMS:
                value = value.strip().lower() in {"true", "1", "yes"}
        out[key] = value
    return out


def _update_kind(update: JSONDict) -> str:
    for key in update:
        if key != "update_id":
            return key
    return ""


def _scope_key_of(scope: JSONDict) -> str:
    return json.dumps(scope, sort_keys=True)


def _error_body(code: int, description: str, parameters: JSONDict | None = None) -> JSONDict:
    body: JSONDict = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


def _json_response(status: int, body: JSONDict) -> web.Response:
    return web.Response(
        status=status,
        text=json.dumps(body, ensure_ascii=False),
        content_type="application/json",
    )


def _drop(request: web.Request) -> None:
    """Close the connection without an answer: the client sees a disconnect."""
    transport = request.transport
    if transport is not None:
        transport.close()


def _describe_callable(predicate: Callable[[], Any]) -> str:
    try:
        source = inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        source = ""
    if source and len(source) < 300:
        return source
    return getattr(predicate, "__qualname__", repr(predicate))


def _summarize_call(call: Call) -> str:
    params = {k: v for k, v in call.params.items() if k not in {"timeout", "reply_markup"}}
    text = json.dumps(params, ensure_ascii=False, default=str)
    if len(text) > 160:
        text = text[:157] + "..."
    outcome = "ok" if call.ok else f"error {call.error_code}: {call.error}"
    return f"{call.method} {text} -> {outcome}"
