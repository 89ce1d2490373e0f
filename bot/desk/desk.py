"""The desk: every use case, wired together once. Handlers and the runtime reach the use cases
through it (`desk.intake.report(...)`, `desk.moderation.press(...)`)."""

from __future__ import annotations

from collections.abc import Callable

from bot.config import Config
from bot.desk.admin import Admin
from bot.desk.alarms import Alarms
from bot.desk.context import DeskContext
from bot.desk.filing import Filing
from bot.desk.guide import Guide
from bot.desk.intake import Intake
from bot.desk.lookup import Lookup
from bot.desk.moderation import Moderation
from bot.desk.questions import Questions
from bot.desk.reporters import ReporterCommands
from bot.desk.stats import Statistics
from bot.desk.timers import TimerDispatch
from bot.store import Store


class Desk:
    def __init__(self, store: Store, config: Callable[[], Config]) -> None:
        self.context = DeskContext(store, config)
        self.store = store
        self.config = config
        self.alarms = Alarms(self.context)
        self.questions = Questions(self.context)
        self.lookup = Lookup(self.context)
        self.intake = Intake(self.context, Filing(self.context, self.alarms), self.questions)
        self.reporters = ReporterCommands(self.context)
        self.guide = Guide(self.context)
        self.moderation = Moderation(self.context, self.questions, self.alarms, self.lookup)
        self.admin = Admin(self.context)
        self.stats = Statistics(self.context)
        self.timers = TimerDispatch(store, self.intake, self.alarms, self.admin)
