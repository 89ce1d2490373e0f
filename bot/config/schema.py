"""The configuration's schema: every section and key, their types, and the rules between them.

Sections are frozen pydantic models with strict types (YAML gives native ones) and unknown keys
rejected. A validator's message is complete on its own; `messages.py` adds the file, line and key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence, Sized
from functools import cache
from typing import Annotated, Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError

from bot.config import rules
from bot.config.defaults import DEFAULT_CATEGORY_DATA, DEFAULT_CATEGORY_KEYS

Lang = Literal["en", "id"]
LANGUAGES: tuple[Lang, ...] = ("en", "id")

# Keys that only take effect when the bot restarts; every other key reloads live.
RESTART_KEYS = (
    "telegram.token",
    "telegram.api_base_url",
    "storage.path",
    "monitoring",
    "monitoring.listen",
)

# Category keys and reason codes travel in callback data (64 bytes), so they stay short.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,15}")

SizedValue = TypeVar("SizedValue", bound=Sized)

# --- field types ------------------------------------------------------------------------------


def problem(message: str, at: tuple[int | str, ...] = ()) -> PydanticCustomError:
    """A validation error whose text is complete; `at` refines the location below the field."""
    return PydanticCustomError("config", "{msg}", {"msg": message, "at": at})


def _at_least_one(what: str) -> Callable[[SizedValue], SizedValue]:
    """A check that a list or a map holds at least one `what`."""

    def check(value: SizedValue) -> SizedValue:
        if not value:
            raise problem(f"expected at least one {what}")
        return value

    return check


def _check_identifier(value: str) -> str:
    if not _IDENTIFIER.fullmatch(value):
        raise problem(
            f"{json.dumps(value, ensure_ascii=False)} is not a valid key: use a lowercase letter, "
            "then up to 15 lowercase letters, digits or _"
        )
    return value


def _check_user_id(value: int) -> int:
    if value <= 0:
        raise problem(f"expected a Telegram user id (a positive integer), got {value}")
    return value


def _check_group_id(value: int) -> int:
    if value >= 0:
        raise problem(
            f"expected a group id (a negative integer such as -1001234567890), got {value}"
        )
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise problem("expected a non-empty string")
    return value


def _reraisable(error: ErrorDetails) -> InitErrorDetails:
    """A reported error in the form pydantic takes to raise it again, unchanged."""
    context = error.get("ctx")
    if error["type"] == "config" and context is not None:
        kind = problem(str(context["msg"]), tuple(context.get("at", ())))
    else:
        kind = PydanticCustomError(error["type"], error["msg"], context)
    return {"type": kind, "loc": error["loc"], "input": error["input"]}


def with_problems(
    value: Any, handler: Callable[[Any], Any], problems: Sequence[rules.Problem]
) -> Any:
    """Validate `value` and report `problems` (rules between its fields) in the same error, so
    neither waits for the other to be fixed."""
    if not problems:
        return handler(value)
    errors: list[InitErrorDetails] = []
    try:
        handler(value)
    except ValidationError as exc:
        errors.extend(_reraisable(error) for error in exc.errors())
    errors.extend(
        {"type": problem(message), "loc": loc, "input": value} for loc, message in problems
    )
    raise ValidationError.from_exception_data("configuration", errors)


def _complete_labels(value: Any, handler: Callable[[Any], Any]) -> Any:
    missing = [lang for lang in LANGUAGES if lang not in value] if isinstance(value, dict) else []
    text = f"missing the {' and '.join(missing)} text (every label needs both en and id)"
    return with_problems(value, handler, [((), text)] if missing else [])


def _check_priority(value: int) -> int:
    if not 1 <= value <= 9:
        raise problem(f"expected a priority from 1 (most urgent) to 9, got {value}")
    return value


def _check_alias(value: str) -> str:
    if not value.strip() or any(ch.isspace() for ch in value):
        raise problem(f"expected a single word, got {json.dumps(value, ensure_ascii=False)}")
    return value


def _check_time_zone(value: str) -> str:
    try:
        zone_named(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise problem(
            f"unknown time zone {json.dumps(value, ensure_ascii=False)}: use an IANA name such "
            "as Asia/Jakarta, Europe/Brussels or UTC"
        ) from None
    return value


@cache
def zone_named(name: str) -> ZoneInfo:
    """The time zone of an IANA name (tzdata supplies the database where the system has none)."""
    return ZoneInfo(name)


Identifier = Annotated[str, AfterValidator(_check_identifier)]
UserId = Annotated[int, AfterValidator(_check_user_id)]
GroupId = Annotated[int, AfterValidator(_check_group_id)]
Text = Annotated[str, AfterValidator(_check_text)]
Labels = Annotated[dict[Lang, Text], WrapValidator(_complete_labels)]
Priority = Annotated[int, AfterValidator(_check_priority)]
Alias = Annotated[str, AfterValidator(_check_alias)]
PositiveMinutes = Annotated[int, Field(gt=0)]
TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]


class _Section(BaseModel):
    """Common settings: immutable, strict types (YAML gives native ones), unknown keys rejected."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_means_default(cls, data: Any) -> Any:
        """An empty value (`key:` with nothing after it) for an optional key means its default."""
        if not isinstance(data, dict):
            return data
        fields = cls.model_fields
        return {
            key: value
            for key, value in data.items()
            if not (
                value is None
                and key in fields
                and not fields[key].is_required()
                and fields[key].default is not None
            )
        }


