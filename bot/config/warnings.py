"""Warnings about a valid configuration: what does not stop the bot but is probably a mistake.

`config_warnings(config)` gives one message per finding, worded like the errors
(``path: what is wrong, what to do (config.yaml line N)``) and sorted by line. `check-config`
prints them after its summary; the bot logs them at start and after each reload. A new kind of
warning is a function added to `CHECKS`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence

from bot.config.messages import PathPart, format_path
from bot.config.schema import Config

log = logging.getLogger(__name__)

Finding = tuple[Sequence[PathPart], str]

# The ids config.example.yaml uses as placeholders (a test keeps the two in step).
EXAMPLE_GROUP_IDS = frozenset({-1001234567890, -1009876543210})
EXAMPLE_USER_IDS = frozenset({111111111, 222222222, 333333333, 444444444, 555555555})

_PUT_A_USER = "put a real user id (anyone can send /whoami to the bot in a private chat)"


def placeholder_ids(config: Config) -> Iterator[Finding]:
    """Ids copied from config.example.yaml: the bot would wait on a group and people that are
    not the desk's."""
    moderation = config.moderation
    if moderation.chat_id in EXAMPLE_GROUP_IDS:
        yield (
            ("moderation", "chat_id"),
            f"still the example's placeholder {moderation.chat_id}; put your moderator group's "
            "id (add the bot to the group and it posts the id, or an admin sends /chatid there)",
        )
    if moderation.escalation_chat_id in EXAMPLE_GROUP_IDS:
        yield (
            ("moderation", "escalation_chat_id"),
            f"still the example's placeholder {moderation.escalation_chat_id}; put your "
            "escalation chat's id (as for chat_id), or remove the key",
        )
    people: list[tuple[Sequence[PathPart], int]] = [
        *((("moderation", "moderators", i), user) for i, user in enumerate(moderation.moderators)),
        *((("moderation", "on_duty", i), user) for i, user in enumerate(moderation.on_duty)),
        *((("admins", i), user) for i, user in enumerate(config.admins)),
        *((("reporters", i, "id"), reporter.id) for i, reporter in enumerate(config.reporters)),
    ]
    for path, user_id in people:
        if user_id in EXAMPLE_USER_IDS:
            yield path, f"still the example's placeholder {user_id}; {_PUT_A_USER}"


def no_admins(config: Config) -> Iterator[Finding]:
    """Without admins, problems an admin must act on reach no one on Telegram."""
    if not config.admins:
        yield (
            ("admins",),
            "no admins are configured, so problems (a rejected reload, an unreachable group, "
            "failing storage) reach no one on Telegram; list your user id here (send /whoami "
            "to the bot to learn it)",
        )


CHECKS: list[Callable[[Config], Iterable[Finding]]] = [placeholder_ids, no_admins]


def config_warnings(config: Config) -> list[str]:
    """Every warning about a valid configuration, by line."""
    found: list[tuple[int | None, str]] = []
    for check in CHECKS:
        for path, text in check(config):
            line = config.source_line(path)
            where = config.source_path or "the configuration"
            where += f" line {line}" if line is not None else ""
            found.append((line, f"{format_path(path)}: {text} ({where})"))
    found.sort(key=lambda item: (item[0] is None, item[0] or 0))
    return [message for _, message in found]


def log_warnings(config: Config) -> None:
    for warning in config_warnings(config):
        log.warning("configuration: %s", warning)
