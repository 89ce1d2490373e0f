"""Which chats are moderator space, as a python-telegram-bot filter (the configuration decides,
and a reload changes it at once)."""

from __future__ import annotations

from collections.abc import Callable

from telegram import Message
from telegram.ext.filters import MessageFilter

from bot.config import Config


class ModeratorSpace(MessageFilter):
    """Messages in the moderator group or the escalation chat."""

    def __init__(self, config: Callable[[], Config]) -> None:
        super().__init__(name="ModeratorSpace")
        self.config = config

    def filter(self, message: Message) -> bool:
        return self.config().is_moderator_space(message.chat.id)
