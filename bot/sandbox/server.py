"""A fake Telegram Bot API served over real HTTP on loopback, with a world a script controls.

The bot talks to it through python-telegram-bot (``base_url=fake.base_url``), in the same process
or as a separate ``python -m bot`` process. All state lives in the :class:`FakeTelegram` object;
the code driving it sets up the world, injects updates and faults and inspects what the bot did,
all in-process.

The fake validates requests the way Telegram does (HTML parsing, length limits, keyboard limits,
permissions, "message is not modified", expired callback queries, rate limits) and answers with
Telegram's error descriptions, because the bot classifies errors by those fragments. Faults and
rate limits are off until asked for.

:class:`FakeTelegram` is the one object to hold: it owns the collaborators (the world, the update
queue, the method groups, faults, the HTTP endpoint) and delegates to them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

from bot.sandbox.calls import Call, answer_to, calls_to, wait_until
from bot.sandbox.clock import Clock
from bot.sandbox.endpoint import BotApiEndpoint
from bot.sandbox.faults import CrashHooks, Faults
from bot.sandbox.files import FileStore
from bot.sandbox.limits import FloodControl
from bot.sandbox.methods import (
    CallbackQueries,
    ChatMethods,
    CopyingMethods,
    EditingMethods,
    Formatter,
    Poster,
    ProfileMethods,
    SendingMethods,
)
from bot.sandbox.params import JSONDict
from bot.sandbox.people import People
from bot.sandbox.routing import route_table
from bot.sandbox.updates import UpdateQueue
from bot.sandbox.world import World

_Value = TypeVar("_Value")


class _Forwarded(Generic[_Value]):
    """An attribute of the fake that lives on one of its collaborators: reading and writing it
    reads and writes the collaborator's, so the two never disagree."""

    def __init__(self, collaborator: str, name: str) -> None:
        self._collaborator = collaborator
        self._name = name

    @overload
    def __get__(self, fake: None, owner: type[FakeTelegram]) -> _Forwarded[_Value]: ...

    @overload
    def __get__(self, fake: FakeTelegram, owner: type[FakeTelegram]) -> _Value: ...

    def __get__(
        self, fake: FakeTelegram | None, owner: type[FakeTelegram]
    ) -> _Forwarded[_Value] | _Value:
        if fake is None:
            return self
        value: _Value = getattr(getattr(fake, self._collaborator), self._name)
        return value

    def __set__(self, fake: FakeTelegram, value: _Value) -> None:
        setattr(getattr(fake, self._collaborator), self._name, value)


