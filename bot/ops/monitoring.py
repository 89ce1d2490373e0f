"""GET /healthz and GET /metrics, served by aiohttp on `monitoring.listen` (off by default).

/healthz is computed from the process's own state (bot/ops/health.py), never from a heartbeat
written to the database: it answers 503 naming what is wrong when the last successful getUpdates
is older than twice the long-poll timeout plus 30 s, when Telegram refuses the token, or when
storage fails; 200 otherwise. The outbox backlog it shows is read on the side and never decides.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot.config import Config
from bot.ops.health import Health
from bot.ops.metrics import DeskMetrics, read_backlog

log = logging.getLogger(__name__)

# The image turns monitoring on for its own HEALTHCHECK with this, when the file does not.
LISTEN_ENV = "REPORT_DESK_MONITORING"
POLL_GRACE_SECONDS = 30.0
BACKLOG_READ_SECONDS = 2.0


def monitoring_address(config: Config, environ: Mapping[str, str]) -> str | None:
    """Where monitoring listens: the file's `monitoring.listen`, else the environment's."""
    if config.monitoring is not None:
        return config.monitoring.listen
    return environ.get(LISTEN_ENV) or None


def split_address(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host.strip("[]"), int(port)


@dataclass(frozen=True)
class Verdict:
    healthy: bool
    body: dict[str, Any]


def judge(health: Health, poll_timeout: float, started_at: float, backlog: int | None) -> Verdict:
    """The health check's answer, from what this process has seen."""
    now = health.monotonic()
    limit = 2 * poll_timeout + POLL_GRACE_SECONDS
    since = health.last_poll_at if health.last_poll_at is not None else started_at
    age = now - since
    problems: list[str] = []
    if age > limit:
        what = "no successful getUpdates" if health.last_poll_at is None else "last getUpdates"
        problems.append(f"{what} for {age:.0f} s (limit {limit:.0f} s)")
    if not health.token.ok:
        problems.append(f"Telegram refuses the token ({health.token.refusal})")
    if not health.storage.ok:
        problems.append(f"storage fails ({health.storage.last_error})")
    body: dict[str, Any] = {
        "status": "ok" if not problems else "failing",
        "problems": problems,
        "last_poll_age_seconds": None if health.last_poll_at is None else round(age, 1),
        "poll_age_limit_seconds": limit,
        "outbox_backlog": backlog,
        "database_writable": health.storage.ok,
        "telegram_accepts_token": health.token.ok,
    }
    return Verdict(not problems, body)


class Monitor:
    """The monitoring server of one running desk."""

    def __init__(self, health: Health, metrics: DeskMetrics, poll_timeout: float) -> None:
        self.health = health
        self.database = metrics.database
        self.poll_timeout = poll_timeout
        self.metrics = metrics
        self.started_at = health.monotonic()
        self._runner: web.AppRunner | None = None
        health.on_update_handled.append(self.metrics.update_seconds.observe)

    async def start(self, address: str) -> None:
        """Listen on `address` (host:port); OSError when it cannot."""
        app = web.Application()
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/metrics", self.serve_metrics)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        host, port = split_address(address)
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        log.info("monitoring on http://%s/healthz and /metrics", address)

    async def stop(self) -> None:
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _backlog(self) -> int | None:
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(read_backlog, self.database), BACKLOG_READ_SECONDS
            )
        except Exception:  # the figure is shown when it can be read; it never decides health
            return None

    async def healthz(self, _: web.Request) -> web.Response:
        verdict = judge(self.health, self.poll_timeout, self.started_at, await self._backlog())
        return web.Response(
            status=200 if verdict.healthy else 503,
            text=json.dumps(verdict.body),
            content_type="application/json",
        )

    async def serve_metrics(self, _: web.Request) -> web.Response:
        try:
            await asyncio.to_thread(self.metrics.refresh)
        except Exception as error:  # the process's own counters are still worth serving
            log.warning("metrics: cannot read the database (%s)", error)
        body = await asyncio.to_thread(self.metrics.exposition)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
