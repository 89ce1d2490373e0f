"""What every use case shares: the store, the configuration in force, and who reads in which
language. A use case is one transaction; nothing here talks to Telegram."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.config import Config, Reporter
from bot.domain.models import Person
from bot.outbox import sends
from bot.render.i18n import normalize_language, t
from bot.store import Store, Tx

# A stranger is answered at most once in this long.
STRANGER_ANSWER_SECONDS = 24 * 3600.0

CASE_NUMBER = re.compile(r"#?([1-9][0-9]{0,11})")


def parse_case_number(text: str) -> int | None:
    """`N` or `#N` as the first word; None for anything else."""
    match = CASE_NUMBER.fullmatch(text.strip().split()[0]) if text.strip() else None
    return int(match[1]) if match else None


class DeskContext:
    def __init__(self, store: Store, config: Callable[[], Config]) -> None:
        self.store = store
        self.config = config
        # Told when moderator space may be reachable again (the outbox stops holding it).
        self.chat_back_listeners: list[Callable[[int], None]] = []
        # Told when a user picks another language (their command menu follows).
        self.language_listeners: list[Callable[[int], Awaitable[None]]] = []

    async def language_of(self, tx: Tx, user_id: int) -> str:
        """A person's language: their /lang choice, configured, Telegram's, then the desk's."""
        chosen, from_telegram = await tx.users.languages(user_id)
        return self.choose_language(user_id, chosen, from_telegram)

    def choose_language(self, user_id: int, chosen: str | None, from_telegram: str | None) -> str:
        config = self.config()
        reporter = config.reporter(user_id)
        for candidate in (
            chosen,
            reporter.language if reporter else None,
            normalize_language(from_telegram),
        ):
            if candidate:
                return candidate
        return config.language

    async def language_for(self, user_id: int) -> str:
        async with self.store.read() as tx:
            return await self.language_of(tx, user_id)

    async def meet(self, tx: Tx, person: Person) -> str:
        """Someone wrote to the bot privately: remember their name, app language and that the
        bot may write to them; their language to answer in."""
        chosen, from_telegram = await tx.users.met(person.id, person.name, person.language_code)
        return self.choose_language(person.id, chosen, from_telegram)

    async def say(self, person: Person, key: str, **values: object) -> None:
        """Send a person a catalogue text in their language."""
        async with self.store.transaction() as tx:
            language = await self.meet(tx, person)
            await sends.message(tx, person.id, t(language, key, **values))


class UseCase:
    """A family of use cases on the shared context."""

    def __init__(self, context: DeskContext) -> None:
        self.context = context
        self.store = context.store
        self.config = context.config

    async def reporter_or_refuse(self, tx: Tx, person: Person, language: str) -> Reporter | None:
        """The configured reporter this person is; anyone else is told they cannot report."""
        reporter = self.config().reporter(person.id)
        if reporter is None:
            await self.refuse_stranger(tx, person, language)
        return reporter

    async def refuse_stranger(self, tx: Tx, person: Person, language: str) -> None:
        """Someone the desk does not know is told so, with their id for the admins, at most
        once a day: a stranger cannot make the bot answer any number of messages."""
        answered = await tx.users.stranger_answered_at(person.id)
        if answered is not None and tx.clock() - answered < STRANGER_ANSWER_SECONDS:
            return
        await tx.users.answered_stranger(person.id)
        await sends.message(tx, person.id, t(language, "refuse.not_reporter", id=person.id))
