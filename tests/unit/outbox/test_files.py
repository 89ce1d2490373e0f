"""Files through the outbox: a chart or an export written for one send, removed once sent."""

from __future__ import annotations

from pathlib import Path

from bot.config import Config
from bot.outbox import sends
from bot.outbox.delivery import OutgoingFile
from bot.store import Store
from tests.factories import GROUP, MOD_ONE, FakeClock
from tests.unit.outbox.test_outbox import ScriptedTransport, drain, states, worker


async def test_a_file_is_sent_once_then_removed(
    store: Store, config: Config, clock: FakeClock, tmp_path: Path
) -> None:
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG")
    async with store.transaction() as tx:
        await sends.message(tx, GROUP, "figures", priority=sends.PRIORITY_CARD_EDIT)
        await sends.file(
            tx, GROUP, str(chart), "chart.png", as_photo=True, caption="chart", priority=1
        )
    transport = ScriptedTransport()
    await drain(worker(store, config, transport, clock), clock)
    assert [call[0] for call in transport.calls] == ["send", "file"]
    assert transport.calls[1][2] == OutgoingFile(GROUP, str(chart), "chart.png", True, "chart")
    assert not chart.exists()
    assert await states(store) == {"sent": 2}


async def test_a_file_gone_before_its_send_fails_without_a_call(
    store: Store, config: Config, clock: FakeClock, tmp_path: Path
) -> None:
    async with store.transaction() as tx:
        await sends.file(tx, MOD_ONE, str(tmp_path / "gone.csv"), "cases.csv")
    transport = ScriptedTransport()
    await drain(worker(store, config, transport, clock), clock)
    assert transport.calls == []
    assert await states(store) == {"failed": 1}
