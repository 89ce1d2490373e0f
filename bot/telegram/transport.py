"""The outbox's view of Telegram: the calls it makes, with errors translated into
`DeliveryError`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from telegram import (
    Bot,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaAudio,
    InputMediaDocument,
    InputMediaPhoto,
    InputMediaVideo,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError

from bot.domain.models import Item
from bot.outbox.delivery import OutgoingFile, OutgoingText
from bot.render.message import Button
from bot.render.text import CAPTION_LIMIT, MESSAGE_LIMIT, clip, utf16_len
from bot.telegram.errors import classify

T = TypeVar("T")
# An export of up to 50 MB must have time to go up on a slow link.
UPLOAD_TIMEOUT_SECONDS = 300.0
AlbumPart = InputMediaPhoto | InputMediaVideo | InputMediaDocument | InputMediaAudio
_ALBUM_PARTS: dict[str, type[AlbumPart]] = {
    "photo": InputMediaPhoto,
    "video": InputMediaVideo,
    "document": InputMediaDocument,
    "audio": InputMediaAudio,
}
_FILE_SENDERS = {
    "photo": "send_photo",
    "video": "send_video",
    "animation": "send_animation",
    "document": "send_document",
    "voice": "send_voice",
    "audio": "send_audio",
    "sticker": "send_sticker",
    "video_note": "send_video_note",
}


def keyboard(buttons: list[list[Button]]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in buttons]
    )


def _reply_to(message_id: int | None) -> ReplyParameters | None:
    """A reply to the message, sent anyway if the message is gone."""
    if message_id is None:
        return None
    return ReplyParameters(message_id, allow_sending_without_reply=True)


async def _call(operation: Callable[[], Awaitable[T]]) -> T:
    try:
        return await operation()
    except TelegramError as error:
        raise classify(error) from error


class TelegramTransport:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send_message(self, outgoing: OutgoingText) -> int:
        reply = _reply_to(outgoing.reply_to)
        markup: ForceReply | InlineKeyboardMarkup | None = (
            ForceReply(selective=True) if outgoing.force_reply else keyboard(outgoing.buttons)
        )
        message = await _call(
            lambda: self.bot.send_message(
                outgoing.chat_id,
                outgoing.text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                reply_parameters=reply,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        return message.message_id

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, buttons: list[list[Button]]
    ) -> None:
        await _call(
            lambda: self.bot.edit_message_text(
                text,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=keyboard(buttons),
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )

    async def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, reply_to: int | None
    ) -> int:
        copied = await _call(
            lambda: self.bot.copy_message(
                chat_id, from_chat_id, message_id, reply_parameters=_reply_to(reply_to)
            )
        )
        return copied.message_id

    async def send_album(self, chat_id: int, items: list[Item], reply_to: int | None) -> list[int]:
        """An album sent again from its stored files, as a reply (copies of several messages
        cannot reply), each caption with its formatting (hidden links are often the point)."""
        media = [self._album_part(item) for item in items]
        sent = await _call(
            lambda: self.bot.send_media_group(chat_id, media, reply_parameters=_reply_to(reply_to))
        )
        return [message.message_id for message in sent]

    def _album_part(self, item: Item) -> AlbumPart:
        kind = _ALBUM_PARTS.get(item.kind, InputMediaDocument)
        assert item.file_id is not None
        return kind(
            media=item.file_id,
            caption=item.text,
            caption_entities=self._entities(item),
        )

    def _entities(self, item: Item) -> list[MessageEntity] | None:
        if not item.entities:
            return None
        return list(MessageEntity.de_list(json.loads(item.entities), self.bot))

    async def leave_chat(self, chat_id: int) -> None:
        await _call(lambda: self.bot.leave_chat(chat_id))

    async def send_file(self, outgoing: OutgoingFile) -> int:
        """A photo or a document from disk; uploads get more time than a text."""
        content = await asyncio.to_thread(Path(outgoing.path).read_bytes)
        upload = InputFile(content, filename=outgoing.filename)
        caption = clip(outgoing.caption, CAPTION_LIMIT) if outgoing.caption else None
        send = self.bot.send_photo if outgoing.as_photo else self.bot.send_document
        sent = await _call(
            lambda: send(
                outgoing.chat_id,
                upload,
                caption=caption,
                parse_mode=ParseMode.HTML,
                write_timeout=UPLOAD_TIMEOUT_SECONDS,
            )
        )
        return sent.message_id

    async def resend_items(
        self, chat_id: int, items: list[Item], reply_to: int | None
    ) -> list[int]:
        """Evidence whose original is gone, sent again from stored file ids and text."""
        reply = _reply_to(reply_to)
        sent: list[int] = []
        for item in items:
            try:
                message = await self._resend(chat_id, item, reply)
            except TelegramError as error:
                raise classify(error) from error
            sent.append(message.message_id)
        return sent

    async def _resend(self, chat_id: int, item: Item, reply: ReplyParameters | None) -> Message:
        sender = _FILE_SENDERS.get(item.kind)
        if sender is None or not item.file_id:
            if item.text and utf16_len(item.text) <= MESSAGE_LIMIT:
                return await self.bot.send_message(
                    chat_id, item.text, entities=self._entities(item), reply_parameters=reply
                )
            text = clip(item.text or f"[{item.kind}]", MESSAGE_LIMIT)
            return await self.bot.send_message(chat_id, text, reply_parameters=reply)
        method = getattr(self.bot, sender)
        if item.kind == "sticker":
            result = await method(chat_id, item.file_id, reply_parameters=reply)
        elif item.text and utf16_len(item.text) <= CAPTION_LIMIT:
            result = await method(
                chat_id,
                item.file_id,
                caption=item.text,
                caption_entities=self._entities(item),
                reply_parameters=reply,
            )
        else:
            caption = clip(item.text, CAPTION_LIMIT) if item.text else None
            result = await method(chat_id, item.file_id, caption=caption, reply_parameters=reply)
        assert isinstance(result, Message)
        return result
