"""Reading a configuration file: YAML with a line for every key, defaults merged, validated.

`load_config` reads a file into a frozen `Config` or raises a `ConfigError` that lists every
problem found, sorted by line. The bot token is resolved separately (`resolve_token`):
BOT_TOKEN in the environment wins over the file.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

import yaml
from pydantic import ValidationError

from bot.config.defaults import DEFAULT_CATEGORY_DATA, merge
from bot.config.messages import (
    ConfigError,
    LineMap,
    PathPart,
    allowed_keys,
    format_path,
    line_key,
    show_value,
    translate,
    unknown_key_message,
)
from bot.config.schema import Config

TOKEN_ENV = "BOT_TOKEN"


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
        data = {**data, "categories": merge(DEFAULT_CATEGORY_DATA, categories or {})}
    try:
        config = Config.model_validate({**data, "source_path": source_path})
    except ValidationError as exc:
        for error in exc.errors():
            problems.append(translate(error, data, lines, source_path))
    if problems:
        raise ConfigError(_in_order(problems))
    return config


def _in_order(problems: list[tuple[int | None, str]]) -> list[str]:
    """Each message once, by line; on one line, by list position, then as found."""

    def positions(message: str) -> tuple[int, ...]:
        path = message.split(": ", 1)[0]
        return tuple(int(index) for index in re.findall(r"\[(\d+)\]", path))

    unique = list(dict.fromkeys(problems))
    unique.sort(key=lambda found: (found[0] is None, found[0] or 0, positions(found[1])))
    return list(dict.fromkeys(message for _, message in unique))


def _read_yaml(text: str, name: str) -> tuple[Any, LineMap, list[tuple[int | None, str]]]:
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
    lines: LineMap = {}
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
    path: list[PathPart],
    lines: LineMap,
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
                where = format_path([*path, key])
                problems.append(
                    (
                        line,
                        f"{where}: this key appears twice (lines {seen[key]} and {line}); "
                        f"keep one ({name} line {line})",
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
