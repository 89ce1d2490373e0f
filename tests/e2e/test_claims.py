"""A claimed case never changes hands silently: the card offers Release and Take over instead of
Claim; another moderator's Claim is answered with who holds the case; Take over mentions the
previous holder in the group; the history records both; in English and Indonesian."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox import FakeTelegram
from tests.e2e.test_desk_life import report, text_of
from tests.factories import DUA, GROUP, MOD_ONE, MOD_TWO, World
from tests.harness import Harness

JSONDict = dict[str, Any]


async def press(h: Harness, who: int, case_id: int, data: str) -> JSONDict:
    """`who` presses a button on the live card; the answer Telegram was given."""
    query = h.fake.press(who, GROUP, h.card(GROUP, case_id)["message_id"], data)
    await h.settle()
    answered = h.fake.answered(query)
    assert answered is not None and answered.ok, data
    return answered.params


def history(h: Harness, case_id: int) -> list[str]:
    """The card's history lines, without their times."""
    card = text_of(h.card(GROUP, case_id))
    lines = card.split("):\n", 1)[1].split("\n")
    return [line.split(" ", 1)[1] for line in lines]


def claim_buttons(h: Harness, case_id: int) -> set[str]:
    data = set(h.buttons(h.card(GROUP, case_id)).values())
    return {d for d in data if d.split(":")[1] in ("c", "u", "g")}


def taken_over_notices(h: Harness) -> list[JSONDict]:
    return [m for m in h.fake.messages_in(GROUP) if text_of(m).startswith("🔁")]


async def test_claim_release_and_take_over(harness: Harness, tg: FakeTelegram) -> None:
    case_id = await report(harness, DUA, 1)
    n = case_id
    assert claim_buttons(harness, n) == {f"v1:c:{n}"}

    answer = await press(harness, MOD_ONE, n, f"v1:c:{n}")
    assert answer["text"] == f"Claimed #{n}."
    card = harness.card(GROUP, n)
    assert "claimed by Mod One" in text_of(card)
    assert claim_buttons(harness, n) == {f"v1:u:{n}", f"v1:g:{n}"}
    assert {"🔓 Release", "🔁 Take over"} <= set(harness.buttons(card))

    # Another moderator's Claim (a card not yet edited, or two presses at once) changes nothing:
    # it says who holds the case and how to take it over.
    answer = await press(harness, MOD_TWO, n, f"v1:c:{n}")
    assert answer["show_alert"] is True
    assert answer["text"] == (
        f'Case #{n} is held by Mod One. To take it over, press "🔁 Take over" on the card;'
        " Mod One will be told."
    )
    answer = await press(harness, MOD_TWO, n, f"v1:u:{n}")
    assert answer["show_alert"] is True
    assert answer["text"].startswith(f"Only Mod One, who holds case #{n}, can release it.")
    assert "claimed by Mod One" in text_of(harness.card(GROUP, n))
    assert taken_over_notices(harness) == []

    answer = await press(harness, MOD_TWO, n, f"v1:g:{n}")
    assert answer["text"] == f"You hold #{n} now; Mod One is told in the group."
    assert "claimed by Mod Two" in text_of(harness.card(GROUP, n))
    [notice] = taken_over_notices(harness)
    assert text_of(notice) == f"🔁 Mod Two took over case #{n} from Mod One."
    mentioned = [e["user"]["id"] for e in notice.get("entities", []) if "user" in e]
    assert mentioned == [MOD_ONE]

    answer = await press(harness, MOD_TWO, n, f"v1:g:{n}")
    assert answer["text"] == "You have already claimed this case."
    answer = await press(harness, MOD_TWO, n, f"v1:u:{n}")
    assert answer["text"] == f"Released #{n}: any moderator can claim it now."
    assert text_of(harness.card(GROUP, n)).split("\n")[1] == "State: new"
    assert claim_buttons(harness, n) == {f"v1:c:{n}"}
    assert history(harness, n) == [
        "reported by Liaison Dua",
        "claimed by Mod One",
        "taken over by Mod Two from Mod One",
        "released by Mod Two",
    ]
    assert len(taken_over_notices(harness)) == 1


