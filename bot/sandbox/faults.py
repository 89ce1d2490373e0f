"""Fault injection and crash hooks: failures that happen only when a test asks for them.

Nothing here fires by default. :meth:`Faults.fail` arms the next calls of a method to fail as the
network or Telegram fails (429, 500, nginx's 502 page, a dropped connection, a request that hangs,
a send that succeeds but whose answer is lost); :meth:`CrashHooks.add` runs a test's callback
right after an answer has gone out (to kill the bot at that instant). A hook that raises is
recorded in ``errors`` and never breaks the server.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.sandbox.calls import Call
from bot.sandbox.errors import error_body, json_response, too_many_requests
from bot.sandbox.params import JSONDict, as_int
from bot.sandbox.settings import Settings

FAULT_KINDS = frozenset({"429", "500", "502", "drop", "timeout", "accept_then_drop"})

NGINX_502 = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx/1.18.0</center>\r\n"
    "</body>\r\n</html>\r\n"
)


@dataclass
class Fault:
    """An armed fault: the next ``remaining`` calls of ``method`` (into ``chat_id``) fail."""

    method: str
    chat_id: int | None
    kind: str
    remaining: int
    retry_after: int


@dataclass(eq=False)
class Faults:
    """Armed faults, and how a faulted request is answered (or not)."""

    settings: Settings
    calls: list[Call]
    _armed: list[Fault] = field(init=False, default_factory=list)
    _stopping: asyncio.Event = field(init=False, default_factory=asyncio.Event)

    def fail(
        self,
        method: str,
        *,
        chat_id: int | None = None,
        kind: str = "500",
        times: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (``"*"``: any method) fail with ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        self._armed.append(Fault(method.lower(), chat_id, kind, times, retry_after))

    def clear(self) -> None:
        self._armed.clear()

    def open(self) -> None:
        """A fresh event for a (re)started server, which may run in a new event loop."""
        self._stopping = asyncio.Event()

    def close(self) -> None:
        """Let every hanging request go: it is dropped now."""
        self._stopping.set()

    def take(self, method: str, params: JSONDict) -> Fault | None:
        """The first armed fault matching this call, counted down; None when there is none."""
        wanted = method.lower()
        for fault in self._armed:
            if fault.method not in {wanted, "*"}:
                continue
            if fault.chat_id is not None and as_int(params.get("chat_id")) != fault.chat_id:
                continue
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._armed.remove(fault)
            return fault
        return None

    async def inject(
        self, request: web.Request, name: str, params: JSONDict, fault: Fault, at: float
    ) -> web.StreamResponse:
        """Answer a faulted call instead of running it. The call is recorded before the answer,
        so a hanging request is already in ``calls`` while it hangs."""
        kind = fault.kind
        if kind == "429":
            exc = too_many_requests(fault.retry_after)
            self.calls.append(Call(name, params, False, None, exc.description, at, 429, kind))
            return json_response(429, error_body(429, exc.description, exc.parameters))
        if kind == "500":
            self.calls.append(
                Call(name, params, False, None, "Internal Server Error", at, 500, kind)
            )
            return json_response(500, error_body(500, "Internal Server Error"))
        if kind == "502":
            self.calls.append(Call(name, params, False, None, "Bad Gateway", at, 502, kind))
            return web.Response(status=502, text=NGINX_502, content_type="text/html")
        if kind == "drop":
            self.calls.append(Call(name, params, False, None, "connection dropped", at, None, kind))
            drop_connection(request)
            return web.Response(status=200)
        # "timeout": hang longer than the client waits, then drop (or earlier, on stop()).
        self.calls.append(Call(name, params, False, None, "request hung", at, None, kind))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), self.settings.hang_seconds)
        drop_connection(request)
        return web.Response(status=200)


@dataclass(eq=False)
class CrashHooks:
    """Callbacks a test runs at named points, right after the fake's answer has gone out."""

    errors: list[BaseException]
    _hooks: dict[str, list[tuple[Callable[[], Any], bool]]] = field(
        init=False, default_factory=dict
    )

    def add(self, point: str, callback: Callable[[], Any], *, once: bool = True) -> None:
        """Call ``callback`` at ``point`` ("after_get_updates", "after_send_accepted:<method>")
        once the response has been written. One-shot unless ``once=False``."""
        point = point.lower()
        if point != "after_get_updates" and not point.startswith("after_send_accepted:"):
            raise ValueError(f"unknown hook point {point!r}")
        self._hooks.setdefault(point, []).append((callback, once))

    async def run(self, point: str) -> None:
        """Run the hooks at ``point``, dropping the one-shot ones first."""
        hooks = self._hooks.get(point)
        if not hooks:
            return
        to_run = list(hooks)
        self._hooks[point] = [(cb, once) for cb, once in hooks if not once]
        for callback, _once in to_run:
            try:
                value = callback()
                if inspect.isawaitable(value):
                    await value
            except Exception as exc:  # a broken hook must not break the server
                self.errors.append(exc)


def drop_connection(request: web.Request) -> None:
    """Close the connection without an answer: the client sees a disconnect."""
    transport = request.transport
    if transport is not None:
        transport.close()
