"""The case state machine, read as the table it is: what a card offers in each state, and
which actions a decided case still takes."""

from __future__ import annotations

import pytest

from bot.domain.lifecycle import Action, Decision, allowed, available_actions
from bot.domain.models import State
from bot.domain.vocabulary import PromptKind


def test_a_new_case_offers_claim_decisions_escalation_and_a_question() -> None:
    assert available_actions(State.NEW) == [
        Action.CLAIM,
        Action.TAKE_DOWN,
        Action.DISMISS,
        Action.ESCALATE,
        Action.ASK,
    ]


def test_a_claimed_case_offers_release_and_take_over_instead_of_claim() -> None:
    offered = available_actions(State.NEW, claimed=True)
    assert Action.CLAIM not in offered
    assert offered[:2] == [Action.RELEASE, Action.TAKE_OVER]


def test_a_case_waiting_for_its_reporter_can_be_decided_or_its_question_withdrawn() -> None:
    assert available_actions(State.WAITING) == [
        Action.TAKE_DOWN,
        Action.DISMISS,
        Action.CANCEL_QUESTION,
    ]


@pytest.mark.parametrize("state", [State.TAKEN_DOWN, State.DISMISSED])
def test_a_decided_case_only_reopens_but_still_posts_its_card_and_evidence(state: State) -> None:
    assert available_actions(state) == [Action.REOPEN]
    for action in (Action.POST, Action.MORE_EVIDENCE):
        assert allowed(action, state)
    for action in (Action.CLAIM, Action.TAKE_DOWN, Action.REASON, Action.ESCALATE, Action.ASK):
        assert not allowed(action, state)


def test_an_escalated_case_is_not_escalated_twice() -> None:
    assert not allowed(Action.ESCALATE, State.ESCALATED)
    assert allowed(Action.TAKE_DOWN, State.ESCALATED)


def test_callback_letters_are_unique() -> None:
    letters = [action.value for action in Action]
    assert len(letters) == len(set(letters)) and all(len(v) == 1 for v in letters)


@pytest.mark.parametrize(
    ("decision", "state", "prompt"),
    [
        (Decision.TAKE_DOWN, State.TAKEN_DOWN, PromptKind.REASON_TAKE_DOWN),
        (Decision.DISMISS, State.DISMISSED, PromptKind.REASON_DISMISS),
    ],
)
def test_each_decision_knows_its_state_and_its_typed_reason_prompt(
    decision: Decision, state: State, prompt: PromptKind
) -> None:
    assert decision.state is state
    assert decision.reason_prompt is prompt
    assert Decision.of_reason_prompt(prompt) is decision
