"""Button data: short, versioned strings, decoded strictly (a client can send anything).

Formats (all within Telegram's 64 bytes):
  v1:<action>:<case id>            a moderator action on a case card
  v1:k:<report id>:<category key>  a reporter choosing a category for a waiting report
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.cases import Action

VERSION = "v1"
_ACTION = re.compile(r"v1:([a-z]):([1-9][0-9]{0,11})")
_CATEGORY = re.compile(r"v1:k:([1-9][0-9]{0,11}):([a-z][a-z0-9_]{0,15})")


@dataclass(frozen=True)
class CaseAction:
    action: Action
    case_id: int


@dataclass(frozen=True)
class CategoryChoice:
    report_id: int
    category: str


def encode_action(action: Action, case_id: int) -> str:
    return f"{VERSION}:{action.value}:{case_id}"


def encode_category_choice(report_id: int, category: str) -> str:
    return f"{VERSION}:k:{report_id}:{category}"


def decode(data: str | None) -> CaseAction | CategoryChoice | None:
    """The button this data stands for, or None for anything we did not issue."""
    if not data or len(data.encode("utf-8")) > 64:
        return None
    if match := _CATEGORY.fullmatch(data):
        return CategoryChoice(int(match[1]), match[2])
    if match := _ACTION.fullmatch(data):
        try:
            action = Action(match[1])
        except ValueError:
            return None
        return CaseAction(action, int(match[2]))
    return None
