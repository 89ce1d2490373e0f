"""Time to action, measured and shown, end to end: cases reported, claimed and decided at times a
FakeClock controls give exact medians in /stats (with its chart sent as a photo), in /case's
timeline, in an admin's /export and in the monthly report; whoever may not see them is refused.

The desk's zone is Asia/Jakarta (UTC+7): the clock starts at 2027-01-15 08:00 UTC, 15:00 WIB.
"""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from PIL import Image

from bot.sandbox import FakeTelegram, Upload
from tests.e2e.test_desk_life import press, report, text_of
from tests.factories import ADMIN, DUA, GROUP, MOD_ONE, MOD_TWO, SATU, FakeClock, World
from tests.harness import Harness, Started

MINUTE = 60.0
ZONE = "timezone: Asia/Jakarta\n"


@pytest.fixture
async def desk(
    started: Started, tg: FakeTelegram, cast: World, tmp_path: Path, clock: FakeClock
) -> Harness:
    return await started(Harness(tg, cast, tmp_path, clock=clock, extra_config=ZONE))


async def reported_at(h: Harness, case_id: int) -> float:
    assert h.runtime is not None
    async with h.runtime.store.read() as tx:
        timeline = await tx.facts.timeline(case_id)
    assert timeline is not None
    return timeline.facts.reported_at


def move_to(clock: FakeClock, moment: float) -> None:
    """Set the clock to an exact moment (settling may have moved it on a little, for pacing)."""
    assert clock.now <= moment
    clock.now = moment


async def handle(
    h: Harness, clock: FakeClock, case_id: int, act_at: float, decide_at: float, kind: str = "t"
) -> None:
    """Claim the case exactly `act_at` minutes after its report and decide it at `decide_at`."""
    start = await reported_at(h, case_id)
    move_to(clock, start + act_at * MINUTE)
    await press(h, MOD_ONE, case_id, f"v1:c:{case_id}")
    await press(h, MOD_ONE, case_id, f"v1:{kind}:{case_id}")
    reason = h.button(h.card(GROUP, case_id), f"v1:r:{case_id}:{kind}:")
    move_to(clock, start + decide_at * MINUTE)
    await press(h, MOD_ONE, case_id, reason)


@pytest.fixture
async def a_day(desk: Harness, clock: FakeClock) -> list[int]:
    """Three cases: terrorism claimed at 10 and taken down at 40 minutes; terrorism claimed at
    20 and taken down at 90; a hoax claimed at 100 and dismissed at 100 minutes."""
    first = await report(desk, SATU, 1)
    await handle(desk, clock, first, 10, 40)
    second = await report(desk, DUA, 2)
    await handle(desk, clock, second, 20, 90)
    third = await report(desk, SATU, 3, "hoax fake vaccine claims")
    await handle(desk, clock, third, 100, 100, "d")
    return [first, second, third]


async def admin_asks(h: Harness, cast: World, command: str) -> None:
    """The admin opens their private chat with the bot and sends `command`; the desk settles."""
    cast.start(ADMIN)
    await h.settle()
    h.fake.send_message(ADMIN, text=command)
    await h.settle()


def group_texts(h: Harness) -> list[str]:
    return h.texts_to(GROUP)


async def test_stats_give_exact_medians_and_a_chart_sent_as_a_photo(
    desk: Harness, tg: FakeTelegram, a_day: list[int]
) -> None:
    tg.send_message(MOD_TWO, GROUP, text="/stats 2027-01")
    await desk.settle()
    text = next(t for t in group_texts(desk) if t.startswith("📊 Statistics"))
    assert "2027-01-01 – 2027-01-31 (Asia/Jakarta)" in text
    assert "Cases: 3 · decisions: 3 · reopened: 0" in text
    # first action at 10, 20 and 100 minutes; decisions at 40, 90 and 100
    assert "Time to first action: median 20m · p90 1h24m · within target 67% (2/3)" in text
    assert "Time to decision: median 1h30m · p90 1h38m · within target 67% (2/3)" in text
    assert "P1 Terrorism: 2 · 15m/19m · 1h05m/1h25m · 50% (1/2)" in text
    assert "P3 Hoax / disinformation: 1 · 1h40m/1h40m · 1h40m/1h40m · 100% (1/1)" in text
    assert "Kominfo: 2 · 1h10m/1h34m · 100% (2/2)" in text
    assert "BNPT: 1 · 1h30m/1h30m · 0% (0/1)" in text

    # The figures answer at once; the chart follows when drawn (in a worker thread).
    await tg.wait_for(lambda: tg.calls_to("sendPhoto", GROUP), timeout=60)
    (photo,) = tg.calls_to("sendPhoto", GROUP)
    assert photo.ok
    upload = photo.params["photo"]
    assert isinstance(upload, Upload)
    image = Image.open(io.BytesIO(upload.content))
    assert image.format == "PNG" and image.size[0] >= 800
    image.verify()
    assert "cases per day by category" in (photo.result.get("caption") or "")


