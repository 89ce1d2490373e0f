"""End-to-end harness: the real runtime (PTB's HTTP layer included) against the fake Bot API."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from bot.config import Config, load_config
from bot.faults import CRASH_KEY, ENVIRONMENT_KEYS
from bot.outbox.deliveries import cost
from bot.runtime import DeskRuntime
from bot.sandbox import FakeTelegram
from tests.factories import World, write_config

JSONDict = dict[str, Any]


class Harness:
    """One desk process (in this event loop) that can be stopped and started again."""

    def __init__(
        self,
        fake: FakeTelegram,
        world: World,
        tmp_path: Path,
        *,
        clock: Callable[[], float] | None = None,
        extra_config: str = "",
        language: str = "en",
        on_duty: str = "",
    ) -> None:
        self.fake = fake
        self.world = world
        self.config_path = write_config(
            tmp_path, fake.base_url, extra_config, language=language, on_duty=on_duty
        )
        self.clock = clock
        self.runtime: DeskRuntime | None = None

    @property
    def config(self) -> Config:
        return load_config(self.config_path)

    async def start(self) -> DeskRuntime:
        kwargs: dict[str, Any] = {"poll_timeout": 1, "request_timeout": 2.0}
        if self.clock is not None:
            kwargs["clock"] = self.clock
            kwargs["monotonic"] = self.clock
        self.runtime = DeskRuntime(str(self.config_path), self.fake.token, **kwargs)
        await self.runtime.start()
        return self.runtime

    async def stop(self, flush_seconds: float = 2.0) -> None:
        if self.runtime is not None:
            await self.runtime.stop(flush_seconds)
            self.runtime = None

    async def close(self) -> None:
        """Stop, once a running desk has settled: the shutdown flush must not wait on a clock
        that stands still."""
        if self.runtime is not None:
            with contextlib.suppress(AssertionError):
                await self.settle()
        await self.stop()

    async def restart(self) -> DeskRuntime:
        await self.stop()
        return await self.start()

    async def case_count(self) -> int:
        """How many cases the desk has filed so far."""
        runtime = self.runtime
        assert runtime is not None
        async with runtime.store.read() as tx:
            rows = await tx.cases.db.execute_fetchall("SELECT COUNT(*) FROM cases")
        return int(next(iter(rows))[0])

    async def idle(self, seconds: float = 10.0) -> None:
        """Wait until every update is processed and nothing sendable is left in the outbox."""
        runtime = self.runtime
        assert runtime is not None

        async def quiet() -> bool:
            if self.fake.pending_updates:
                return False
            async with runtime.store.read() as tx:
                if await tx.inbox.unprocessed(limit=1):
                    return False
                return not (await tx.outbox.counts()).get("pending")

        await self.fake.wait_for(quiet, timeout=seconds, description="the desk to go idle")

    async def settle(self, seconds: float = 10.0) -> None:
        """Like `idle`, and also wait until no timer is due. With a fake clock (`clock=` with an
        `advance` method), move it on just as far as Telegram's send limits hold the outbox (the
        pacer runs on that clock), so paced sends go out without sleeping for real."""
        runtime = self.runtime
        assert runtime is not None
        advance = getattr(self.clock, "advance", None)
        held_polls = 0

        async def quiet() -> bool:
            nonlocal held_polls
            if self.fake.pending_updates:
                held_polls = 0
                return False
            async with runtime.store.read() as tx:
                if await tx.inbox.unprocessed(limit=1) or await tx.timers.due(limit=1):
                    held_polls = 0
                    return False
                if not (await tx.outbox.counts()).get("pending"):
                    return True
                rows = await tx.outbox.pending()
            waits = [
                runtime.worker.pacer.wait(
                    row.chat_id, cost(row), reserve=runtime.worker.digests.reserve_for(row)
                )
                for row in rows
            ]
            if advance is None or not waits or min(waits) <= 0:
                held_polls = 0
                return False
            held_polls += 1
            if held_polls >= 5:  # held for a while, not just a send in flight
                held_polls = 0
                advance(min(waits))
                runtime.worker.wake()
            return False

        await self.fake.wait_for(quiet, timeout=seconds, description="the desk to settle")

    async def answer(self, who: int, text: str, chat: int | None = None) -> str:
        """`who` sends `text` (privately unless `chat`); once the desk is idle, the bot's latest
        message there."""
        self.fake.send_message(who, chat, text=text)
        await self.idle()
        return self.texts_to(chat or who)[-1]

    async def forward_and_report(
        self, who: int, post_id: int, args: str, text: str = "Forwarded post"
    ) -> str:
        """`who` forwards a post of Bad News and sends `/report args`; the bot's answer."""
        self.world.forward_channel_post(who, self.world.bad_news, post_id, text=text)
        return await self.answer(who, f"/report {args}")

    # --- reading what the bot sent ---------------------------------------------------------

    def texts_to(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.fake.messages_in(chat_id)]

    def cards(self, chat_id: int) -> list[JSONDict]:
        """Messages in a chat that carry a case card's first line."""
        return [
            m
            for m in self.fake.messages_in(chat_id)
            if (m.get("text") or "").startswith("#") and "·" in (m.get("text") or "").split("\n")[0]
        ]

    def card(self, chat_id: int, case_id: int) -> JSONDict:
        found = [
            m
            for m in self.cards(chat_id)
            if (m.get("text") or "").split(" ", 1)[0] == f"#{case_id}"
        ]
        assert found, f"no card for #{case_id} in {chat_id}: {self.texts_to(chat_id)}"
        return found[-1]

    @staticmethod
    def buttons(message: JSONDict) -> dict[str, str]:
        """Button text -> callback data of a message's inline keyboard."""
        markup = message.get("reply_markup") or {}
        return {
            b["text"]: b["callback_data"]
            for row in markup.get("inline_keyboard", [])
            for b in row
            if "callback_data" in b
        }

    def button(self, message: JSONDict, data_prefix: str) -> str:
        for data in self.buttons(message).values():
            if data.startswith(data_prefix):
                return data
        raise AssertionError(f"no button {data_prefix!r} on {message.get('text')!r}")


