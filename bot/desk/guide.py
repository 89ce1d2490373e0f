"""Greetings and help for every role: reporters learn how to report, moderators and admins their
commands, in a private chat and in moderator space; anyone else learns their id. Commands that
only mean something in moderator space answer a private chat with a pointer there."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Config
from bot.desk.context import UseCase
from bot.domain.models import Person
from bot.outbox import sends
from bot.render.i18n import Markup, t


def staff_sections(config: Config, user_id: int, language: str) -> list[Markup]:
    """The help of each desk role this person holds, moderators' first."""
    sections: list[Markup] = []
    if config.is_moderator(user_id):
        sections.append(t(language, "help.moderator"))
    if config.is_admin(user_id):
        sections.append(t(language, "help.admin"))
    return sections


def staff_greeting(config: Config, person: Person, language: str) -> Markup | None:
    moderator, admin = config.is_moderator(person.id), config.is_admin(person.id)
    if not (moderator or admin):
        return None
    role = "both" if moderator and admin else "moderator" if moderator else "admin"
    return t(language, f"start.staff.{role}", name=person.name)


def opening_greeting(config: Config, person: Person, language: str) -> Markup | None:
    """/start's first words: a reporter is greeted as one, staff by their roles."""
    if config.reporter(person.id):
        return t(language, "start.reporter", name=person.name)
    return staff_greeting(config, person, language)


def reporting_help(config: Config, person: Person, language: str) -> Markup | None:
    """/help's first words, for a reporter: how to report, in which categories."""
    if not config.reporter(person.id):
        return None
    categories = ", ".join(
        f"{category.label(language)} ({key})" for key, category in config.categories_by_urgency()
    )
    return t(language, "help.reporter", categories=categories)


# The first words of an answer in a private chat, if this person gets any.
Opening = Callable[[Config, Person, str], Markup | None]


class Guide(UseCase):
    async def start(self, person: Person) -> None:
        """/start in a private chat: a greeting for each role this person holds."""
        await self._answer_in_private(person, opening_greeting)

    async def help(self, person: Person) -> None:
        """/help in a private chat: how to report, and each desk role's commands."""
        await self._answer_in_private(person, reporting_help)

    async def _answer_in_private(self, person: Person, opening: Opening) -> None:
        """The opening, then the help of each desk role the person holds; someone with no role
        learns their id."""
        config = self.config()
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            first = opening(config, person, language)
            parts = [first] if first else []
            parts.extend(staff_sections(config, person.id, language))
            text = "\n\n".join(parts) if parts else t(language, "start.other", id=person.id)
            await sends.message(tx, person.id, text)

    async def help_in_moderator_space(self, person: Person, chat_id: int) -> None:
        """/start or /help in moderator space: the sender's desk roles, in the desk's language;
        a member who is no moderator learns that, and their id."""
        config = self.config()
        language = config.language
        parts = staff_sections(config, person.id, language)
        text = "\n\n".join(parts) if parts else t(language, "help.not_staff", id=person.id)
        async with self.store.transaction() as tx:
            await tx.users.remember_name(person.id, person.name)
            await sends.message(tx, chat_id, text, priority=sends.PRIORITY_CARD_EDIT)

    async def moderator_space_only(self, person: Person, command: str) -> None:
        """/queue or /case in a private chat: cards live in moderator space only."""
        key = (
            "private.cards_in_group"
            if self.config().is_moderator(person.id)
            else "private.moderators_only"
        )
        await self.context.say(person, key, command=command)
