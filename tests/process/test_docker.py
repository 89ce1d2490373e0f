"""The image and compose file, checked without a Docker engine: both files parsed, the build
context's exclusions checked, and the image's command line run as a process with the image's
environment and paths (a folder standing in for the /data volume, another for /config)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import socket
import stat
import sys
from pathlib import Path

import yaml

from bot.sandbox import FakeTelegram
from tests.factories import CONFIG_TEXT, World
from tests.harness import REPO, BotProcess

Instruction = tuple[str, str]


def instructions(dockerfile: Path) -> list[Instruction]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    joined = re.sub(r"\\\n", " ", dockerfile.read_text("utf-8"))
    found = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, arguments = line.partition(" ")
            found.append((name.upper(), arguments.strip()))
    return found


def exec_form(arguments: str) -> list[str]:
    command = json.loads(arguments)
    assert isinstance(command, list), f"not the exec form: {arguments}"
    return [str(part) for part in command]


def env_of(found: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for name, arguments in found:
        if name == "ENV":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether Docker's .dockerignore rules leave `path` (relative to the context) out."""
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        regex = (
            re.escape(pattern)
            .replace(r"\*\*/", "(.*/)?")
            .replace(r"\*", "[^/]*")
            .replace(r"\?", "[^/]")
        )
        parts = path.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        if any(re.fullmatch(regex, prefix) for prefix in prefixes):
            result = not negate
    return result


def dockerignore() -> list[str]:
    lines = (REPO / ".dockerignore").read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_the_build_context_leaves_out_everything_private() -> None:
    patterns = dockerignore()
    for private in (
        ".venv/bin/python",
        ".git/config",
        "config.yaml",
        "config/config.yaml",
        ".env",
        "data/desk.sqlite3",
        "desk.sqlite3-wal",
        "backups/desk-20261130-000000.sqlite3",
        "tests/fixtures/release-0.1.0.sqlite3",
        "bot/__pycache__/runtime.cpython-311.pyc",
    ):
        assert ignored(private, patterns), private
    for copied, _ in [
        (argument.split()[0], argument)
        for name, argument in instructions(REPO / "Dockerfile")
        if name == "COPY"
    ]:
        assert (REPO / copied).exists() and not ignored(copied, patterns), copied
    for needed in ("bot/runtime.py", "bot/render/i18n/en.yaml", "bot/config/schema.py"):
        assert not ignored(needed, patterns), needed


def test_the_image_runs_as_a_user_on_the_data_volume_with_a_healthcheck() -> None:
    found = instructions(REPO / "Dockerfile")
    names = [name for name, _ in found]
    assert found[0] == ("FROM", "python:3.11-slim")
    user = [arguments for name, arguments in found if name == "USER"]
    assert user and user[-1] not in ("root", "0")
    workdir = [arguments for name, arguments in found if name == "WORKDIR"]
    assert workdir[-1] == "/data" and names.index("USER") < len(names) - 1
    assert ("VOLUME", '["/data"]') in found
    (healthcheck,) = [arguments for name, arguments in found if name == "HEALTHCHECK"]
    options, _, command = healthcheck.partition(" CMD ")
    assert "--interval" in options
    assert exec_form(command) == [
        "python",
        "-m",
        "bot",
        "health",
        "--config",
        "/config/config.yaml",
    ]
    assert env_of(found)["REPORT_DESK_MONITORING"].startswith("127.0.0.1:")


def test_compose_mounts_the_volume_the_config_folder_and_the_token_file() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text("utf-8"))
    (service,) = compose["services"].values()
    assert service["build"] == "." and service["restart"] in ("unless-stopped", "always")
    assert service["env_file"] == ".env"
    volumes = service["volumes"]
    assert "desk-data:/data" in volumes and "desk-data" in compose["volumes"]
    (config_mount,) = [v for v in volumes if v.endswith(":/config:ro")]
    assert not config_mount.split(":")[0].endswith((".yaml", ".yml"))  # a folder, not the file


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_images_command_line_runs_with_its_default_storage_and_healthcheck(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    World.build(tg)
    data, config_dir = tmp_path / "data", tmp_path / "config"
    data.mkdir(mode=0o700)
    config_dir.mkdir()
    # The example's shape without storage: the image's default path must work on its own.
    text = CONFIG_TEXT.format(base_url=tg.base_url, db="unused")
    (config_dir / "config.yaml").write_text(text.replace("storage:\n  path: unused\n", ""))
    found = instructions(REPO / "Dockerfile")
    image_env = env_of(found)
    host = image_env["REPORT_DESK_MONITORING"].rpartition(":")[0]
    image_env["REPORT_DESK_MONITORING"] = f"{host}:{free_port()}"  # the machine's 9464 may be taken
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(REPO),  # the package as `pip install .` puts it on the path
        "HOME": str(tmp_path),
        "BOT_TOKEN": tg.token,
        **image_env,
    }

    def image_command(arguments: str) -> list[str]:
        command = exec_form(arguments)
        command = [part.replace("/config/", f"{config_dir}/") for part in command]
        return [sys.executable if part == "python" else part for part in command]

    (cmd,) = [image_command(arguments) for name, arguments in found if name == "CMD"]
    healthcheck = next(arguments for name, arguments in found if name == "HEALTHCHECK")
    check = image_command(healthcheck.partition(" CMD ")[2])
    process = await asyncio.create_subprocess_exec(
        *cmd, cwd=data, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    bot = BotProcess(process)
    try:
        await bot.wait_for_line("is running")
        database = data / "data" / "desk.sqlite3"
        assert stat.S_IMODE(database.stat().st_mode) == 0o600
        assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700

        async def healthcheck_passes() -> bool:
            probe = await asyncio.create_subprocess_exec(
                *check,
                cwd=data,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            out, _ = await asyncio.wait_for(probe.communicate(), timeout=60)
            return probe.returncode == 0 and json.loads(out)["status"] == "ok"

        await tg.wait_for(healthcheck_passes, timeout=60, description="HEALTHCHECK to pass")
    finally:
        assert await bot.stop() == 0, bot.log
