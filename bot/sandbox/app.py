"""`python -m bot sandbox`: the desk on a local Telegram, shown in a browser; no token, no network.

:class:`Sandbox` starts, in one process and in this order: the local Bot API
(:class:`~bot.sandbox.server.FakeTelegram`, with Telegram's rate limits on and no faults) on a
free loopback port, the demo cast (:mod:`bot.sandbox.demo`), the desk itself
(:class:`~bot.runtime.DeskRuntime`, exactly as in production, against that Bot API) with a
sandbox configuration and database in a private temporary folder, and the page
(:mod:`bot.sandbox.web`) on 127.0.0.1 unless ``--host`` says otherwise. :meth:`Sandbox.stop`
stops them in reverse order and removes the temporary folder; SIGINT and SIGTERM call it.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.config import ConfigError
from bot.runtime import DeskRuntime
from bot.sandbox.demo import DemoCast, borrowed_settings, write_sandbox_config
from bot.sandbox.pictures import Pictures
from bot.sandbox.samples import Forwarder
from bot.sandbox.server import FakeTelegram
from bot.sandbox.web.guard import is_loopback
from bot.sandbox.web.page import SandboxPage

log = logging.getLogger(__name__)

# The local Bot API accepts only this token; it is not a Telegram token and reaches nothing.
SANDBOX_TOKEN = "100000:SANDBOX-LOCAL-ONLY"
# Long polls end at once when the fake has an update; this only bounds an idle poll.
POLL_TIMEOUT = 10
EXIT_CONFIG = 2
EXIT_PORT = 3


@dataclass(frozen=True)
class SandboxOptions:
    host: str = "127.0.0.1"
    port: int = 8080
    config: str | None = None
    db: str | None = None


class Sandbox:
    """A running sandbox: the local Bot API, the desk against it, and the page."""

    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.fake = FakeTelegram(SANDBOX_TOKEN, enforce_rate_limits=True)
        self.cast = DemoCast(self.fake)
        self.pictures = Pictures()
        self.forwarder = Forwarder(self.cast, self.pictures.assign)
        self.page = SandboxPage(self.cast, self.forwarder, self.pictures)
        self.runtime: DeskRuntime | None = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    async def start(self) -> str:
        """Start every part; return the page's address. A borrowed file with a mistake raises
        ConfigError before anything starts."""
        borrowed = borrowed_settings(self.options.config) if self.options.config else {}
        self._folder = tempfile.TemporaryDirectory(prefix="report-desk-sandbox-")
        folder = Path(self._folder.name)
        db = Path(self.options.db) if self.options.db else folder / "desk.sqlite3"
        try:
            await self.fake.start()
            self.cast.register()
            # Everyone has opened their chat with the bot before the desk starts, as on a desk
            # already in use: the desk takes their /start as its first updates.
            self.cast.open_private_chats()
            config_path = write_sandbox_config(folder, self.fake.base_url, db, borrowed)
            self.runtime = DeskRuntime(str(config_path), self.fake.token, poll_timeout=POLL_TIMEOUT)
            await self.runtime.start()
            url = await self.page.start(self.options.host, self.options.port)
        except BaseException:
            await self.stop()
            raise
        return url

    async def stop(self) -> None:
        """Stop the page, then the desk (which flushes what it has to send), then the Bot API."""
        await self.page.stop()
        if self.runtime is not None:
            runtime, self.runtime = self.runtime, None
            await runtime.stop(flush_seconds=2.0)
        await self.fake.stop()
        if self._folder is not None:
            folder, self._folder = self._folder, None
            folder.cleanup()


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot sandbox",
        description=(
            "Try Report Desk without Telegram: a local Bot API, the desk running against it, and "
            "a web page showing the reporters' and moderators' chats. No token, no network."
        ),
    )
    parser.add_argument("--port", type=int, default=8080, help="the page's port (8080; 0: any)")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="the address to listen on (127.0.0.1: this machine only; another address makes "
        "the sandbox reachable from other machines)",
    )
    parser.add_argument(
        "--config",
        help="borrow this file's categories, reasons, language and time zone (never its token, "
        "server or storage)",
    )
    parser.add_argument("--db", help="keep the desk's database in this file (default: temporary)")
    parser.add_argument("--log-level", default="WARNING", help="DEBUG, INFO, WARNING, ERROR")
    return parser.parse_args(argv)


async def serve(options: SandboxOptions) -> int:
    """Run a sandbox until SIGINT or SIGTERM."""
    began = time.monotonic()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    sandbox = Sandbox(options)
    try:
        url = await sandbox.start()
    except OSError as error:
        print(
            f"Could not listen on {options.host}:{options.port} ({error.strerror or error}); "
            "choose another port with --port.",
            file=sys.stderr,
        )
        return EXIT_PORT
    if not is_loopback(options.host):
        print(
            f"Warning: listening on {options.host}: anyone who can reach this machine can use "
            "the sandbox.",
            file=sys.stderr,
        )
    print(f"Report Desk sandbox is ready in {time.monotonic() - began:.1f} s.", flush=True)
    print(f"Open {url} in a browser. Stop with Ctrl+C.", flush=True)
    await stop.wait()
    print("Stopping the sandbox.", flush=True)
    await sandbox.stop()
    return 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("httpx", "httpcore", "apscheduler", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    db = os.path.abspath(args.db) if args.db else None
    options = SandboxOptions(host=args.host, port=args.port, config=args.config, db=db)
    try:
        return asyncio.run(serve(options))
    except ConfigError as error:
        print(f"Configuration error:\n{error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0
