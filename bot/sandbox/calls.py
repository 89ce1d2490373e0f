"""The record of what the bot asked the fake, and waiting until the bot has done something.

Every request for a known method is recorded as a :class:`Call` once answered (a hanging one as
it starts to hang), failed and faulted ones included, so tests assert on what the bot sent and
how it reacted to errors.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.sandbox.params import JSONDict, as_int


@dataclass
class Call:
    """One request the fake received. ``at`` is the fake's clock (monotonic) at arrival."""

    method: str
    params: JSONDict
    ok: bool
    result: Any
    error: str | None
    at: float
    error_code: int | None = None
    fault: str | None = None


def calls_to(calls: list[Call], method: str, chat_id: int | None = None) -> list[Call]:
    """The calls of ``method`` (any letter case), optionally only those into ``chat_id``."""
    wanted = method.lower()
    return [
        c
        for c in calls
        if c.method.lower() == wanted
        and (chat_id is None or as_int(c.params.get("chat_id")) == chat_id)
    ]


def answer_to(calls: list[Call], query_id: str) -> Call | None:
    """The successful answerCallbackQuery for the query; else the last failed attempt."""
    attempts = [
        c
        for c in calls
        if c.method == "answerCallbackQuery"
        and str(c.params.get("callback_query_id")) == str(query_id)
    ]
    for attempt in attempts:
        if attempt.ok:
            return attempt
    return attempts[-1] if attempts else None


async def wait_until(
    predicate: Callable[[], Any],
    seconds: float,
    description: str | None,
    *,
    calls: list[Call],
    pending_updates: Callable[[], int],
) -> Any:
    """Poll ``predicate`` every 10 ms until truthy; return its value.

    LookupError/AssertionError raised by the predicate count as "not yet". On timeout raises
    AssertionError describing the predicate, its last value and the latest calls.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    last: Any = None
    last_error: BaseException | None = None
    while True:
        try:
            value = predicate()
            if inspect.isawaitable(value):
                value = await value
            last_error = None
        except (LookupError, AssertionError) as exc:
            value = None
            last_error = exc
        if value:
            return value
        last = value
        if loop.time() >= deadline:
            break
        await asyncio.sleep(0.01)
    what = description or _describe_callable(predicate)
    recent = "\n".join(f"  {_summarize_call(c)}" for c in calls[-10:]) or "  (none)"
    detail = f"last value {last!r}" if last_error is None else f"last error {last_error!r}"
    raise AssertionError(
        f"timed out after {seconds}s waiting for: {what}\n{detail}\n"
        f"pending updates: {pending_updates()}\nlatest calls:\n{recent}"
    )


def _describe_callable(predicate: Callable[[], Any]) -> str:
    try:
        source = inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        source = ""
    if source and len(source) < 300:
        return source
    return getattr(predicate, "__qualname__", repr(predicate))


def _summarize_call(call: Call) -> str:
    params = {k: v for k, v in call.params.items() if k not in {"timeout", "reply_markup"}}
    text = json.dumps(params, ensure_ascii=False, default=str)
    if len(text) > 160:
        text = text[:157] + "..."
    outcome = "ok" if call.ok else f"error {call.error_code}: {call.error}"
    return f"{call.method} {text} -> {outcome}"
