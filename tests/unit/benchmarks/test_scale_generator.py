"""The scale benchmark's generated desk reads back through the desk's own repositories (CI never
runs the benchmark itself, so a schema change that breaks its generator is caught here)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bench.scale import REPORTERS, generate, undecided_of
from bot.config import load_config
from bot.desk import Desk
from bot.domain.models import Person, State
from bot.render.cards import render_card
from bot.store import Store
from tests.factories import GROUP, MOD_ONE, many_reporters_config

CASES = 600


def test_a_generated_desk_reads_back_through_the_repositories(tmp_path: Path) -> None:
    database = tmp_path / "desk.sqlite3"
    generate(database, CASES)
    with sqlite3.connect(database) as db:
        reports, items = db.execute(
            "SELECT (SELECT COUNT(*) FROM reports), (SELECT COUNT(*) FROM items)"
        ).fetchone()
        busiest = db.execute(
            "SELECT reporter_id FROM reports GROUP BY reporter_id ORDER BY COUNT(*) DESC LIMIT 1"
        ).fetchone()[0]
    # About 1.25 reports and 1.6 items a case, the first reporter the busiest by far.
    assert 1.1 * CASES < reports < 1.4 * CASES
    assert 1.4 * CASES < items < 2.0 * CASES
    assert busiest == REPORTERS[0]
    config_path = tmp_path / "config.yaml"
    config_path.write_text(
        many_reporters_config(tmp_path, "http://127.0.0.1:9/bot", REPORTERS, 20), "utf-8"
    )
    asyncio.run(read_back(database, load_config(config_path)))


async def read_back(database: Path, config: object) -> None:
    store = await Store.open(database, lambda: 1_800_000_000.0)
    try:
        desk = Desk(store, lambda: config)  # type: ignore[arg-type, return-value]
        async with store.read() as tx:
            cases = await tx.cases.many(range(1, CASES + 1))
            theirs = await tx.cases.of_reporter(REPORTERS[0], limit=500)
            view = await tx.case_view(CASES, GROUP)
            items = await tx.items.of_case(CASES)
        assert len(cases) == CASES
        waiting = [case for case in cases if not case.state.decided]
        assert len(waiting) == undecided_of(CASES)
        assert all(case.state is State.NEW for case in waiting)
        assert theirs and all(case.id <= CASES for case in theirs)
        assert view is not None and view.case.id == CASES
        assert items and all(item.origin is not None for item in items)
        card = render_card(view, config)  # type: ignore[arg-type]
        assert f"#{CASES}" in card.text
        await desk.reporters.my_cases(Person(REPORTERS[0], "Liaison"))
        assert f"#{theirs[0].id}" in await last_message_to(store, REPORTERS[0])
        await desk.lookup.queue(Person(MOD_ONE, "Mod One"), GROUP)
        assert f"#{CASES}" in await last_message_to(store, GROUP)
    finally:
        await store.close()


async def last_message_to(store: Store, chat_id: int) -> str:
    async with store.read() as tx:
        rows = await tx.outbox.db.execute_fetchall(
            "SELECT payload FROM outbox WHERE chat_id=? AND state='pending' ORDER BY id DESC"
            " LIMIT 1",
            (chat_id,),
        )
    return str(next(iter(rows))[0])
