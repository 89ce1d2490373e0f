"""Builds the Application: the one place where every handler is registered, in order."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.desk import Desk
from bot.telegram.filters import ModeratorSpace
from bot.telegram.handlers.accountability import AccountabilityHandlers
from bot.telegram.handlers.admins import AdminHandlers, Reload
from bot.telegram.handlers.errors import ErrorHandlers
from bot.telegram.handlers.guide import GuideHandlers
from bot.telegram.handlers.moderators import ModeratorHandlers
from bot.telegram.handlers.reporters import ReporterHandlers

# A handler method: a coroutine of the update and the callback context.
Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]

# The update types the bot asks Telegram for (an explicit list: see telegram-facts.md).
ALLOWED_UPDATES = ["message", "callback_query", "my_chat_member"]


def build_application(
    token: str,
    base_url: str,
    desk: Desk,
    *,
    reload: Reload | None = None,
    request_timeout: float = 10.0,
) -> Application:  # type: ignore[type-arg]
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .updater(None)
        .connect_timeout(request_timeout)
        .read_timeout(request_timeout)
        .write_timeout(request_timeout)
        .pool_timeout(request_timeout)
        .build()
    )
    register_handlers(application, desk, reload)
    return application


def register_handlers(
    application: Application,  # type: ignore[type-arg]
    desk: Desk,
    reload: Reload | None = None,
) -> None:
    reporters = ReporterHandlers(desk)
    moderators = ModeratorHandlers(desk)
    errors = ErrorHandlers(desk)
    admins = AdminHandlers(desk, reload)
    accountability = AccountabilityHandlers(desk)
    guide = GuideHandlers(desk)
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    moderator_space = ModeratorSpace(desk.config)

    # The bot's own membership: moderator space coming back, unknown groups.
    application.add_handler(
        ChatMemberHandler(admins.my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
    )

    def commands(chats: filters.BaseFilter, **callbacks: Callback) -> None:
        """Each command (the keyword) handled by its callback, in these chats."""
        for command, callback in callbacks.items():
            application.add_handler(CommandHandler(command, callback, filters=chats))

    # Ids for onboarding: anyone's own id in private, a group's id for an admin.
    commands(private, whoami=admins.whoami)
    commands(groups, chatid=admins.chat_id)

    # Admins: reload the configuration now.
    commands(private, reload=admins.reload)

    # Greetings and help for every role: in a private chat, and in moderator space.
    commands(private, start=guide.start, help=guide.help)
    application.add_handler(
        CommandHandler(["start", "help"], guide.help_in_moderator_space, filters=moderator_space)
    )

    # Reporters' commands, in their private chat.
    commands(
        private,
        report=reporters.report,
        cancel=reporters.cancel,
        status=reporters.status,
        mycases=reporters.my_cases,
        lang=reporters.language,
        add=reporters.add,
    )

    # Everything else a reporter sends privately is evidence for their draft.
    application.add_handler(
        MessageHandler(private & ~filters.COMMAND & ~filters.StatusUpdate.ALL, reporters.draft)
    )

    # Moderators' commands in moderator space; in a private chat, a pointer there.
    commands(moderator_space, queue=moderators.queue, case=moderators.case)
    application.add_handler(
        CommandHandler(["queue", "case"], guide.moderator_space_only, filters=private)
    )

    # Accountability: /stats for moderators and admins (moderator space, or an admin's private
    # chat); /quality and /export for admins in private (moderator space is told so).
    accountable = private | moderator_space
    commands(
        accountable,
        stats=accountability.stats,
        quality=accountability.quality,
        export=accountability.export,
    )

    # Moderators' replies in moderator space: prompt answers and internal notes.
    application.add_handler(
        MessageHandler(moderator_space & filters.REPLY & ~filters.COMMAND, moderators.reply)
    )

    # Buttons: reporters choosing a category, moderators acting on cards, anything else.
    application.add_handler(CallbackQueryHandler(reporters.choose_category, pattern=r"^v1:k:"))
    application.add_handler(CallbackQueryHandler(moderators.case_button, pattern=r"^v1:[a-z]:"))
    application.add_handler(CallbackQueryHandler(moderators.unknown_button))

    # Failures: logged with context, the user told something useful.
    application.add_error_handler(errors.on_error)
