"""The sandbox page: aiohttp routes for the page, its live stream, its actions and its pictures.

The page acts only as one of the demo's personas, and only where that person could act on
Telegram: in their own chat with the bot, or in a moderator-space chat they are a member of; a
button press names a button the message really carries. What the page sends goes into the fake's
world exactly as a Telegram client's action would, and the desk answers through the Bot API.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

from aiohttp import web

from bot.sandbox.demo import DemoCast
from bot.sandbox.html import utf16_len
from bot.sandbox.limits import MAX_TEXT
from bot.sandbox.pictures import Pictures
from bot.sandbox.samples import Forwarder, samples_for_page
from bot.sandbox.web.guard import add_security_headers, allowed_hosts, guard
from bot.sandbox.web.stream import EventStream
from bot.sandbox.web.views import message_view

JSONDict = dict[str, Any]

STATIC = Path(__file__).resolve().parent / "static"
DEFAULT_FLOOD = 30
MAX_FLOOD = 100
# How long a press waits for the bot's answer before the page stops looking for it.
ANSWER_WAIT_SECONDS = 30.0
_MEDIA_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")


class Refused(Exception):
    """An action the page may not take; its text is shown to the person at the page."""


class SandboxPage:
    """The web page of a running sandbox."""

    def __init__(self, cast: DemoCast, forwarder: Forwarder, pictures: Pictures) -> None:
        self.cast = cast
        self.fake = cast.fake
        self.forwarder = forwarder
        self.pictures = pictures
        self.stream = EventStream(self.fake, self.shown_chats, self.snapshot)
        self._runner: web.AppRunner | None = None
        self._hosts: frozenset[str] | None = frozenset()
        self._tasks: set[asyncio.Task[None]] = set()
        self.url = ""

    def application(self) -> web.Application:
        app = web.Application(middlewares=[guard(lambda: self._hosts)], client_max_size=64 * 1024)
        app.on_response_prepare.append(add_security_headers)
        app.router.add_get("/", self.index)
        app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
        app.router.add_get("/media/{name}.png", self.media)
        app.router.add_get("/api/events", self.stream.serve)
        app.router.add_post("/api/send", self._action(self.send))
        app.router.add_post("/api/forward", self._action(self.forward))
        app.router.add_post("/api/press", self._action(self.press))
        app.router.add_post("/api/flood", self._action(self.flood))
        return app

    async def start(self, host: str, port: int) -> str:
        """Serve on ``host``:``port`` (0: any free port); return the page's address."""
        self.stream.attach()
        runner = web.AppRunner(self.application(), access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        self._runner = runner
        bound = int(runner.addresses[0][1])
        self._hosts = allowed_hosts(host, bound)
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{bound}/"
        return self.url

    async def stop(self) -> None:
        self.stream.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    # --- what the page shows ------------------------------------------------------------------

    def shown_chats(self) -> set[int]:
        return {p.user_id for p in self.cast.personas} | {c.chat_id for c in self.cast.shared_chats}

    def snapshot(self) -> JSONDict:
        """Everything the page draws, as it is now."""
        messages = [
            message_view(message, self.fake.bot_id)
            for chat_id in sorted(self.shown_chats())
            for message in self.fake.history(chat_id)
            if not message.get("_deleted")
        ]
        return {
            "bot": {
                "id": self.fake.bot_id,
                "name": self.fake.bot_user["first_name"],
                "username": self.fake.bot_username,
            },
            "personas": [
                {
                    "id": p.user_id,
                    "name": p.name,
                    "role": p.role,
                    "label": p.label,
                    "language": p.language,
                }
                for p in self.cast.personas
            ],
            "shared": [
                {"id": c.chat_id, "title": c.title, "members": list(c.members)}
                for c in self.cast.shared_chats
            ],
            "samples": samples_for_page(),
            "flood": DEFAULT_FLOOD,
            "messages": messages,
        }

    async def index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def media(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if not _MEDIA_NAME.fullmatch(name):
            raise web.HTTPNotFound()
        return web.Response(
            body=self.pictures.png(name),
            content_type="image/png",
            headers={"Cache-Control": "max-age=3600"},
        )

    # --- what the page does -------------------------------------------------------------------

    def _action(self, act: Any) -> Any:
        async def handler(request: web.Request) -> web.StreamResponse:
            try:
                body = await request.json()
            except ValueError:
                return web.json_response({"ok": False, "error": "bad JSON"}, status=400)
            if not isinstance(body, dict):
                return web.json_response({"ok": False, "error": "bad JSON"}, status=400)
            try:
                result: JSONDict = await act(body)
            except Refused as refusal:
                return web.json_response({"ok": False, "error": str(refusal)}, status=400)
            return web.json_response({"ok": True, **result})

        return handler

    def _persona(self, body: JSONDict) -> int:
        user_id = _integer(body, "user")
        try:
            self.cast.persona(user_id)
        except KeyError:
            raise Refused("not one of the demo's people") from None
        return user_id

    def _chat_for(self, user_id: int, body: JSONDict) -> int:
        """The chat named in the body, if the persona can write there."""
        chat_id = _integer(body, "chat")
        if chat_id == user_id:
            return chat_id
        for chat in self.cast.shared_chats:
            if chat.chat_id == chat_id:
                if user_id not in chat.members:
                    raise Refused(f"{self.cast.persona(user_id).name} is not in {chat.title}")
                return chat_id
        raise Refused("that chat is not open to this person")

    async def send(self, body: JSONDict) -> JSONDict:
        """The persona sends a text (a command, a note, an answer), maybe as a reply."""
        user_id = self._persona(body)
        chat_id = self._chat_for(user_id, body)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise Refused("type something first")
        if utf16_len(text) > MAX_TEXT:
            raise Refused(f"a message holds at most {MAX_TEXT} characters")
        reply_to = body.get("reply_to")
        if reply_to is not None:
            reply_to = _integer(body, "reply_to")
            if self._live_message(chat_id, reply_to) is None:
                raise Refused("that message is gone")
        sent = self.fake.send_message(user_id, chat_id, text=text, reply_to_message_id=reply_to)
        return {"message": sent["message_id"]}

    async def forward(self, body: JSONDict) -> JSONDict:
        """The persona forwards a sample to the bot."""
        user_id = self._persona(body)
        sample = body.get("sample")
        try:
            sent = self.forwarder.forward(user_id, str(sample))
        except KeyError:
            raise Refused("no such sample") from None
        return {"messages": [m["message_id"] for m in sent]}

    async def press(self, body: JSONDict) -> JSONDict:
        """The persona presses an inline button; the bot's answer arrives later as a toast."""
        user_id = self._persona(body)
        chat_id = self._chat_for(user_id, body)
        message_id = _integer(body, "message")
        data = body.get("data")
        message = self._live_message(chat_id, message_id)
        if message is None:
            raise Refused("that message is gone")
        offered = {
            button.get("callback_data")
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
            for button in row
        }
        if not isinstance(data, str) or data not in offered:
            raise Refused("that button is no longer there")
        query_id = self.fake.press(user_id, chat_id, message_id, data)
        task = asyncio.create_task(self._toast(query_id, user_id))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return {}

    async def flood(self, body: JSONDict) -> JSONDict:
        """A burst of sample reports from the demo reporters."""
        count = body.get("count", DEFAULT_FLOOD)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_FLOOD:
            raise Refused(f"a flood is 1 to {MAX_FLOOD} reports")
        return {"sent": self.forwarder.flood(count)}

    def _live_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        try:
            message = self.fake.message(chat_id, message_id)
        except KeyError:
            return None
        return None if message.get("_deleted") else message

    async def _toast(self, query_id: str, user_id: int) -> None:
        """Show the bot's answer to a press to the person who pressed, as a client does."""
        try:
            call = await self.fake.wait_for(
                lambda: self.fake.answered(query_id),
                timeout=ANSWER_WAIT_SECONDS,
                description="the answer to a press",
            )
        except AssertionError:
            return
        text = call.params.get("text")
        if call.ok and text:
            self.stream.publish(
                "toast",
                {"user": user_id, "text": str(text), "alert": bool(call.params.get("show_alert"))},
            )


def _integer(body: JSONDict, key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refused(f"{key} must be a number")
    return value
