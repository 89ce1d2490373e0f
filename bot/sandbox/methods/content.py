"""What a message from the bot may contain: formatted text, captions, keyboards; and its kind.

Texts and captions are stored as Telegram stores them (see
:func:`~bot.sandbox.entities.format_text`) and checked against Telegram's limits; keyboards are
validated button by button with Telegram's descriptions, and only an inline keyboard is stored on
the message.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from bot.sandbox.entities import format_text
from bot.sandbox.errors import bad_request
from bot.sandbox.html import normalize_link, utf16_len
from bot.sandbox.limits import MAX_BUTTONS, MAX_CALLBACK_DATA, MAX_CAPTION, MAX_TEXT
from bot.sandbox.params import JSONDict
from bot.sandbox.settings import Settings
from bot.sandbox.world import World

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

# The kinds of file a message carries, in the order :func:`content_kind` looks for them.
MEDIA_KINDS = (
    "photo",
    "video",
    "document",
    "animation",
    "voice",
    "audio",
    "sticker",
    "video_note",
)


@dataclass(eq=False)
class Formatter:
    """Texts and captions as Telegram stores them, within Telegram's length limits."""

    settings: Settings
    world: World

    def _format(
        self, text: Any, parse_mode: Any, entities: Any
    ) -> tuple[str, list[JSONDict], str | None]:
        return format_text(
            text,
            parse_mode,
            entities,
            strict_entities=self.settings.strict_html_entities,
            user_lookup=self.world.users.get,
        )

    def text_content(self, p: JSONDict) -> JSONDict:
        """The stored fields of a text send; ``_html`` keeps the markup when sent as HTML."""
        text, entities, html_source = self._format(
            p.get("text"), p.get("parse_mode"), p.get("entities")
        )
        if not text:
            raise bad_request("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad_request("message is too long")
        content: JSONDict = {"text": text}
        if entities:
            content["entities"] = entities
        if isinstance(p.get("link_preview_options"), dict):
            content["link_preview_options"] = p["link_preview_options"]
        if html_source is not None:
            content["_html"] = html_source
        return content

    def caption_content(self, p: JSONDict) -> JSONDict:
        """The stored caption fields of a send, or of one item of an album (none for no
        caption); ``_html`` as for text."""
        caption = p.get("caption")
        if caption is None or caption == "":
            return {}
        text, ents, html_source = self._format(
            caption, p.get("parse_mode"), p.get("caption_entities")
        )
        if utf16_len(text) > MAX_CAPTION:
            raise bad_request("message caption is too long")
        content: JSONDict = {}
        if text:
            content["caption"] = text
        if ents:
            content["caption_entities"] = ents
        if html_source is not None:
            content["_html"] = html_source
        return content


def check_markup(markup: Any, *, inline_only: bool = False) -> JSONDict | None:
    """Validate reply_markup; return the inline keyboard to store on the message, if any."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request(
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
            raise bad_request("reply markup is too long")
        return {"inline_keyboard": clean_rows} if clean_rows else None
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request(
                        "can't parse keyboard button: text must be a non-empty String"
                    )
        return None
    if markup.get("remove_keyboard") is True or markup.get("force_reply") is True:
        return None
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_button(button: Any) -> JSONDict:
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    actions = [k for k in _BUTTON_ACTIONS if button.get(k) is not None]
    if not actions:
        raise bad_request("text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise bad_request(
            "can't parse inline keyboard button: exactly one of the optional fields must be used"
        )
    action = actions[0]
    value = button[action]
    if action == "callback_data" and (
        not isinstance(value, str) or not 1 <= len(value.encode("utf-8")) <= MAX_CALLBACK_DATA
    ):
        raise bad_request("BUTTON_DATA_INVALID")
    if action == "url" and (not isinstance(value, str) or normalize_link(value) is None):
        raise bad_request("BUTTON_URL_INVALID")
    return {k: copy.deepcopy(v) for k, v in button.items() if v is not None}


def content_kind(content: JSONDict) -> str:
    """The media kind of a message's content, or "text"."""
    for kind in MEDIA_KINDS:
        if kind in content:
            return kind
    return "text"
