"""Prometheus metrics through prometheus_client, on a registry of the desk's own.

Counts that must survive restarts and match the database (cases by state and category, reports
received, the outbox backlog, times to first action and to decision) are read from the database
when /metrics is asked, on a read connection of their own (bot/store/reading.py) in a worker
thread; what only the process sees (sends by result, 429s, how long updates take) is counted as
it happens.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from bot.domain.models import Item
from bot.outbox.delivery import DeliveryError, Failure, OutgoingFile, OutgoingText, Transport
from bot.render.message import Button
from bot.store.reading import reading

# Seconds: a minute to a week, around the categories' targets (15 min to two days).
DURATION_BUCKETS = (
    60.0,
    300.0,
    900.0,
    1800.0,
    3600.0,
    4 * 3600.0,
    8 * 3600.0,
    86400.0,
    2 * 86400.0,
    7 * 86400.0,
)
UPDATE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FILED = ("open", "added", "repeat")


@dataclass
class Durations:
    """One histogram per category: counts at or under each bucket bound, the count and sum."""

    buckets: dict[str, list[int]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    sums: dict[str, float] = field(default_factory=dict)


@dataclass
class Snapshot:
    """What the database says now."""

    cases: dict[tuple[str, str], int] = field(default_factory=dict)
    reports: dict[str, int] = field(default_factory=dict)
    backlog: dict[int, int] = field(default_factory=dict)
    set_aside: int = 0
    first_action: Durations = field(default_factory=Durations)
    decision: Durations = field(default_factory=Durations)


def _durations(db: sqlite3.Connection, value: str, where: str) -> Durations:
    bounds = ", ".join(f"SUM(d <= {bound})" for bound in DURATION_BUCKETS)
    rows = db.execute(
        f"SELECT category, COUNT(*), SUM(d), {bounds} FROM ("
        f" SELECT case_facts.category AS category, {value} AS d FROM case_rounds"
        f" JOIN case_facts USING (case_id) WHERE {where}) GROUP BY category"
    ).fetchall()
    found = Durations()
    for category, count, total, *under in rows:
        found.counts[category] = int(count)
        found.sums[category] = float(total or 0)
        found.buckets[category] = [int(n or 0) for n in under]
    return found


def read_snapshot(database: str) -> Snapshot:
    """Every figure /metrics serves from the database, from one consistent snapshot."""
    snapshot = Snapshot()
    with reading(database) as db:
        for state, category, count in db.execute(
            "SELECT state, category, COUNT(*) FROM cases GROUP BY state, category"
        ):
            snapshot.cases[(state, category)] = int(count)
        marks = ",".join("?" for _ in FILED)
        for category, count in db.execute(
            "SELECT cases.category, COUNT(*) FROM reports JOIN cases ON cases.id = reports.case_id"
            f" WHERE reports.status IN ({marks}) GROUP BY cases.category",
            FILED,
        ):
            snapshot.reports[category] = int(count)
        for priority, count in db.execute(
            "SELECT priority, COUNT(*) FROM outbox WHERE state = 'pending' GROUP BY priority"
        ):
            snapshot.backlog[int(priority)] = int(count)
        snapshot.set_aside = int(
            db.execute("SELECT COUNT(*) FROM inbox WHERE set_aside_at IS NOT NULL").fetchone()[0]
        )
        snapshot.first_action = _durations(
            db, "first_action_at - started_at", "first_action_at IS NOT NULL"
        )
        snapshot.decision = _durations(
            db, "decided_at - started_at - paused_seconds", "decided_at IS NOT NULL"
        )
    return snapshot


def read_backlog(database: str) -> int:
    """Messages waiting in the outbox."""
    with reading(database) as db:
        return int(db.execute("SELECT COUNT(*) FROM outbox WHERE state = 'pending'").fetchone()[0])


def _histogram(name: str, documentation: str, durations: Durations) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation, labels=["category"])
    for category, count in sorted(durations.counts.items()):
        cumulative = [
            (str(bound), float(n))
            for bound, n in zip(DURATION_BUCKETS, durations.buckets[category], strict=True)
        ]
        cumulative.append(("+Inf", float(count)))
        family.add_metric([category], cumulative, durations.sums[category])
    return family


class SnapshotCollector(Collector):
    """Serves the latest snapshot read from the database."""

    def __init__(self) -> None:
        self.snapshot = Snapshot()

    def collect(self) -> Iterable[Metric]:
        snapshot = self.snapshot
        cases = GaugeMetricFamily(
            "desk_cases", "Cases by state and category", labels=["state", "category"]
        )
        for (state, category), count in sorted(snapshot.cases.items()):
            cases.add_metric([state, category], count)
        yield cases
        reports = CounterMetricFamily(
            "desk_reports", "Reports received on cases, by the case's category", labels=["category"]
        )
        for category, count in sorted(snapshot.reports.items()):
            reports.add_metric([category], count)
        yield reports
        backlog = GaugeMetricFamily(
            "desk_outbox_backlog", "Messages waiting to be sent, by priority", labels=["priority"]
        )
        for priority, count in sorted(snapshot.backlog.items()):
            backlog.add_metric([str(priority)], count)
        yield backlog
        yield GaugeMetricFamily(
            "desk_updates_set_aside",
            "Updates that failed every try, kept in the inbox (each was told to the admins)",
            value=snapshot.set_aside,
        )
        yield _histogram(
            "desk_time_to_first_action_seconds",
            "From the first report (or the reopen) to the first action, per round",
            snapshot.first_action,
        )
        yield _histogram(
            "desk_time_to_decision_seconds",
            "From the first report (or the reopen) to the decision, waits for the reporter "
            "left out",
            snapshot.decision,
        )


class DeskMetrics:
    def __init__(self, database: str) -> None:
        self.database = database
        self.registry = CollectorRegistry()
        self.sends = Counter(
            "desk_sends",
            "Bot API calls of the outbox (sends, edits, copies) by result",
            ["result"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "desk_telegram_429",
            "429 Too Many Requests answers from Telegram",
            registry=self.registry,
        )
        self.update_seconds = Histogram(
            "desk_update_processing_seconds",
            "How long the handlers took to process one update",
            buckets=UPDATE_BUCKETS,
            registry=self.registry,
        )
        self.from_database = SnapshotCollector()
        self.registry.register(self.from_database)

    def refresh(self) -> None:
        """Read the database's figures (blocking: call it in a worker thread)."""
        self.from_database.snapshot = read_snapshot(self.database)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def sent(self, result: str) -> None:
        self.sends.labels(result=result).inc()
        if result == Failure.RETRY_AFTER:
            self.rate_limited.inc()


