"""The fake's HTTP side: aiohttp on 127.0.0.1, Telegram's URL scheme, every call recorded.

``/bot<token>/<method>`` runs the method (named in any letter case, as Telegram allows) and
answers ``{"ok": true, "result": ...}`` or Telegram's error body; ``/file/bot<token>/<path>``
serves placeholder file bytes. A wrong token is 401, an unknown method 404. Each request for a
known method becomes a :class:`~bot.sandbox.calls.Call`; armed faults replace the answer, and
crash hooks run only after a successful answer has been written in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from aiohttp import web

from bot.sandbox.calls import Call
from bot.sandbox.clock import Clock
from bot.sandbox.errors import TelegramApiError, error_body, json_response
from bot.sandbox.faults import CrashHooks, Faults, drop_connection
from bot.sandbox.params import ApiMethod, read_params
from bot.sandbox.settings import Settings


@dataclass(eq=False)
class BotApiEndpoint:
    """Serves the Bot API over HTTP and routes each request to its method implementation.

    ``routes`` maps Telegram's method names (see :func:`~bot.sandbox.routing.route_table`) to
    their implementations; ``calls`` is where every request is recorded.
    """

    settings: Settings
    clock: Clock
    calls: list[Call]
    faults: Faults
    hooks: CrashHooks
    routes: dict[str, ApiMethod]
    _runner: web.AppRunner | None = field(init=False, default=None)
    _port: int | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        # Telegram accepts a method name in any letter case.
        self._methods = {name.lower(): (name, impl) for name, impl in self.routes.items()}

    @property
    def running(self) -> bool:
        return self._runner is not None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._port

    async def start(self, port: int | None) -> None:
        """Listen on 127.0.0.1; without ``port``, on the previous port if there was one."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        wanted = port if port is not None else (self._port or 0)
        site = web.TCPSite(runner, "127.0.0.1", wanted, reuse_address=True)
        await site.start()
        self._runner = runner
        self._port = int(runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening; the port is kept for the next :meth:`start`."""
        if self._runner is None:
            return
        runner, self._runner = self._runner, None
        await runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
        if file_match:
            if file_match.group(1) != self.settings.token:
                return json_response(401, error_body(401, "Unauthorized"))
            return web.Response(body=b"FAKE-FILE:" + file_match.group(2).encode())
        match = re.fullmatch(r"/bot([^/]*)/([A-Za-z0-9_]+)/?", path)
        if not match:
            return json_response(404, error_body(404, "Not Found"))
        token, requested = match.groups()
        if token != self.settings.token:
            return refused_token(self.settings.refused_token_status)
        entry = self._methods.get(requested.lower())
        if entry is None:
            return json_response(404, error_body(404, "Not Found"))
        name, impl = entry
        at = self.clock.now()
        try:
            params = await read_params(request)
        except TelegramApiError as exc:
            self.calls.append(Call(name, {}, False, None, exc.description, at, exc.code))
            return json_response(exc.code, error_body(exc.code, exc.description))

        fault = self.faults.take(name, params)
        if fault is not None and fault.kind != "accept_then_drop":
            return await self.faults.inject(request, name, params, fault, at)

        try:
            result = await impl(params)
        except TelegramApiError as exc:
            call = Call(name, params, False, None, exc.description, at, exc.code)
            body = error_body(exc.code, exc.description, exc.parameters)
            status = exc.code
        else:
            call = Call(name, params, True, result, None, at)
            body = {"ok": True, "result": result}
            status = 200
        if fault is not None:  # accept_then_drop: the call took effect, its answer is lost
            call.fault = fault.kind
            self.calls.append(call)
            drop_connection(request)
            return web.Response(status=200)
        self.calls.append(call)
        response = json_response(status, body)
        try:
            await response.prepare(request)
            await response.write_eof()
        except ConnectionResetError:
            # The client left before its answer (an abandoned long poll): there is no one to
            # answer, and nothing happened after the answer for a hook to follow.
            return response
        if call.ok:
            if name == "getUpdates" and result:
                await self.hooks.run("after_get_updates")
            await self.hooks.run(f"after_send_accepted:{name.lower()}")
        return response


def refused_token(status: int) -> web.Response:
    """Telegram's answer to a token it does not accept: 401 Unauthorized, or 404 Not Found."""
    description = "Not Found" if status == 404 else "Unauthorized"
    return json_response(status, error_body(status, description))
