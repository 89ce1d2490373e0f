"""`python -m bot sandbox` as a process: it starts without a token, prints its address, serves
the page on loopback only, and stops cleanly on SIGTERM or SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.sandbox.sandbox_process import REPO, START_SECONDS, running_sandbox


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_sandbox_starts_serves_its_page_and_stops_on_a_signal(
    tmp_path: Path, signum: int
) -> None:
    with running_sandbox(tmp_path) as sandbox:
        address = urlsplit(sandbox.url)
        assert address.hostname == "127.0.0.1"  # nothing listens beyond this machine
        status, page = fetch(sandbox.url)
        assert status == 200
        assert "Report Desk" in page
        status, script = fetch(sandbox.url + "static/app.js")
        assert (status, "textContent" in script) == (200, True)
        assert sandbox.stop(signum) == 0
    printed = "".join(sandbox.lines)
    assert "is ready in" in printed
    assert "Stopping the sandbox." in printed
    assert "Traceback" not in sandbox.log_text()


def test_the_sandbox_keeps_its_database_where_asked_and_borrows_a_configs_wording(
    tmp_path: Path,
) -> None:
    borrowed = tmp_path / "config.yaml"
    borrowed.write_text(
        "telegram: {token: '123:not-for-the-sandbox'}\n"
        "moderation: {chat_id: -1001, moderators: [1]}\n"
        f"storage: {{path: {tmp_path / 'production.sqlite3'}}}\n"
        "language: id\n",
        "utf-8",
    )
    db = tmp_path / "kept.sqlite3"
    with running_sandbox(tmp_path, "--config", str(borrowed), "--db", str(db)) as sandbox:
        assert db.exists()
        assert sandbox.stop() == 0
    assert db.exists()
    assert not (tmp_path / "production.sqlite3").exists()


def test_a_borrowed_config_with_a_mistake_is_named_and_nothing_starts(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("moderation: {chat_id: -1001, moderators: [1]}\nlanguage: fr\n", "utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--port", "0", "--config", str(broken)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=START_SECONDS,
    )
    assert done.returncode == 2
    assert "Configuration error" in done.stderr
    assert "broken.yaml line 2" in done.stderr
    assert "Traceback" not in done.stderr
    assert "Open http" not in done.stdout
