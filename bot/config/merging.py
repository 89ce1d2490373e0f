"""The file's `categories:` merged over the defaults, with the two ways of taking one away.

Key by key and field by field (see `defaults.merge`), and besides:
- `enabled: false` drops a category, a default one too (`enabled: true` or empty keeps it);
- a reason code set to null drops that reason of a default category;
- an empty reason map of a default category (`take_down: {}`) is refused: merged, it would
  change nothing, which is never what its writer meant.

Problems are (location below `categories`, message); the loader adds the line.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from bot.config.defaults import DEFAULT_CATEGORY_DATA, DEFAULT_CATEGORY_KEYS, merge
from bot.config.messages import show_value
from bot.config.rules import Problem

ENABLED = "enabled"


def merge_categories(override: Mapping[Any, Any]) -> tuple[dict[Any, Any], list[Problem]]:
    """The categories in force, and what is wrong with how the file changes the defaults."""
    merged: dict[Any, Any] = dict(DEFAULT_CATEGORY_DATA)
    problems: list[Problem] = []
    for key, value in override.items():
        if isinstance(value, dict) and ENABLED in value:
            enabled = value[ENABLED]
            value = {name: item for name, item in value.items() if name != ENABLED}
            if enabled is False:
                if key not in DEFAULT_CATEGORY_DATA:
                    problems.extend(_disabling_nothing(key))
                merged.pop(key, None)
                continue
            if enabled not in (True, None):
                problems.append(
                    ((key, ENABLED), f"expected true or false, got {show_value(enabled)}")
                )
        if key in DEFAULT_CATEGORY_DATA and isinstance(value, dict):
            merged[key] = _merge_default(key, value, problems)
        elif key not in DEFAULT_CATEGORY_DATA or value is not None:
            merged[key] = value  # an empty value keeps the default; anything else the schema checks
    return merged, problems


def _disabling_nothing(key: Any) -> list[Problem]:
    """`enabled: false` under a misspelt default would leave that default in force, unseen."""
    close = difflib.get_close_matches(str(key), DEFAULT_CATEGORY_KEYS, n=1, cutoff=0.75)
    if not close:
        return []
    return [
        (
            (key, ENABLED),
            f'"{key}" is not a default category, so this switches nothing off; '
            f'did you mean "{close[0]}"?',
        )
    ]


def _merge_default(key: str, value: dict[Any, Any], problems: list[Problem]) -> Any:
    base = DEFAULT_CATEGORY_DATA[key]
    merged = merge(base, {name: item for name, item in value.items() if name != "reasons"})
    reasons = value.get("reasons")
    if not isinstance(reasons, dict):
        if reasons is not None:
            merged["reasons"] = reasons  # not a mapping: the schema says so
        return merged
    kinds = dict(base["reasons"])
    for kind, codes in reasons.items():
        if kind in kinds and isinstance(codes, dict):
            kinds[kind] = _merge_reasons(key, kind, kinds[kind], codes, problems)
        elif not (kind in kinds and codes is None):
            kinds[kind] = codes
    merged["reasons"] = kinds
    return merged


def _merge_reasons(
    key: str, kind: str, base: dict[str, Any], codes: dict[Any, Any], problems: list[Problem]
) -> dict[Any, Any]:
    """A default category's reasons of one kind; where a problem is found, the defaults stay,
    so that the problem is told once."""
    here = (key, "reasons", kind)
    if not codes:
        problems.append(
            (
                here,
                "an empty map is not allowed: leave the key out to keep the default reasons, "
                "or set a code to null to remove that reason (at least one must stay)",
            )
        )
        return base
    result: dict[Any, Any] = dict(base)
    for code, labels in codes.items():
        if labels is not None:
            result[code] = merge(result[code], labels) if code in result else labels
        elif code in result:
            del result[code]
        else:
            close = difflib.get_close_matches(str(code), list(base), n=1, cutoff=0.75)
            hint = f'did you mean "{close[0]}"?' if close else f"it has {', '.join(base)}"
            problems.append(
                (
                    (*here, code),
                    f"null removes a default reason, but {key} has no {kind} reason "
                    f'"{code}"; {hint}',
                )
            )
    if not result:
        problems.append((here, f"every {kind} reason is removed (set to null); keep at least one"))
        return base
    return result
