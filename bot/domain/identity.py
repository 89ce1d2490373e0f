"""The identity of a reported item: two reports share content when their identities meet."""

from __future__ import annotations

import hashlib
import re

from bot.domain.models import Origin

TME_LINK = re.compile(
    r"(?:https?://)?(?:t\.me|telegram\.me)/(?:s/)?(c/(\d+)|[A-Za-z][A-Za-z0-9_]{3,31})/(\d+)",
)


def fingerprint(text: str | None, file_unique_id: str | None) -> str:
    """A content fingerprint: the largest file's unique id, else a hash of normalised text."""
    if file_unique_id:
        return f"f:{file_unique_id}"
    normalized = " ".join((text or "").split()).casefold()
    return "t:" + hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:24]


def item_identity(origin: Origin, text: str | None, file_unique_id: str | None) -> str:
    content = fingerprint(text, file_unique_id)
    if origin.type in ("channel", "link"):
        # A forwarded post and a typed link to it are one item: public channels by @username
        # (a link carries no chat id), private ones by chat id (a t.me/c/ link carries it).
        where = f"@{origin.username.lower()}" if origin.username else str(origin.chat_id)
        return f"post:{where}:{origin.message_id}"
    if origin.type == "user":
        return f"user:{origin.sender_user_id}:{origin.date}:{content}"
    if origin.type == "hidden_user":
        return f"hidden:{origin.sender_name}:{origin.date}:{content}"
    if origin.type == "chat":
        return f"chat:{origin.chat_id}:{origin.date}:{content}"
    return f"own:{content}"


def link_origins(text: str | None) -> list[Origin]:
    """Every t.me post link in a reporter's own text, as an origin."""
    origins: list[Origin] = []
    for match in TME_LINK.finditer(text or ""):
        path, private_id, message_id = match.groups()
        if private_id:
            origin = Origin(
                type="link", chat_id=int(f"-100{private_id}"), message_id=int(message_id)
            )
        else:
            origin = Origin(type="link", username=path, message_id=int(message_id))
        if origin not in origins:
            origins.append(origin)
    return origins


def source_key(origin: Origin) -> str | None:
    """Who or what published the content: a channel (by @username where known, so links and
    forwards of one channel meet), a chat, a user or a hidden sender's name."""
    if origin.type in ("channel", "link"):
        if origin.username:
            return f"chan:{origin.username.lower()}"
        return f"chan:{origin.chat_id}" if origin.chat_id is not None else None
    if origin.type == "chat":
        return f"chat:{origin.chat_id}"
    if origin.type == "user":
        return f"user:{origin.sender_user_id}"
    if origin.type == "hidden_user":
        return f"hidden:{(origin.sender_name or '').casefold()}"
    return None
