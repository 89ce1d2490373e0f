"""Running the desk: the bot's own membership, configuration reloads, health problems, ids."""

from __future__ import annotations

import hashlib
import logging

from bot.desk.alerts import (
    ALERTED,
    alert_admins_once,
    first_telling,
    forget_alert,
    forget_alerts,
    quoted,
)
from bot.desk.context import UseCase
from bot.desk.evidence import post_case
from bot.domain.models import Person, UpdateSummary
from bot.domain.vocabulary import TimerKind
from bot.outbox import sends
from bot.render.i18n import Markup, t
from bot.render.text import mention
from bot.store import Tx

log = logging.getLogger(__name__)

UNREACHABLE = "unreachable:"
# How long the bot stays in a group an admin added it to but the config does not name.
UNKNOWN_GROUP_GRACE = 600.0


class Admin(UseCase):
    async def bot_membership(self, chat_id: int, status: str, added_by: int | None) -> None:
        """The bot's own membership in a group changed."""
        config = self.config()
        present = status in ("member", "administrator")
        if config.is_moderator_space(chat_id):
            if present:
                for listener in self.context.chat_back_listeners:
                    listener(chat_id)
            return
        if not present:
            return
        async with self.store.transaction() as tx:
            if added_by is not None and config.is_admin(added_by):
                await sends.message(
                    tx, chat_id, t(config.language, "unknown_group.hello", chat=chat_id)
                )
                await tx.timers.set(TimerKind.LEAVE.key(chat_id), tx.clock() + UNKNOWN_GROUP_GRACE)
            else:
                await sends.leave(tx, chat_id)

    async def leave_if_unknown(self, tx: Tx, chat_id: int) -> None:
        """The grace period in an unconfigured group is over (unless it is configured now)."""
        if not self.config().is_moderator_space(chat_id):
            await sends.leave(tx, chat_id)

    async def config_rejected(self, error: str) -> None:
        """An edit of the file was invalid: the admins hear exactly why, once per problem."""
        key = "config:" + hashlib.sha256(error.encode()).hexdigest()[:16]
        async with self.store.transaction() as tx:
            await alert_admins_once(
                self.context, tx, key, error, "reload.rejected", errors=quoted(error)
            )

    async def config_applied(self, changed: list[str], restart: list[str]) -> None:
        """A valid reload: say what changed in the moderator group."""
        config = self.config()
        async with self.store.transaction() as tx:
            await forget_alerts(tx, "config:")
            if not changed:
                return
            lines = [t(config.language, "reload.applied", keys=", ".join(changed))]
            if restart:
                lines.append(t(config.language, "reload.needs_restart", keys=", ".join(restart)))
            await sends.message(
                tx, config.moderation.chat_id, "\n".join(lines), priority=sends.PRIORITY_CARD_EDIT
            )

    async def moderator_group_moved(self, old_chat: int, new_chat: int) -> None:
        """The configuration names another moderator group (say, after a migration): what was
        queued for the old one goes to the new one, and every undecided case gets a card there."""
        async with self.store.transaction() as tx:
            await tx.outbox.move_chat(old_chat, new_chat)
            for case in await tx.cases.undecided(limit=10_000):
                if new_chat not in await tx.cards.chats(case.id):
                    await post_case(tx, self.config(), new_chat, case.id)

    async def reload_reply(self, person: Person, ok: bool, changed: list[str], error: str) -> None:
        """Answer the admin who sent /reload."""
        if ok:
            key, values = (
                ("reload.done", {"keys": ", ".join(changed)})
                if changed
                else ("reload.unchanged", {})
            )
        else:
            key, values = "reload.rejected", {"errors": quoted(error)}
        await self.context.say(person, key, **values)

    async def health(self, problem_key: str, problem: str | None) -> None:
        """A start-up check's verdict: alert the admins once per problem; forget it once fixed."""
        key = f"health:{problem_key}"
        async with self.store.transaction() as tx:
            if problem is None:
                await forget_alert(tx, key)
                return
            await alert_admins_once(
                self.context, tx, key, problem, "health.problem", problem=quoted(problem)
            )

    async def unreachable(self, chat_id: int, description: str) -> None:
        """Moderator space refuses the bot: its queue is held; the admins hear it once."""
        async with self.store.transaction() as tx:
            await alert_admins_once(
                self.context,
                tx,
                f"{UNREACHABLE}{chat_id}",
                description,
                "alert.chat_unreachable",
                chat=chat_id,
                reason=description,
            )

    async def unreachable_chats(self) -> set[int]:
        """Chats the admins were told are unreachable and not yet told are back."""
        async with self.store.read() as tx:
            keys = await tx.meta.keys_with_prefix(ALERTED + UNREACHABLE)
        return {int(key.removeprefix(ALERTED + UNREACHABLE)) for key in keys}

    async def reachable(self, chat_id: int) -> None:
        """A send into the chat went through: a problem we had alerted about is over."""
        async with self.store.transaction() as tx:
            if await forget_alert(tx, f"{UNREACHABLE}{chat_id}"):
                log.info("chat %s is reachable again", chat_id)

    async def update_set_aside(
        self, inbox_id: int, update: UpdateSummary, attempts: int, error: str
    ) -> None:
        """An update kept failing: it is set aside (kept), the admins hear of it, and a person who
        wrote privately is told, truthfully, that their message is kept."""
        async with self.store.transaction() as tx:
            await tx.inbox.set_aside(inbox_id, attempts, error)
            await alert_admins_once(
                self.context,
                tx,
                f"set_aside:{inbox_id}",
                error,
                "alert.update_set_aside",
                attempts=attempts,
                inbox=inbox_id,
                kind=update.kind,
                chat=update.chat_id if update.chat_id is not None else "?",
                error=quoted(error),
            )
            private = update.chat_id is not None and update.chat_id == update.user_id
            if private and update.kind == "message" and update.user_id is not None:
                language = await self.context.language_of(tx, update.user_id)
                await sends.message(tx, update.user_id, t(language, "error.set_aside"))

    async def token_was_refused(self, seconds: float) -> None:
        """Telegram accepts the token again: the admins hear how long sending was paused."""
        async with self.store.transaction() as tx:
            for admin in self.config().admins:
                language = await self.context.language_of(tx, admin)
                await sends.message(
                    tx, admin, t(language, "alert.token_was_refused", seconds=round(seconds))
                )

    async def admins_not_started(self, admins: list[int]) -> None:
        """Admins who never opened a chat with the bot are named once in the moderator group."""
        config = self.config()
        async with self.store.transaction() as tx:
            if not admins:
                await forget_alert(tx, "admins_not_started")
                return
            names = await tx.users.names(admins)
            listed = ", ".join(
                mention(admin, names.get(admin, str(admin))) for admin in sorted(admins)
            )
            problem = ",".join(str(a) for a in sorted(admins))
            if not await first_telling(tx, "admins_not_started", problem):
                return
            await sends.message(
                tx,
                config.moderation.chat_id,
                t(config.language, "alert.admins_not_started", names=Markup(listed)),
                priority=sends.PRIORITY_CARD_EDIT,
            )

    async def whoami(self, person: Person) -> None:
        await self.context.say(person, "whoami", id=person.id)

    async def chat_id(self, person: Person, chat_id: int) -> None:
        """/chatid in a group: only an admin learns the group's id."""
        config = self.config()
        if not config.is_admin(person.id):
            return
        async with self.store.transaction() as tx:
            await sends.message(
                tx,
                chat_id,
                t(config.language, "chatid", chat=chat_id),
                priority=sends.PRIORITY_CARD_EDIT,
            )
