"""The switches of a :class:`~bot.sandbox.server.FakeTelegram`, read when they matter.

Tests set them as plain attributes of the fake at any moment (``fake.hang_seconds = 3``), so the
fake hands itself to its collaborators as their :class:`Settings` and they read a switch on every
request instead of keeping a copy.
"""

from __future__ import annotations

from typing import Protocol

from bot.sandbox.params import JSONDict


class Settings(Protocol):
    token: str
    bot_id: int
    bot_user: JSONDict
    callback_query_ttl: float
    enforce_rate_limits: bool
    hang_seconds: float
    strict_html_entities: bool
    refused_token_status: int
