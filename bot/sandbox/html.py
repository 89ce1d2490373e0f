"""Telegram-flavoured HTML: the Bot API server's parser, its error descriptions, UTF-16 units.

:func:`parse_html` turns ``parse_mode=HTML`` text into plain text and entities as the Bot API
server does (tags, attributes, the four named entities, numeric entities, text mentions), and
rejects what it rejects with its description and byte offset; the one deliberate difference, an
unknown ``&name;``, is explained on the function. Offsets and lengths are in UTF-16 code units,
the unit Telegram counts in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.sandbox.errors import TelegramApiError, bad_request
from bot.sandbox.params import JSONDict

_SPACES = frozenset(" \t\r\n\v\f\0")
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


def utf16_offsets(text: str) -> list[int]:
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


def normalize_link(url: str) -> str | None:
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
        return bad_request(f"can't parse entities: {detail}")

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
        link = normalize_link(url)
        if link is not None:
            entities.append(
                {"type": "text_link", "offset": tag.offset, "length": length, "url": link}
            )
