"""The configuration file: its schema, its defaults, and errors that name file, line and key.

`load_config` reads a YAML file into a frozen `Config`. Every problem becomes a `ConfigError`
whose messages read like ``reporters[2].id: expected an integer, got "abc" (config.yaml line 14)``.
The `categories:` section is merged key by key, field by field, over `default_categories()`.
The bot token is resolved separately (`resolve_token`): BOT_TOKEN in the environment wins.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import types
import typing
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from functools import cache
from typing import Annotated, Any, Literal, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

__all__ = [
    "DEFAULT_CATEGORY_KEYS",
    "LANGUAGES",
    "RESTART_KEYS",
    "Category",
    "Config",
    "ConfigError",
    "Intake",
    "Lang",
    "Moderation",
    "Reasons",
    "Reporter",
    "Storage",
    "Targets",
    "TelegramSettings",
    "changed_keys",
    "default_categories",
    "load_config",
    "parse_config",
    "resolve_token",
    "summary",
]

Lang = Literal["en", "id"]
LANGUAGES: tuple[Lang, ...] = ("en", "id")

# Keys that only take effect when the bot restarts; every other key reloads live.
RESTART_KEYS = ("telegram.token", "telegram.api_base_url", "storage.path")

TOKEN_ENV = "BOT_TOKEN"

# Category keys and reason codes travel in callback data (64 bytes), so they stay short.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]{0,15}")


class ConfigError(Exception):
    """Everything wrong with a configuration, one human-readable message per problem."""

    def __init__(self, messages: str | Sequence[str]) -> None:
        self.messages: list[str] = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))

    def __str__(self) -> str:
        return "\n".join(self.messages)


# --- field types ------------------------------------------------------------------------------


def _problem(message: str, at: tuple[int | str, ...] = ()) -> PydanticCustomError:
    """A validation error whose text is complete; `at` refines the location below the field."""
    return PydanticCustomError("config", "{msg}", {"msg": message, "at": at})


def _check_identifier(value: str) -> str:
    if not _IDENTIFIER.fullmatch(value):
        raise _problem(
            f"{json.dumps(value, ensure_ascii=False)} is not a valid key: use a lowercase letter, "
            "then up to 15 lowercase letters, digits or _"
        )
    return value


def _check_user_id(value: int) -> int:
    if value <= 0:
        raise _problem(f"expected a Telegram user id (a positive integer), got {value}")
    return value


def _check_group_id(value: int) -> int:
    if value >= 0:
        raise _problem(
            f"expected a group id (a negative integer such as -1001234567890), got {value}"
        )
    return value


def _check_text(value: str) -> str:
    if not value.strip():
        raise _problem("expected a non-empty string")
    return value


def _check_labels(value: dict[Lang, str]) -> dict[Lang, str]:
    missing = [lang for lang in LANGUAGES if lang not in value]
    if missing:
        raise _problem(
            f"missing the {' and '.join(missing)} text (every label needs both en and id)"
        )
    for lang, text in value.items():
        if not text.strip():
            raise _problem("expected a non-empty string", at=(lang,))
    return value


def _check_priority(value: int) -> int:
    if not 1 <= value <= 9:
        raise _problem(f"expected a priority from 1 (most urgent) to 9, got {value}")
    return value


def _check_alias(value: str) -> str:
    if not value.strip() or any(ch.isspace() for ch in value):
        raise _problem(f"expected a single word, got {json.dumps(value, ensure_ascii=False)}")
    return value


Identifier = Annotated[str, AfterValidator(_check_identifier)]
UserId = Annotated[int, AfterValidator(_check_user_id)]
GroupId = Annotated[int, AfterValidator(_check_group_id)]
Text = Annotated[str, AfterValidator(_check_text)]
Labels = Annotated[dict[Lang, str], AfterValidator(_check_labels)]
Priority = Annotated[int, AfterValidator(_check_priority)]
Alias = Annotated[str, AfterValidator(_check_alias)]
PositiveMinutes = Annotated[int, Field(gt=0)]


def _no_duplicates(values: Sequence[int], what: str, suffix: tuple[str, ...] = ()) -> None:
    first: dict[int, int] = {}
    for index, value in enumerate(values):
        if value in first:
            raise _problem(
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
            raise _problem(
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
            raise _problem("expected at least one moderator's user id")
        _no_duplicates(value, "user")
        return value

    @field_validator("escalation_chat_id")
    @classmethod
    def _distinct_chat(cls, value: int | None, info: ValidationInfo) -> int | None:
        if value is not None and value == info.data.get("chat_id"):
            raise _problem(f"{value} is the moderator group itself (chat_id); use another chat")
        return value

    @field_validator("on_duty")
    @classmethod
    def _on_duty_are_moderators(cls, value: list[int], info: ValidationInfo) -> list[int]:
        _no_duplicates(value, "user")
        moderators = info.data.get("moderators")
        if moderators is not None:
            for index, user_id in enumerate(value):
                if user_id not in moderators:
                    raise _problem(
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
            raise _problem(
                f"first_action_min ({self.first_action_min}) is longer than decision_min "
                f"({self.decision_min}); a decision is also a first action"
            )
        return self


def _some_reasons(value: dict[str, dict[Lang, str]]) -> dict[str, dict[Lang, str]]:
    if not value:
        raise _problem("expected at least one reason (code: {en: ..., id: ...})")
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
            raise _problem("expected at least one category")
        owner: dict[str, tuple[str, str]] = {}
        for key, category in value.items():
            for word, kind in _category_words(key, category):
                if word in owner and owner[word][0] != key:
                    other, other_kind = owner[word]
                    raise _problem(
                        f'"{word}" names two categories ({other_kind} of {other}, {kind} of '
                        f"{key}); a key, label or alias must name one category only",
                        at=(key,),
                    )
                owner.setdefault(word, (key, kind))
        return value

    def reporter(self, user_id: int) -> Reporter | None:
        for reporter in self.reporters:
            if reporter.id == user_id:
                return reporter
        return None

    def is_moderator(self, user_id: int) -> bool:
        return user_id in self.moderation.moderators

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.admins

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


# --- defaults ---------------------------------------------------------------------------------

_DISMISS: dict[str, dict[str, str]] = {
    "not_illegal": {"en": "not illegal", "id": "tidak melanggar hukum"},
    "insufficient": {"en": "insufficient evidence", "id": "bukti tidak cukup"},
    "already_removed": {"en": "already removed", "id": "sudah dihapus"},
    "not_found": {"en": "content not found", "id": "konten tidak ditemukan"},
    "duplicate": {"en": "duplicate of another case", "id": "duplikat kasus lain"},
}


def _default(
    en: str,
    id_: str,
    aliases: list[str],
    priority: int,
    first_action_min: int,
    decision_min: int,
    take_down: dict[str, tuple[str, str]],
) -> dict[str, Any]:
    return {
        "labels": {"en": en, "id": id_},
        "aliases": aliases,
        "priority": priority,
        "targets": {"first_action_min": first_action_min, "decision_min": decision_min},
        "reasons": {
            "take_down": {code: {"en": e, "id": i} for code, (e, i) in take_down.items()},
            "dismiss": {code: dict(labels) for code, labels in _DISMISS.items()},
        },
    }


# The raw form of the defaults: the YAML `categories:` section is merged over this.
_DEFAULT_CATEGORY_DATA: dict[str, dict[str, Any]] = {
    "terrorism": _default(
        "Terrorism",
        "Terorisme",
        ["teror", "terror", "terorisme", "teroris", "terrorist"],
        1,
        15,
        60,
        {
            "propaganda": ("terrorist propaganda", "propaganda terorisme"),
            "incitement": ("incitement to violence", "hasutan kekerasan"),
            "recruitment": (
                "recruitment or support for a terrorist group",
                "perekrutan atau dukungan untuk kelompok teroris",
            ),
        },
    ),
    "child_abuse": _default(
        "Child sexual abuse",
        "Kekerasan seksual anak",
        ["csam", "pedo", "ksa"],
        1,
        15,
        60,
        {
            "csam": ("child sexual abuse material", "materi kekerasan seksual anak"),
            "exploitation": ("sexual exploitation of a child", "eksploitasi seksual anak"),
            "grooming": ("grooming of a child", "pendekatan seksual terhadap anak"),
        },
    ),
    "radicalism": _default(
        "Radicalism",
        "Radikalisme",
        ["radikal", "radikalisme", "radical", "extremism", "ekstremisme"],
        2,
        60,
        240,
        {
            "extremism": ("violent extremist content", "konten ekstremisme kekerasan"),
            "incitement": ("incitement to violence", "hasutan kekerasan"),
        },
    ),
    "hate_speech": _default(
        "Hate speech (SARA)",
        "Ujaran kebencian (SARA)",
        ["sara", "hate", "kebencian", "hatespeech"],
        2,
        60,
        480,
        {
            "sara": (
                "hatred based on ethnicity, religion, race or group",
                "kebencian berdasarkan suku, agama, ras, atau antargolongan",
            ),
            "incitement": (
                "incitement to violence or discrimination",
                "hasutan kekerasan atau diskriminasi",
            ),
        },
    ),
    "disinformation": _default(
        "Hoax / disinformation",
        "Hoaks / disinformasi",
        ["hoax", "hoaks", "disinfo", "disinformasi", "misinfo"],
        3,
        240,
        1440,
        {
            "hoax": (
                "false information that misleads the public",
                "informasi palsu yang menyesatkan publik",
            ),
            "manipulated": ("manipulated or fabricated media", "media yang dimanipulasi"),
            "impersonation": ("impersonation of an official source", "mencatut sumber resmi"),
        },
    ),
    "pornography": _default(
        "Pornography",
        "Pornografi",
        ["porn", "porno", "pornografi"],
        3,
        240,
        1440,
        {
            "pornographic": ("pornographic content", "konten pornografi"),
            "non_consensual": (
                "intimate images shared without consent",
                "konten intim tanpa persetujuan",
            ),
        },
    ),
    "gambling": _default(
        "Online gambling",
        "Judi online",
        ["judi", "judol", "gamble", "gambling"],
        3,
        240,
        1440,
        {
            "promotion": ("promotion of online gambling", "promosi judi online"),
            "gambling_site": ("gambling site or account", "situs atau akun judi"),
        },
    ),
    "fraud": _default(
        "Fraud / scam",
        "Penipuan",
        ["scam", "penipuan", "tipu"],
        3,
        240,
        1440,
        {
            "scam": ("fraud or scam", "penipuan"),
            "phishing": ("phishing", "pencurian data (phishing)"),
            "impersonation": ("impersonation", "peniruan identitas"),
        },
    ),
    "other": _default(
        "Other",
        "Lainnya",
        ["lain", "lainnya"],
        4,
        480,
        2880,
        {
            "illegal": ("illegal content", "konten ilegal"),
            "terms": ("violates the terms of service", "melanggar ketentuan layanan"),
        },
    ),
}

DEFAULT_CATEGORY_KEYS: tuple[str, ...] = tuple(_DEFAULT_CATEGORY_DATA)


@cache
def _validated_defaults() -> tuple[tuple[str, Category], ...]:
    return tuple(
        (key, Category.model_validate(data)) for key, data in _DEFAULT_CATEGORY_DATA.items()
    )


def default_categories() -> dict[str, Category]:
    """The nine built-in categories, in their canonical order."""
    return dict(_validated_defaults())


def _merge(base: Any, override: Any) -> Any:
    """`override` over `base`: mappings merge key by key; anything else replaces.

    An empty value (None) over an existing key changes nothing.
    """
    if not (isinstance(base, dict) and isinstance(override, dict)):
        return override
    merged = dict(base)
    for key, value in override.items():
        if key in base:
            if value is not None:
                merged[key] = _merge(base[key], value)
        else:
            merged[key] = value
    return merged


# --- loading ----------------------------------------------------------------------------------

_Lines = dict[tuple[str, ...], int]
_Part = int | str


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a configuration file; raise ConfigError describing every problem."""
    name = os.fspath(path)
    try:
        with open(name, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        raise ConfigError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{name}: is a directory, not a file") from None
    except PermissionError:
        raise ConfigError(f"{name}: permission denied") from None
    except OSError as exc:
        raise ConfigError(f"{name}: could not read the file ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text (bad byte at offset {exc.start})") from None
    return parse_config(text, name)


def parse_config(text: str, source_path: str = "config.yaml") -> Config:
    """Validate YAML text as if it were read from `source_path` (used in messages)."""
    data, lines, problems = _read_yaml(text, source_path)
    if data is None:
        raise ConfigError(
            f"{source_path}: the file is empty; it needs at least a moderation: section "
            "(see config.example.yaml)"
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source_path} line {lines.get((), 1)}: expected a mapping of settings at the top "
            f"level, got {_show(data)}"
        )
    if "source_path" in data:
        problems.append(
            (
                lines.get(("source_path",)),
                _unknown_key_message(
                    ["source_path"], data, lines, source_path, _allowed_keys([]) or []
                ),
            )
        )
        data = {key: value for key, value in data.items() if key != "source_path"}
    categories = data.get("categories")
    if categories is None or isinstance(categories, dict):
        data = {**data, "categories": _merge(_DEFAULT_CATEGORY_DATA, categories or {})}
    try:
        config = Config.model_validate({**data, "source_path": source_path})
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(_translate(error, data, lines, source_path))
    if problems:
        order = sorted(
            enumerate(problems),
            key=lambda item: (item[1][0] is None, item[1][0] or 0, item[0]),
        )
        raise ConfigError([message for _, (_, message) in order])
    return config


