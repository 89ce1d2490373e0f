"""Translate Telegram's types into ours; the only place that reads a Message's fields."""

from __future__ import annotations

import json

from telegram import (
    CallbackQuery,
    Message,
    MessageOriginChannel,
    MessageOriginChat,
    MessageOriginHiddenUser,
    MessageOriginUser,
    Update,
    User,
)
from telegram.error import TelegramError

from bot.domain.identity import item_identity, link_origins
from bot.domain.models import IncomingItem, Origin, Person
from bot.outbox.delivery import Failure
from bot.telegram.errors import classify


def sender(update: Update) -> tuple[Message, User]:
    """The message and its author, for handlers whose filters guarantee both."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and user is not None
    return message, user


def who(update: Update) -> Person:
    """The person behind an update whose handler's filters guarantee one."""
    user = update.effective_user
    assert user is not None
    return person(user)


def person(user: User) -> Person:
    return Person(id=user.id, name=user.full_name, language_code=user.language_code)


def origin_of(message: Message) -> Origin:
    forward = message.forward_origin
    date = int(forward.date.timestamp()) if forward is not None else None
    if isinstance(forward, MessageOriginChannel):
        return Origin(
            type="channel",
            chat_id=forward.chat.id,
            message_id=forward.message_id,
            title=forward.chat.title,
            username=forward.chat.username,
            author_signature=forward.author_signature,
            date=date,
        )
    if isinstance(forward, MessageOriginChat):
        return Origin(
            type="chat",
            chat_id=forward.sender_chat.id,
            title=forward.sender_chat.title,
            username=forward.sender_chat.username,
            author_signature=forward.author_signature,
            date=date,
        )
    if isinstance(forward, MessageOriginUser):
        user = forward.sender_user
        return Origin(
            type="user",
            sender_user_id=user.id,
            sender_name=user.full_name,
            username=user.username,
            date=date,
        )
    if isinstance(forward, MessageOriginHiddenUser):
        return Origin(type="hidden_user", sender_name=forward.sender_user_name, date=date)
    links = link_origins(message.text or message.caption)
    if links:
        return links[0]
    return Origin(type="own")


def content_of(message: Message) -> tuple[str, str | None, str | None]:
    """(kind, file_id, file_unique_id) of the message's main content."""
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return "photo", largest.file_id, largest.file_unique_id
    for kind in ("video", "animation", "document", "voice", "audio", "sticker", "video_note"):
        media = getattr(message, kind)
        if media is not None:
            return kind, media.file_id, media.file_unique_id
    if message.text:
        return "text", None, None
    return "other", None, None


# Entities that make typed text something to report: a link or a person named in it.
EVIDENCE_ENTITIES = frozenset({"url", "text_link", "mention", "text_mention"})


def incoming_item(message: Message, reporter_id: int) -> IncomingItem:
    origin = origin_of(message)
    kind, file_id, file_unique_id = content_of(message)
    text = message.text or message.caption
    entities = message.entities or message.caption_entities
    return IncomingItem(
        chat_id=message.chat.id,
        message_id=message.message_id,
        reporter_id=reporter_id,
        kind=kind,
        identity=item_identity(origin, text, file_unique_id),
        origin=origin,
        text=text,
        file_id=file_id,
        file_unique_id=file_unique_id,
        media_group_id=message.media_group_id,
        entities=json.dumps([e.to_dict() for e in entities]) if entities else None,
        links=any(entity.type in EVIDENCE_ENTITIES for entity in entities),
    )


def command_args(message: Message) -> str:
    """Everything after the command word, spacing inside the note kept."""
    text = message.text or ""
    parts = text.split(maxsplit=1)
    return parts[1] if len(parts) > 1 else ""


async def answer(query: CallbackQuery, text: str, *, alert: bool = False) -> None:
    """Answer a button press; a query already too old to answer is not an error worth raising."""
    try:
        await query.answer(text[:200], show_alert=alert)
    except TelegramError as error:
        if classify(error).failure is not Failure.QUERY_TOO_OLD:
            raise
