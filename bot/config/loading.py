"""Reading a configuration file: YAML with a line for every key, defaults merged, validated.

`load_config` reads a file into a frozen `Config` or raises a `ConfigError` that lists every
problem found, sorted by line. The bot token is resolved separately (`resolve_token`):
BOT_TOKEN in the environment wins over the file.
"""

from __future__ import annotations

import codecs
import os
import re
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config.merging import merge_categories
from bot.config.messages import (
    ConfigError,
    LineMap,
    PathPart,
    allowed_keys,
    format_path,
    line_key,
    line_of,
    show_value,
    translate,
    unknown_key_message,
    where,
)
from bot.config.schema import Config

TOKEN_ENV = "BOT_TOKEN"

# A configuration is a page or two of settings; a file far larger is the wrong file, and parsing
# it would take seconds and hundreds of megabytes before saying so.
MAX_BYTES = 1024 * 1024

# libyaml composes a 1 MB file in a fraction of the time the pure-Python parser takes.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# Characters YAML does not allow anywhere in a file (the C0 and C1 controls but tab and line
# breaks, DEL, surrogates, U+FFFE and U+FFFF).
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

# How many lines with unreadable bytes or characters are listed before the rest are counted.
_MAX_LISTED = 10

Found = tuple[int | None, str]


def load_config(path: str | os.PathLike[str]) -> Config:
    """Read and validate a configuration file; raise ConfigError describing every problem."""
    name = os.fspath(path)
    return parse_config(_decode(_read(name), name), name)


def _read(name: str) -> bytes:
    try:
        with open(name, "rb") as file:
            size = os.fstat(file.fileno()).st_size
            if size > MAX_BYTES:
                raise ConfigError(_too_large(name, size))
            raw = file.read(MAX_BYTES + 1)  # a pipe or device has no size to ask first
    except FileNotFoundError:
        raise ConfigError(f"{name}: file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{name}: is a directory, not a file") from None
    except PermissionError:
        raise ConfigError(f"{name}: permission denied") from None
    except OSError as exc:
        raise ConfigError(f"{name}: could not read the file ({exc.strerror})") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(_too_large(name, None))
    return raw


def _too_large(name: str, size: int | None) -> str:
    shown = "more than 1 MB" if size is None else f"{size / (1024 * 1024):.1f} MB"
    return (
        f"{name}: the file is {shown}; a configuration file may be at most 1 MB "
        "(is this the right file?)"
    )


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ConfigError(f"{name}: not UTF-8 text but UTF-16; save the file as UTF-8")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # UTF-8 never uses the newline byte inside a character, so each line decodes on its own.
    messages: list[str] = []
    bad_lines = 0
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            bad_lines += 1
            if len(messages) < _MAX_LISTED:
                column = len(line[: exc.start].decode("utf-8-sig", "replace")) + 1
                messages.append(
                    f"{name} line {number}: not UTF-8 text (byte 0x{line[exc.start]:02x} at "
                    f"column {column}); save the file as UTF-8"
                )
    if bad_lines > len(messages):
        more = bad_lines - len(messages)
        messages.append(f"{name}: {more} more line{'s' if more > 1 else ''} not UTF-8 text")
    raise ConfigError(messages)


