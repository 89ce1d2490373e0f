"""The bot's own profile: getMe, logOut, close, commands by scope and language, name,
descriptions, menu button.

Commands are kept per (scope, language) exactly as set, and scopes are checked as Telegram
checks them (a chat scope needs a chat the bot can see; a member scope needs a known user). The
name, description and short description are kept per language within Telegram's length limits
(:data:`PROFILE_TEXTS`).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.errors import bad_request
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.routing import api, api_each
from bot.sandbox.settings import Settings
from bot.sandbox.world import World


@dataclass(frozen=True)
class ProfileText:
    """One of the bot's texts per language (name, description, short description): the
    parameter and answer field that carry it, its longest length, what it is before it is set."""

    param: str
    limit: int
    default: str

    @property
    def too_long(self) -> str:
        return f"bot {self.param.replace('_', ' ')} is too long"


PROFILE_TEXTS = (
    ProfileText("name", 64, "Report Desk"),
    ProfileText("description", 512, ""),
    ProfileText("short_description", 120, ""),
)


@dataclass(eq=False)
class ProfileMethods:
    """The methods by which the bot reads and sets how it presents itself.

    ``commands`` holds the commands by (scope, language); ``texts`` each profile text by its
    parameter, then by language (``""``: the default).
    """

    settings: Settings
    world: World
    commands: dict[tuple[str, str], list[JSONDict]] = field(init=False, default_factory=dict)
    texts: dict[str, dict[str, str]] = field(
        init=False, default_factory=lambda: {text.param: {} for text in PROFILE_TEXTS}
    )

    def commands_for(
        self, scope: JSONDict | None = None, language_code: str = ""
    ) -> list[JSONDict]:
        """Commands set with setMyCommands for exactly this scope and language."""
        key = _scope_key_of(scope or {"type": "default"})
        return copy.deepcopy(self.commands.get((key, language_code), []))

    @api
    async def get_me(self, p: JSONDict) -> Any:
        me = copy.deepcopy(self.settings.bot_user)
        me.update(
            can_join_groups=True,
            can_read_all_group_messages=False,
            supports_inline_queries=False,
            can_connect_to_business=False,
            has_main_web_app=False,
        )
        return me

    @api_each({"log_out": True, "close": True, "set_chat_menu_button": True})
    async def accept(self, p: JSONDict, answer: bool) -> Any:
        """Methods the fake accepts and forgets: the bot may call them, nothing observes them."""
        return answer

    def _scope_key(self, scope: Any) -> str:
        if scope is None:
            return _scope_key_of({"type": "default"})
        if not isinstance(scope, dict):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope.get("type")
        simple = {"default", "all_private_chats", "all_group_chats", "all_chat_administrators"}
        if kind in simple:
            return _scope_key_of({"type": kind})
        if kind not in {"chat", "chat_administrators", "chat_member"}:
            raise bad_request("wrong BotCommandScope type specified")
        chat = self.world.resolve_chat(scope.get("chat_id"))
        if chat.kind == "private" and chat.chat_id not in self.world.started:
            raise bad_request("chat not found")
        if kind != "chat" and chat.kind == "private":
            raise bad_request("can't use the scope in private chats")
        normalized: JSONDict = {"type": kind, "chat_id": chat.chat_id}
        if kind == "chat_member":
            user_id = as_int(scope.get("user_id"))
            if user_id is None or user_id not in self.world.users:
                raise bad_request("user not found")
            normalized["user_id"] = user_id
        return _scope_key_of(normalized)

    def _commands_key(self, p: JSONDict) -> tuple[str, str]:
        return self._scope_key(p.get("scope")), _language(p)

    @api
    async def set_my_commands(self, p: JSONDict) -> Any:
        commands = p.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands specified")
        clean: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand JSON object")
            name = command.get("command")
            description = command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
            clean.append({"command": name, "description": description})
        key = self._commands_key(p)
        if clean:
            self.commands[key] = clean
        else:
            self.commands.pop(key, None)
        return True

    @api
    async def delete_my_commands(self, p: JSONDict) -> Any:
        self.commands.pop(self._commands_key(p), None)
        return True

    @api
    async def get_my_commands(self, p: JSONDict) -> Any:
        return copy.deepcopy(self.commands.get(self._commands_key(p), []))

    @api_each({f"set_my_{text.param}": text for text in PROFILE_TEXTS})
    async def set_my_text(self, p: JSONDict, text: ProfileText) -> Any:
        """setMyName, setMyDescription, setMyShortDescription."""
        value = str(p.get(text.param) or "")
        if len(value) > text.limit:
            raise bad_request(text.too_long)
        self.texts[text.param][_language(p)] = value
        return True

    @api_each({f"get_my_{text.param}": text for text in PROFILE_TEXTS})
    async def get_my_text(self, p: JSONDict, text: ProfileText) -> Any:
        """getMyName, getMyDescription, getMyShortDescription."""
        return {text.param: self.texts[text.param].get(_language(p), text.default)}


def _language(p: JSONDict) -> str:
    return str(p.get("language_code") or "")


def _scope_key_of(scope: JSONDict) -> str:
    return json.dumps(scope, sort_keys=True)