async def test_of_two_claims_at_once_the_first_wins_and_the_second_is_told(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report(harness, DUA, 1)
    message_id = harness.card(GROUP, case_id)["message_id"]
    first = tg.press(MOD_ONE, GROUP, message_id, f"v1:c:{case_id}")
    second = tg.press(MOD_TWO, GROUP, message_id, f"v1:c:{case_id}")
    await harness.settle()
    won, lost = tg.answered(first), tg.answered(second)
    assert won is not None and lost is not None
    assert won.params["text"] == f"Claimed #{case_id}."
    assert lost.params["text"].startswith(f"Case #{case_id} is held by Mod One.")
    assert "claimed by Mod One" in text_of(harness.card(GROUP, case_id))
    assert history(harness, case_id) == ["reported by Liaison Dua", "claimed by Mod One"]


async def test_a_take_over_after_a_release_is_a_plain_claim(
    harness: Harness, tg: FakeTelegram
) -> None:
    case_id = await report(harness, DUA, 1)
    await press(harness, MOD_ONE, case_id, f"v1:c:{case_id}")
    stale = harness.card(GROUP, case_id)["message_id"]
    await press(harness, MOD_ONE, case_id, f"v1:u:{case_id}")
    query = tg.press(MOD_TWO, GROUP, stale, f"v1:g:{case_id}")  # the card still offered it
    await harness.settle()
    answered = tg.answered(query)
    assert answered is not None and answered.params["text"] == f"Claimed #{case_id}."
    assert taken_over_notices(harness) == []
    assert history(harness, case_id)[-1] == "claimed by Mod Two"


async def test_claims_are_not_offered_once_decided_and_reopen_clears_them(
    harness: Harness,
) -> None:
    case_id = await report(harness, DUA, 1)
    await press(harness, MOD_ONE, case_id, f"v1:c:{case_id}")
    await press(harness, MOD_TWO, case_id, f"v1:r:{case_id}:t:propaganda")
    assert claim_buttons(harness, case_id) == set()
    answer = await press(harness, MOD_TWO, case_id, f"v1:g:{case_id}")
    assert answer["text"] == "That action does not apply to this case now."
    await press(harness, MOD_TWO, case_id, f"v1:o:{case_id}")
    assert claim_buttons(harness, case_id) == {f"v1:c:{case_id}"}


@pytest.fixture
async def indonesian(tg: FakeTelegram, cast: World, tmp_path: Path) -> AsyncIterator[Harness]:
    h = Harness(tg, cast, tmp_path, language="id")
    await h.start()
    try:
        yield h
    finally:
        await h.stop()


async def test_claims_in_indonesian(indonesian: Harness) -> None:
    h = indonesian
    case_id = await report(h, DUA, 1)
    n = case_id
    assert "✋ Tangani" in h.buttons(h.card(GROUP, n))
    assert (await press(h, MOD_ONE, n, f"v1:c:{n}"))["text"] == f"Anda menangani kasus #{n}."
    card = h.card(GROUP, n)
    assert "ditangani Mod One" in text_of(card)
    assert {"🔓 Lepaskan", "🔁 Ambil alih"} <= set(h.buttons(card))
    answer = await press(h, MOD_TWO, n, f"v1:c:{n}")
    assert answer["text"].startswith(f"Kasus #{n} sedang ditangani Mod One.")
    answer = await press(h, MOD_TWO, n, f"v1:g:{n}")
    assert answer["text"] == f"Kini Anda menangani kasus #{n}; Mod One diberi tahu di grup."
    [notice] = taken_over_notices(h)
    assert text_of(notice) == f"🔁 Mod Two mengambil alih kasus #{n} dari Mod One."
    assert (await press(h, MOD_TWO, n, f"v1:u:{n}"))["text"].startswith(f"Kasus #{n} dilepas")
    assert history(h, n) == [
        "dilaporkan oleh Liaison Dua",
        "ditangani oleh Mod One",
        "diambil alih oleh Mod Two dari Mod One",
        "dilepas oleh Mod Two",
    ]
