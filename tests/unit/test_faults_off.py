"""The fault knobs are test-only: without their environment variables nothing crashes, fails,
moves the clock or shortens the long poll, however many commits pass."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.faults import ENVIRONMENT_KEYS

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import time
import bot.faults as faults
for _ in range(1000):
    faults.fault_point("commit")
    faults.crash_point("commit")
assert not faults.CRASH_AT and not faults.FAIL_AT
assert abs(faults.wall_clock() - time.time()) < 5
assert faults.poll_timeout(25) == 25
print("off")
"""


def test_fault_knobs_are_off_without_their_environment() -> None:
    environment = {k: v for k, v in os.environ.items() if k not in ENVIRONMENT_KEYS}
    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        env=environment,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    assert probe.stdout.strip() == "off"