def _read_yaml(text: str, name: str) -> tuple[Any, _Lines, list[tuple[int | None, str]]]:
    """Parse YAML into data, a map from key path to (1-based) line, and duplicate-key problems."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as NUL
        line = text[: exc.position].count("\n") + 1
        raise ConfigError(
            f"{name} line {line}: could not parse YAML: {exc.reason} "
            f"(character #x{exc.character:04x})"
        ) from None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(_yaml_error_message(exc, name)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: could not parse YAML: {exc}") from None
    finally:
        loader.dispose()
    lines: _Lines = {}
    problems: list[tuple[int | None, str]] = []
    if node is not None:
        lines[()] = node.start_mark.line + 1
        _map_lines(node, [], lines, problems, name, set())
    return data, lines, problems


def _yaml_error_message(exc: yaml.MarkedYAMLError, name: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{name} line {mark.line + 1}" if mark is not None else name
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context:
        problem += f" ({exc.context}"
        if exc.context_mark is not None:
            problem += f" on line {exc.context_mark.line + 1}"
        problem += ")"
    if "'\\t'" in problem:
        problem += "; indent with spaces, not tabs"
    return f"{where}: could not parse YAML: {problem}"


def _map_lines(
    node: yaml.Node,
    path: list[_Part],
    lines: _Lines,
    problems: list[tuple[int | None, str]],
    name: str,
    visiting: set[int],
) -> None:
    if id(node) in visiting:  # a recursive alias
        return
    visiting.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                continue
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                where = _format_path([*path, key])
                problems.append(
                    (
                        line,
                        f"{where}: this key appears twice (lines {seen[key]} and {line}); "
                        f"keep one ({name} line {line})",
                    )
                )
            else:
                seen[key] = line
            lines.setdefault(_line_key([*path, key]), line)
            _map_lines(value_node, [*path, key], lines, problems, name, visiting)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault(_line_key([*path, index]), item.start_mark.line + 1)
            _map_lines(item, [*path, index], lines, problems, name, visiting)
    visiting.discard(id(node))


def _line_key(parts: Sequence[_Part]) -> tuple[str, ...]:
    return tuple(str(part) for part in parts)


def _line_of(parts: Sequence[_Part], lines: _Lines) -> int | None:
    """The line of the key at `parts`, or of its nearest ancestor that is in the file."""
    key = _line_key(parts)
    while True:
        if key in lines:
            return lines[key]
        if not key:
            return None
        key = key[:-1]


def _format_path(parts: Sequence[_Part]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            shown = part if re.fullmatch(r"[\w-]+", part) else json.dumps(part, ensure_ascii=False)
            text += f".{shown}" if text else shown
    return text


def _parts(loc: Sequence[Any], data: Any) -> list[_Part]:
    """A pydantic location as path parts: ints for list positions, strings for keys."""
    parts: list[_Part] = []
    current = data
    for element in loc:
        if isinstance(current, list) and isinstance(element, int):
            parts.append(element)
            current = current[element] if 0 <= element < len(current) else None
        else:
            parts.append(str(element))
            current = current.get(element) if isinstance(current, dict) else None
    return parts


def _show(value: Any) -> str:
    """A short, YAML-flavoured description of an offending value."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return json.dumps(shown, ensure_ascii=False)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [arg for arg in get_args(annotation) if arg is not type(None)]
            if len(members) != 1:
                return annotation
            annotation = members[0]
        else:
            return annotation