async def test_an_admin_sees_stats_in_private_in_their_language(
    desk: Harness, tg: FakeTelegram, cast: World, a_day: list[int]
) -> None:
    await admin_asks(desk, cast, "/stats 30d")
    assert any("Time to decision: median 1h30m" in t for t in desk.texts_to(ADMIN))
    await tg.wait_for(lambda: tg.calls_to("sendPhoto", ADMIN), timeout=60)


async def test_an_empty_period_says_so_without_a_chart_or_a_file(
    desk: Harness, tg: FakeTelegram, cast: World, a_day: list[int]
) -> None:
    nothing = (
        "📊 Nothing in this period (2026-12-01 – 2026-12-31 (Asia/Jakarta)): no case was first"
        " reported in it."
    )
    tg.send_message(MOD_ONE, GROUP, text="/stats 2026-12")
    await desk.settle()
    assert group_texts(desk)[-1] == nothing
    assert tg.calls_to("sendPhoto") == []
    cast.start(ADMIN)
    for command in ("/quality 2026-12", "/export 2026-12"):
        tg.send_message(ADMIN, text=command)
        await desk.settle()
    assert desk.runtime is not None
    await desk.runtime.desk.stats.exports_done()
    await desk.settle()
    assert desk.texts_to(ADMIN)[-3:] == [
        nothing,
        "Preparing the export of 2026-12-01 – 2026-12-31 (Asia/Jakarta)…",
        nothing,
    ]
    assert tg.calls_to("sendDocument") == []


async def test_who_may_not_see_figures_is_refused(
    desk: Harness, tg: FakeTelegram, cast: World
) -> None:
    tg.add_member(GROUP, DUA)
    tg.send_message(DUA, GROUP, text="/stats")
    tg.send_message(SATU, text="/stats")
    cast.start(MOD_TWO)
    tg.send_message(MOD_TWO, text="/stats")  # a moderator, but not an admin, in private
    tg.send_message(MOD_TWO, text="/export 2027-01")
    tg.send_message(MOD_TWO, text="/quality")
    tg.send_message(MOD_ONE, GROUP, text="/quality")
    tg.send_message(MOD_ONE, GROUP, text="/export")
    await desk.settle()
    assert group_texts(desk)[-3:] == [
        "Only the desk's moderators and admins can see statistics: moderators in the moderator"
        " group, admins there or in a private chat with me.",
        "Flagger quality is for admins only, in a private chat with me; it is never shown here.",
        "Exports go to admins in a private chat with me: send /export there.",
    ]
    assert desk.texts_to(SATU)[-1].startswith("Hanya moderator dan admin")
    assert desk.texts_to(MOD_TWO)[-3:] == [
        "Only the desk's moderators and admins can see statistics: moderators in the moderator"
        " group, admins there or in a private chat with me.",
        "Only the desk's admins can export cases.",
        "Flagger quality is for the desk's admins only.",
    ]
    assert tg.calls_to("sendPhoto") == [] and tg.calls_to("sendDocument") == []


async def test_bad_periods_get_usage_help(desk: Harness, tg: FakeTelegram, cast: World) -> None:
    cast.start(ADMIN)
    tg.send_message(MOD_TWO, GROUP, text="/stats last-week")
    tg.send_message(ADMIN, text="/export 2027-13")
    await desk.settle()
    assert group_texts(desk)[-1].startswith("Send /stats with a period: 7d")
    assert "Days are counted in Asia/Jakarta." in group_texts(desk)[-1]
    assert desk.texts_to(ADMIN)[-1].startswith("Send /export with a period")


async def test_case_shows_its_timeline_with_durations(
    desk: Harness, tg: FakeTelegram, a_day: list[int]
) -> None:
    tg.send_message(MOD_TWO, GROUP, text=f"/case {a_day[0]}")
    await desk.settle()
    card = desk.card(GROUP, a_day[0])
    timeline = text_of(tg.message(GROUP, card["message_id"] - 1))
    assert timeline.splitlines() == [
        f"⏱ Timeline of #{a_day[0]}",
        "Reported 2027-01-15 15:00 WIB by Liaison Satu (Kominfo)",
        "Visible to moderators +0s",
        "First action +10m: claimed by Mod One (target 15m: met)",
        "Decided +40m: taken down by Mod One (target 1h00m: met)",
    ]


