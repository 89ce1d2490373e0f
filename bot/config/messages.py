"""Configuration errors that name the file, the line and the key, in an operator's words.

`ConfigError` carries one message per problem. `translate` turns a pydantic error into such a
message (``reporters[2].id: expected an integer, got "abc" (config.yaml line 14)``), using the
line map the loader builds from the YAML nodes.
"""

from __future__ import annotations

import difflib
import json
import re
import types
import typing
from collections.abc import Sequence
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from bot.config.defaults import DEFAULT_CATEGORY_DATA, DEFAULT_CATEGORY_KEYS
from bot.config.schema import Category, Config

# Key path (as strings) -> 1-based line of that key in the file.
LineMap = dict[tuple[str, ...], int]
PathPart = int | str


class ConfigError(Exception):
    """Everything wrong with a configuration, one human-readable message per problem."""

    def __init__(self, messages: str | Sequence[str]) -> None:
        self.messages: list[str] = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("\n".join(self.messages))

    def __str__(self) -> str:
        return "\n".join(self.messages)


def line_key(parts: Sequence[PathPart]) -> tuple[str, ...]:
    return tuple(str(part) for part in parts)


def line_of(parts: Sequence[PathPart], lines: LineMap) -> int | None:
    """The line of the key at `parts`, or of its nearest ancestor that is in the file."""
    key = line_key(parts)
    while True:
        if key in lines:
            return lines[key]
        if not key:
            return None
        key = key[:-1]


def format_path(parts: Sequence[PathPart]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            shown = part if re.fullmatch(r"[\w-]+", part) else json.dumps(part, ensure_ascii=False)
            text += f".{shown}" if text else shown
    return text


def _parts(loc: Sequence[Any], data: Any) -> list[PathPart]:
    """A pydantic location as path parts: ints for list positions, strings for keys."""
    parts: list[PathPart] = []
    current = data
    for element in loc:
        if isinstance(current, list) and isinstance(element, int):
            parts.append(element)
            current = current[element] if 0 <= element < len(current) else None
        else:
            parts.append(str(element))
            current = current.get(element) if isinstance(current, dict) else None
    return parts


def show_value(value: Any) -> str:
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


def allowed_keys(loc: Sequence[Any]) -> list[str] | None:
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
        keys = [key for key in annotation.model_fields if key != "source_path"]
        # Read (and removed) when the categories are merged over the defaults.
        return [*keys, "enabled"] if annotation is Category else keys
    return None


def unknown_key_message(
    loc: Sequence[Any], data: Any, lines: LineMap, name: str, allowed: list[str]
) -> str:
    parts = _parts(loc, data)
    key = str(loc[-1])
    matches = [option for option in allowed if option.casefold() == key.casefold()]
    matches = matches or difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if matches:
        text = f'unknown key, did you mean "{matches[0]}"?'
    else:
        text = f"unknown key (allowed here: {', '.join(allowed)})"
    return f"{format_path(parts)}: {text}{where(line_of(parts, lines), name)}"


def where(line: int | None, name: str) -> str:
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


_NUMBER_KINDS = frozenset({"int_type", "int_parsing", "float_type", "float_parsing"})


def _is_quoted_number(value: Any) -> bool:
    """A number written in quotes, such as an id copied as "-1001234567890"."""
    if not isinstance(value, str):
        return False
    try:
        float(value)
    except ValueError:
        return False
    return value.strip().lstrip("+-")[:1].isdigit()


def translate(error: Any, data: Any, lines: LineMap, name: str) -> tuple[int | None, str]:
    """One pydantic error as (line, message)."""
    loc: list[Any] = list(error["loc"])
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    value = error.get("input")
    is_key = bool(loc) and loc[-1] == "[key]"
    if is_key:
        loc = loc[:-1]
    if kind == "extra_forbidden" and loc:
        allowed = allowed_keys(loc[:-1]) or []
        parts = _parts(loc, data)
        return line_of(parts, lines), unknown_key_message(loc, data, lines, name, allowed)
    if kind == "config":
        loc += list(ctx.get("at", ()))
    parts = _parts(loc, data)
    line = line_of(parts, lines)
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
            text += f", got {show_value(value)}"
            if kind == "string_type" and isinstance(value, int | float):
                text += " (put it in quotes)"
            elif kind in _NUMBER_KINDS and _is_quoted_number(value):
                text += " (remove the quotes)"
    path = format_path(parts) or "(top level)"
    return line, f"{path}: {text}{where(line, name)}"


def _new_category_hint(parts: Sequence[PathPart]) -> str:
    """For a category that is not a default: it must be complete; maybe it is a typo."""
    if len(parts) != 3 or parts[0] != "categories" or parts[1] in DEFAULT_CATEGORY_DATA:
        return ""
    hint = " (a new category must give labels, priority, targets and reasons"
    close = difflib.get_close_matches(str(parts[1]), DEFAULT_CATEGORY_KEYS, n=1, cutoff=0.75)
    if close:
        hint += f'; did you mean "{close[0]}"?'
    return hint + ")"