def _allowed_keys(loc: Sequence[Any]) -> list[str] | None:
    """The keys the schema allows in the mapping at `loc`, if it is a settings section."""
    annotation: Any = Config
    for element in loc:
        annotation = _unwrap(annotation)
        origin = get_origin(annotation)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(str(element))
            if field is None:
                return None
            annotation = field.annotation
        elif origin is list:
            annotation = get_args(annotation)[0]
        elif origin is dict:
            annotation = get_args(annotation)[1]
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [key for key in annotation.model_fields if key != "source_path"]
    return None


def _unknown_key_message(
    loc: Sequence[Any], data: Any, lines: _Lines, name: str, allowed: list[str]
) -> str:
    parts = _parts(loc, data)
    key = str(loc[-1])
    matches = [option for option in allowed if option.casefold() == key.casefold()]
    matches = matches or difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if matches:
        text = f'unknown key, did you mean "{matches[0]}"?'
    else:
        text = f"unknown key (allowed here: {', '.join(allowed)})"
    return f"{_format_path(parts)}: {text}{_where(_line_of(parts, lines), name)}"


def _where(line: int | None, name: str) -> str:
    return f" ({name} line {line})" if line is not None else f" ({name})"


_EXPECTATIONS = {
    "int_type": "expected an integer",
    "int_parsing": "expected an integer",
    "int_from_float": "expected an integer",
    "float_type": "expected a number",
    "float_parsing": "expected a number",
    "finite_number": "expected a finite number",
    "string_type": "expected a string",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected a mapping",
    "model_type": "expected a mapping",
    "model_attributes_type": "expected a mapping",
    "string_too_short": "expected a non-empty string",
    "too_short": "expected at least one entry",
}


