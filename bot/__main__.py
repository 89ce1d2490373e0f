"""Command line: `python -m bot [run] --config FILE` runs the bot; `check-config` validates;
`export` and `report` write the cases and the monthly transparency report (bot/ops)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.config import ConfigError, load_config, summary

EXIT_CONFIG = 2
# Commands with options of their own (bot/ops/commands.py).
OPS_COMMANDS = ("export", "report")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Report Desk: a Telegram case desk for moderators."
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "check-config", *OPS_COMMANDS],
        help="run the bot (default), only validate the configuration, or write an export or "
        "the monthly report (see `python -m bot export --help`, `python -m bot report --help`)",
    )
    parser.add_argument("--config", default="config.yaml", help="the YAML file (config.yaml)")
    parser.add_argument("--log-level", default="INFO", help="DEBUG, INFO, WARNING, ERROR")
    return parser.parse_args(argv)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # httpx logs every request URL at INFO, and the URL carries the bot token.
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in OPS_COMMANDS:
        configure_logging("WARNING")
        from bot.ops.commands import main as ops_main

        return ops_main(argv)
    args = parse_args(argv)
    configure_logging(args.log_level)
    try:
        if args.command == "check-config":
            print(summary(load_config(args.config)))
            return 0
        from bot.runtime import run

        return asyncio.run(run(args.config))
    except ConfigError as error:
        print(f"Configuration error:\n{error}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
