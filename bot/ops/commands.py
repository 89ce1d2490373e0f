"""`python -m bot export` and `python -m bot report`: the desk's cases as CSV or JSON, and the
monthly transparency report, read from the database while the bot runs or not."""

from __future__ import annotations

import argparse
import asyncio
import io
import re
import sys
import time
from datetime import date
from pathlib import Path

from bot.config import Config, load_config
from bot.domain.periods import between, parse_period
from bot.ops.arguments import command_parser
from bot.ops.export import ExportOptions, export, targets_of
from bot.ops.files import private_file
from bot.ops.report import write_report
from bot.store import Store

EXIT_FAILED = 1
_MONTH = re.compile(r"20[0-9]{2}-(0[1-9]|1[0-2])")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date such as 2026-11-01, got {text!r}"
        ) from None


def _month(text: str) -> str:
    if not _MONTH.fullmatch(text):
        raise argparse.ArgumentTypeError(f"expected a month such as 2026-11, got {text!r}")
    return text


def export_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "export",
        "One row per case (first reported in the period, days in the configured time zone): "
        "timeline, category, priority, organizations, decision, reason codes.",
    )
    parser.add_argument(
        "--since", type=_day, help="first day, YYYY-MM-DD (default: the first case)"
    )
    parser.add_argument("--until", type=_day, help="last day, included (default: today)")
    parser.add_argument("--format", choices=["csv", "json"], default="csv")
    parser.add_argument("--output", type=Path, help="a file to write (0600); default: stdout")
    parser.add_argument(
        "--with-content",
        action="store_true",
        help="add message content: the reporters' notes, typed reasons, origins",
    )
    parser.add_argument(
        "--quality", action="store_true", help="add the flagger quality section (for admins)"
    )
    return parser


def report_parser() -> argparse.ArgumentParser:
    parser = command_parser(
        "report",
        "The monthly transparency report: report.html (self-contained) and report.md with its "
        "PNG charts, in the configured language.",
    )
    parser.add_argument("--month", type=_month, required=True, help="YYYY-MM")
    parser.add_argument("--output", type=Path, required=True, help="the directory to write")
    parser.add_argument(
        "--with-quality",
        action="store_true",
        help="add the flagger quality annex (for the partners' admins only)",
    )
    return parser


async def _upgrade(database: Path) -> None:
    """Bring an older database up to this version's schema (a no-op for a current one)."""
    store = await Store.open(database, time.time)
    await store.close()


def _database(config: Config, config_path: str) -> Path | None:
    database = Path(config.storage.path)
    if not database.is_file():
        print(
            f"No database at {database} (storage.path in {config_path}): the bot creates it "
            "when it first runs.",
            file=sys.stderr,
        )
        return None
    asyncio.run(_upgrade(database))
    return database


def run_export(argv: list[str]) -> int:
    args = export_parser().parse_args(argv)
    if args.since and args.until and args.since > args.until:
        export_parser().error("--since is after --until")
    config = load_config(args.config)
    database = _database(config, args.config)
    if database is None:
        return EXIT_FAILED
    period = between(args.since, args.until, time.time(), config.zone)
    options = ExportOptions(
        period,
        targets_of(config),
        with_content=args.with_content,
        with_quality=args.quality,
        json=args.format == "json",
    )
    if args.output is None:
        count = export(str(database), sys.stdout, options)
        sys.stdout.flush()
    else:
        with private_file(args.output) as raw, io.TextIOWrapper(raw, "utf-8", newline="") as out:
            count = export(str(database), out, options)
    where = args.output or "stdout"
    print(f"Exported {count} cases ({period.describe()}) to {where}.", file=sys.stderr)
    return 0


def run_report(argv: list[str]) -> int:
    args = report_parser().parse_args(argv)
    config = load_config(args.config)
    database = _database(config, args.config)
    if database is None:
        return EXIT_FAILED
    now = time.time()
    month = parse_period(args.month, now, config.zone)
    assert month is not None  # the argument was checked as a month
    written = write_report(
        str(database), config, month, args.output, now, with_quality=args.with_quality
    )
    for path in written:
        print(path)
    return 0


COMMANDS = {"export": run_export, "report": run_report}


def main(argv: list[str]) -> int:
    """`argv` starts with the command (export or report); a configuration it cannot use raises
    ConfigError, for the caller to explain."""
    command, rest = argv[0], argv[1:]
    try:
        return COMMANDS[command](rest)
    except OSError as error:
        print(f"Cannot write: {error}", file=sys.stderr)
        return EXIT_FAILED