def _translate(error: Any, data: Any, lines: _Lines, name: str) -> tuple[int | None, str]:
    """One pydantic error as (line, message)."""
    loc: list[Any] = list(error["loc"])
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    if kind == "extra_forbidden" and loc:
        allowed = _allowed_keys(loc[:-1]) or []
        parts = _parts(loc, data)
        return _line_of(parts, lines), _unknown_key_message(loc, data, lines, name, allowed)
    if kind == "config":
        loc += list(ctx.get("at", ()))
    parts = _parts(loc, data)
    line = _line_of(parts, lines)
    secret = [str(part) for part in parts[:2]] == ["telegram", "token"]

    if kind == "missing":
        text = "required key missing" + _new_category_hint(parts)
    elif kind == "config":
        text = str(ctx.get("msg", error["msg"]))
    else:
        if kind in _EXPECTATIONS:
            text = _EXPECTATIONS[kind]
        elif kind == "literal_error":
            options = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
            text = "expected one of " + "/".join(options)
        elif kind == "greater_than":
            bound = ctx.get("gt")
            text = "expected a positive number" if bound == 0 else f"expected more than {bound}"
        elif kind == "greater_than_equal":
            text = f"expected at least {ctx.get('ge')}"
        elif kind == "less_than_equal":
            text = f"expected at most {ctx.get('le')}"
        else:
            message = str(error["msg"])
            for prefix in ("Value error, ", "Assertion failed, "):
                message = message.removeprefix(prefix)
            text = message[:1].lower() + message[1:]
        if is_key:
            text = f"invalid key, {text}"
        elif not secret:
            text += f", got {_show(value)}"
            if kind == "string_type" and isinstance(value, int | float):
                text += " (put it in quotes)"
    path = _format_path(parts) or "(top level)"
    return line, f"{path}: {text}{_where(line, name)}"


