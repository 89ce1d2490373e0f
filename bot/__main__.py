"""Command line: `python -m bot [run] --config FILE` runs the bot; `check-config` validates;
`sandbox` runs the desk on a local Telegram shown in the browser (bot.sandbox.app);
`export` and `report` write the cases and the monthly transparency report (bot/ops).

Mistakes an operator can make (a bad file, a storage path the bot cannot use, a refused token)
end with one clear message and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

from bot.config import ConfigError, load_config, resolve_token, summary
from bot.config.warnings import config_warnings, log_warnings
from bot.logs import FORMATS, LEVELS, configure_logging, hide
from bot.store.files import exposure_warnings, location_problem

EXIT_CONFIG = 2
# Commands with options of their own (bot/ops/commands.py).
OPS_COMMANDS = ("export", "report")
MAINTENANCE_COMMANDS = ("purge", "backup", "restore", "health")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Report Desk: a Telegram case desk for moderators."
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "check-config", *OPS_COMMANDS, *MAINTENANCE_COMMANDS],
        help="run the bot (default), only validate the configuration, write an export or the "
        "monthly report, purge, back up, restore, or ask the running bot's health (each has "
        "--help: `python -m bot backup --help`)",
    )
    parser.add_argument("--config", default="config.yaml", help="the YAML file (config.yaml)")
    parser.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=LEVELS,
        help="how much to log: " + ", ".join(LEVELS) + " (INFO)",
    )
    parser.add_argument(
        "--log-format",
        default="text",
        choices=FORMATS,
        help="text lines (default) or one JSON object per line, for log shippers",
    )
    parser.add_argument(
        "--init",
        action="store_true",
        help="create a new, empty database even though one existed here before",
    )
    return parser.parse_args(argv)


def check_config(path: str) -> int:
    config = load_config(path)
    problem = location_problem(Path(config.storage.path))
    if problem is not None:
        line = config.source_line(("storage", "path"))
        where = f" ({config.source_path} line {line})" if line else ""
        raise ConfigError(f"storage.path: {problem}{where}")
    print(summary(config))
    warnings = config_warnings(config) + exposure_warnings(Path(config.storage.path))
    if warnings:
        print("\nWarnings (the bot still starts):\n" + "\n".join(warnings))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["sandbox"]:
        from bot.sandbox.app import main as sandbox

        return sandbox(argv[1:])
    try:
        return _command(argv)
    except ConfigError as error:
        print(f"Configuration error:\n{error}", file=sys.stderr)
        return EXIT_CONFIG


def _command(argv: list[str]) -> int:
    if argv and argv[0] in OPS_COMMANDS:
        configure_logging("WARNING")
        from bot.ops.commands import main as ops_main

        return ops_main(argv)
    if argv and argv[0] in MAINTENANCE_COMMANDS:
        configure_logging("WARNING")
        from bot.ops.maintenance import main as maintenance_main

        return maintenance_main(argv)
    args = parse_args(argv)
    configure_logging(args.log_level, args.log_format)
    from bot.runtime import StartFailed, run

    try:
        if args.command == "check-config":
            return check_config(args.config)
        config = load_config(args.config)
        hide(resolve_token(config, os.environ))
        log_warnings(config)
        return asyncio.run(run(args.config, init=args.init))
    except StartFailed as error:
        print(f"Cannot start: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
