"""The desk: reporting, joining cases, and moderators' actions, as plain domain operations.

Every operation is one transaction: it checks, compares and sets, appends to the event log, and
writes what must be sent into the outbox. Nothing here talks to Telegram.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from bot import sends
from bot.callback_data import CaseAction, encode_action, encode_category_choice
from bot.cases import (
    PROMPT_ASK,
    PROMPT_ESCALATE,
    PROMPT_REASON_PREFIX,
    Action,
    Decision,
    allowed,
)
from bot.config import Config, Reporter
from bot.i18n import LANGUAGES, Markup, escape, normalize_language, plain, t
from bot.models import UNDECIDED, Button, Case, IncomingItem, Item, State
from bot.render import (
    FREE_TEXT,
    REPORTER_TEXT_LIMIT,
    clip,
    outcome_text,
    queue_text,
    reason_label,
    reporter_status,
)
from bot.store import Queries, Store


@dataclass(frozen=True)
class Person:
    """Whoever sent an update: their Telegram id, display name and app language."""

    id: int
    name: str
    language_code: str | None = None


class ReportResult(StrEnum):
    OPENED = "opened"
    JOINED = "joined"
    REPEATED = "repeated"
    EMPTY = "empty"
    NOT_REPORTER = "not_reporter"
    CHOOSE_CATEGORY = "choose_category"


@dataclass(frozen=True)
class ReportOutcome:
    result: ReportResult
    case_id: int | None = None


class ActResult(StrEnum):
    DONE = "done"
    NOT_MODERATOR = "not_moderator"
    NOT_FOUND = "not_found"
    ALREADY_DECIDED = "already_decided"
    ALREADY_YOURS = "already_yours"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class ActOutcome:
    result: ActResult
    answer: str
    alert: bool = False


TIMER_DRAFT_NOTICE = "draft_notice"
TIMER_DRAFT_EXPIRY = "draft_expiry"
TIMER_CHOICE_REMINDER = "choice_reminder"
TIMER_CHOICE_EXPIRY = "choice_expiry"
TIMER_ALARM = "alarm"
TIMER_LEAVE = "leave"
# How long the bot stays in a group an admin added it to but the config does not name.
UNKNOWN_GROUP_GRACE = 600.0
TARGET_FIRST = "first"
TARGET_DECISION = "decision"
# While a case waits for its reporter, its decision alarm looks again this often.
WAITING_RECHECK_SECONDS = 300.0
# The draft notice waits this long after the last item, so a /report right behind skips it.
DRAFT_NOTICE_DELAY = 2.5

# Actions that would decide a case: on a decided case they are answered with who decided it.
DECIDING = (Action.TAKE_DOWN, Action.DISMISS, Action.REASON, Action.OTHER_REASON)

QUEUE_LIMIT = 40
# An admin alert quotes at most this much of a problem's text (a message holds 4096).
ALERT_LIMIT = 3000

CASE_NUMBER = re.compile(r"#?([1-9][0-9]{0,11})")


def parse_case_number(text: str) -> int | None:
    """`N` or `#N`; None for anything else."""
    match = CASE_NUMBER.fullmatch(text.strip().split()[0]) if text.strip() else None
    return int(match[1]) if match else None


def split_category(config: Config, args: str) -> tuple[str | None, str]:
    """The first word is a category only if it names one; otherwise everything is the note."""
    words = args.strip().split(maxsplit=1)
    if words:
        category = config.category_for_word(words[0])
        if category is not None:
            return category, words[1].strip() if len(words) > 1 else ""
    return None, args.strip()


class Desk:
    def __init__(self, store: Store, config: Callable[[], Config]) -> None:
        self.store = store
        self.config = config
        # Told when moderator space may be reachable again (the outbox stops holding it).
        self.chat_back_listeners: list[Callable[[int], None]] = []
        # Told when a user picks another language (their command menu follows).
        self.language_listeners: list[Callable[[int], Awaitable[None]]] = []

    async def language_for(self, user_id: int) -> str:
        async with self.store.read() as q:
            return await self.language_of(q, user_id)

    def is_moderator_space(self, chat_id: int) -> bool:
        moderation = self.config().moderation
        return chat_id in (moderation.chat_id, moderation.escalation_chat_id)

    async def bot_membership(self, chat_id: int, status: str, added_by: int | None) -> None:
        """The bot's own membership in a group changed."""
        config = self.config()
        present = status in ("member", "administrator")
        if self.is_moderator_space(chat_id):
            if present:
                for listener in self.chat_back_listeners:
                    listener(chat_id)
            return
        if not present:
            return
        async with self.store.transaction() as q:
            if added_by is not None and config.is_admin(added_by):
                await sends.message(
                    q, chat_id, t(config.language, "unknown_group.hello", chat=chat_id)
                )
                await q.set_timer(f"{TIMER_LEAVE}:{chat_id}", q.clock() + UNKNOWN_GROUP_GRACE)
            else:
                await sends.leave(q, chat_id)

    async def config_rejected(self, error: str) -> None:
        """An edit of the file was invalid: the admins hear exactly why, once per problem."""
        config = self.config()
        key = "alerted:config:" + hashlib.sha256(error.encode()).hexdigest()[:16]
        async with self.store.transaction() as q:
            if await q.get_meta(key) is not None:
                return
            await q.set_meta(key, "1")
            for admin in config.admins:
                language = await self.language_of(q, admin)
                await sends.message(
                    q, admin, t(language, "reload.rejected", errors=clip(error, ALERT_LIMIT))
                )

    async def config_applied(self, changed: list[str], restart: list[str]) -> None:
        """A valid reload: say what changed in the moderator group."""
        config = self.config()
        async with self.store.transaction() as q:
            await q.delete_meta_prefix("alerted:config:")
            if not changed:
                return
            lines = [t(config.language, "reload.applied", keys=", ".join(changed))]
            if restart:
                lines.append(t(config.language, "reload.needs_restart", keys=", ".join(restart)))
            await sends.message(
                q, config.moderation.chat_id, "\n".join(lines), priority=sends.PRIORITY_CARD_EDIT
            )

    async def moderator_group_moved(self, old_chat: int, new_chat: int) -> None:
        """The configuration names another moderator group (say, after a migration): what was
        queued for the old one goes to the new one, and every undecided case gets a card there."""
        async with self.store.transaction() as q:
            await q.move_pending_sends(old_chat, new_chat)
            for case in await q.undecided_cases(limit=10_000):
                if new_chat not in await q.card_chats(case.id):
                    await sends.new_card(q, new_chat, case.id)
                    for from_chat, message_ids in await case_evidence(q, case.id):
                        await sends.evidence(q, new_chat, case.id, from_chat, message_ids)

    async def reload_reply(self, person: Person, ok: bool, changed: list[str], error: str) -> None:
        """Answer the admin who sent /reload."""
        if ok:
            key, values = (
                ("reload.done", {"keys": ", ".join(changed)})
                if changed
                else ("reload.unchanged", {})
            )
        else:
            key, values = "reload.rejected", {"errors": clip(error, ALERT_LIMIT)}
        await self.say(person, key, **values)

    async def health(self, problem_key: str, problem: str | None) -> None:
        """A start-up check's verdict: alert the admins once per problem; forget it once fixed."""
        config = self.config()
        key = f"alerted:health:{problem_key}"
        async with self.store.transaction() as q:
            if problem is None:
                await q.delete_meta(key)
                return
            if await q.get_meta(key) == problem:
                return
            await q.set_meta(key, problem)
            for admin in config.admins:
                language = await self.language_of(q, admin)
                await sends.message(
                    q, admin, t(language, "health.problem", problem=clip(problem, ALERT_LIMIT))
                )

    async def whoami(self, person: Person) -> None:
        await self.say(person, "whoami", id=person.id)

    async def chat_id(self, person: Person, chat_id: int) -> None:
        """/chatid in a group: only an admin learns the group's id (privately if possible)."""
        config = self.config()
        if not config.is_admin(person.id):
            return
        async with self.store.transaction() as q:
            await sends.message(
                q,
                chat_id,
                t(config.language, "chatid", chat=chat_id),
                priority=sends.PRIORITY_CARD_EDIT,
            )

    # --- languages -------------------------------------------------------------------------

    async def language_of(self, q: Queries, user_id: int) -> str:
        """A reporter's language: their /lang choice, configured, Telegram's, then the desk's."""
        config = self.config()
        chosen, from_telegram = await q.user_languages(user_id)
        reporter = config.reporter(user_id)
        for candidate in (
            chosen,
            reporter.language if reporter else None,
            normalize_language(from_telegram),
        ):
            if candidate:
                return candidate
        return config.language

    async def _meet(self, q: Queries, person: Person) -> str:
        await q.remember_name(person.id, person.name)
        if person.language_code:
            await q.remember_telegram_language(person.id, person.language_code)
        return await self.language_of(q, person.id)

    async def say(self, person: Person, key: str, **values: object) -> None:
        """Send a person a catalogue text in their language."""
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            await sends.message(q, person.id, t(language, key, **values))

    async def help(self, person: Person) -> None:
        config = self.config()
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            if config.reporter(person.id) is None:
                await sends.message(q, person.id, t(language, "start.other", id=person.id))
                return
            categories = ", ".join(
                f"{category.label(language)} ({key})"
                for key, category in config.categories_by_urgency()
            )
            await sends.message(q, person.id, t(language, "help.reporter", categories=categories))

    async def case_of_card(self, chat_id: int, message_id: int) -> int | None:
        async with self.store.read() as q:
            return await q.card_case(chat_id, message_id)

    # --- intake ----------------------------------------------------------------------------

    async def receive(
        self, person: Person, item: IncomingItem, reply_to_message_id: int | None = None
    ) -> bool:
        """A reporter's message joins their draft, or answers the question it replies to."""
        config = self.config()
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            reporter = config.reporter(person.id)
            answered_case = (
                await q.question_case(item.chat_id, reply_to_message_id)
                if reply_to_message_id is not None
                else None
            )
            if reporter is None and answered_case is None:
                await sends.message(q, person.id, t(language, "refuse.not_reporter", id=person.id))
                return False
            if not await q.add_item(item):
                return True
            if answered_case is not None:
                stored = await q.item_by_message(item.chat_id, item.message_id)
                assert stored is not None
                who = reporter or Reporter(id=person.id, name=person.name, organization="—")
                await self._answer(q, who, answered_case, stored)
                await sends.message(
                    q, person.id, t(language, "answer.received", case=answered_case)
                )
                return True
            if item.media_group_id and await self._join_reported_album(q, item):
                return True
            now = q.clock()
            await q.set_timer(f"{TIMER_DRAFT_NOTICE}:{person.id}", now + DRAFT_NOTICE_DELAY)
            await q.set_timer(
                f"{TIMER_DRAFT_EXPIRY}:{person.id}", now + config.intake.draft_ttl_hours * 3600
            )
            return True

    async def _join_reported_album(self, q: Queries, item: IncomingItem) -> bool:
        """An album item that arrives after its album was reported belongs to that report."""
        assert item.media_group_id is not None
        report_id = await q.report_of_album(item.chat_id, item.media_group_id)
        if report_id is None:
            return False
        stored = await q.item_by_message(item.chat_id, item.message_id)
        assert stored is not None
        await q.attach_items(report_id, [stored.id])
        report = await q.report(report_id)
        if report is not None and report.case_id is not None and report.status == "open":
            await self._attach_evidence(q, report.case_id, item.chat_id, [item.message_id])
        return True

    async def cancel(self, person: Person) -> None:
        """/cancel: empty the draft."""
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            dropped = await q.discard_draft(person.id, "cancelled")
            await forget_draft_timers(q, person.id)
            key = "draft.cancelled" if dropped else "draft.nothing"
            await sends.message(q, person.id, t(language, key, count=dropped))

    async def set_language(self, person: Person, language: str | None) -> None:
        """/lang [en|id]: switch the language the bot uses with this person."""
        async with self.store.transaction() as q:
            current = await self._meet(q, person)
            if language not in LANGUAGES:
                await sends.message(q, person.id, t(current, "lang.usage", current=current))
                return
            await q.choose_language(person.id, language)
            await sends.message(q, person.id, t(language, "lang.set"))
        for listener in self.language_listeners:
            await listener(person.id)

    async def status(self, person: Person, argument: str) -> None:
        """/status N: the reporter's view of one of their cases."""
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            case_id = parse_case_number(argument)
            if case_id is None:
                await sends.message(q, person.id, t(language, "status.usage"))
                return
            case = await q.reported_case(person.id, case_id)
            if case is None:
                await sends.message(q, person.id, t(language, "status.not_found", case=case_id))
                return
            await sends.message(q, person.id, reporter_status(language, case, self.config()))

    async def my_cases(self, person: Person) -> None:
        """/mycases: a reporter's recent cases and where each stands."""
        config = self.config()
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            cases = await q.cases_of_reporter(person.id)
            if not cases:
                await sends.message(q, person.id, t(language, "mycases.none"))
                return
            lines = [t(language, "mycases.title")]
            lines += [reporter_status(language, case, config, short=True) for case in cases]
            await sends.message(q, person.id, "\n".join(lines))

    async def fire(self, key: str, due: float) -> None:
        """A stored timer came due (once, even across restarts)."""
        kind, _, argument = key.partition(":")
        config = self.config()
        async with self.store.transaction() as q:
            if not await q.take_timer(key, due):
                return
            if kind == TIMER_DRAFT_NOTICE:
                reporter_id = int(argument)
                count = await q.draft_count(reporter_id)
                if count:
                    language = await self.language_of(q, reporter_id)
                    await sends.message(q, reporter_id, t(language, "draft.waiting", count=count))
            elif kind == TIMER_DRAFT_EXPIRY:
                reporter_id = int(argument)
                if await q.discard_draft(reporter_id, "expired"):
                    language = await self.language_of(q, reporter_id)
                    await sends.message(
                        q,
                        reporter_id,
                        t(language, "draft.expired", hours=config.intake.draft_ttl_hours),
                    )
            elif kind == TIMER_CHOICE_REMINDER:
                report = await q.report(int(argument))
                if report is not None and report.status == "choosing":
                    language = await self.language_of(q, report.reporter_id)
                    await sends.message(q, report.chat_id, t(language, "category.reminder"))
            elif kind == TIMER_ALARM:
                case_id, target, level = argument.split(":")
                await self._alarm(q, key, int(case_id), target, int(level))
            elif kind == TIMER_LEAVE:
                if not self.is_moderator_space(int(argument)):
                    await sends.leave(q, int(argument))
            elif kind == TIMER_CHOICE_EXPIRY:
                report = await q.report(int(argument))
                if report is not None and report.status == "choosing":
                    await q.set_report_status(report.id, "expired")
                    language = await self.language_of(q, report.reporter_id)
                    await sends.message(q, report.chat_id, t(language, "category.expired"))

    async def report(
        self,
        person: Person,
        chat_id: int,
        command_message_id: int,
        args: str,
        reply_to_message_id: int | None = None,
    ) -> ReportOutcome:
        config = self.config()
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            reporter = config.reporter(person.id)
            if reporter is None:
                await sends.message(q, chat_id, t(language, "refuse.not_reporter", id=person.id))
                return ReportOutcome(ReportResult.NOT_REPORTER)
            earlier = await q.report_by_command(chat_id, command_message_id)
            if earlier is not None:
                return ReportOutcome(ReportResult.REPEATED, earlier.case_id)
            items = await self._items_to_report(q, person.id, chat_id, reply_to_message_id)
            reported = [item.report_id for item in items if item.report_id is not None]
            if reported:
                # Reporting again what is already reported changes nothing but the answer.
                previous = await q.report(reported[0])
                case_id = previous.case_id if previous else None
                if case_id is None:
                    await sends.message(q, chat_id, t(language, "category.reminder"))
                else:
                    await sends.message(q, chat_id, t(language, "report.ack_repeat", case=case_id))
                return ReportOutcome(ReportResult.REPEATED, case_id)
            if not items:
                await sends.message(q, chat_id, t(language, "report.empty"))
                return ReportOutcome(ReportResult.EMPTY)
            category, note = split_category(config, args)
            report_id = await new_report(
                q,
                reporter,
                chat_id,
                command_message_id,
                items,
                case_id=None,
                category=category,
                note=note,
                status="choosing" if category is None else "open",
            )
            if not await q.draft_count(person.id):
                await forget_draft_timers(q, person.id)
            if category is None:
                await self._offer_categories(q, chat_id, report_id, language)
                ttl = config.intake.draft_ttl_hours * 3600
                await q.set_timer(f"{TIMER_CHOICE_REMINDER}:{report_id}", q.clock() + ttl / 2)
                await q.set_timer(f"{TIMER_CHOICE_EXPIRY}:{report_id}", q.clock() + ttl)
                return ReportOutcome(ReportResult.CHOOSE_CATEGORY)
            return await self._file(q, report_id, reporter, category, language)

    async def choose_category(self, person: Person, report_id: int, category: str) -> str:
        """The reporter picked a category for a report waiting on one; returns the answer text."""
        config = self.config()
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            report = await q.report(report_id)
            reporter = config.reporter(person.id)
            if report is None or report.reporter_id != person.id or reporter is None:
                return plain(language, "button.invalid")
            if report.status != "choosing":
                if report.case_id is None:
                    return plain(language, "category.expired")
                return plain(language, "category.already_chosen", case=report.case_id)
            if category not in config.categories:
                return plain(language, "button.invalid")
            await q.set_report_category(report_id, category)
            await q.cancel_timer(f"{TIMER_CHOICE_REMINDER}:{report_id}")
            await q.cancel_timer(f"{TIMER_CHOICE_EXPIRY}:{report_id}")
            outcome = await self._file(q, report_id, reporter, category, language)
            return plain(language, "category.chosen", case=outcome.case_id)

    async def _items_to_report(
        self, q: Queries, reporter_id: int, chat_id: int, reply_to_message_id: int | None
    ) -> list[Item]:
        if reply_to_message_id is None:
            return await q.draft_items(reporter_id)
        target = await q.item_by_message(chat_id, reply_to_message_id)
        if target is None or target.reporter_id != reporter_id:
            return []
        if target.media_group_id:
            return await q.album_items(chat_id, target.media_group_id)
        return [target]

    async def _offer_categories(
        self, q: Queries, chat_id: int, report_id: int, language: str
    ) -> None:
        config = self.config()
        buttons = [
            Button(category.label(language), encode_category_choice(report_id, key))
            for key, category in config.categories_by_urgency()
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        await sends.message(q, chat_id, t(language, "report.choose_category"), buttons=rows)

    async def _file(
        self, q: Queries, report_id: int, reporter: Reporter, category: str, language: str
    ) -> ReportOutcome:
        """Open a new case for the report, or join the oldest undecided case sharing an item."""
        config = self.config()
        group = config.moderation.chat_id
        items = await q.items_of_report(report_id)
        priority = config.categories[category].priority
        case = await q.oldest_undecided_case_with(item.identity for item in items)
        report = await q.report(report_id)
        assert report is not None
        message_ids = [item.message_id for item in items]
        if case is None:
            case_id = await q.insert_case(category, priority)
            await self._arm_alarms(q, case_id)
            await q.set_report_case(report_id, case_id, "open")
            await q.add_event(case_id, "reported", actor_id=reporter.id, actor_name=reporter.name)
            await sends.message(q, report.chat_id, t(language, "report.ack_new", case=case_id))
            await sends.new_card(q, group, case_id)
            await sends.evidence(q, group, case_id, report.chat_id, message_ids)
            return ReportOutcome(ReportResult.OPENED, case_id)

        known = {i.identity for i in await q.items_of_case(case.id) if i.reporter_id == reporter.id}
        if all(item.identity in known for item in items):
            await q.set_report_case(report_id, case.id, "repeat")
            await sends.message(q, report.chat_id, t(language, "report.ack_repeat", case=case.id))
            return ReportOutcome(ReportResult.REPEATED, case.id)

        on_case = {i.identity for i in await q.items_of_case(case.id) if i.report_id != report_id}
        new_items = [item.message_id for item in items if item.identity not in on_case]
        await q.set_report_case(report_id, case.id, "open")
        if priority < case.priority:
            await q.update_case_if(case.id, UNDECIDED, category=category, priority=priority)
            await self._arm_alarms(q, case.id)
        await q.add_event(case.id, "joined", actor_id=reporter.id, actor_name=reporter.name)
        await sends.message(q, report.chat_id, t(language, "report.ack_joined", case=case.id))
        for chat in await q.card_chats(case.id):
            # Another reporter on the card is worth showing, not worth a decision's urgency.
            await sends.card_edit(q, chat, case.id, priority=sends.PRIORITY_REFRESH)
            if new_items:  # copies of content the group already has would only spend budget
                await sends.evidence(q, chat, case.id, report.chat_id, new_items)
        return ReportOutcome(ReportResult.JOINED, case.id)

    # --- moderation ------------------------------------------------------------------------

    async def press(self, moderator: Person, chat_id: int, pressed: CaseAction) -> ActOutcome:
        """A button on a case card in moderator space (the handler checked it is that card)."""
        config = self.config()
        lang = config.language
        if not config.is_moderator(moderator.id):
            return ActOutcome(ActResult.NOT_MODERATOR, plain(lang, "press.not_moderator"), True)
        async with self.store.transaction() as q:
            await q.remember_name(moderator.id, moderator.name)
            case = await q.case(pressed.case_id)
            if case is None:
                return ActOutcome(ActResult.NOT_FOUND, plain(lang, "button.invalid"), True)
            action = pressed.action
            if not allowed(action, case.state):
                if case.state.decided and action in DECIDING:
                    return self._already_decided(case)
                await self._refresh_cards(q, case.id)
                return ActOutcome(ActResult.NOT_APPLICABLE, plain(lang, "press.not_applicable"))
            if action is Action.CLAIM:
                return await self._claim(q, case, moderator)
            if action in (Action.TAKE_DOWN, Action.DISMISS):
                await q.set_picker(case.id, chat_id, action.value)
                await sends.card_edit(q, chat_id, case.id)
                return ActOutcome(ActResult.DONE, plain(lang, "press.choose_reason"))
            if action is Action.CANCEL:
                await q.set_picker(case.id, chat_id, None)
                await q.delete_prompts(case.id, chat_id)
                await sends.card_edit(q, chat_id, case.id)
                return ActOutcome(ActResult.DONE, plain(lang, "press.cancelled"))
            if action is Action.REASON:
                assert pressed.decision is not None and pressed.reason is not None
                category = config.categories.get(case.category)
                reasons = (
                    getattr(category.reasons, pressed.decision.reasons_key) if category else {}
                )
                if pressed.reason not in reasons:
                    return ActOutcome(ActResult.NOT_FOUND, plain(lang, "button.invalid"), True)
                return await self._decide(q, case, moderator, pressed.decision, pressed.reason)
            if action is Action.OTHER_REASON:
                assert pressed.decision is not None
                kind = PROMPT_REASON_PREFIX + pressed.decision.value
                await self._prompt(q, chat_id, case.id, moderator, kind)
                return ActOutcome(ActResult.DONE, plain(lang, "press.type_reply"))
            if action is Action.ESCALATE:
                await q.set_picker(case.id, chat_id, action.value)
                await sends.card_edit(q, chat_id, case.id)
                await self._prompt(q, chat_id, case.id, moderator, PROMPT_ESCALATE)
                return ActOutcome(ActResult.DONE, plain(lang, "press.type_note"))
            if action is Action.SKIP_NOTE:
                return await self._escalate(q, case, moderator, None)
            if action is Action.ASK:
                await self._prompt(q, chat_id, case.id, moderator, PROMPT_ASK)
                return ActOutcome(ActResult.DONE, plain(lang, "press.type_reply"))
            if action is Action.POST:
                await self._repost(q, chat_id, case.id)
                return ActOutcome(ActResult.DONE, plain(lang, "press.posted", case=case.id))
            if action is Action.CANCEL_QUESTION:
                await self._resume(q, case, moderator, "question_cancelled", None)
                return ActOutcome(ActResult.DONE, plain(lang, "press.done.question_cancelled"))
            return await self._reopen(q, case, moderator)

    def _already_decided(self, case: Case) -> ActOutcome:
        lang = self.config().language
        return ActOutcome(
            ActResult.ALREADY_DECIDED,
            plain(
                lang,
                "press.already_decided",
                case=case.id,
                state=plain(lang, f"state.{case.state.value}"),
                name=case.decided_by_name or "?",
            ),
            True,
        )

    async def moderator_reply(
        self, moderator: Person, chat_id: int, reply_to_message_id: int, text: str
    ) -> bool:
        """A reply in moderator space: the input a prompt asked for, or an internal note."""
        config = self.config()
        if not config.is_moderator(moderator.id) or not text.strip():
            return False
        text = text.strip()
        async with self.store.transaction() as q:
            prompt = await q.prompt(chat_id, reply_to_message_id)
            if prompt is not None and prompt.moderator_id == moderator.id:
                case = await q.case(prompt.case_id)
                if case is None:
                    return False
                await q.delete_prompt(chat_id, reply_to_message_id)
                await q.set_picker(case.id, chat_id, None)
                if prompt.kind.startswith(PROMPT_REASON_PREFIX):
                    decision = Decision(prompt.kind.removeprefix(PROMPT_REASON_PREFIX))
                    if case.state in UNDECIDED:
                        await self._decide(q, case, moderator, decision, None, free_text=text)
                        return True
                elif prompt.kind == PROMPT_ESCALATE and case.state is State.NEW:
                    await self._escalate(q, case, moderator, text)
                    return True
                elif prompt.kind == PROMPT_ASK and allowed(Action.ASK, case.state):
                    await self._ask(q, case, moderator, text)
                    return True
                await sends.card_edit(q, chat_id, case.id)
                await sends.message(
                    q,
                    chat_id,
                    t(config.language, "reply.too_late", case=case.id),
                    priority=sends.PRIORITY_CARD_EDIT,
                )
                return False
            case_id = await q.case_of_message(chat_id, reply_to_message_id)
            if case_id is None:
                return False
            await q.mark_first_action(case_id)
            await q.add_event(
                case_id, "note", actor_id=moderator.id, actor_name=moderator.name, detail=text
            )
            for chat in await q.card_chats(case_id):
                await sends.card_edit(q, chat, case_id)
            return True

    async def _claim(self, q: Queries, case: Case, moderator: Person) -> ActOutcome:
        lang = self.config().language
        if case.claimed_by == moderator.id:
            return ActOutcome(ActResult.ALREADY_YOURS, plain(lang, "press.already_yours"))
        changed = await q.update_case_if(
            case.id, [case.state], claimed_by=moderator.id, claimed_by_name=moderator.name
        )
        if not changed:
            return ActOutcome(ActResult.NOT_APPLICABLE, plain(lang, "press.not_applicable"))
        await self._record(q, case.id, "claimed", moderator)
        return ActOutcome(ActResult.DONE, plain(lang, "press.done.claimed", case=case.id))

    async def _record(
        self, q: Queries, case_id: int, kind: str, actor: Person, detail: str | None = None
    ) -> None:
        """The shared tail of every change: first action, the log, and the cards brought up."""
        await q.mark_first_action(case_id)
        await q.add_event(case_id, kind, actor_id=actor.id, actor_name=actor.name, detail=detail)
        await self._refresh_cards(q, case_id)

    async def _refresh_cards(self, q: Queries, case_id: int) -> None:
        for chat in await q.card_chats(case_id):
            await sends.card_edit(q, chat, case_id)

    async def _prompt(
        self, q: Queries, chat_id: int, case_id: int, moderator: Person, kind: str
    ) -> None:
        """A ForceReply prompt addressed to one moderator; the worker records its message id."""
        lang = self.config().language
        text = t(
            lang,
            f"prompt.{kind}",
            case=case_id,
            mention=Markup(mention(moderator.id, moderator.name)),
        )
        await sends.prompt(q, chat_id, text, case_id=case_id, kind=kind, moderator=moderator.id)

    async def _decide(
        self,
        q: Queries,
        case: Case,
        moderator: Person,
        decision: Decision,
        code: str | None,
        *,
        free_text: str | None = None,
    ) -> ActOutcome:
        config = self.config()
        lang = config.language
        now = q.clock()
        changed = await q.update_case_if(
            case.id,
            UNDECIDED,
            state=decision.state,
            state_before=None,
            decided_by=moderator.id,
            decided_by_name=moderator.name,
            decided_at=now,
            decision_reason=code if code else f"{FREE_TEXT}{free_text}",
            waiting_since=None,
            paused_seconds=case.paused_seconds
            + (now - case.waiting_since if case.waiting_since else 0.0),
        )
        if not changed:
            return ActOutcome(ActResult.NOT_APPLICABLE, plain(lang, "press.not_applicable"))
        decided = await q.case(case.id)
        assert decided is not None
        await q.clear_pickers(case.id)
        await self._record(
            q, case.id, decision.state.value, moderator, reason_label(config, decided, lang)
        )
        for reporter_id in await q.reporter_ids_of_case(case.id):
            language = await self.language_of(q, reporter_id)
            await sends.message(
                q, reporter_id, outcome_text(language, decided, config), case_id=case.id
            )
        return ActOutcome(
            ActResult.DONE, plain(lang, f"press.done.{decision.state.value}", case=case.id)
        )

    async def _escalate(
        self, q: Queries, case: Case, moderator: Person, note: str | None
    ) -> ActOutcome:
        config = self.config()
        lang = config.language
        if not await q.update_case_if(case.id, [State.NEW], state=State.ESCALATED):
            return ActOutcome(ActResult.NOT_APPLICABLE, plain(lang, "press.not_applicable"))
        await q.clear_pickers(case.id)
        second_tier = config.moderation.escalation_chat_id
        if second_tier is not None and second_tier not in await q.card_chats(case.id):
            await sends.new_card(q, second_tier, case.id)
            for from_chat, message_ids in await case_evidence(q, case.id):
                await sends.evidence(q, second_tier, case.id, from_chat, message_ids)
        await self._record(q, case.id, "escalated", moderator, note)
        if second_tier is None:
            on_duty = await self._on_duty_mentions(q)
            await sends.message(
                q,
                config.moderation.chat_id,
                t(lang, "escalated.on_duty", case=case.id, mentions=Markup(on_duty or "—")),
                priority=sends.PRIORITY_CARD_EDIT,
            )
        return ActOutcome(ActResult.DONE, plain(lang, "press.done.escalated", case=case.id))

    async def _on_duty_mentions(self, q: Queries) -> str:
        """Mentions of the on-duty moderators, by the names the bot has seen them use."""
        on_duty = self.config().moderation.on_duty
        names = await q.user_names(on_duty)
        return ", ".join(mention(uid, names.get(uid, str(uid))) for uid in on_duty)

    async def _ask(self, q: Queries, case: Case, moderator: Person, question: str) -> None:
        changed = await q.update_case_if(
            case.id,
            [case.state],
            state=State.WAITING,
            state_before=case.state,
            waiting_since=q.clock(),
        )
        if not changed:
            return
        await self._record(q, case.id, "asked", moderator, question)
        for reporter_id in await q.reporter_ids_of_case(case.id):
            language = await self.language_of(q, reporter_id)
            await sends.question(
                q,
                reporter_id,
                t(
                    language,
                    "question.to_reporter",
                    case=case.id,
                    text=clip(question, REPORTER_TEXT_LIMIT),
                ),
                case.id,
            )

    async def _resume(
        self, q: Queries, case: Case, actor: Person, kind: str, detail: str | None
    ) -> bool:
        """Leave `waiting` for the state before it; the paused time stops the decision clock."""
        now = q.clock()
        changed = await q.update_case_if(
            case.id,
            [State.WAITING],
            state=case.state_before or State.NEW,
            state_before=None,
            waiting_since=None,
            paused_seconds=case.paused_seconds + (now - (case.waiting_since or now)),
        )
        if changed:
            await self._record(q, case.id, kind, actor, detail)
        return changed

    async def _reopen(self, q: Queries, case: Case, moderator: Person) -> ActOutcome:
        lang = self.config().language
        changed = await q.update_case_if(
            case.id,
            [State.TAKEN_DOWN, State.DISMISSED],
            state=State.NEW,
            decided_by=None,
            decided_by_name=None,
            decided_at=None,
            decision_reason=None,
            claimed_by=None,
            claimed_by_name=None,
            clock_start=q.clock(),
            first_action_at=None,
            paused_seconds=0.0,
        )
        if not changed:
            return ActOutcome(ActResult.NOT_APPLICABLE, plain(lang, "press.not_applicable"))
        await q.add_event(case.id, "reopened", actor_id=moderator.id, actor_name=moderator.name)
        await self._arm_alarms(q, case.id)
        await self._refresh_cards(q, case.id)
        return ActOutcome(ActResult.DONE, plain(lang, "press.done.reopened", case=case.id))

    # --- response-time targets ------------------------------------------------------------

    async def _arm_alarms(self, q: Queries, case_id: int) -> None:
        """Timers for both targets, from the case's clock start (the report or the reopen)."""
        case = await q.case(case_id)
        category = self.config().categories.get(case.category) if case else None
        if case is None or category is None:
            return
        targets = category.targets
        for target, minutes in (
            (TARGET_FIRST, targets.first_action_min),
            (TARGET_DECISION, targets.decision_min),
        ):
            await q.set_timer(
                f"{TIMER_ALARM}:{case_id}:{target}:1", case.clock_start + minutes * 60
            )

    async def _alarm(self, q: Queries, key: str, case_id: int, target: str, level: int) -> None:
        """A target's timer came due: tell the group once per level (1x, then 2x the target)."""
        config = self.config()
        case = await q.case(case_id)
        category = config.categories.get(case.category) if case else None
        if case is None or category is None or case.state.decided:
            return
        if target == TARGET_FIRST:
            if case.first_action_at is not None:
                return
            minutes = category.targets.first_action_min
            paused = 0.0
        else:
            minutes = category.targets.decision_min
            if case.state is State.WAITING:
                await q.set_timer(key, q.clock() + WAITING_RECHECK_SECONDS)
                return
            paused = case.paused_seconds
        due = case.clock_start + level * minutes * 60 + paused
        if q.clock() < due:
            await q.set_timer(key, due)  # the clock moved (a pause, a more urgent category)
            return
        lang = config.language
        what = plain(lang, f"target.{target}")
        await q.add_event(case_id, "overdue", detail=f"{what} · {level * minutes} min")
        await self._refresh_cards(q, case_id)
        on_duty = await self._on_duty_mentions(q)
        await sends.message(
            q,
            config.moderation.chat_id,
            t(
                lang,
                "alarm.overdue",
                case=case_id,
                target=what,
                minutes=level * minutes,
                category=category.label(lang),
                mentions=Markup(on_duty or "—"),
            ),
            buttons=[[Button(f"#{case_id}", encode_action(Action.POST, case_id))]],
            priority=sends.PRIORITY_CARD_EDIT,
        )
        if level == 1:
            await q.set_timer(
                f"{TIMER_ALARM}:{case_id}:{target}:2",
                case.clock_start + 2 * minutes * 60 + paused,
            )

    # --- finding things --------------------------------------------------------------------

    async def queue(self, moderator: Person, chat_id: int) -> None:
        """/queue: undecided cases, most urgent and oldest first, each with a button."""
        config = self.config()
        if not config.is_moderator(moderator.id):
            return
        async with self.store.transaction() as q:
            cases = await q.undecided_cases(limit=QUEUE_LIMIT)
            overdue = {c.id: await q.overdue_targets(c.id, c.clock_start) for c in cases}
            text = queue_text(cases, overdue, config, q.clock())
            buttons = [Button(f"#{c.id}", encode_action(Action.POST, c.id)) for c in cases]
            rows = [buttons[i : i + 5] for i in range(0, len(buttons), 5)]
            await sends.message(q, chat_id, text, buttons=rows, priority=sends.PRIORITY_CARD_EDIT)

    async def show_case(self, moderator: Person, chat_id: int, argument: str) -> None:
        """/case N: re-post a case's card with its history and evidence."""
        config = self.config()
        if not config.is_moderator(moderator.id):
            return
        async with self.store.transaction() as q:
            case_id = parse_case_number(argument)
            if case_id is None or await q.case(case_id) is None:
                key = "case.usage" if case_id is None else "case.not_found"
                await sends.message(
                    q,
                    chat_id,
                    t(config.language, key, case=case_id or 0),
                    priority=sends.PRIORITY_CARD_EDIT,
                )
                return
            await self._repost(q, chat_id, case_id)

    async def _repost(self, q: Queries, chat_id: int, case_id: int) -> None:
        """A fresh card (and evidence) at the bottom; the old card becomes a one-line pointer."""
        if await q.promote_pending_card(case_id, chat_id, sends.PRIORITY_CARD_EDIT):
            return  # its card is still queued: it goes out next instead of twice
        old = await q.live_card(case_id, chat_id)
        if old is not None:
            await q.retire_cards(case_id, chat_id)
            await sends.pointer(q, chat_id, case_id, old)
        await sends.new_card(q, chat_id, case_id, priority=sends.PRIORITY_CARD_EDIT)
        for from_chat, message_ids in await case_evidence(q, case_id):
            await sends.evidence(
                q, chat_id, case_id, from_chat, message_ids, priority=sends.PRIORITY_CARD_EDIT
            )

    # --- reporters adding to a case --------------------------------------------------------

    async def _answer(self, q: Queries, reporter: Reporter, case_id: int, item: Item) -> None:
        """A reporter's reply to a question (or /add while one is open) joins the case."""
        await new_report(
            q, reporter, item.chat_id, item.message_id, [item], case_id=case_id, status="answer"
        )
        await self._attach_evidence(q, case_id, item.chat_id, [item.message_id])
        case = await q.case(case_id)
        if case is not None:
            actor = Person(reporter.id, reporter.name)
            await self._material_arrived(q, case, actor, "answered", item.text or f"[{item.kind}]")

    async def _material_arrived(
        self, q: Queries, case: Case, actor: Person, kind: str, detail: str
    ) -> None:
        """New material from a reporter answers a pending question, or joins the history."""
        if case.state is State.WAITING:
            await self._resume(q, case, actor, "answered", detail)
            return
        await q.add_event(case.id, kind, actor_id=actor.id, actor_name=actor.name, detail=detail)
        await self._refresh_cards(q, case.id)

    async def _attach_evidence(
        self, q: Queries, case_id: int, from_chat: int, message_ids: list[int]
    ) -> None:
        for chat in await q.card_chats(case_id):
            await sends.evidence(q, chat, case_id, from_chat, message_ids)

    async def add(self, person: Person, chat_id: int, command_message_id: int, args: str) -> None:
        """/add N: the reporter's current draft joins their undecided case N."""
        config = self.config()
        async with self.store.transaction() as q:
            language = await self._meet(q, person)
            reporter = config.reporter(person.id)
            if reporter is None:
                await sends.message(q, chat_id, t(language, "refuse.not_reporter", id=person.id))
                return
            if await q.report_by_command(chat_id, command_message_id) is not None:
                return
            case_id = parse_case_number(args)
            if case_id is None:
                await sends.message(q, chat_id, t(language, "add.usage"))
                return
            case = await q.reported_case(person.id, case_id)
            if case is None:
                await sends.message(q, chat_id, t(language, "status.not_found", case=case_id))
                return
            if case.state.decided:
                await sends.message(q, chat_id, t(language, "add.decided", case=case_id))
                return
            items = await q.draft_items(person.id)
            if not items:
                await sends.message(q, chat_id, t(language, "report.empty"))
                return
            await new_report(
                q,
                reporter,
                chat_id,
                command_message_id,
                items,
                case_id=case_id,
                note=args.strip().split(maxsplit=1)[1] if len(args.split()) > 1 else "",
                status="added",
            )
            await forget_draft_timers(q, person.id)
            await self._attach_evidence(q, case_id, chat_id, [i.message_id for i in items])
            detail = plain(config.language, "add.detail", count=len(items))
            await self._material_arrived(
                q, case, Person(reporter.id, reporter.name), "added", detail
            )
            await sends.message(q, chat_id, t(language, "add.done", case=case_id, count=len(items)))


async def new_report(
    q: Queries,
    reporter: Reporter,
    chat_id: int,
    command_message_id: int,
    items: list[Item],
    *,
    case_id: int | None,
    status: str,
    category: str | None = None,
    note: str = "",
) -> int:
    """A report by `reporter` that takes `items` out of their draft."""
    report_id = await q.insert_report(
        case_id=case_id,
        reporter_id=reporter.id,
        reporter_name=reporter.name,
        organization=reporter.organization,
        chat_id=chat_id,
        command_message_id=command_message_id,
        category=category,
        note=note,
        status=status,
    )
    await q.attach_items(report_id, [item.id for item in items])
    return report_id


async def forget_draft_timers(q: Queries, reporter_id: int) -> None:
    """The draft is empty: no notice about it, no expiry of it."""
    await q.cancel_timer(f"{TIMER_DRAFT_NOTICE}:{reporter_id}")
    await q.cancel_timer(f"{TIMER_DRAFT_EXPIRY}:{reporter_id}")


async def case_evidence(q: Queries, case_id: int) -> list[tuple[int, list[int]]]:
    """The case's evidence as copy batches (chat, message ids), each distinct item once."""
    seen: set[str] = set()
    batches: list[tuple[int, list[int]]] = []
    for report in await q.reports_with_items(case_id):
        fresh = [i for i in await q.items_of_report(report.id) if i.identity not in seen]
        seen.update(i.identity for i in fresh)
        if fresh:
            batches.append((report.chat_id, [i.message_id for i in fresh]))
    return batches


def mention(user_id: int, name: str) -> str:
    return f'<a href="tg://user?id={int(user_id)}">{escape(name)}</a>'
