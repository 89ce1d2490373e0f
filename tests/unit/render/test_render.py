"""Cards and texts: escaped, within Telegram's limits, showing what moderators need."""

from __future__ import annotations

from typing import Any

from bot.config import Config
from bot.domain.lifecycle import Action, Decision
from bot.domain.models import Case, CaseView, Event, Item, Origin, Report, State
from bot.domain.vocabulary import EventKind, ReportStatus
from bot.render.callback_data import CaseAction, CategoryChoice, decode, encode_action
from bot.render.cards import render_card
from bot.render.text import MESSAGE_LIMIT, utf16_len

# What no one has done yet to a new case: claimed, decided, first acted on it.
UNTOUCHED = (
    "state_before",
    "claimed_by",
    "claimed_by_name",
    "decided_by",
    "decided_by_name",
    "decision_reason",
    "first_action_at",
    "decided_at",
)


def make_case(state: State = State.NEW, **changes: Any) -> Case:
    """Case #7, terrorism (P1), reported at the clock's start, with `changes`."""
    reported = 1_800_000_000.0
    fields: dict[str, Any] = dict.fromkeys(UNTOUCHED)
    fields.update(id=7, category="terrorism", priority=1, state=state)
    fields.update(created_at=reported, clock_start=reported)
    fields.update(changes)
    return Case(**fields)


def make_view(
    case: Case,
    note: str = "",
    name: str = "Liaison Satu",
    title: str = "Bad News",
    reports: int = 1,
) -> CaseView:
    origin = Origin(
        type="channel", chat_id=-1002000000001, message_id=77, title=title, username="badnews"
    )
    report_list = [
        Report(
            i + 1,
            case.id,
            333333 + i,
            name,
            "Kominfo",
            333333 + i,
            10,
            "terrorism",
            note,
            ReportStatus.OPEN,
            0.0,
        )
        for i in range(reports)
    ]
    item = Item(1, 333333, 10, 333333, 1, "text", "x", origin, "text", None, None, 0.0)
    events = [Event(1, case.id, case.created_at, 333333, name, EventKind.REPORTED, None)]
    return CaseView(case, report_list, [item], events)


def button_data(view: CaseView, config: Config) -> list[str]:
    return [b.data for row in render_card(view, config).buttons for b in row]


def test_card_shows_number_category_reporter_origin_link_and_state(config: Config) -> None:
    rendered = render_card(make_view(make_case(), note="recruiting"), config)
    first_line = rendered.text.splitlines()[0]
    assert "#7" in first_line and "Terrorism" in first_line
    for expected in (
        "Liaison Satu",
        "Kominfo",
        "recruiting",
        "Bad News",
        "@badnews",
        "https://t.me/badnews/77",
        "2027-01-15",
        "new",
    ):
        assert expected in rendered.text
    assert button_data(make_view(make_case()), config) == [
        "v1:c:7",
        "v1:t:7",
        "v1:d:7",
        "v1:e:7",
        "v1:a:7",
    ]


def test_decided_card_shows_final_state_reason_and_only_reopen(config: Config) -> None:
    case = make_case(
        State.TAKEN_DOWN, decided_by=111111, decided_by_name="Mod One", decision_reason="propaganda"
    )
    rendered = render_card(make_view(case), config)
    assert "taken down" in rendered.text and "Mod One" in rendered.text
    assert "terrorist propaganda" in rendered.text
    assert button_data(make_view(case), config) == ["v1:o:7"]


def test_reason_picker_offers_category_codes_other_and_cancel(config: Config) -> None:
    view = make_view(make_case())
    data = [b.data for row in render_card(view, config, picker="t").buttons for b in row]
    assert data == [
        "v1:r:7:t:propaganda",
        "v1:r:7:t:incitement",
        "v1:r:7:t:recruitment",
        "v1:f:7:t",
        "v1:x:7",
    ]
    dismiss = [b.data for row in render_card(view, config, picker="d").buttons for b in row]
    assert "v1:r:7:d:not_illegal" in dismiss
    escalate = [b.data for row in render_card(view, config, picker="e").buttons for b in row]
    assert escalate == ["v1:s:7", "v1:x:7"]


def test_waiting_card_offers_to_withdraw_the_question(config: Config) -> None:
    data = button_data(make_view(make_case(State.WAITING)), config)
    assert "v1:q:7" in data and "v1:a:7" not in data and "v1:c:7" not in data


def test_escalated_card_offers_no_second_escalation(config: Config) -> None:
    data = button_data(make_view(make_case(State.ESCALATED)), config)
    assert "v1:e:7" not in data and "v1:t:7" in data


def test_hostile_text_is_escaped(config: Config) -> None:
    view = make_view(make_case(), note="<b>bold</b> & <script>", name="<i>Eve", title="</a>&amp;")
    text = render_card(view, config).text
    assert "<script>" not in text and "<i>Eve" not in text
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in text
    assert "&lt;/a&gt;&amp;amp;" in text


def test_huge_notes_and_many_reporters_fit_in_one_message(config: Config) -> None:
    view = make_view(make_case(), note="𝔸<&>" * 3000, name="N" * 500, reports=40)
    text = render_card(view, config).text
    assert utf16_len(text) <= MESSAGE_LIMIT
    assert text.startswith("<b>#7</b>")


def test_callback_data_round_trip_and_rejects_forgeries() -> None:
    assert decode(encode_action(Action.TAKE_DOWN, 42)) == CaseAction(Action.TAKE_DOWN, 42)
    assert decode("v1:k:9:gambling") == CategoryChoice(9, "gambling")
    assert decode("v1:r:5:t:propaganda") == CaseAction(
        Action.REASON, 5, Decision.TAKE_DOWN, "propaganda"
    )
    assert decode("v1:f:5:d") == CaseAction(Action.OTHER_REASON, 5, Decision.DISMISS)
    for forged in (
        "",
        "v2:t:1",
        "v1:t:0",
        "v1:t:-1",
        "v1:z:1",
        "v1:r:1",
        "v1:f:1",
        "v1:r:1:x:code",
        "v1:r:1:t:Bad-Code",
        "v1:t:1:extra",
        "v1:t:1 ",
        "v1:k:1:Gambling",
        "v1:t:" + "9" * 70,
        None,
    ):
        assert decode(forged) is None
