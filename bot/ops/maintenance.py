"""`python -m bot purge | backup | restore | health`: the operator's maintenance commands.

Each reads the configuration for the database's path (and the monitoring address), says what it
did in a few lines, and ends a failure with one clear line: exit 2 when it cannot do what was
asked, 1 when `health` finds the bot unhealthy or not answering.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from bot.config import load_config
from bot.faults import wall_clock
from bot.ops.arguments import command_parser
from bot.ops.backup import BackupError, make_backup
from bot.ops.monitoring import LISTEN_ENV, monitoring_address
from bot.ops.restore import restore
from bot.ops.retention import purge
from bot.store import StorageError, Store

EXIT_UNHEALTHY = 1
EXIT_FAILED = 2
HEALTH_TIMEOUT_SECONDS = 10.0


class Refused(Exception):
    """The command cannot do what was asked; the message is the one line to print."""


def _existing_database(config_path: str) -> Path:
    config = load_config(config_path)
    database = Path(config.storage.path)
    if not database.is_file():
        raise Refused(f"no database at {database} (storage.path in {config_path})")
    return database


async def _purge(database: Path, config_path: str, dry_run: bool) -> list[str]:
    settings = load_config(config_path).retention
    try:
        store = await Store.open(database, wall_clock)
    except StorageError as error:
        raise Refused(str(error)) from None
    try:
        purged = await purge(store, settings, dry_run=dry_run)
    finally:
        await store.close()
    lines = purged.lines(settings, dry_run)
    if purged.full_vacuum:
        lines.append("The database was compacted once (VACUUM) and now shrinks as it purges.")
    return lines


def run_purge(argv: list[str]) -> int:
    parser = command_parser("purge", "Remove what the retention settings say is past keeping.")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be removed")
    args = parser.parse_args(argv)
    database = _existing_database(args.config)
    print("\n".join(asyncio.run(_purge(database, args.config, args.dry_run))))
    return 0


def run_backup(argv: list[str]) -> int:
    parser = command_parser("backup", "Copy the database consistently, even while the bot runs.")
    parser.add_argument("destination", type=Path, help="a new file, or a folder to put it in")
    args = parser.parse_args(argv)
    made = make_backup(_existing_database(args.config), args.destination)
    print(f"Backed up to {made.path}: integrity ok, {made.describe()}.")
    return 0


def run_restore(argv: list[str]) -> int:
    parser = command_parser("restore", "Put a backup in place of the database (the bot stopped).")
    parser.add_argument("backup", type=Path, help="the backup file to restore")
    parser.add_argument(
        "--other-desk",
        action="store_true",
        help="restore a backup of another desk's database (the marker is rewritten)",
    )
    args = parser.parse_args(argv)
    database = Path(load_config(args.config).storage.path)
    print("\n".join(restore(database, args.backup, other_desk=args.other_desk)))
    return 0


def run_health(argv: list[str]) -> int:
    parser = command_parser(
        "health", "Ask the running bot's /healthz: exit 0 healthy, 1 otherwise."
    )
    args = parser.parse_args(argv)
    address = monitoring_address(load_config(args.config), os.environ)
    if address is None:
        raise Refused(
            f"monitoring is off: set monitoring.listen in {args.config} (or {LISTEN_ENV})"
        )
    url = f"http://{address}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT_SECONDS) as answer:
            print(answer.read().decode("utf-8"))
            return 0
    except urllib.error.HTTPError as error:
        body = error.read().decode("utf-8", "replace")
        try:
            problems = "; ".join(json.loads(body)["problems"])
        except (ValueError, KeyError, TypeError):
            problems = body
        print(f"unhealthy ({error.code}): {problems}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        print(f"no answer from {url} ({reason}): is the bot running?", file=sys.stderr)
    return EXIT_UNHEALTHY


COMMANDS = {
    "purge": run_purge,
    "backup": run_backup,
    "restore": run_restore,
    "health": run_health,
}


def main(argv: list[str]) -> int:
    """`argv` starts with the command; a configuration it cannot use raises ConfigError, for the
    caller to explain."""
    command, rest = argv[0], argv[1:]
    try:
        return COMMANDS[command](rest)
    except (Refused, BackupError) as error:
        print(f"Cannot {command}: {error}", file=sys.stderr)
    except OSError as error:
        print(f"Cannot {command}: {error.strerror or error} ({error.filename})", file=sys.stderr)
    return EXIT_FAILED
