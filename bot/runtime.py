"""Runs the bot: storage, the Application, durable polling and the outbox, until a stop signal."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import time

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Config, load_config, resolve_token
from bot.desk import Desk
from bot.outbox import OutboxWorker
from bot.pacing import Pacer
from bot.polling import Poller
from bot.store import Store
from bot.telegram_transport import TelegramTransport
from bot.timers import TimerRunner

log = logging.getLogger(__name__)

SHUTDOWN_FLUSH_SECONDS = 5.0


class ConfigHolder:
    """The configuration in force; handlers ask for it on every update so reloads take effect."""

    def __init__(self, config: Config) -> None:
        self.current = config

    def get(self) -> Config:
        return self.current


async def run(config_path: str) -> int:
    config = load_config(config_path)
    token = resolve_token(config, os.environ)
    holder = ConfigHolder(config)
    store = await Store.open(config.storage.path, time.time)
    desk = Desk(store, holder.get)
    application = build_application(token, config.telegram.api_base_url, desk)
    worker = OutboxWorker(store, TelegramTransport(application.bot), holder.get, Pacer(time.time))
    poller = Poller(application, store)
    poller.allowed_updates = ALLOWED_UPDATES

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)

    try:
        async with application:
            await application.start()
            log.info("Report Desk is running as @%s", application.bot.username)
            await poller.process_pending()
            tasks = [
                asyncio.create_task(poller.run(stop), name="poller"),
                asyncio.create_task(worker.run(stop), name="outbox"),
                asyncio.create_task(TimerRunner(desk).run(stop), name="timers"),
            ]
            await stop.wait()
            log.info("stopping: finishing the update in hand, then flushing the outbox")
            await asyncio.gather(*tasks, return_exceptions=True)
            await worker.drain(SHUTDOWN_FLUSH_SECONDS)
            await application.stop()
    finally:
        await store.close()
    log.info("stopped")
    return 0