class CountingTransport:
    """The outbox's transport, counting every call's result (`ok` or the failure's class)."""

    def __init__(self, inner: Transport, metrics: DeskMetrics) -> None:
        self.inner = inner
        self.metrics = metrics

    def _count(self) -> _Counting:
        return _Counting(self.metrics)

    async def send_message(self, message: OutgoingText) -> int:
        with self._count():
            return await self.inner.send_message(message)

    async def edit_message(
        self, chat_id: int, message_id: int, text: str, buttons: list[list[Button]]
    ) -> None:
        with self._count():
            await self.inner.edit_message(chat_id, message_id, text, buttons)

    async def copy_message(
        self, chat_id: int, from_chat_id: int, message_id: int, reply_to: int | None
    ) -> int:
        with self._count():
            return await self.inner.copy_message(chat_id, from_chat_id, message_id, reply_to)

    async def send_album(self, chat_id: int, items: list[Item], reply_to: int | None) -> list[int]:
        with self._count():
            return await self.inner.send_album(chat_id, items, reply_to)

    async def leave_chat(self, chat_id: int) -> None:
        with self._count():
            await self.inner.leave_chat(chat_id)

    async def resend_items(
        self, chat_id: int, items: list[Item], reply_to: int | None
    ) -> list[int]:
        with self._count():
            return await self.inner.resend_items(chat_id, items, reply_to)

    async def send_file(self, outgoing: OutgoingFile) -> int:
        with self._count():
            return await self.inner.send_file(outgoing)


class _Counting:
    def __init__(self, metrics: DeskMetrics) -> None:
        self.metrics = metrics

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, _: object
    ) -> None:
        if error is None:
            self.metrics.sent("ok")
        elif isinstance(error, DeliveryError):
            self.metrics.sent(error.failure.value)
