"""The configuration's schema: every section and key, their types, and the rules between them.

Sections are frozen pydantic models with strict types (YAML gives native ones) and unknown keys
rejected. A validator's message is complete on its own; `messages.py` adds the file, line and key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from bot.config.defaults import DEFAULT_CATEGORY_DATA, DEFAULT_CATEGORY_KEYS

Lang = Literal["en", "id"]
LANGUAGES: tuple[Lang, ...] = ("en", "id")

# Keys that only take effect when the bot restarts; every other key reloads live.
RESTART_KEYS = ("telegram.token", "telegram.api_base_url", "storage.path")

# Category keys and reason codes travel in callback data (64 bytes), so they stay short.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,15}")

# --- field types ------------------------------------------------------------------------------


def problem(message: str, at: tuple[int | str, ...] = ()) -> PydanticCustomError:
    """A validation error whose text is complete; `at` refines the location below the field."""
    return PydanticCustomError("config", "{msg}", {"msg": message, "at": at})


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


def _check_labels(value: dict[Lang, str]) -> dict[Lang, str]:
    missing = [lang for lang in LANGUAGES if lang not in value]
    if missing:
        raise problem(
            f"missing the {' and '.join(missing)} text (every label needs both en and id)"
        )
    for lang, text in value.items():
        if not text.strip():
            raise problem("expected a non-empty string", at=(lang,))
    return value


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
Labels = Annotated[dict[Lang, str], AfterValidator(_check_labels)]
Priority = Annotated[int, AfterValidator(_check_priority)]
Alias = Annotated[str, AfterValidator(_check_alias)]
PositiveMinutes = Annotated[int, Field(gt=0)]
TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]


def _no_duplicates(values: Sequence[int], what: str, suffix: tuple[str, ...] = ()) -> None:
    first: dict[int, int] = {}
    for index, value in enumerate(values):
        if value in first:
            raise problem(
                f"{what} {value} is listed twice, as items {first[value]} and {index}",
                at=(index, *suffix),
            )
        first[value] = index


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


class Moderation(_Section):
    chat_id: GroupId
    moderators: list[UserId]
    escalation_chat_id: GroupId | None = None
    on_duty: list[UserId] = []

    @field_validator("moderators")
    @classmethod
    def _some_moderators(cls, value: list[int]) -> list[int]:
        if not value:
            raise problem("expected at least one moderator's user id")
        _no_duplicates(value, "user")
        return value

    @field_validator("escalation_chat_id")
    @classmethod
    def _distinct_chat(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value == info.data.get("chat_id"):
            raise problem(f"{value} is the moderator group itself (chat_id); use another chat")
        return value

    @field_validator("on_duty")
    @classmethod
    def _on_duty_are_moderators(cls, value: list[int], info: ValidationInfo) -> list[int]:
        _no_duplicates(value, "user")
        moderators = info.data.get("moderators")
        if moderators is not None:
            for index, user_id in enumerate(value):
                if user_id not in moderators:
                    raise problem(
                        f"user {user_id} is not one of moderation.moderators", at=(index,)
                    )
        return value


class Reporter(_Section):
    id: UserId
    name: Text
    organization: Text
    language: Lang | None = None


class Storage(_Section):
    path: Text = "data/desk.sqlite3"


class Intake(_Section):
    draft_ttl_hours: Annotated[float, Field(gt=0, allow_inf_nan=False)] = 24


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


def _category_words(key: str, category: Category) -> Iterator[tuple[str, str]]:
    """(normalized word, what it is) for every word that names the category."""
    yield _normalize_word(key), "key"
    for lang, label in category.labels.items():
        yield _normalize_word(label), f"{lang} label"
    for alias in category.aliases:
        yield _normalize_word(alias), "alias"


def _normalize_word(word: str) -> str:
    word = word.strip()
    if word.startswith("#"):
        word = word[1:]
    return word.casefold()


class Config(_Section):
    telegram: TelegramSettings = TelegramSettings()
    moderation: Moderation
    admins: list[UserId] = []
    reporters: list[Reporter] = []
    storage: Storage = Storage()
    language: Lang = "en"
    # Periods of statistics, exports and reports are days and months in this zone.
    timezone: TimeZoneName = "UTC"
    intake: Intake = Intake()
    categories: dict[Identifier, Category] = Field(default_factory=lambda: default_categories())
    # Where the configuration was read from; set by load_config, never read from the YAML.
    source_path: str = ""

    @field_validator("admins")
    @classmethod
    def _unique_admins(cls, value: list[int]) -> list[int]:
        _no_duplicates(value, "user")
        return value

    @field_validator("reporters")
    @classmethod
    def _unique_reporters(cls, value: list[Reporter]) -> list[Reporter]:
        _no_duplicates([reporter.id for reporter in value], "reporter id", ("id",))
        return value

    @field_validator("categories")
    @classmethod
    def _unambiguous_words(cls, value: dict[str, Category]) -> dict[str, Category]:
        if not value:
            raise problem("expected at least one category")
        owner: dict[str, tuple[str, str]] = {}
        for key, category in value.items():
            for word, kind in _category_words(key, category):
                if word in owner and owner[word][0] != key:
                    other, other_kind = owner[word]
                    raise problem(
                        f'"{word}" names two categories ({other_kind} of {other}, {kind} of '
                        f"{key}); a key, label or alias must name one category only",
                        at=(key,),
                    )
                owner.setdefault(word, (key, kind))
        return value

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
        return chat_id in (self.moderation.chat_id, self.moderation.escalation_chat_id)

    def category_for_word(self, word: str) -> str | None:
        """The category a word names (key, label in any language or alias), or None.

        Case-insensitive; a leading '#' is ignored.
        """
        wanted = _normalize_word(word)
        if not wanted:
            return None
        for key, category in self.categories.items():
            if any(candidate == wanted for candidate, _ in _category_words(key, category)):
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