class _Checked(_Section):
    """A section with rules between its fields (`_rules`), reported with its other problems."""

    @classmethod
    def _rules(cls, data: Any) -> list[rules.Problem]:
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: Callable[[Any], Any]) -> Any:
        # A model instance given in code was checked when it was built.
        return with_problems(data, handler, cls._rules(data) if isinstance(data, dict) else [])


# --- the schema -------------------------------------------------------------------------------


class TelegramSettings(_Section):
    token: str | None = None
    api_base_url: str = "https://api.telegram.org/bot"

    @field_validator("token")
    @classmethod
    def _blank_token_is_none(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        return value

    @field_validator("api_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise problem(
                "expected an http:// or https:// URL such as https://api.telegram.org/bot, got "
                + json.dumps(value, ensure_ascii=False)
            )
        return value


class Moderation(_Checked):
    chat_id: GroupId
    moderators: Annotated[list[UserId], AfterValidator(_at_least_one("moderator's user id"))]
    escalation_chat_id: GroupId | None = None
    on_duty: list[UserId] = []

    @property
    def chats(self) -> list[int]:
        """Moderator space: the moderator group, and the escalation chat if there is one."""
        return [c for c in (self.chat_id, self.escalation_chat_id) if c is not None]

    @classmethod
    def _rules(cls, data: Any) -> list[rules.Problem]:
        """No one twice, on duty only moderators, escalation elsewhere than the group."""
        return list(rules.moderation_problems(data))


class Reporter(_Section):
    id: UserId
    name: Text
    organization: Text
    language: Lang | None = None


class Storage(_Section):
    path: Text = "data/desk.sqlite3"


class Intake(_Section):
    draft_ttl_hours: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 24
    # Items a draft takes; past it, the reporter is told what was not taken.
    max_draft_items: Annotated[int, Field(gt=0)] = 200
    # Reports a reporter may make in any hour; past it, they are told when they can go on.
    max_reports_per_hour: Annotated[int, Field(gt=0)] = 300
    # Evidence messages a case copies into a chat by itself; moderators ask for the rest.
    evidence_auto: Annotated[int, Field(gt=0)] = 10


PositiveDays = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class Retention(_Section):
    """Days to keep what the desk no longer needs; the facts of every case are never erased."""

    raw_updates_days: PositiveDays = 7
    sent_messages_days: PositiveDays = 30
    decided_content_days: PositiveDays = 365


class Backup(_Section):
    """Scheduled copies of the database, made while the bot runs."""

    dir: Text = "backups"
    every_hours: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 24
    keep: Annotated[int, Field(gt=0)] = 7


def _check_listen(value: str) -> str:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        shown = json.dumps(value, ensure_ascii=False)
        raise problem(f"expected host:port such as 127.0.0.1:9464, got {shown}")
    return value


class Monitoring(_Section):
    """Where /healthz and /metrics are served (keep it on loopback or a private network)."""

    listen: Annotated[str, AfterValidator(_check_listen)] = "127.0.0.1:9464"


class Targets(_Section):
    """Response-time targets in minutes, counted from the first report (or the reopen)."""

    first_action_min: PositiveMinutes
    decision_min: PositiveMinutes

    @model_validator(mode="after")
    def _first_action_first(self) -> Targets:
        if self.first_action_min > self.decision_min:
            raise problem(
                f"first_action_min ({self.first_action_min}) is longer than decision_min "
                f"({self.decision_min}); a decision is also a first action"
            )
        return self


def _some_reasons(value: dict[str, dict[Lang, str]]) -> dict[str, dict[Lang, str]]:
    if not value:
        raise problem("expected at least one reason (code: {en: ..., id: ...})")
    return value


ReasonMap = Annotated[dict[Identifier, Labels], AfterValidator(_some_reasons)]


class Reasons(_Section):
    """Reason codes (carried by buttons) and their labels, for each kind of decision."""

    take_down: ReasonMap
    dismiss: ReasonMap


class Category(_Section):
    labels: Labels
    aliases: list[Alias] = []
    priority: Priority
    targets: Targets
    reasons: Reasons

    def label(self, lang: str) -> str:
        """The label in `lang`, falling back to English."""
        return self.labels["id"] if lang == "id" else self.labels["en"]


class Config(_Checked):
    telegram: TelegramSettings = TelegramSettings()
    moderation: Moderation
    admins: list[UserId] = []
    reporters: list[Reporter] = []
    storage: Storage = Storage()
    language: Lang = "en"
    # Periods of statistics, exports and reports are days and months in this zone.
    timezone: TimeZoneName = "UTC"
    intake: Intake = Intake()
    retention: Retention = Retention()
    backup: Backup | None = None
    monitoring: Monitoring | None = None
    categories: Annotated[
        dict[Identifier, Category],
        AfterValidator(_at_least_one("category (not every one can be switched off)")),
    ] = Field(default_factory=lambda: default_categories())
    # Where the configuration was read from; set by load_config, never read from the YAML.
    source_path: str = ""

    # Line of every key in the file it was read from (set by load_config; empty in code).
    _lines: dict[tuple[str, ...], int] = PrivateAttr(default_factory=dict)

    @classmethod
    def _rules(cls, data: Any) -> list[rules.Problem]:
        """No id listed twice; no word naming two categories."""
        return list(rules.config_problems(data))

    def source_line(self, path: Sequence[int | str]) -> int | None:
        """The line of the key at `path` in the file read (or of its nearest ancestor there)."""
        key = tuple(str(part) for part in path)
        while key:
            if key in self._lines:
                return self._lines[key]
            key = key[:-1]
        return self._lines.get(())

    @property
    def zone(self) -> ZoneInfo:
        return zone_named(self.timezone)

    def reporter(self, user_id: int) -> Reporter | None:
        for reporter in self.reporters:
            if reporter.id == user_id:
                return reporter
        return None

    def is_moderator(self, user_id: int) -> bool:
        return user_id in self.moderation.moderators

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins

    def is_moderator_space(self, chat_id: int) -> bool:
        """The moderator group and the escalation chat: where cards live and moderators act."""
        return chat_id in self.moderation.chats

    def category_for_word(self, word: str) -> str | None:
        """The category a word names (key, label in any language or alias), or None.

        Case-insensitive; a leading '#' is ignored.
        """
        wanted = rules.normalize_word(word)
        if not wanted:
            return None
        for key, category in self.categories.items():
            words = rules.category_words(key, category)
            if any(rules.normalize_word(candidate) == wanted for _, candidate, _ in words):
                return key
        return None

    def categories_by_urgency(self) -> list[tuple[str, Category]]:
        """Most urgent first; ties keep the order of the defaults, then the file's order."""
        rank = {key: index for index, key in enumerate(DEFAULT_CATEGORY_KEYS)}
        items = list(self.categories.items())
        order = {key: index for index, (key, _) in enumerate(items)}
        return sorted(
            items,
            key=lambda item: (item[1].priority, rank.get(item[0], len(rank)), order[item[0]]),
        )


@cache
def _validated_defaults() -> tuple[tuple[str, Category], ...]:
    return tuple(
        (key, Category.model_validate(data)) for key, data in DEFAULT_CATEGORY_DATA.items()
    )


def default_categories() -> dict[str, Category]:
    """The nine built-in categories (defaults.yaml), in their canonical order."""
    return dict(_validated_defaults())