class FakeTelegram:
    """A fake Bot API server with a scriptable world.

    Typical use::

        fake = FakeTelegram()
        await fake.start()
        world = World.build(fake)                      # tests.factories
        fake.send_message(SATU_ID, text="/start")      # a user writes to the bot
        ...                                            # run the bot against fake.base_url
        sent = await fake.wait_for(lambda: fake.messages_in(SATU_ID))
        query_id = fake.press(MOD_ONE_ID, GROUP, sent[0]["message_id"], "v1:take:1")
        fake.fail("sendMessage", kind="429", retry_after=3)
        await fake.stop()

    Finer controls: ``advance_time`` (the fake's clock for rate limits and query ages),
    ``hang_seconds``, ``strict_html_entities``, ``add_member``/``remove_member``,
    ``set_bot_status``, ``unblock_bot``, ``deactivate_user``, ``edit_user_message``,
    ``delete_by_user``, ``commands_for``, ``clear_faults``, ``api_url``; ``watch(callback)``
    calls ``callback(chat_id, message_id)`` whenever a stored message appears, changes or is
    deleted, and ``history`` lists a chat's messages, for an observer such as the sandbox page.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_id: int = 1000,
        bot_username: str = "report_desk_bot",
        callback_query_ttl: float = 15.0,
        enforce_rate_limits: bool = False,
    ) -> None:
        # The switches of bot.sandbox.settings.Settings: collaborators read them from here.
        self.token = token
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.callback_query_ttl = callback_query_ttl
        self.enforce_rate_limits = enforce_rate_limits
        self.hang_seconds: float = 30.0
        self.strict_html_entities: bool = True
        # How Telegram answers a token it does not accept: 401 (revoked), or 404 (no such bot).
        self.refused_token_status: int = 401
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Report Desk",
            "username": bot_username,
        }
        self.calls: list[Call] = []
        self.hook_errors: list[BaseException] = []

        self._clock = Clock()
        self._world = World(self)
        self._files = FileStore()
        self._queue = UpdateQueue()
        self._flood = FloodControl(self, self._clock)
        self._faults = Faults(self, self.calls)
        self._hooks = CrashHooks(self.hook_errors)
        self._people = People(self._world, self._files, self._queue)
        self._queries = CallbackQueries(self, self._world, self._queue, self._clock)
        self._profile = ProfileMethods(self, self._world)
        formatter = Formatter(self, self._world)
        poster = Poster(self, self._world, self._flood)
        routes = route_table(
            self._queue,
            self._profile,
            self._queries,
            SendingMethods(self._world, self._files, formatter, poster),
            CopyingMethods(self._world, formatter, poster),
            EditingMethods(self._world, formatter, self._flood),
            ChatMethods(self, self._world, self._files, self._queue),
        )
        self._endpoint = BotApiEndpoint(
            self, self._clock, self.calls, self._faults, self._hooks, routes
        )

        # The scripting API that needs nothing from the fake itself: each name is the method of
        # the collaborator that owns the area, with its signature, defaults and docstring.
        self.now = self._clock.now
        self.advance_time = self._clock.advance
        self.add_user = self._world.add_user
        self.add_group = self._world.add_group
        self.add_channel = self._world.add_channel
        self.add_member = self._world.add_member
        self.remove_member = self._world.remove_member
        self.send_message = self._people.send_message
        self.edit_user_message = self._people.edit_user_message
        self.delete_by_user = self._people.delete_by_user
        self.block_bot = self._people.block_bot
        self.unblock_bot = self._people.unblock_bot
        self.deactivate_user = self._people.deactivate_user
        self.remove_bot_from_group = self._people.remove_bot_from_group
        self.restore_bot_to_group = self._people.restore_bot_to_group
        self.bot_added_to_group = self._people.bot_added_to_group
        self.set_bot_status = self._people.set_bot_status
        self.press = self._queries.press
        self.expire_queries = self._queries.expire
        self.raw_update = self._queue.enqueue_raw
        self.commands_for = self._profile.commands_for
        self.watch = self._world.watchers.append
        self.fail = self._faults.fail
        self.clear_faults = self._faults.clear
        self.crash_hook = self._hooks.add
        # The collaborators' containers, shared rather than copied: tests read and change them.
        self.my_commands = self._profile.commands
        self.bot_names = self._profile.texts["name"]
        self.bot_descriptions = self._profile.texts["description"]
        self.bot_short_descriptions = self._profile.texts["short_description"]

    # Values the collaborators replace rather than change in place, readable and settable here.
    rate_limited = _Forwarded[int]("_flood", "rate_limited")  # sends answered with 429
    webhook_url = _Forwarded[str]("_queue", "webhook_url")

    # ---------------------------------------------------------------- server lifecycle

    async def start(self, port: int | None = None) -> None:
        """Listen on 127.0.0.1. A restarted fake keeps its previous port (and base_url)."""
        if self._endpoint.running:
            return
        self._faults.open()
        self._queue.open()
        await self._endpoint.start(port)

    async def stop(self) -> None:
        """Stop serving: long polls return, hanging requests are dropped. State is kept."""
        if not self._endpoint.running:
            return
        self._faults.close()
        self._queue.close()
        await self._endpoint.stop()

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        return self._endpoint.port

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def api_url(self) -> str:
        """The full prefix including the token, for raw HTTP requests: ``api_url + "/getMe"``."""
        return f"{self.base_url}{self.token}"

    # ---------------------------------------------------------------- the world, as copies

    def user(self, user_id: int) -> JSONDict:
        return copy.deepcopy(self._world.user(user_id))

    def chat(self, chat_id: int) -> JSONDict:
        return copy.deepcopy(self._world.chat(chat_id).info)

    # ---------------------------------------------------------------- observing

    def calls_to(self, method: str, chat_id: int | None = None) -> list[Call]:
        return calls_to(self.calls, method, chat_id)

    def messages_in(self, chat_id: int) -> list[JSONDict]:
        """Messages the bot sent into the chat, as they are now (edited, not deleted), in order.
        Stored messages carry private keys: ``_html`` (the markup sent), ``_deleted`` and
        ``_force_reply``."""
        chat = self._world.chat(chat_id)
        return [
            copy.deepcopy(chat.messages[mid])
            for mid in sorted(chat.bot_message_ids)
            if not chat.messages[mid].get("_deleted")
        ]

    def history(self, chat_id: int) -> list[JSONDict]:
        """Every stored message of the chat, the users' and the bot's, in order, deleted ones
        included (marked ``_deleted``)."""
        chat = self._world.chat(chat_id)
        return [copy.deepcopy(chat.messages[mid]) for mid in sorted(chat.messages)]

    def message(self, chat_id: int, message_id: int) -> JSONDict:
        """Any stored message (the user's or the bot's), including deleted ones (``_deleted``)."""
        chat = self._world.chat(chat_id)
        if message_id not in chat.messages:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        return copy.deepcopy(chat.messages[message_id])

    def answered(self, query_id: str) -> Call | None:
        """The successful answerCallbackQuery for the query; else the last failed attempt."""
        return answer_to(self.calls, query_id)

    @property
    def pending_updates(self) -> int:
        return len(self._queue.updates)

    async def wait_for(
        self,
        predicate: Callable[[], Any],
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the fixture's public interface
        *,
        description: str | None = None,
    ) -> Any:
        """Poll ``predicate`` every 10 ms until truthy; return its value.

        LookupError/AssertionError raised by the predicate count as "not yet". On timeout raises
        AssertionError describing the predicate, its last value and the latest calls.
        """
        return await wait_until(
            predicate,
            timeout,
            description,
            calls=self.calls,
            pending_updates=lambda: self.pending_updates,
        )

    # Tests reorder and renumber queued updates to stage what Telegram does across downtime.

    @property
    def _updates(self) -> list[JSONDict]:
        return self._queue.updates

    _next_update_id = _Forwarded[int]("_queue", "next_update_id")
