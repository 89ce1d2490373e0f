"""Messages of the fake's world in the shape the sandbox page draws them.

A view carries plain text with its entities (UTF-16 offsets, as Telegram counts them), never
markup: the page builds DOM nodes from it with ``textContent``, so whatever a message says is shown
as text. Media become a kind, a file name or a picture address; the keyboard keeps only what a
client shows (button text, callback data, an http(s) link).
"""

from __future__ import annotations

from typing import Any

JSONDict = dict[str, Any]

_FILE_KINDS = ("video", "document", "animation", "voice", "audio", "sticker", "video_note")
_SNIPPET = 120


def person_name(person: JSONDict) -> str:
    """A user's or chat's display name."""
    if "title" in person:
        return str(person["title"])
    name = " ".join(str(person[k]) for k in ("first_name", "last_name") if person.get(k))
    return name or str(person.get("username") or person.get("id", "?"))


def origin_name(origin: JSONDict) -> str:
    """Who a forwarded message is from, as a client's "Forwarded from" line names it."""
    kind = origin.get("type")
    if kind == "channel":
        return person_name(origin.get("chat") or {})
    if kind == "chat":
        return person_name(origin.get("sender_chat") or {})
    if kind == "user":
        return person_name(origin.get("sender_user") or {})
    return str(origin.get("sender_user_name") or "a hidden account")


def _media(msg: JSONDict) -> JSONDict | None:
    photo = msg.get("photo")
    if isinstance(photo, list) and photo:
        largest = photo[-1]
        return {"kind": "photo", "url": f"/media/{largest['file_unique_id']}.png"}
    for kind in _FILE_KINDS:
        obj = msg.get(kind)
        if isinstance(obj, dict):
            label = obj.get("file_name") or obj.get("emoji") or obj.get("title") or kind
            return {"kind": kind, "name": str(label)}
    return None


def _buttons(markup: Any) -> list[list[JSONDict]]:
    if not isinstance(markup, dict):
        return []
    rows: list[list[JSONDict]] = []
    for row in markup.get("inline_keyboard") or []:
        shown: list[JSONDict] = []
        for button in row:
            if "callback_data" in button:
                shown.append({"text": button["text"], "data": button["callback_data"]})
            elif str(button.get("url", "")).startswith(("http://", "https://")):
                shown.append({"text": button["text"], "url": button["url"]})
            else:
                shown.append({"text": button["text"]})
        rows.append(shown)
    return rows


def _reply(target: JSONDict) -> JSONDict:
    text = str(target.get("text") or target.get("caption") or "")
    if not text and _media(target):
        text = f"[{(_media(target) or {}).get('kind')}]"
    sender = target.get("from") or target.get("sender_chat") or {}
    return {
        "id": target.get("message_id"),
        "from": person_name(sender) if sender else "",
        "snippet": text[:_SNIPPET],
    }


def message_view(msg: JSONDict, bot_id: int) -> JSONDict:
    """A stored message of the fake as the page draws it; a deleted one is only its ids."""
    chat = msg.get("chat") or {}
    if msg.get("_deleted"):
        return {"id": msg["message_id"], "chat": chat.get("id"), "deleted": True}
    sender = msg.get("from") or msg.get("sender_chat") or {}
    has_text = "text" in msg
    view: JSONDict = {
        "id": msg["message_id"],
        "chat": chat.get("id"),
        "date": msg.get("date", 0),
        "from": {
            "id": sender.get("id"),
            "name": person_name(sender) if sender else "",
            "bot": sender.get("id") == bot_id,
        },
        "text": str(msg.get("text") if has_text else msg.get("caption") or ""),
        "entities": list(msg.get("entities" if has_text else "caption_entities") or []),
        "media": _media(msg),
        "album": msg.get("media_group_id"),
        "buttons": _buttons(msg.get("reply_markup")),
        "edited": "edit_date" in msg,
        "deleted": False,
        "force_reply": "_force_reply" in msg,
    }
    origin = msg.get("forward_origin")
    if isinstance(origin, dict):
        view["forwarded_from"] = origin_name(origin)
    target = msg.get("reply_to_message")
    if isinstance(target, dict):
        view["reply_to"] = _reply(target)
    return view
