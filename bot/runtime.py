"""Runs the bot: storage, the Application, durable polling, the outbox, timers and reloads,
started in order and stopped in reverse; every part opened is closed on every way out.

A start that cannot succeed says so in one line and exits: a refused token at once (exit 2),
a database that is missing, replaced, unreadable or corrupt at once (exit 2). Telegram out of
reach is retried with backoff, one line per attempt, until it answers or the process is told to
stop. While running, a database file deleted or replaced under the bot stops intake and exits 3.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from bot.config import Config, load_config, resolve_token
from bot.config.reloading import Reloader
from bot.desk import Desk
from bot.desk.timers import TimerRunner
from bot.faults import poll_timeout, wall_clock
from bot.ops.backup import ScheduledBackups
from bot.ops.health import Health
from bot.ops.lock import RunLock, holder
from bot.ops.metrics import CountingTransport, DeskMetrics
from bot.ops.monitoring import Monitor, monitoring_address
from bot.ops.retention import DailyPurge
from bot.outbox.pacing import Pacer
from bot.outbox.worker import OutboxWorker
from bot.render.i18n import t
from bot.store import StorageError, Store
from bot.store.files import exposure_warnings
from bot.telegram.app import ALLOWED_UPDATES, build_application
from bot.telegram.connect import TokenRefused, connect, tell_directly
from bot.telegram.health import check_admins_reachable, check_moderator_space
from bot.telegram.menus import Menus
from bot.telegram.polling import Poller
from bot.telegram.privacy import knows_in
from bot.telegram.transport import TelegramTransport

log = logging.getLogger(__name__)

SHUTDOWN_FLUSH_SECONDS = 5.0
# How often the database file is checked for being deleted or replaced under the bot.
FILE_WATCH_SECONDS = 2.0
EXIT_START_FAILED = 2
EXIT_DATABASE_LOST = 3


class StartFailed(Exception):
    """The desk cannot start as configured; the message is the one line an operator reads."""


class ConfigHolder:
    """The configuration in force; handlers ask for it on every update so reloads take effect."""

    def __init__(self, config: Config) -> None:
        self.current = config

    def get(self) -> Config:
        return self.current

    def install(self, config: Config) -> None:
        self.current = config


def bot_id_of(token: str) -> str:
    """The bot's id, the part of a token that may be shown (never the secret after the colon)."""
    head = token.split(":", 1)[0]
    return head if head.isdigit() else "?"