def _new_category_hint(parts: Sequence[_Part]) -> str:
    """For a category that is not a default: it must be complete; maybe it is a typo."""
    if len(parts) != 3 or parts[0] != "categories" or parts[1] in _DEFAULT_CATEGORY_DATA:
        return ""
    hint = " (a new category must give labels, priority, targets and reasons"
    close = difflib.get_close_matches(str(parts[1]), DEFAULT_CATEGORY_KEYS, n=1, cutoff=0.75)
    if close:
        hint += f'; did you mean "{close[0]}"?'
    return hint + ")"


# --- token, summary, reload -------------------------------------------------------------------


def resolve_token(config: Config, environ: Mapping[str, str]) -> str:
    """BOT_TOKEN from the environment wins over telegram.token; the token is never printed."""
    token = environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    if config.telegram.token:
        return config.telegram.token.strip()
    raise ConfigError(
        f"no bot token: set {TOKEN_ENV} in the environment (or telegram.token in config.yaml)"
    )


def _minutes(total: int) -> str:
    hours, minutes = divmod(total, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h" if not minutes else f"{hours} h {minutes} min"


def _ids(values: Sequence[int]) -> str:
    return ", ".join(str(value) for value in values) if values else "none"


def summary(config: Config) -> str:
    """A human-readable overview of a configuration (for `check-config`); never the token."""
    organizations = Counter(reporter.organization for reporter in config.reporters)
    by_organization = ", ".join(f"{org}: {count}" for org, count in sorted(organizations.items()))
    moderation = config.moderation
    lines = [
        f"Configuration: {config.source_path or '(not from a file)'}",
        f"Moderator group: {moderation.chat_id}",
        "Escalation chat: "
        + ("none" if moderation.escalation_chat_id is None else str(moderation.escalation_chat_id)),
        f"Moderators ({len(moderation.moderators)}): {_ids(moderation.moderators)}",
        f"On duty ({len(moderation.on_duty)}): {_ids(moderation.on_duty)}",
        f"Admins ({len(config.admins)}): {_ids(config.admins)}",
        f"Reporters: {len(config.reporters)}"
        + (f" ({by_organization})" if by_organization else ""),
        f"Language: {config.language}",
        f"Storage: {config.storage.path}",
        f"Bot API: {config.telegram.api_base_url}",
        "Token in the file: "
        + ("yes (BOT_TOKEN in the environment wins)" if config.telegram.token else "no"),
        f"Drafts expire after: {config.intake.draft_ttl_hours:g} h",
        f"Categories by urgency ({len(config.categories)}):",
    ]
    width = max(len(key) for key in config.categories)
    for key, category in config.categories_by_urgency():
        targets = category.targets
        lines.append(
            f"  P{category.priority}  {key:<{width}}  first action "
            f"{_minutes(targets.first_action_min)}, decision {_minutes(targets.decision_min)}; "
            f"{category.labels['en']} | {category.labels['id']}; "
            f"reasons: {len(category.reasons.take_down)} take-down, "
            f"{len(category.reasons.dismiss)} dismiss"
        )
    return "\n".join(lines)


def changed_keys(old: Config, new: Config) -> list[str]:
    """Dotted paths whose values differ: `section.key` for sections, `categories.<key>` for
    categories, the key itself for top-level values. Compare with RESTART_KEYS."""
    changed: list[str] = []
    for name in Config.model_fields:
        if name == "source_path":
            continue
        before, after = getattr(old, name), getattr(new, name)
        if before == after:
            continue
        if isinstance(before, BaseModel) and isinstance(after, BaseModel):
            for field in type(before).model_fields:
                if getattr(before, field) != getattr(after, field):
                    changed.append(f"{name}.{field}")
        elif name == "categories":
            keys = list(before) + [key for key in after if key not in before]
            changed.extend(f"categories.{key}" for key in keys if before.get(key) != after.get(key))
        else:
            changed.append(name)
    return changed
