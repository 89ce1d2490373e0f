"""Reporters' own commands: where their cases stand, their language (greetings and help for
every role: `guide.py`).

Reporters see only their own cases, never who handles them and never "escalated"."""

from __future__ import annotations

from bot.desk.context import UseCase, parse_case_number
from bot.domain.models import Person
from bot.outbox import sends
from bot.render.i18n import LANGUAGES, t
from bot.render.reporter import reporter_status


class ReporterCommands(UseCase):
    async def status(self, person: Person, argument: str) -> None:
        """/status N: the reporter's view of one of their cases."""
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            case_id = parse_case_number(argument)
            if case_id is None:
                await sends.message(tx, person.id, t(language, "status.usage"))
                return
            case = await tx.cases.reported_by(person.id, case_id)
            if case is None:
                await sends.message(tx, person.id, t(language, "status.not_found", case=case_id))
                return
            await sends.message(tx, person.id, reporter_status(language, case, self.config()))

    async def my_cases(self, person: Person) -> None:
        """/mycases: a reporter's recent cases and where each stands."""
        config = self.config()
        async with self.store.transaction() as tx:
            language = await self.context.meet(tx, person)
            cases = await tx.cases.of_reporter(person.id)
            if not cases:
                await sends.message(tx, person.id, t(language, "mycases.none"))
                return
            lines = [t(language, "mycases.title")]
            lines += [reporter_status(language, case, config, short=True) for case in cases]
            await sends.message(tx, person.id, "\n".join(lines))

    async def set_language(self, person: Person, language: str | None) -> None:
        """/lang [en|id]: switch the language the bot uses with this person."""
        async with self.store.transaction() as tx:
            current = await self.context.meet(tx, person)
            if language not in LANGUAGES:
                await sends.message(tx, person.id, t(current, "lang.usage", current=current))
                return
            await tx.users.choose_language(person.id, language)
            await sends.message(tx, person.id, t(language, "lang.set"))
        for listener in self.context.language_listeners:
            await listener(person.id)
