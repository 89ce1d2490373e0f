"""Rules between fields, checked on the data as it was given.

A pydantic validator on a field runs only once the field itself is valid, and one that reads
other fields only sees those that are; a rule checked there is reported in a later round, after
the operator fixed everything else. These rules read the raw data instead, skip the values that
are invalid for reasons of their own (those are reported by the schema), and report every broken
rule, so that one run of `check-config` names every problem. The schema runs them (see
`schema._Checked`) for files and for configurations built in code alike.

Each rule yields (location below the section checked, message); messages are complete.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from bot.config.defaults import DEFAULT_CATEGORY_DATA

Loc = tuple[int | str, ...]
Problem = tuple[Loc, str]

_QUOTED_INTEGER = re.compile(r"\s*-?\d+\s*")


def field(data: Any, name: str) -> Any:
    """A field of raw data (a mapping) or of a model already validated (built in code)."""
    if isinstance(data, Mapping):
        return data.get(name)
    if isinstance(data, BaseModel):
        return getattr(data, name, None)
    return None


def is_integer(value: Any) -> bool:
    """An integer as the schema takes it: YAML's true and false are not ids."""
    return isinstance(value, int) and not isinstance(value, bool)


def _as_id(value: Any) -> int | None:
    """An id, also when it was quoted by mistake (the schema reports the quotes)."""
    if is_integer(value):
        return int(value)
    if isinstance(value, str) and _QUOTED_INTEGER.fullmatch(value):
        return int(value)
    return None


def _below(prefix: Loc, problems: Iterable[Problem]) -> Iterator[Problem]:
    for loc, message in problems:
        yield (*prefix, *loc), message


def duplicates(values: Sequence[Any], what: str, suffix: Loc = ()) -> Iterator[Problem]:
    """Every repeat of an id in a list, at the repeat's position."""
    first: dict[int, int] = {}
    for index, value in enumerate(values):
        if not is_integer(value):
            continue
        if value in first:
            yield (
                (index, *suffix),
                f"{what} {value} is listed twice, as items {first[value]} and {index}",
            )
        else:
            first[value] = index


def moderation_problems(data: Any) -> Iterator[Problem]:
    moderators = field(data, "moderators")
    on_duty = field(data, "on_duty")
    if isinstance(moderators, list):
        yield from _below(("moderators",), duplicates(moderators, "user"))
    if isinstance(on_duty, list):
        yield from _below(("on_duty",), duplicates(on_duty, "user"))
        if isinstance(moderators, list):
            known = {_as_id(value) for value in moderators}
            for index, user_id in enumerate(on_duty):
                if is_integer(user_id) and user_id not in known:
                    yield (
                        ("on_duty", index),
                        f"user {user_id} is not one of moderation.moderators",
                    )
    chat_id = field(data, "chat_id")
    escalation = field(data, "escalation_chat_id")
    if is_integer(chat_id) and is_integer(escalation) and escalation == chat_id:
        yield (
            ("escalation_chat_id",),
            f"{escalation} is the moderator group itself (chat_id); use another chat",
        )


def config_problems(data: Any) -> Iterator[Problem]:
    admins = field(data, "admins")
    if isinstance(admins, list):
        yield from _below(("admins",), duplicates(admins, "user"))
    reporters = field(data, "reporters")
    if isinstance(reporters, list):
        ids = [field(reporter, "id") for reporter in reporters]
        yield from _below(("reporters",), duplicates(ids, "reporter id", ("id",)))
    categories = field(data, "categories")
    if isinstance(categories, Mapping):
        yield from _below(("categories",), word_clashes(categories))


# --- the words that name a category -----------------------------------------------------------


def normalize_word(word: str) -> str:
    """How a word is compared: any case, a leading # ignored."""
    word = word.strip()
    if word.startswith("#"):
        word = word[1:]
    return word.casefold()


def category_words(key: str, category: Any) -> Iterator[tuple[Loc, str, str]]:
    """(location below `categories`, word, what it is) for every word naming a category."""
    yield (key,), key, "key"
    labels = field(category, "labels")
    if isinstance(labels, Mapping):
        for lang, label in labels.items():
            if isinstance(lang, str) and isinstance(label, str):
                yield (key, "labels", lang), label, f"{lang} label"
    aliases = field(category, "aliases")
    if isinstance(aliases, list):
        for index, alias in enumerate(aliases):
            if isinstance(alias, str):
                yield (key, "aliases", index), alias, "alias"


def _is_default_word(loc: Loc, word: str) -> bool:
    """Whether this word stands where the defaults put it (rather than where the file did)."""
    default = DEFAULT_CATEGORY_DATA.get(str(loc[0]))
    if default is None:
        return False
    if len(loc) == 1:
        return True
    if loc[1] == "labels":
        return bool(default.get("labels", {}).get(loc[2]) == word)
    return word in default.get("aliases", [])


def word_clashes(categories: Mapping[Any, Any]) -> Iterator[Problem]:
    """Every word that names a second category, blamed where the file put it: the default
    categories' own words are never in conflict with each other, so they are the owners."""
    occurrences: list[tuple[bool, int, Loc, str, str]] = []
    for key, category in categories.items():
        if not isinstance(key, str):
            continue
        for loc, word, kind in category_words(key, category):
            normalized = normalize_word(word)
            if normalized:
                occurrences.append(
                    (not _is_default_word(loc, word), len(occurrences), loc, normalized, kind)
                )
    owners: dict[str, tuple[str, str]] = {}
    for _, _, loc, word, kind in sorted(occurrences):
        key = str(loc[0])
        if word not in owners:
            owners[word] = (key, kind)
            continue
        owner, owner_kind = owners[word]
        if owner != key:
            yield (
                loc,
                f'"{word}" names two categories ({owner_kind} of {owner}, {kind} of {key}); '
                "a key, label or alias must name one category only",
            )
