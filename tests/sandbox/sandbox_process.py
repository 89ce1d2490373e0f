"""`python -m bot sandbox` as a process for tests: started, its address read, stopped by signal."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# Generous: a loaded 2-core machine shared with other work can be slow to import and start.
START_SECONDS = 90.0
STOP_SECONDS = 30.0
ADDRESS = re.compile(r"Open (http://\S+) in a browser")


@dataclass
class SandboxProcess:
    process: subprocess.Popen[str]
    log: Path
    url: str = ""
    started_in: float = 0.0
    lines: list[str] = field(default_factory=list)  # what it printed, as it prints it
    reader: threading.Thread | None = None

    def log_text(self) -> str:
        return self.log.read_text("utf-8", "replace") if self.log.exists() else ""

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Send ``signum`` and wait for the exit status (and for the last of what it printed)."""
        if self.process.poll() is None:
            self.process.send_signal(signum)
        status = self.process.wait(timeout=STOP_SECONDS)
        if self.reader is not None:
            self.reader.join(timeout=STOP_SECONDS)
        return status


def _read_lines(stream: object, kept: list[str], into: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        kept.append(line)
        into.put(line)
    into.put(None)


@contextmanager
def running_sandbox(tmp_path: Path, *args: str) -> Iterator[SandboxProcess]:
    """Start the sandbox on any free port; yield once it prints its address; stop it after."""
    log = tmp_path / "sandbox.log"
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    began = time.monotonic()
    with log.open("wb") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "sandbox", "--port", "0", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
    running = SandboxProcess(process, log)
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(
        target=_read_lines, args=(process.stdout, running.lines, lines), daemon=True
    )
    reader.start()
    running.reader = reader
    try:
        deadline = began + START_SECONDS
        while not running.url:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(
                    f"no address after {START_SECONDS}s:\n{running.log_text()}"
                ) from None
            if line is None:
                raise AssertionError(f"the sandbox exited early:\n{running.log_text()}")
            found = ADDRESS.search(line)
            if found:
                running.url = found.group(1)
                running.started_in = time.monotonic() - began
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
