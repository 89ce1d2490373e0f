"""Cards and reporter texts at a glance: claim buttons by holder, earlier cases of the same
content apart from the same source, and what a reporter reported, escaped and clipped."""

from __future__ import annotations

from dataclasses import replace

from bot.config import Config
from bot.domain.models import Item, Origin, State
from bot.render.cards import render_card
from bot.render.reporter import outcome_text, reported_content
from tests.unit.render.test_render import button_data, make_case, make_view


def item(origin: Origin, text: str | None = None, reporter: int = 333333) -> Item:
    return Item(1, reporter, 10, reporter, 1, "text", "x", origin, text, None, None, 0.0)


def test_a_claimed_card_offers_release_and_take_over_instead_of_claim(config: Config) -> None:
    unclaimed = button_data(make_view(make_case()), config)
    assert "v1:c:7" in unclaimed and "v1:u:7" not in unclaimed and "v1:g:7" not in unclaimed
    claimed = make_case(claimed_by=111111, claimed_by_name="Mod One")
    data = button_data(make_view(claimed), config)
    assert data[:2] == ["v1:u:7", "v1:g:7"] and "v1:c:7" not in data
    waiting = make_case(State.WAITING, claimed_by=111111, claimed_by_name="Mod One")
    assert not {"v1:c:7", "v1:u:7", "v1:g:7"} & set(button_data(make_view(waiting), config))


def test_earlier_cases_of_the_same_content_come_with_their_outcome(config: Config) -> None:
    same = make_case(State.TAKEN_DOWN, id=3, decision_reason="propaganda")
    typed = make_case(State.DISMISSED, id=4, decision_reason="text:<i>dup</i> " + "x" * 100)
    other = make_case(State.NEW, id=5)
    view = replace(
        make_view(make_case(id=9)), same_content=[typed, same], earlier=[other, typed, same]
    )
    text = render_card(view, config).text
    assert (
        "<b>Same post, earlier cases:</b> #4 dismissed (&lt;i&gt;dup&lt;/i&gt; xxxxx" in text
        and "…), #3 taken down (terrorist propaganda)" in text
    )
    assert "<b>Same channel or sender, earlier cases:</b> #5 new\n" in text


def test_what_a_reporter_reported_in_a_few_words() -> None:
    channel = Origin("channel", -1002000000001, 77, "Bad <News>", "badnews")
    private = Origin("channel", -1002000000002, 5, "Secret Cell")
    user = Origin("user", sender_user_id=5, sender_name="Spammer")
    assert reported_content([item(channel)], "en") == "«Bad &lt;News&gt;» https://t.me/badnews/77"
    assert reported_content([item(private)], "en") == "«Secret Cell» https://t.me/c/2000000002/5"
    assert reported_content([item(user), item(channel)], "id") == "«Spammer» +1"
    assert reported_content([item(Origin("hidden_user", sender_name="Anon"))], "en") == "«Anon»"
    assert reported_content([item(Origin("own"))], "id") == "pesan Anda sendiri"
    assert reported_content([item(Origin("own"), "a  b\nc")], "en") == "«a b c»"
    assert reported_content([], "en") is None


def test_an_outcome_without_items_left_says_no_more_than_before(config: Config) -> None:
    decided = make_case(State.TAKEN_DOWN, decision_reason="propaganda", decided_at=1.8e9)
    text = outcome_text("en", decided, config)
    assert text.startswith("Case <b>#7</b> is decided: the content was <b>taken down</b>.\n\n")
    assert "What you reported" not in text
