"""How many cases one digest holds: every line whole, as many as fit in 4096 characters, and one
`#N` button per listed case within what a keyboard carries."""

from __future__ import annotations

from bot.config import Config
from bot.domain.models import CaseView, Item, Origin
from bot.outbox.digest import DIGEST_MAX_CASES
from bot.render.lists import digest_capacity, render_digest
from bot.render.text import MESSAGE_LIMIT
from bot.sandbox import parse_html, utf16_len
from tests.unit.render.test_render import make_case


def view(case_id: int, title: str, username: str | None) -> CaseView:
    case = make_case(id=case_id, category="fraud", priority=3)
    origin = Origin(
        type="channel", chat_id=-1002000000001, message_id=case_id, title=title, username=username
    )
    item = Item(
        case_id,
        333333,
        case_id,
        333333,
        case_id,
        "text",
        f"i{case_id}",
        origin,
        "x",
        None,
        None,
        0.0,
    )
    return CaseView(case, [], [item], [])


def visible(html: str) -> str:
    return parse_html(html)[0]


def test_long_lines_fill_the_message_as_far_as_whole_lines_fit(config: Config) -> None:
    views = [
        view(1000 + n, "A long channel name " * 4, "a_rather_long_username_x" + str(n))
        for n in range(DIGEST_MAX_CASES)
    ]
    capacity = digest_capacity(views, config)
    assert 0 < capacity < DIGEST_MAX_CASES  # these lines are too long for 95
    fitting = render_digest(views[:capacity], config)
    text = visible(fitting.text)
    assert utf16_len(text) <= MESSAGE_LIMIT
    assert not text.endswith("…") and len(text.split("\n")) == capacity + 1  # every line whole
    # One line more would not fit: the digest holds as many as fit, not fewer.
    assert render_digest(views[: capacity + 1], config).text.endswith("…")
    buttons = [b.data for row in fitting.buttons for b in row]
    assert buttons == [f"v1:p:{v.case.id}" for v in views[:capacity]]


def test_short_lines_list_95_cases_with_a_button_each(config: Config) -> None:
    views = [view(n, "X", None) for n in range(1, DIGEST_MAX_CASES + 1)]
    assert digest_capacity(views, config) == DIGEST_MAX_CASES == 95
    rendered = render_digest(views, config)
    text = visible(rendered.text)
    assert utf16_len(text) <= MESSAGE_LIMIT and "…" not in text
    assert len([line for line in text.split("\n") if line.startswith("#")]) == 95
    assert sum(len(row) for row in rendered.buttons) == 95 <= 100  # Telegram's keyboard
    assert all(len(row) <= 8 for row in rendered.buttons)
