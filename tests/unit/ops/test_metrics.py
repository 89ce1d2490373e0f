"""What /metrics reads from the database: updates set aside are counted for the admins'
dashboards, beside the alert each one raised."""

from __future__ import annotations

from prometheus_client.core import Metric

from bot.ops.metrics import SnapshotCollector, read_snapshot
from bot.store import Store


def gauge(metrics: list[Metric], name: str) -> float:
    (family,) = [m for m in metrics if m.name == name]
    (sample,) = family.samples
    return float(sample.value)


async def test_updates_set_aside_are_counted(store: Store) -> None:
    async with store.transaction() as tx:
        for n in range(3):
            await tx.inbox.record(f"k{n}", n, "{}", chat_id=5)
        kept, _ = (await tx.inbox.unprocessed())[0]
        await tx.inbox.set_aside(kept, 3, "ValueError: bad")
    collector = SnapshotCollector()
    collector.snapshot = read_snapshot(str(store.path))
    assert gauge(list(collector.collect()), "desk_updates_set_aside") == 1
