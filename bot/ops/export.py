"""Exports: one row per case with its timeline, category, priority, organizations, decision and
reason code, as CSV or JSON, streamed (one case in memory at a time). Message content (notes,
typed reasons, origins) only when asked for; flagger quality as a section when asked for.

`python -m bot export` writes to stdout or a 0600 file; an admin's /export gets CSV documents,
gzipped or split by month when one file would pass Telegram's 50 MB upload limit.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.domain.figures import FlaggerQuality, Quality
from bot.domain.models import Origin
from bot.domain.periods import Period
from bot.domain.timeline import Round
from bot.ops.files import private_file
from bot.outbox.delivery import UPLOAD_LIMIT_BYTES
from bot.store.case_rows import CaseRow, case_rows
from bot.store.figures import Targets
from bot.store.quality import flagger_quality
from bot.store.reading import reading


def targets_of(config: Config) -> Targets:
    """Each category's response-time targets in seconds: (first action, decision)."""
    return {
        key: (category.targets.first_action_min * 60.0, category.targets.decision_min * 60.0)
        for key, category in config.categories.items()
    }


COLUMNS = [
    "case",
    "category",
    "priority",
    "state",
    "reported_at",
    "first_visible_at",
    "minutes_to_visible",
    "round_started_at",
    "first_action_at",
    "first_action",
    "first_action_by",
    "minutes_to_first_action",
    "first_action_within_target",
    "decided_at",
    "decision",
    "reason_code",
    "decided_by",
    "minutes_to_decision",
    "paused_minutes",
    "decision_within_target",
    "decisions",
    "reopens",
    "reopened_at",
    "reporters",
    "organizations",
]
CONTENT_COLUMNS = ["notes", "typed_reason", "origins"]
QUALITY_COLUMNS = [
    "quality_of",
    "name",
    "organization",
    "reports",
    "decided",
    "taken_down",
    "taken_down_percent",
    "dismissed",
    "dismissed_percent",
    "dismissed_by_reason",
    "median_minutes_to_decision",
]
LIST_SEPARATOR = "; "
TYPED_REASON = "text:"


class Cancelled(Exception):
    """The bot is stopping: the export was abandoned."""


class TooLarge(Exception):
    """Even one month, gzipped, would pass the upload limit."""


@dataclass(frozen=True)
class ExportOptions:
    period: Period
    targets: Targets
    with_content: bool = False
    with_quality: bool = False
    json: bool = False


