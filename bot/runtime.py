"""Runs the bot: storage, the Application, durable polling, the outbox, timers and reloads."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time
from collections.abc import Callable

from bot.config import Config, load_config, resolve_token
from bot.config.reloading import Reloader
from bot.desk import Desk
from bot.desk.timers import TimerRunner
from bot.outbox.pacing import Pacer
from bot.outbox.worker import OutboxWorker
from bot.store import Store
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.health import check_moderator_space
from bot.telegram.menus import Menus
from bot.telegram.polling import Poller
from bot.telegram.transport import TelegramTransport

log = logging.getLogger(__name__)

SHUTDOWN_FLUSH_SECONDS = 5.0


class ConfigHolder:
    """The configuration in force; handlers ask for it on every update so reloads take effect."""

    def __init__(self, config: Config) -> None:
        self.current = config

    def get(self) -> Config:
        return self.current

    def install(self, config: Config) -> None:
        self.current = config


class DeskRuntime:
    """Every moving part of a running desk, started and stopped in the right order."""

    def __init__(
        self,
        config_path: str,
        token: str,
        *,
        clock: Callable[[], float] = time.time,
        poll_timeout: int = 25,
        request_timeout: float = 10.0,
    ) -> None:
        self.config_path = config_path
        self.holder = ConfigHolder(load_config(config_path))
        self.token = token
        self.clock = clock
        self.poll_timeout = poll_timeout
        self.request_timeout = request_timeout
        self.stop_event = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        config = self.holder.get()
        self.store = await Store.open(config.storage.path, self.clock)
        self.desk = Desk(self.store, self.holder.get)
        self.reloader = Reloader(
            self.config_path, self.holder.get, self.holder.install, self.desk.admin
        )
        self.application = build_application(
            self.token,
            config.telegram.api_base_url,
            self.desk,
            reload=self.reloader.reload,
            request_timeout=self.request_timeout,
        )
        self.worker = OutboxWorker(
            self.store,
            TelegramTransport(self.application.bot),
            self.holder.get,
            Pacer(self.clock),
            self.desk.admin,
        )
        self.menus = Menus(self.application, self.desk.context.language_for)
        self.desk.context.chat_back_listeners.append(self.worker.resume)
        self.desk.context.language_listeners.append(
            lambda user_id: self.menus.refresh_user(self.holder.get(), user_id)
        )
        self.reloader.after_apply.append(self._after_reload)
        self.poller = Poller(self.application, self.store, poll_timeout=self.poll_timeout)
        self.poller.allowed_updates = ALLOWED_UPDATES
        self.timers = TimerRunner(self.desk.timers)
        await self.application.initialize()
        await self.application.start()
        log.info("Report Desk is running as @%s", self.application.bot.username)
        await self.poller.process_pending()
        self._tasks = [
            asyncio.create_task(self.poller.run(self.stop_event), name="poller"),
            asyncio.create_task(self.worker.run(self.stop_event), name="outbox"),
            asyncio.create_task(self.timers.run(self.stop_event), name="timers"),
            asyncio.create_task(self.reloader.watch(self.stop_event), name="config-watch"),
            asyncio.create_task(self._check_and_publish_menus(config), name="start-up-check"),
        ]

    async def _check_and_publish_menus(self, config: Config) -> None:
        try:
            await check_moderator_space(self.application.bot, config, self.desk)
            await self.menus.refresh_all(config)
        except Exception:
            log.exception("start-up check or menus failed")

    async def _after_reload(self, config: Config) -> None:
        """What a new configuration changes outside the handlers: held chats, menus."""
        for chat in (config.moderation.chat_id, config.moderation.escalation_chat_id):
            if chat is not None:
                self.worker.resume(chat)
        self._tasks.append(
            asyncio.create_task(self._check_and_publish_menus(config), name="reload-menus")
        )

    async def stop(self, flush_seconds: float = SHUTDOWN_FLUSH_SECONDS) -> None:
        """Finish the update in hand, stop taking new ones, flush the outbox for a bounded time."""
        self.stop_event.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.desk.stats.stop()
        try:
            await self.worker.drain(flush_seconds)
        finally:
            await self.application.stop()
            await self.application.shutdown()
            await self.store.close()


async def run(config_path: str) -> int:
    config = load_config(config_path)
    token = resolve_token(config, os.environ)
    runtime = DeskRuntime(config_path, token)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, runtime.stop_event.set)
    await runtime.start()
    loop.add_signal_handler(
        signal.SIGHUP, lambda: asyncio.ensure_future(runtime.reloader.reload("SIGHUP"))
    )
    await runtime.stop_event.wait()
    log.info("stopping: finishing the update in hand, then flushing the outbox")
    await runtime.stop()
    log.info("stopped")
    return 0