class DeskRuntime:
    """Every moving part of a running desk, started and stopped in the right order."""

    def __init__(
        self,
        config_path: str,
        token: str,
        *,
        clock: Callable[[], float] = wall_clock,
        monotonic: Callable[[], float] = time.monotonic,
        poll_timeout: int = 25,
        request_timeout: float = 10.0,
        init: bool = False,
    ) -> None:
        self.config_path = config_path
        self.holder = ConfigHolder(load_config(config_path))
        self.token = token
        self.clock = clock
        self.monotonic = monotonic
        self.poll_timeout = poll_timeout
        self.request_timeout = request_timeout
        self.init = init
        self.stop_event = asyncio.Event()
        self.exit_code = 0
        self._tasks: list[asyncio.Task[None]] = []
        self._store: Store | None = None
        self._lock: RunLock | None = None
        self._monitor: Monitor | None = None
        self._initialized = False
        self._started = False

    @property
    def store(self) -> Store:
        assert self._store is not None, "the runtime has not opened its store"
        return self._store

    async def start(self) -> None:
        """Start every part; on any failure, close what was opened and raise."""
        try:
            await self._start()
        except BaseException:
            await self._close()
            raise

    async def _start(self) -> None:
        config = self.holder.get()
        try:
            self._store = await Store.open(config.storage.path, self.clock, init=self.init)
        except StorageError as error:
            line = config.source_line(("storage", "path"))
            where = f" ({config.source_path} line {line})" if line else ""
            raise StartFailed(f"storage.path: {error}{where}") from None
        self._lock = RunLock.take(Path(config.storage.path))
        if self._lock is None:
            raise StartFailed(
                f"storage.path: another Report Desk process (process "
                f"{holder(Path(config.storage.path))}) runs on {config.storage.path}"
            )
        for warning in exposure_warnings(Path(config.storage.path)):
            log.warning("%s", warning)
        self.health = Health(self.store.health, self.monotonic)
        self.metrics = DeskMetrics(self.store.path)
        await self._start_monitoring(config)
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
            CountingTransport(TelegramTransport(self.application.bot), self.metrics),
            self.holder.get,
            Pacer(self.monotonic),
            self.desk.admin,
            self.health,
        )
        self.worker.alerted = await self.desk.admin.unreachable_chats()
        self.menus = Menus(self.application, self.desk.context.language_for)
        self.desk.context.chat_back_listeners.append(self.worker.resume)
        self.desk.context.language_listeners.append(
            lambda user_id: self.menus.refresh_user(self.holder.get(), user_id)
        )
        self.reloader.after_apply.append(self._after_reload)
        self.store.health.on_failure.append(
            lambda error: self._spawn(self._tell_admins_directly("alert.storage_failed", error))
        )
        self.health.token.on_accepted_again.append(
            lambda seconds: self._spawn(self.desk.admin.token_was_refused(seconds))
        )
        self.poller = Poller(
            self.application,
            self.store,
            self.health,
            self.desk.admin.update_set_aside,
            poll_timeout=self.poll_timeout,
            knows=knows_in(self.holder.get),
        )
        self.poller.allowed_updates = ALLOWED_UPDATES
        self.timers = TimerRunner(self.desk.timers)
        self.purge = DailyPurge(self.store, self.holder.get)
        self.backups = ScheduledBackups(self.store, self.holder.get)
        if not await self._connect():
            return
        await self.application.start()
        self._started = True
        log.info("Report Desk is running as @%s", self.application.bot.username)
        with contextlib.suppress(Exception):  # what could not be processed now waits for polling
            await self.poller.process_pending()
        self._tasks += [
            asyncio.create_task(self.poller.run(self.stop_event), name="poller"),
            asyncio.create_task(self.worker.run(self.stop_event), name="outbox"),
            asyncio.create_task(self.timers.run(self.stop_event), name="timers"),
            asyncio.create_task(self.reloader.watch(self.stop_event), name="config-watch"),
            asyncio.create_task(self._watch_database(), name="database-watch"),
            asyncio.create_task(self.purge.run(self.stop_event), name="purge"),
            asyncio.create_task(self.backups.run(self.stop_event), name="backups"),
            asyncio.create_task(self._check_and_publish_menus(config), name="start-up-check"),
        ]

    async def _start_monitoring(self, config: Config) -> None:
        address = monitoring_address(config, os.environ)
        if address is None:
            return
        self._monitor = Monitor(self.health, self.metrics, self.poll_timeout)
        try:
            await self._monitor.start(address)
        except OSError as error:
            self._monitor = None
            raise StartFailed(
                f"monitoring.listen: cannot listen on {address} ({error.strerror or error})"
            ) from None

    async def _connect(self) -> bool:
        """Ask Telegram who the bot is until it answers; False when told to stop meanwhile."""
        where = self.holder.get().telegram.api_base_url
        try:
            connected = await connect(self.application, self.stop_event, where)
        except TokenRefused:
            raise StartFailed(
                f"Telegram refused the token of bot {bot_id_of(self.token)}: check BOT_TOKEN"
            ) from None
        self._initialized = connected
        return connected

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        self._tasks.append(asyncio.create_task(work))

    async def _tell_admins_directly(self, key: str, error: str) -> None:
        config = self.holder.get()
        text = t(config.language, key, error=error)
        await tell_directly(self.application.bot, config.admins, text)

    async def _watch_database(self) -> None:
        """A database deleted or replaced under the bot would take acknowledgements into a file
        nobody will read again: stop intake, tell the admins directly, exit non-zero."""
        while not self.stop_event.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop_event.wait(), timeout=FILE_WATCH_SECONDS)
            if self.stop_event.is_set() or not self.store.replaced_or_gone():
                continue
            log.critical(
                "the database file %s was deleted or replaced while running: stopping intake "
                "and exiting; restore it and start again",
                self.store.path,
            )
            self.exit_code = EXIT_DATABASE_LOST
            self.stop_event.set()
            config = self.holder.get()
            text = t(config.language, "alert.database_gone", path=self.store.path)
            await tell_directly(self.application.bot, config.admins, text)

    async def _check_and_publish_menus(self, config: Config) -> None:
        try:
            await check_moderator_space(self.application.bot, config, self.desk)
            await check_admins_reachable(self.application.bot, config, self.desk)
            await self.menus.refresh_all(config)
        except Exception:
            log.exception("start-up check or menus failed")

    async def _after_reload(self, config: Config) -> None:
        """What a new configuration changes outside the handlers: held chats, menus."""
        for chat in config.moderation.chats:
            self.worker.resume(chat)
        self._spawn(self._check_and_publish_menus(config))

    async def stop(self, flush_seconds: float = SHUTDOWN_FLUSH_SECONDS) -> None:
        """Finish the update in hand, stop taking new ones, flush the outbox for a bounded time."""
        self.stop_event.set()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.desk.stats.stop()
        try:
            if self._started and self.exit_code != EXIT_DATABASE_LOST:
                await self.worker.drain(flush_seconds)
        finally:
            await self._close()

    async def _close(self) -> None:
        """Close whatever is open, whatever state the start left it in."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._started:
            self._started = False
            with contextlib.suppress(Exception):
                await self.application.stop()
        if self._initialized:
            self._initialized = False
            with contextlib.suppress(Exception):
                await self.application.shutdown()
        if self._monitor is not None:
            monitor, self._monitor = self._monitor, None
            await monitor.stop()
        if self._store is not None:
            store, self._store = self._store, None
            await store.close()
        if self._lock is not None:
            lock, self._lock = self._lock, None
            lock.release()


async def run(config_path: str, *, init: bool = False) -> int:
    config = load_config(config_path)
    token = resolve_token(config, os.environ)
    runtime = DeskRuntime(config_path, token, init=init, poll_timeout=poll_timeout(25))
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, runtime.stop_event.set)
    await runtime.start()
    if runtime.stop_event.is_set():  # told to stop before Telegram answered
        await runtime.stop(flush_seconds=0)
        return 0
    loop.add_signal_handler(
        signal.SIGHUP, lambda: asyncio.ensure_future(runtime.reloader.reload("SIGHUP"))
    )
    await runtime.stop_event.wait()
    log.info("stopping: finishing the update in hand, then flushing the outbox")
    await runtime.stop()
    log.info("stopped")
    return runtime.exit_code
