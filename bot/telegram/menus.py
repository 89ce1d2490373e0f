"""Command menus per role and language, with Telegram's command scopes.

Reporters, moderators and admins get a menu in their private chat (BotCommandScopeChat), in their
own language; moderators get theirs in the moderator group (BotCommandScopeChatMember), in the
desk's language. Everyone else gets the default scope: in the desk's language, and in each
catalogue language for Telegram apps set to it. BotCommandScopeChatAdministrators would mean
Telegram's group admins, not ours.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import BotCommand, BotCommandScopeChat, BotCommandScopeChatMember
from telegram.error import TelegramError
from telegram.ext import Application

from bot.config import Config
from bot.render.i18n import LANGUAGES, plain

log = logging.getLogger(__name__)

EVERYONE = ("start", "help", "whoami")
REPORTER = ("report", "status", "mycases", "add", "cancel", "lang", "help")
ADMIN = ("reload", "stats", "quality", "export", "help", "whoami")
MODERATOR = ("queue", "case", "stats", "help")
# A moderator's private chat: their help (their commands work in the moderator group).
MODERATOR_PRIVATE = ("help", "whoami")


def commands(names: tuple[str, ...], language: str, *, reporter: bool = True) -> list[BotCommand]:
    """The menu's commands described in `language`; /help is "how to report" for reporters and
    everyone else's first look, "your commands" for the desk's own people."""
    described = []
    for name in names:
        key = "menu.help_desk" if name == "help" and not reporter else f"menu.{name}"
        described.append(BotCommand(name, plain(language, key)))
    return described


def private_menu(config: Config, user_id: int) -> tuple[str, ...]:
    names: list[str] = []
    if config.reporter(user_id) is not None:
        names.extend(REPORTER)
    if config.is_admin(user_id):
        names.extend(n for n in ADMIN if n not in names)
    if config.is_moderator(user_id):
        names.extend(n for n in MODERATOR_PRIVATE if n not in names)
    return tuple(names)


class Menus:
    def __init__(
        self,
        application: Application,  # type: ignore[type-arg]
        language_of: Callable[[int], Awaitable[str]],
    ) -> None:
        self.bot = application.bot
        self.language_of = language_of

    async def refresh_all(self, config: Config) -> None:
        """Every scope the configuration implies (a user who never started the bot is skipped)."""
        await self._set(commands(EVERYONE, config.language), None)
        for language in LANGUAGES:
            await self._set(commands(EVERYONE, language), None, language)
        users = (
            {r.id for r in config.reporters}
            | set(config.admins)
            | set(config.moderation.moderators)
        )
        for user_id in sorted(users):
            await self.refresh_user(config, user_id)
        for chat in config.moderation.chats:
            for moderator in config.moderation.moderators:
                await self._set(
                    commands(MODERATOR, config.language, reporter=False),
                    BotCommandScopeChatMember(chat, moderator),
                )

    async def refresh_user(self, config: Config, user_id: int) -> None:
        names = private_menu(config, user_id)
        if names:
            language = await self.language_of(user_id)
            reporter = config.reporter(user_id) is not None
            menu = commands(names, language, reporter=reporter)
            await self._set(menu, BotCommandScopeChat(user_id))

    async def _set(
        self,
        menu: list[BotCommand],
        scope: BotCommandScopeChat | BotCommandScopeChatMember | None,
        language_code: str | None = None,
    ) -> None:
        try:
            await self.bot.set_my_commands(menu, scope=scope, language_code=language_code)
        except TelegramError as error:
            log.info("command menu for %s not set: %s", scope, error.message)
