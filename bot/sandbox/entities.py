"""Message entities: the ones Telegram detects by itself, explicit ones, and formatted text.

:func:`format_text` is how Telegram stores a text or caption the bot sends: parsed with
``parse_mode`` (only HTML here) or checked against explicit ``entities``, trimmed of surrounding
whitespace, and enriched with the entities Telegram detects itself (urls, commands, mentions,
hashtags), all sorted by offset.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.html import normalize_link, parse_html, utf16_len, utf16_offsets
from bot.sandbox.params import JSONDict, as_int

_TRIM = " \t\r\n\v\f"

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
    offsets = utf16_offsets(text)
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


def sorted_entities(entities: Iterable[JSONDict]) -> list[JSONDict]:
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def format_text(
    text: Any,
    parse_mode: Any,
    entities: Any,
    *,
    strict_entities: bool,
    user_lookup: Callable[[int], JSONDict | None],
) -> tuple[str, list[JSONDict], str | None]:
    """Return (plain text, entities, original html or None) as Telegram would store them."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        text = str(text)
    html_source: str | None = None
    mode = str(parse_mode).strip().lower() if parse_mode else ""
    if entities:
        plain, ents = text, _check_entities(text, entities)
    elif mode == "html":
        plain, ents = parse_html(text, strict_entities=strict_entities, user_lookup=user_lookup)
        html_source = text
    elif mode in {"markdown", "markdownv2"}:
        raise bad_request("unsupported parse_mode (this fake Bot API implements only HTML)")
    elif mode:
        raise bad_request("unsupported parse_mode")
    else:
        plain, ents = text, []
    plain, ents = _trim_formatted(plain, ents)
    ents = sorted_entities(ents + auto_entities(plain, ents))
    return plain, ents, html_source


def _check_entities(text: str, entities: Any) -> list[JSONDict]:
    if not isinstance(entities, list):
        raise bad_request("can't parse entities JSON object")
    total = utf16_len(text)
    out: list[JSONDict] = []
    for entity in entities:
        if not isinstance(entity, dict):
            raise bad_request("can't parse entities: MessageEntity must be an Object")
        kind = entity.get("type")
        offset = as_int(entity.get("offset"))
        length = as_int(entity.get("length"))
        if kind not in _ENTITY_TYPES:
            raise bad_request(f"can't parse entities: unsupported entity type {kind!r}")
        if offset is None or length is None or offset < 0 or length < 0:
            raise bad_request("can't parse entities: wrong entity offset or length")
        end = min(total, offset + length)
        if end <= offset:
            continue
        clean = dict(entity)
        clean["offset"] = offset
        clean["length"] = end - offset
        if kind == "text_link" and normalize_link(str(clean.get("url", ""))) is None:
            raise bad_request("can't parse entities: wrong HTTP URL specified")
        out.append(clean)
    return out
