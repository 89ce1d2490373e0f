"""Strangers' messages never reach the database: only what an update is and who sent it are
written, checked on the raw bytes of the database file and its write-ahead log."""

from __future__ import annotations

import json
from pathlib import Path

from bot.sandbox import FakeTelegram
from tests.factories import SATU, STRANGER, World
from tests.harness import Harness


def raw_bytes(harness: Harness) -> bytes:
    database = Path(harness.config.storage.path)
    wal = database.with_name(database.name + "-wal")
    return database.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_a_strangers_text_is_not_in_the_database_or_its_wal(
    harness: Harness, tg: FakeTelegram, cast: World
) -> None:
    cast.start(STRANGER)
    cast.forward_channel_post(STRANGER, cast.bad_news, 7, text="forwarded STRANGER-FORWARD-SECRET")
    tg.send_message(STRANGER, text="typed STRANGER-TYPED-SECRET https://t.me/x/1")
    tg.send_message(STRANGER, text="/report teror STRANGER-NOTE-SECRET")
    cast.forward_channel_post(SATU, cast.bad_news, 8, text="a reporter's REPORTER-FORWARD-TEXT")
    await harness.idle()

    refusals = [text for text in harness.texts_to(STRANGER) if "555555" in text]
    # /start's greeting, and one answer to the rest (a stranger is answered once a day)
    assert len(refusals) == 2
    contents = raw_bytes(harness)
    assert b"REPORTER-FORWARD-TEXT" in contents  # what a reporter sends is kept, so this looks
    for secret in (b"STRANGER-FORWARD-SECRET", b"STRANGER-TYPED-SECRET", b"STRANGER-NOTE-SECRET"):
        assert secret not in contents
    assert b"Bad News" in contents and b"Stranger" not in contents  # not even the name

    runtime = harness.runtime
    assert runtime is not None
    async with runtime.store.read() as tx:
        rows = await (
            await tx.inbox.db.execute(
                "SELECT payload FROM inbox WHERE payload LIKE '%\"stranger\"%' ORDER BY id"
            )
        ).fetchall()
    kept = [json.loads(row[0])["stranger"] for row in rows]
    assert [record["kind"] for record in kept] == [
        "command:start",
        "message",
        "message",
        "command:report",
    ]
    assert all(set(record) == {"dedup_key", "chat_id", "user_id", "kind"} for record in kept)
    assert {(record["chat_id"], record["user_id"]) for record in kept} == {(STRANGER, STRANGER)}
