"""Button data: short, versioned strings, decoded strictly (a client can send anything).

Formats (all within Telegram's 64 bytes):
  v1:<action>:<case id>                        a moderator action on a case card
  v1:r:<case id>:<t|d>:<reason code>           a decision with a reason from the picker
  v1:f:<case id>:<t|d>                         a decision whose reason will be typed
  v1:k:<report id>:<category key>              a reporter choosing a category for a report
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.lifecycle import Action, Decision

VERSION = "v1"
_NUMBER = r"([1-9][0-9]{0,11})"
_CODE = r"([a-z][a-z0-9_]{0,15})"
_ACTION = re.compile(rf"v1:([a-z]):{_NUMBER}")
_REASON = re.compile(rf"v1:r:{_NUMBER}:([td]):{_CODE}")
_OTHER_REASON = re.compile(rf"v1:f:{_NUMBER}:([td])")
_CATEGORY = re.compile(rf"v1:k:{_NUMBER}:{_CODE}")
_NEEDS_MORE = (Action.REASON, Action.OTHER_REASON)


@dataclass(frozen=True)
class CaseAction:
    action: Action
    case_id: int
    decision: Decision | None = None
    reason: str | None = None


@dataclass(frozen=True)
class CategoryChoice:
    report_id: int
    category: str


def encode_action(action: Action, case_id: int) -> str:
    return f"{VERSION}:{action.value}:{case_id}"


def encode_reason(case_id: int, decision: Decision, code: str) -> str:
    return f"{VERSION}:r:{case_id}:{decision.value}:{code}"


def encode_other_reason(case_id: int, decision: Decision) -> str:
    return f"{VERSION}:f:{case_id}:{decision.value}"


def encode_category_choice(report_id: int, category: str) -> str:
    return f"{VERSION}:k:{report_id}:{category}"


def decode(data: str | None) -> CaseAction | CategoryChoice | None:
    """The button this data stands for, or None for anything we did not issue."""
    if not data or len(data.encode("utf-8")) > 64:
        return None
    if match := _CATEGORY.fullmatch(data):
        return CategoryChoice(int(match[1]), match[2])
    if match := _REASON.fullmatch(data):
        return CaseAction(Action.REASON, int(match[1]), Decision(match[2]), match[3])
    if match := _OTHER_REASON.fullmatch(data):
        return CaseAction(Action.OTHER_REASON, int(match[1]), Decision(match[2]))
    if match := _ACTION.fullmatch(data):
        try:
            action = Action(match[1])
        except ValueError:
            return None
        if action in _NEEDS_MORE:
            return None
        return CaseAction(action, int(match[2]))
    return None
