"""Live updates for the sandbox page: server-sent events of what changes in the fake's world.

A page that connects first receives a ``snapshot`` (everything it draws), then a ``message``
event for every message that appears, changes or is deleted in a chat it shows, and ``toast``
events (a button press's answer). Changes within one turn of the event loop are sent once, as the
message stands after them. A client that falls too far behind is disconnected; its browser
reconnects and starts again from a fresh snapshot, so no client misses a change.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any

from aiohttp import web

from bot.sandbox.server import FakeTelegram
from bot.sandbox.web.views import message_view

JSONDict = dict[str, Any]
Event = tuple[str, JSONDict] | None  # None ends the stream

log = logging.getLogger(__name__)

# A comment line this often keeps proxies and browsers from closing an idle stream.
KEEPALIVE_SECONDS = 15.0
# Events a client may have waiting before it is dropped (and reconnects to a snapshot).
BACKLOG = 2000


class EventStream:
    """Follows the fake's world and fans its changes out to every connected page."""

    def __init__(
        self,
        fake: FakeTelegram,
        shown_chats: Callable[[], set[int]],
        snapshot: Callable[[], JSONDict],
    ) -> None:
        self.fake = fake
        self.shown_chats = shown_chats
        self.snapshot = snapshot
        self._clients: set[asyncio.Queue[Event]] = set()
        self._dirty: dict[tuple[int, int], None] = {}
        self._flush_scheduled = False
        self._loop: asyncio.AbstractEventLoop | None = None

    def attach(self) -> None:
        """Start following the world (call from the event loop that runs the fake)."""
        self._loop = asyncio.get_running_loop()
        self.fake.watch(self._changed)

    def _changed(self, chat_id: int, message_id: int) -> None:
        if chat_id not in self.shown_chats() or self._loop is None:
            return
        self._dirty[(chat_id, message_id)] = None
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        self._flush_scheduled = False
        dirty, self._dirty = self._dirty, {}
        for chat_id, message_id in dirty:
            try:
                stored = self.fake.message(chat_id, message_id)
            except KeyError:
                continue
            self.publish("message", message_view(stored, self.fake.bot_id))

    def publish(self, event: str, data: JSONDict) -> None:
        for queue in list(self._clients):
            try:
                queue.put_nowait((event, data))
            except asyncio.QueueFull:
                self._drop(queue)

    def _drop(self, queue: asyncio.Queue[Event]) -> None:
        self._clients.discard(queue)
        # Make room for the end marker so the client's handler wakes up and returns.
        with contextlib.suppress(asyncio.QueueEmpty):
            while True:
                queue.get_nowait()
        queue.put_nowait(None)

    def close(self) -> None:
        """End every open stream."""
        for queue in list(self._clients):
            self._drop(queue)

    async def serve(self, request: web.Request) -> web.StreamResponse:
        """One page's stream: the snapshot, then changes, until it leaves or the page stops."""
        response = web.StreamResponse(
            headers={
                "Content-Type": "text/event-stream",
                "Cache-Control": "no-store",
                "X-Accel-Buffering": "no",
            }
        )
        await response.prepare(request)
        queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=BACKLOG)
        self._clients.add(queue)
        try:
            await response.write(_frame("snapshot", self.snapshot()))
            while True:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": keep-alive\n\n")
                    continue
                if item is None:
                    break
                await response.write(_frame(*item))
        except ConnectionResetError:
            log.debug("a page left the event stream")
        finally:
            self._clients.discard(queue)
        return response


def _frame(event: str, data: JSONDict) -> bytes:
    # json.dumps escapes newlines, so the data is always a single line of the frame.
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
