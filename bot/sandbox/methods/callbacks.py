"""Callback queries: a user presses an inline button; the bot answers with answerCallbackQuery.

As on Telegram, a query can be answered once, and only within its time to live
(``callback_query_ttl`` seconds on the fake's clock); otherwise the answer is refused with
"query is too old and response timeout expired or query ID is invalid".
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.clock import Clock
from bot.sandbox.errors import QUERY_TOO_OLD, bad_request
from bot.sandbox.limits import MAX_CALLBACK_ANSWER
from bot.sandbox.params import JSONDict
from bot.sandbox.routing import api
from bot.sandbox.settings import Settings
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.world import World, public_message


@dataclass
class Query:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False


@dataclass(eq=False)
class CallbackQueries:
    """Open callback queries: created by :meth:`press`, closed by the bot's answer."""

    settings: Settings
    world: World
    updates: UpdateQueue
    clock: Clock
    _queries: dict[str, Query] = field(init=False, default_factory=dict)
    _query_seq: Iterator[int] = field(
        init=False, default_factory=lambda: itertools.count(4_611_686_018_427_387_001)
    )

    def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> str:
        """A user presses an inline button on a message; returns the callback query id."""
        user = self.world.user(user_id)
        chat = self.world.chat(chat_id)
        msg = chat.messages.get(message_id)
        if msg is None or msg.get("_deleted"):
            raise AssertionError(f"no message {message_id} in chat {chat_id} to press a button on")
        query_id = str(next(self._query_seq))
        self._queries[query_id] = Query(
            query_id, user_id, chat_id, message_id, data, self.clock.now()
        )
        query: JSONDict = {
            "id": query_id,
            "from": copy.deepcopy(user),
            "message": public_message(msg),
            "chat_instance": str(abs(chat_id) * 7919 + 104729),
            "data": data,
        }
        self.updates.enqueue("callback_query", query)
        return query_id

    def expire(self) -> None:
        """Age every open callback query past its time to live."""
        for query in self._queries.values():
            query.created = -math.inf

    @api
    async def answer_callback_query(self, p: JSONDict) -> Any:
        text = p.get("text")
        if text is not None and len(str(text)) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        query = self._queries.get(str(p.get("callback_query_id")))
        if (
            query is None
            or query.answered
            or self.clock.now() - query.created > self.settings.callback_query_ttl
        ):
            raise bad_request(QUERY_TOO_OLD)
        query.answered = True
        return True
