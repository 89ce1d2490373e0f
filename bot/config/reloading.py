"""Live reload of the configuration: on SIGHUP, on /reload, and when the file changes on disk."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.config.loading import load_config
from bot.config.messages import ConfigError
from bot.config.schema import RESTART_KEYS, Config
from bot.config.summary import changed_keys
from bot.config.warnings import log_warnings

log = logging.getLogger(__name__)

WATCH_INTERVAL_SECONDS = 2.0


@dataclass(frozen=True)
class ReloadResult:
    ok: bool
    changed: list[str] = field(default_factory=list)
    restart: list[str] = field(default_factory=list)
    error: str = ""


class ReloadListener(Protocol):
    """Who is told what a reload did (the desk's admin use cases)."""

    async def config_rejected(self, error: str) -> None: ...

    async def config_applied(self, changed: list[str], restart: list[str]) -> None: ...

    async def moderator_group_moved(self, old_chat: int, new_chat: int) -> None: ...


class Reloader:
    """Validates the file again; a valid edit replaces the configuration in force at once, an
    invalid one is rejected (the previous configuration stays) and the admins are told why."""

    def __init__(
        self,
        path: str,
        current: Callable[[], Config],
        install: Callable[[Config], None],
        listener: ReloadListener,
    ) -> None:
        self.path = path
        self.current = current
        self.install = install
        self.listener = listener
        self.after_apply: list[Callable[[Config], Awaitable[None]]] = []
        self._lock = asyncio.Lock()
        self._seen = self._stamp()

    def _stamp(self) -> tuple[float, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_mtime, stat.st_size

    async def reload(self, trigger: str) -> ReloadResult:
        async with self._lock:
            self._seen = self._stamp()
            try:
                new = load_config(self.path)
            except ConfigError as error:
                log.error("configuration rejected (%s):\n%s", trigger, error)
                await self.listener.config_rejected(str(error))
                return ReloadResult(ok=False, error=str(error))
            old = self.current()
            changed = changed_keys(old, new)
            restart = [key for key in changed if key in RESTART_KEYS]
            self.install(new)
            if old.moderation.chat_id != new.moderation.chat_id:
                await self.listener.moderator_group_moved(
                    old.moderation.chat_id, new.moderation.chat_id
                )
            log.info("configuration reloaded (%s); changed: %s", trigger, changed or "nothing")
            log_warnings(new)
            await self.listener.config_applied(changed, restart)
            for hook in self.after_apply:
                await hook(new)
            return ReloadResult(ok=True, changed=changed, restart=restart)

    async def watch(self, stop: asyncio.Event) -> None:
        """Reload when the file's modification time or size changes."""
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), timeout=WATCH_INTERVAL_SECONDS)
            except TimeoutError:
                stamp = self._stamp()
                if stamp is not None and stamp != self._seen:
                    await self.reload("file changed")