def parse_config(text: str, source_path: str = "config.yaml") -> Config:
    """Validate YAML text as if it were read from `source_path` (used in messages)."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ConfigError(_too_large(source_path, None))
    data, lines, problems = _read_yaml(text, source_path)
    if data is None:
        raise ConfigError(
            f"{source_path}: the file is empty; it needs at least a moderation: section "
            "(see config.example.yaml)"
        )
    if not isinstance(data, dict):
        raise ConfigError(
            f"{source_path} line {lines.get((), 1)}: expected a mapping of settings at the top "
            f"level, got {show_value(data)}"
        )
    if "source_path" in data:
        problems.append(
            (
                lines.get(("source_path",)),
                unknown_key_message(
                    ["source_path"], data, lines, source_path, allowed_keys([]) or []
                ),
            )
        )
        data = {key: value for key, value in data.items() if key != "source_path"}
    categories = data.get("categories")
    if categories is None or isinstance(categories, dict):
        merged, merge_problems = merge_categories(categories or {})
        for parts, message in merge_problems:
            path = ["categories", *parts]
            line = line_of(path, lines)
            problems.append((line, f"{format_path(path)}: {message}{where(line, source_path)}"))
        data = {**data, "categories": merged}
    config: Config | None = None
    try:
        config = Config.model_validate({**data, "source_path": source_path})
    except ValidationError as exc:
        problems.extend(translate(error, data, lines, source_path) for error in exc.errors())
    if problems or config is None:
        raise ConfigError(_in_order(problems))
    config._lines = lines
    return config


def _in_order(problems: list[Found]) -> list[str]:
    """Each message once, by line; on one line, by list position, then as found."""

    def positions(message: str) -> tuple[int, ...]:
        path = message.split(": ", 1)[0]
        return tuple(int(index) for index in re.findall(r"\[(\d+)\]", path))

    unique = list(dict.fromkeys(problems))
    unique.sort(key=lambda found: (found[0] is None, found[0] or 0, positions(found[1])))
    return list(dict.fromkeys(message for _, message in unique))


def _read_yaml(text: str, name: str) -> tuple[Any, LineMap, list[Found]]:
    """Parse YAML into data, a map from key path to (1-based) line, and the problems the nodes
    show (keys given twice, keys YAML reads as true or false)."""
    unreadable = _unreadable_characters(text, name)
    if unreadable:
        raise ConfigError(unreadable)
    loader = _Loader(text)
    lines: LineMap = {}
    problems: list[Found] = []
    try:
        node = loader.get_single_node()
        if node is None:
            return None, lines, problems
        lines[()] = node.start_mark.line + 1
        _map_lines(node, [], lines, problems, name, set())
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise ConfigError(_yaml_error_message(exc, name, text)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{name}: could not parse YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, lines, problems


def _unreadable_characters(text: str, name: str) -> list[str]:
    if _NOT_YAML.search(text) is None:
        return []
    messages: list[str] = []
    for number, line in enumerate(text.split("\n"), start=1):
        found = _NOT_YAML.search(line)
        if found is None:
            continue
        if len(messages) == _MAX_LISTED:
            messages.append(f"{name}: more lines have characters YAML does not allow")
            break
        messages.append(
            f"{name} line {number}: could not parse YAML: the character "
            f"#x{ord(found.group()):04x} at column {found.start() + 1} is not allowed; remove it"
        )
    return messages


def _yaml_error_message(exc: yaml.MarkedYAMLError, name: str, text: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where_text = f"{name} line {mark.line + 1}" if mark is not None else name
    if mark is not None:
        source = text.split("\n")
        line = source[mark.line] if mark.line < len(source) else ""
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent or line[mark.column : mark.column + 1] == "\t":
            column = (indent.find("\t") if "\t" in indent else mark.column) + 1
            return (
                f"{where_text}: could not parse YAML: a tab at column {column}; indent with "
                "spaces, not tabs"
            )
    problem = exc.problem or exc.context or "invalid YAML"
    if exc.problem and exc.context:
        problem += f" ({exc.context}"
        if exc.context_mark is not None:
            problem += f" on line {exc.context_mark.line + 1}"
        problem += ")"
    return f"{where_text}: could not parse YAML: {problem}"


_BOOLEAN_TAG = "tag:yaml.org,2002:bool"
_STRING_TAG = "tag:yaml.org,2002:str"


def _map_lines(
    node: yaml.Node,
    path: list[PathPart],
    lines: LineMap,
    problems: list[Found],
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
            if key_node.tag == _BOOLEAN_TAG:
                problems.append((line, _boolean_key_message([*path, key], key, line, name)))
                # Read as the text it is, so the rest of the checks speak of this key by name.
                key_node.tag = _STRING_TAG
            if key in seen:
                problems.append(
                    (
                        line,
                        f"{format_path([*path, key])}: this key appears twice (lines "
                        f"{seen[key]} and {line}); keep one ({name} line {line})",
                    )
                )
            else:
                seen[key] = line
            lines.setdefault(line_key([*path, key]), line)
            _map_lines(value_node, [*path, key], lines, problems, name, visiting)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines.setdefault(line_key([*path, index]), item.start_mark.line + 1)
            _map_lines(item, [*path, index], lines, problems, name, visiting)
    visiting.discard(id(node))


def _boolean_key_message(path: list[PathPart], key: str, line: int, name: str) -> str:
    value = "true" if key.lower() in ("yes", "on", "true") else "false"
    return (
        f'{format_path(path)}: YAML reads {key} as {value}, not as text; put it in quotes ("{key}")'
        f"{where(line, name)}"
    )


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
