"""The start-up check: is the bot in moderator space with the rights it needs, and can alerts
reach the admins?"""

from __future__ import annotations

import logging

from telegram import Bot, ChatMemberRestricted
from telegram.constants import ChatAction, ChatMemberStatus
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.config import Config
from bot.desk import Desk
from bot.render.i18n import plain

log = logging.getLogger(__name__)


async def check_moderator_space(bot: Bot, config: Config, desk: Desk) -> list[str]:
    """Log and alert what is missing (once per problem); returns the problems found."""
    problems: list[str] = []
    language = config.language
    for chat in config.moderation.chats:
        problem: str | None = None
        try:
            member = await bot.get_chat_member(chat, bot.id)
        except TelegramError as error:
            problem = plain(language, "health.unreachable", chat=chat, reason=error.message)
        else:
            if member.status in (ChatMemberStatus.LEFT, ChatMemberStatus.BANNED):
                problem = plain(language, "health.not_member", chat=chat, status=member.status)
            elif isinstance(member, ChatMemberRestricted) and not member.can_send_messages:
                problem = plain(language, "health.cannot_post", chat=chat)
        if problem:
            log.warning("start-up check: %s", problem)
            problems.append(problem)
        await desk.admin.health(f"chat:{chat}", problem)
    if not bot.can_read_all_group_messages:
        log.info(
            "privacy mode is on: the bot sees commands and replies to its own messages in groups,"
            " which is all the desk needs (notes and prompts are replies to its messages)"
        )
    return problems


async def check_admins_reachable(bot: Bot, config: Config, desk: Desk) -> list[int]:
    """Admins who never opened a chat with the bot cannot receive alerts: they are named in the
    log and once in the moderator group. Admins the bot has not heard from privately are asked
    Telegram once (a typing action), so a restart does not name them again."""
    async with desk.store.read() as tx:
        unknown = await tx.users.without_private_chat(config.admins)
    unreachable: list[int] = []
    for admin in unknown:
        try:
            await bot.send_chat_action(admin, ChatAction.TYPING)
        except (Forbidden, BadRequest):
            unreachable.append(admin)
            continue
        except TelegramError:
            continue  # Telegram out of reach says nothing about the admin
        async with desk.store.transaction() as tx:
            await tx.users.opened_private_chat(admin)
    if not config.admins:
        log.warning(
            "no admin is configured: problems (a rejected reload, a lost group) reach no one"
        )
    if unreachable:
        log.warning(
            "admins %s have never opened a chat with the bot, so alerts cannot reach them: each "
            "must send /start to the bot",
            ", ".join(str(admin) for admin in unreachable),
        )
    await desk.admin.admins_not_started(unreachable)
    return unreachable
