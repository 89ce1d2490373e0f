"""Copying and forwarding: copyMessage(s), forwardMessage(s).

As on Telegram: a protected or deleted message cannot be copied; a copy carries the content but
not the origin, a forward carries ``forward_origin``; copying several messages keeps albums
together under a new ``media_group_id``; the target chat's rights apply to each kind of content.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.methods.content import Formatter, check_markup, content_kind
from bot.sandbox.methods.posting import Poster
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.routing import api
from bot.sandbox.world import Chat, World

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


@dataclass(eq=False)
class CopyingMethods:
    """The methods by which the bot re-sends messages that already exist."""

    world: World
    formatter: Formatter
    poster: Poster

    @api
    async def copy_message(self, p: JSONDict) -> Any:
        msg = self._copy_one(p, forward=False)
        return {"message_id": msg["message_id"]}

    @api
    async def forward_message(self, p: JSONDict) -> Any:
        return self._copy_one(p, forward=True)

    @api
    async def copy_messages(self, p: JSONDict) -> Any:
        return self._copy_many(p, forward=False)

    @api
    async def forward_messages(self, p: JSONDict) -> Any:
        return self._copy_many(p, forward=True)

    def _copy_source(self, p: JSONDict) -> tuple[Chat, Chat]:
        target = self.world.resolve_chat(p.get("chat_id"))
        source = self.world.resolve_chat(p.get("from_chat_id"))
        if source.kind != "private":
            self.world.check_access(source)
        return target, source

    def _copy_many(self, p: JSONDict, *, forward: bool) -> list[JSONDict]:
        target, source = self._copy_source(p)
        ids = p.get("message_ids")
        if not isinstance(ids, list) or not ids:
            raise bad_request("message identifiers are not specified")
        if len(ids) > 100:
            raise bad_request("too many messages")
        wanted = [as_int(x) for x in ids]
        if any(x is None for x in wanted) or wanted != sorted(set(wanted), key=lambda v: v or 0):
            raise bad_request("message identifiers must be in strictly increasing order")
        contents: list[JSONDict] = []
        for mid in wanted:
            msg = source.messages.get(mid or 0)
            if msg is None or msg.get("_deleted"):
                continue  # as on Telegram: missing messages are skipped, not refused
            content = _resent(source, msg, forward=forward)
            if p.get("remove_caption") and not forward:
                _drop_caption(content)
            if msg.get("media_group_id") is not None:
                # Copies of one album form one new album.
                content["media_group_id"] = msg["media_group_id"]
            contents.append(content)
        if not contents:
            raise bad_request(f"message to {_verb(forward)} not found")
        for content in contents:
            self.world.check_can_send(target, content_kind(content))
        posted = self.poster.post(target, p, contents, replies=False)
        return [{"message_id": msg["message_id"]} for msg in posted]

    def _copy_one(self, p: JSONDict, *, forward: bool) -> JSONDict:
        target, source = self._copy_source(p)
        msg = self.world.find_message(
            source, p.get("message_id"), f"message to {_verb(forward)} not found"
        )
        content = _resent(source, msg, forward=forward)
        kind = content_kind(content)
        self.world.check_can_send(target, kind)
        markup: JSONDict | None = None
        if not forward:
            markup = check_markup(p.get("reply_markup"))
            if kind not in {"text", "sticker"} and ("caption" in p or p.get("remove_caption")):
                _drop_caption(content)
                if not p.get("remove_caption"):
                    content.update(self.formatter.caption_content(p))
        return self.poster.post(target, p, [content], markup=markup)[0]


def _verb(forward: bool) -> str:
    return "forward" if forward else "copy"


def _resent(source: Chat, msg: JSONDict, *, forward: bool) -> JSONDict:
    """What a copy or forward of ``msg`` carries: its content, led by its origin if forwarded."""
    content = _content_of(msg, action="forwarded" if forward else "copied")
    if not forward:
        return content
    origin = _origin_of(source, msg)
    return {"forward_origin": origin, "forward_date": origin["date"], **content}


def _content_of(msg: JSONDict, *, action: str) -> JSONDict:
    if msg.get("has_protected_content"):
        raise bad_request(f"message can't be {action}")
    content = {k: copy.deepcopy(msg[k]) for k in _CONTENT_KEYS if k in msg}
    if not content:
        raise bad_request(f"message can't be {action}")
    if "_html" in msg:
        content["_html"] = msg["_html"]
    return content


def _origin_of(source: Chat, msg: JSONDict) -> JSONDict:
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


def _drop_caption(content: JSONDict) -> None:
    for key in ("caption", "caption_entities", "_html"):
        content.pop(key, None)