REPO = Path(__file__).resolve().parent.parent


async def spawn_bot(
    config: Path,
    token: str | None,
    *,
    log: Path | None = None,
    crash: str | None = None,
    args: Sequence[str] = (),
    extra_env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> asyncio.subprocess.Process:
    """`python -m bot` as a process: stderr appended to `log`, or piped when there is none.
    Fault knobs are off unless given (`crash`, or `extra_env` with the keys of bot.faults)."""
    unset = ("BOT_TOKEN", *ENVIRONMENT_KEYS)
    env = {k: v for k, v in os.environ.items() if k not in unset}
    if token is not None:
        env["BOT_TOKEN"] = token
    if crash is not None:
        env[CRASH_KEY] = crash
    env.update(extra_env or {})
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        "--config",
        str(config),
        cwd=REPO,
        env=env,
        stdout=asyncio.subprocess.DEVNULL if log else asyncio.subprocess.PIPE,
        stderr=log.open("ab") if log else asyncio.subprocess.PIPE,
        preexec_fn=preexec_fn,
    )


class BotProcess:
    """`python -m bot` whose stderr is read as it comes (a pipe left unread would block the bot
    once full), so a test can wait for a line and read the whole log afterwards."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def spawn(cls, config: Path, token: str | None, **kwargs: Any) -> BotProcess:
        return cls(await spawn_bot(config, token, **kwargs))

    async def _read(self) -> None:
        stream = self.process.stderr
        assert stream is not None
        while line := await stream.readline():
            self.lines.append(line.decode("utf-8", "replace"))

    @property
    def log(self) -> str:
        return "".join(self.lines)

    async def wait_for_line(self, fragment: str, within: float = 60.0) -> str:
        """The first log line holding `fragment`, waiting for it with a generous ceiling."""
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            for line in self.lines:
                if fragment in line:
                    return line
            if self.process.returncode is not None and self._reader.done():
                break
            await asyncio.sleep(0.05)
        raise AssertionError(f"no log line with {fragment!r}; the log:\n{self.log}")

    async def exit_code(self, within: float = 60.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), timeout=within)
        await asyncio.wait_for(self._reader, timeout=within)
        return code

    async def stop(self, within: float = 60.0) -> int:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await self.exit_code(within)


# The `started` fixture: starts a desk that is closed when the test ends, however it ends.
Started = Callable[[Harness], Awaitable[Harness]]