def iso(timestamp: float | None, zone: ZoneInfo) -> str | None:
    """ISO 8601 with the zone's offset: `2026-11-02T10:15:00+07:00`."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, zone).isoformat(timespec="seconds")


def minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60.0, 2)


def within(seconds: float | None, target: float | None) -> bool | None:
    if seconds is None or target is None:
        return None
    return seconds <= target


def origin_text(origin: dict[str, object]) -> str:
    """An origin as a partner can follow it: its t.me link, else its title or sender."""
    try:
        found = Origin(**origin)  # type: ignore[arg-type]
    except TypeError:
        return ""
    return found.link or found.title or found.sender_name or found.type


def record(row: CaseRow, options: ExportOptions) -> dict[str, Any]:
    """The case as one flat record (the CSV row; JSON adds its rounds)."""
    zone = options.period.zone
    last = row.last
    first_target, decision_target = options.targets.get(row.facts.category, (None, None))
    visible = row.facts.first_visible_at
    out: dict[str, Any] = {
        "case": row.facts.case_id,
        "category": row.facts.category,
        "priority": row.facts.priority,
        "state": row.state,
        "reported_at": iso(row.facts.reported_at, zone),
        "first_visible_at": iso(visible, zone),
        "minutes_to_visible": minutes(None if visible is None else visible - row.facts.reported_at),
        "round_started_at": iso(last.started_at, zone),
        "first_action_at": iso(last.first_action_at, zone),
        "first_action": last.first_action,
        "first_action_by": last.first_action_by_name,
        "minutes_to_first_action": minutes(last.to_first_action),
        "first_action_within_target": within(last.to_first_action, first_target),
        "decided_at": iso(last.decided_at, zone),
        "decision": last.decision,
        "reason_code": last.reason_code,
        "decided_by": last.decided_by_name,
        "minutes_to_decision": minutes(last.to_decision),
        "paused_minutes": minutes(last.paused_seconds),
        "decision_within_target": within(last.to_decision, decision_target),
        "decisions": sum(1 for r in row.rounds if r.decided_at is not None),
        "reopens": len(row.rounds) - 1,
        "reopened_at": [iso(r.started_at, zone) for r in row.rounds[1:]],
        "reporters": row.reporters,
        "organizations": row.organizations,
    }
    if options.with_content:
        reason = row.decision_reason or ""
        out["notes"] = row.notes
        out["typed_reason"] = (
            reason.removeprefix(TYPED_REASON) if reason.startswith(TYPED_REASON) else None
        )
        out["origins"] = [text for text in map(origin_text, row.origins) if text]
    return out


def round_record(rnd: Round, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "round": rnd.round,
        "started_at": iso(rnd.started_at, zone),
        "reopened_by": rnd.reopened_by_name,
        "first_action_at": iso(rnd.first_action_at, zone),
        "first_action": rnd.first_action,
        "first_action_by": rnd.first_action_by_name,
        "minutes_to_first_action": minutes(rnd.to_first_action),
        "decided_at": iso(rnd.decided_at, zone),
        "decision": rnd.decision,
        "reason_code": rnd.reason_code,
        "decided_by": rnd.decided_by_name,
        "paused_minutes": minutes(rnd.paused_seconds),
        "minutes_to_decision": minutes(rnd.to_decision),
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list):
        return LIST_SEPARATOR.join(_cell(item) for item in value)
    return str(value)


def quality_records(quality: Quality) -> Iterator[dict[str, Any]]:
    tables: list[tuple[str, list[FlaggerQuality]]] = [
        ("organization", quality.by_organization),
        ("reporter", quality.by_reporter),
    ]
    for scope, lines in tables:
        for line in lines:
            yield {
                "quality_of": scope,
                "name": line.key,
                "organization": line.organization,
                "reports": line.reports,
                "decided": line.decided,
                "taken_down": line.taken_down,
                "taken_down_percent": line.taken_down_share.percent,
                "dismissed": line.dismissed,
                "dismissed_percent": line.dismissed_share.percent,
                "dismissed_by_reason": {
                    code or "typed": count for code, count in line.dismissed_by_reason.items()
                },
                "median_minutes_to_decision": minutes(line.to_decision.median),
            }


def write_csv(
    rows: Iterable[CaseRow],
    out: IO[str],
    options: ExportOptions,
    quality: Callable[[], Quality] | None = None,
) -> int:
    """The cases as CSV; with `quality`, a blank line and the quality table follow."""
    columns = COLUMNS + (CONTENT_COLUMNS if options.with_content else [])
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        flat = record(row, options)
        writer.writerow([_cell(flat[column]) for column in columns])
        count += 1
    if quality is not None:
        writer.writerow([])
        writer.writerow(QUALITY_COLUMNS)
        for line in quality_records(quality()):
            reasons = line["dismissed_by_reason"]
            line["dismissed_by_reason"] = [f"{code} {n}" for code, n in reasons.items()]
            writer.writerow([_cell(line[column]) for column in QUALITY_COLUMNS])
    return count


def write_json(
    rows: Iterable[CaseRow],
    out: IO[str],
    options: ExportOptions,
    quality: Callable[[], Quality] | None = None,
) -> int:
    """One JSON document, written as it goes: the period, the cases (each with its rounds),
    and the quality section when asked for."""
    period = options.period
    out.write("{\n")
    head = {"first_day": period.first.isoformat(), "last_day": period.last.isoformat()}
    out.write(f'"period": {json.dumps({**head, "time_zone": period.zone.key})},\n"cases": [')
    count = 0
    for row in rows:
        flat = record(row, options)
        flat["rounds"] = [round_record(r, period.zone) for r in row.rounds]
        out.write(("\n" if count == 0 else ",\n") + json.dumps(flat, ensure_ascii=False))
        count += 1
    out.write("\n]")
    if quality is not None:
        section = list(quality_records(quality()))
        out.write(',\n"quality": ' + json.dumps(section, ensure_ascii=False))
    out.write("\n}\n")
    return count


def _checked(rows: Iterable[CaseRow], stop: threading.Event | None) -> Iterator[CaseRow]:
    for index, row in enumerate(rows):
        if stop is not None and index % 1000 == 0 and stop.is_set():
            raise Cancelled
        yield row


def export(
    database: str, out: IO[str], options: ExportOptions, stop: threading.Event | None = None
) -> int:
    """Write the export of `options.period` to `out`; how many cases it holds."""
    writer = write_json if options.json else write_csv
    with reading(database) as db:
        rows = _checked(case_rows(db, options.period, with_content=options.with_content), stop)
        quality = (lambda: flagger_quality(db, options.period)) if options.with_quality else None
        return writer(rows, out, options, quality)


@dataclass(frozen=True)
class ExportFile:
    path: Path
    filename: str
    cases: int
    period: str  # the period it covers, as people read it


def file_name(period: Period) -> str:
    if len(period.name) in (4, 7) and period.name[:4].isdigit():  # 2026 or 2026-11
        return f"cases-{period.name}.csv"
    return f"cases-{period.first.isoformat()}_{period.last.isoformat()}.csv"


def _csv_file(
    database: str, path: Path, options: ExportOptions, stop: threading.Event | None
) -> int:
    with private_file(path) as raw, io.TextIOWrapper(raw, "utf-8", newline="") as text:
        return export(database, text, options, stop)


def _gzipped(path: Path) -> Path:
    packed = path.with_name(path.name + ".gz")
    with (
        path.open("rb") as plain,
        private_file(packed) as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", filename=path.name) as gz,
    ):
        shutil.copyfileobj(plain, gz, 1024 * 1024)
    path.unlink()
    return packed


def _fitting(
    database: str,
    options: ExportOptions,
    spool: Callable[[str], Path],
    limit: int,
    stop: threading.Event | None,
) -> ExportFile | None:
    """The period as one CSV, gzipped if it must be; None if it still passes `limit`."""
    name = file_name(options.period)
    path = spool(name)
    count = _csv_file(database, path, options, stop)
    if path.stat().st_size <= limit:
        return ExportFile(path, name, count, options.period.describe())
    packed = _gzipped(path)
    if packed.stat().st_size <= limit:
        return ExportFile(packed, name + ".gz", count, options.period.describe())
    packed.unlink()
    return None


def export_files(
    database: str,
    options: ExportOptions,
    spool: Callable[[str], Path],
    *,
    limit: int = UPLOAD_LIMIT_BYTES,
    stop: threading.Event | None = None,
) -> list[ExportFile]:
    """CSV files for Telegram: one file, gzipped if needed, else one (gzipped) file per month.
    Raises TooLarge when a month alone does not fit."""
    whole = _fitting(database, options, spool, limit, stop)
    if whole is not None:
        return [whole]
    files: list[ExportFile] = []
    for month in options.period.months():
        part = _fitting(database, ExportOptions(month, options.targets), spool, limit, stop)
        if part is None:
            for done in files:
                done.path.unlink(missing_ok=True)
            raise TooLarge
        files.append(part)
    return files
