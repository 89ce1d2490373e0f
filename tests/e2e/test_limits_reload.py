"""An admin raises the reporters' limits (`intake.max_draft_items`, `intake.max_reports_per_hour`)
in the file and reloads: the new limits hold at once, without a restart."""

from __future__ import annotations

from pathlib import Path

from bot.desk.intake import DRAFT_NOTICE_DELAY
from bot.sandbox import FakeTelegram
from tests.factories import DUA, FakeClock, World
from tests.harness import Harness

LIMITS = "intake:\n  max_draft_items: 3\n  max_reports_per_hour: 1\n"


async def forward(h: Harness, clock: FakeClock, first: int, count: int) -> None:
    """Dua forwards `count` posts; the notices that follow a burst are sent."""
    for post in range(first, first + count):
        h.world.forward_channel_post(DUA, h.world.bad_news, post, text=f"post {post}")
    await h.settle(seconds=60)
    clock.advance(DRAFT_NOTICE_DELAY + 1)
    await h.settle(seconds=60)


async def report(h: Harness) -> str:
    h.fake.send_message(DUA, text="/report fraud")
    await h.settle(seconds=60)
    return h.texts_to(DUA)[-1]


async def test_raised_limits_take_effect_at_the_reload(
    tg: FakeTelegram, cast: World, tmp_path: Path
) -> None:
    clock = FakeClock()
    harness = Harness(tg, cast, tmp_path, clock=clock, extra_config=LIMITS)
    runtime = await harness.start()
    try:
        # The limits in force at start bite.
        await forward(harness, clock, 1, 5)
        [full] = [t for t in harness.texts_to(DUA) if "were not taken" in t]
        assert "2 message(s) were not taken" in full and "holds 3 items" in full
        assert "Received as case #1" in await report(harness)
        await forward(harness, clock, 10, 1)
        refused = await report(harness)
        assert "was not taken" in refused and "made 1 reports in the last hour" in refused

        # The admin raises both and reloads (what SIGHUP does).
        text = harness.config_path.read_text("utf-8")
        text = text.replace("max_draft_items: 3", "max_draft_items: 6")
        text = text.replace("max_reports_per_hour: 1", "max_reports_per_hour: 3")
        harness.config_path.write_text(text, "utf-8")
        result = await runtime.reloader.reload("SIGHUP")
        assert result.ok and not result.restart
        assert {"intake.max_draft_items", "intake.max_reports_per_hour"} <= set(result.changed)

        # The waiting draft is taken now, and a draft holds six items.
        assert "Received as case #2" in await report(harness)
        await forward(harness, clock, 20, 8)
        full = [t for t in harness.texts_to(DUA) if "were not taken" in t][-1]
        assert "2 message(s) were not taken" in full and "holds 6 items" in full
        assert "Received as case #3" in await report(harness)
    finally:
        await harness.stop()