async def test_an_admin_exports_the_month_as_csv(
    desk: Harness, tg: FakeTelegram, cast: World, a_day: list[int]
) -> None:
    await admin_asks(desk, cast, "/export 2027-01")
    await tg.wait_for(lambda: tg.calls_to("sendDocument", ADMIN), timeout=60)
    await desk.settle()
    assert (
        desk.texts_to(ADMIN)[-2]
        == "Preparing the export of 2027-01-01 – 2027-01-31 (Asia/Jakarta)…"
    )
    (sent,) = tg.calls_to("sendDocument", ADMIN)
    upload = sent.params["document"]
    assert isinstance(upload, Upload) and upload.filename == "cases-2027-01.csv"
    rows = list(csv.DictReader(io.StringIO(upload.content.decode("utf-8"))))
    assert [r["minutes_to_decision"] for r in rows] == ["40", "90", "100"]
    assert [r["minutes_to_first_action"] for r in rows] == ["10", "20", "100"]
    assert [r["reason_code"] for r in rows] == ["propaganda", "propaganda", "not_illegal"]
    assert rows[0]["reported_at"] == "2027-01-15T15:00:00+07:00"
    assert rows[0]["organizations"] == "Kominfo" and rows[1]["organizations"] == "BNPT"
    assert (rows[0]["decision_within_target"], rows[1]["decision_within_target"]) == ("yes", "no")
    assert "note" not in rows[0] and "fake vaccine" not in upload.content.decode("utf-8")
    assert "3 (one row each; no message content)" in (sent.result.get("caption") or "")
    spool = Path(desk.config.storage.path).parent / "outgoing"
    assert list(spool.iterdir()) == []  # sent files are removed


async def test_the_monthly_report_gives_the_same_medians(
    desk: Harness, tmp_path: Path, a_day: list[int]
) -> None:
    from bot.ops.commands import main

    out = tmp_path / "report-2027-01"
    config = str(desk.config_path)
    argv = ["report", "--config", config, "--month", "2027-01", "--output", str(out)]
    assert await asyncio.to_thread(main, argv) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "cases-per-day.png",
        "report.html",
        "report.md",
        "time-to-decision.png",
    ]
    assert {oct(p.stat().st_mode & 0o777) for p in out.iterdir()} == {"0o600"}
    markdown = (out / "report.md").read_text("utf-8")
    assert markdown.startswith("# Transparency report of the trusted flaggers' channel, 2027-01")
    for row in (
        "| Notices received (cases) | 3 |",
        "| Decisions to take content down | 2 |",
        "| Notices dismissed | 1 |",
        "| Time to first action, median | 20m |",
        "| Time to first action, 90th percentile | 1h24m |",
        "| Time to decision (time to act), median | 1h30m |",
        "| Time to decision, 90th percentile | 1h38m |",
        "| Decisions within target | 67% (2/3) |",
        "| Terrorism | P1 | 2 | 2 | 15m | 19m | 1h05m | 1h25m | 15m / 1h00m | 50% (1/2) |",
        "| Kominfo | 2 | 2 | 55m | 1h10m | 1h34m | 100% (2/2) |",
        "| taken down | terrorist propaganda | 2 |",
        "| dismissed | not illegal | 1 |",
        "![Cases by day of first report, per category](cases-per-day.png)",
    ):
        assert row in markdown, row
    assert "flagger quality" not in markdown.lower()  # only with --with-quality
    page = (out / "report.html").read_text("utf-8")
    assert page.count('src="data:image/png;base64,') == 2
    assert "<td>Kominfo</td>" in page and "http" not in page

    argv += ["--with-quality"]
    assert await asyncio.to_thread(main, argv) == 0
    annexed = (out / "report.md").read_text("utf-8")
    assert "## Annex: flagger quality" in annexed
    assert "| Liaison Dua (BNPT) | 1 | 1 | 100% (1/1) | 0% (0/1) | 1h30m |" in annexed


async def test_flagger_quality_for_an_admin_in_private(
    desk: Harness, tg: FakeTelegram, cast: World, a_day: list[int]
) -> None:
    cast.start(ADMIN)
    await desk.settle()
    before = len(group_texts(desk))
    tg.send_message(ADMIN, text="/quality 2027-01")
    await desk.settle()
    assert desk.texts_to(ADMIN)[-1].splitlines() == [
        "🔎 Flagger quality · 2027-01-01 – 2027-01-31 (Asia/Jakarta) · admins only",
        "reports · decided · taken down · dismissed (by reason) · median time to decision;"
        " each case by its last decision",
        "",
        "By organization",
        "Kominfo: 2 · 2 · 50% (1/2) · 50% (1/2) (not illegal 1) · 1h10m",
        "BNPT: 1 · 1 · 100% (1/1) · 0% (0/1) · 1h30m",
        "",
        "By reporter",
        "Liaison Satu (Kominfo): 2 · 2 · 50% (1/2) · 50% (1/2) (not illegal 1) · 1h10m",
        "Liaison Dua (BNPT): 1 · 1 · 100% (1/1) · 0% (0/1) · 1h30m",
    ]
    assert len(group_texts(desk)) == before  # never in moderator space
