"""Sending: sendMessage, the single-media sends, sendMediaGroup, sendChatAction.

Every check (chat, rights, text, caption, media, keyboard, reply target, flood control) runs
before a message is stored, so a refused send adds nothing to the chat.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.files import FileStore, media_content
from bot.sandbox.methods.content import MEDIA_KINDS, Formatter, check_markup
from bot.sandbox.methods.posting import Poster
from bot.sandbox.params import JSONDict
from bot.sandbox.routing import api, api_each
from bot.sandbox.world import World


@dataclass(eq=False)
class SendingMethods:
    """The methods by which the bot sends new messages of its own."""

    world: World
    files: FileStore
    formatter: Formatter
    poster: Poster

    @api
    async def send_message(self, p: JSONDict) -> Any:
        chat = self.world.sendable_chat(p.get("chat_id"), "text")
        content = self.formatter.text_content(p)
        markup = check_markup(p.get("reply_markup"))
        return self.poster.post(chat, p, [content], markup=markup)[0]

    @api_each({f"send_{kind}": kind for kind in MEDIA_KINDS})
    async def send_media(self, p: JSONDict, kind: str) -> Any:
        """sendPhoto, sendDocument, ...: one file of ``kind``, with a caption unless a sticker."""
        chat = self.world.sendable_chat(p.get("chat_id"), kind)
        obj = self.files.resolve_media(kind, p.get(kind), p)
        content = media_content(kind, obj)
        if kind != "sticker":
            content.update(self.formatter.caption_content(p))
        if p.get("has_spoiler") and kind in {"photo", "video", "animation"}:
            content["has_media_spoiler"] = True
        markup = check_markup(p.get("reply_markup"))
        return self.poster.post(chat, p, [content], markup=markup)[0]

    @api
    async def send_media_group(self, p: JSONDict) -> Any:
        chat = self.world.resolve_chat(p.get("chat_id"))
        media = p.get("media")
        if not isinstance(media, list):
            raise bad_request("can't parse InputMedia JSON object")
        if not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the album: must include 2-10 items")
        kinds: list[str] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in {
                "photo",
                "video",
                "document",
                "audio",
            }:
                raise bad_request("can't parse InputMedia JSON object")
            kinds.append(str(item["type"]))
        distinct = set(kinds)
        if ("document" in distinct or "audio" in distinct) and len(distinct) > 1:
            odd = sorted(distinct & {"document", "audio"})[0]
            raise bad_request(f"{odd} can't be mixed with other media types")
        for kind in distinct:
            self.world.check_can_send(chat, kind)
        contents: list[JSONDict] = []
        for item in media:
            kind = str(item["type"])
            content = media_content(kind, self.files.resolve_media(kind, item.get("media"), p))
            content.update(self.formatter.caption_content(item))
            if item.get("has_spoiler") and kind in {"photo", "video"}:
                content["has_media_spoiler"] = True
            # One value for all: the poster gives the album its id.
            contents.append({"media_group_id": "album", **content})
        return self.poster.post(chat, p, contents)

    @api
    async def send_chat_action(self, p: JSONDict) -> Any:
        self.world.sendable_chat(p.get("chat_id"), "text")
        return True
