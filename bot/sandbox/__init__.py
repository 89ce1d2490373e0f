"""The sandbox: a local Telegram Bot API that validates and answers like Telegram.

:class:`FakeTelegram` serves the Bot API over HTTP on 127.0.0.1 with a world that code scripts:
users, groups, messages, button presses, faults. The bot runs against it unchanged
(``base_url=fake.base_url``).

``python -m bot sandbox`` (:mod:`bot.sandbox.app`) runs the desk against it with a demo cast
(:mod:`bot.sandbox.demo`, :mod:`bot.sandbox.samples`) and shows its chats in a web page
(:mod:`bot.sandbox.web`).
"""

from bot.sandbox.calls import Call
from bot.sandbox.entities import auto_entities
from bot.sandbox.errors import TelegramApiError
from bot.sandbox.html import parse_html, utf16_len
from bot.sandbox.params import Upload
from bot.sandbox.server import FakeTelegram

__all__ = [
    "Call",
    "FakeTelegram",
    "TelegramApiError",
    "Upload",
    "auto_entities",
    "parse_html",
    "utf16_len",
]
