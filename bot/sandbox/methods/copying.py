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
from bot.sandbox.limits import FloodControl
from bot.sandbox.methods.content import Formatter, check_markup, content_kind
from bot.sandbox.methods.posting import Poster
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.routing import api
from bot.sandbox.settings import Settings
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

    settings: Settings
    world: World
    formatter: Formatter
    poster: Poster
    flood: FloodControl

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

    def _origin_of(self, source: Chat, msg: JSONDict) -> JSONDict:
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
            raise bad_request("message identifiers are not specified")
        if len(ids) > 100:
            raise bad_request("too many messages")
        wanted = [as_int(x) for x in ids]
        if any(x is None for x in wanted) or wanted != sorted(set(wanted), key=lambda v: v or 0):
            raise bad_request("message identifiers must be in strictly increasing order")
        found: list[JSONDict] = []
        for mid in wanted:
            msg = source.messages.get(mid or 0)
            if msg is None or msg.get("_deleted"):
                continue
            _content_of(msg, action=action)
            found.append(msg)
        if not found:
            raise bad_request(f"message to {'forward' if forward else 'copy'} not found")
        contents = [_content_of(msg, action=action) for msg in found]
        for content in contents:
            self.world.check_can_send(target, content_kind(content))
        self.flood.admit(target, len(found))
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
                    new_groups[group] = self.world.new_media_group_id()
                full["media_group_id"] = new_groups[group]
            if p.get("protect_content"):
                full["has_protected_content"] = True
            stored = self.world.store_message(target, self.settings.bot_user, full, from_bot=True)
            out.append({"message_id": stored["message_id"]})
        return out

    def _copy_one(self, p: JSONDict, *, forward: bool) -> JSONDict:
        target, source = self._copy_source(p)
        action = "forwarded" if forward else "copied"
        msg = self.world.find_message(
            source, p.get("message_id"), f"message to {'forward' if forward else 'copy'} not found"
        )
        content = _content_of(msg, action=action)
        kind = content_kind(content)
        self.world.check_can_send(target, kind)
        markup: JSONDict | None = None
        if not forward:
            markup = check_markup(p.get("reply_markup"))
            if kind not in {"text", "sticker"} and ("caption" in p or p.get("remove_caption")):
                for key in ("caption", "caption_entities", "_html"):
                    content.pop(key, None)
                if not p.get("remove_caption"):
                    content.update(
                        self.formatter.caption_content(
                            p.get("caption"), p.get("parse_mode"), p.get("caption_entities")
                        )
                    )
        full: JSONDict = {}
        if forward:
            full["forward_origin"] = self._origin_of(source, msg)
            full["forward_date"] = full["forward_origin"]["date"]
        full.update(content)
        return self.poster.post(p, full, markup=markup, chat=target)


def _content_of(msg: JSONDict, *, action: str) -> JSONDict:
    if msg.get("has_protected_content"):
        raise bad_request(f"message can't be {action}")
    content = {k: copy.deepcopy(msg[k]) for k in _CONTENT_KEYS if k in msg}
    if not content:
        raise bad_request(f"message can't be {action}")
    if "_html" in msg:
        content["_html"] = msg["_html"]
    return content
