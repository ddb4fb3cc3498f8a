"""The admin flows' table: each flow walks its declared steps, and buttons count only in their step."""

from __future__ import annotations

import pytest

from bot.adapter.admin.flows import TEXT_STEPS, TRANSITIONS, AdminSession, Flow, Step
from bot.adapter.callbacks import KbConfirm, KbConfirmLast, KbDone, KbPickCategory, KbPickSeverity


def walk(flow: Flow, start: Step) -> list[Step]:
    session = AdminSession(flow, start)
    steps = [session.step]
    while TRANSITIONS[flow][session.step] is not None:
        session.advance()
        steps.append(session.step)
    return steps


@pytest.mark.parametrize(
    ("flow", "start", "steps"),
    [
        (
            Flow.ADD,
            Step.CATEGORY,
            ["category", "severity", "title", "summary", "advice", "red_flags", "examples", "confirm"],
        ),
        (Flow.EDIT, Step.VALUE, ["value", "confirm"]),
        (Flow.EDIT, Step.CHOICE, ["choice", "confirm"]),
        (Flow.REMOVE, Step.CONFIRM, ["confirm", "confirm_last"]),
        (Flow.UNDO, Step.CONFIRM, ["confirm"]),
        (Flow.MESSAGE, Step.MESSAGE, ["message"]),
    ],
)
def test_each_flow_walks_its_declared_steps(flow: Flow, start: Step, steps: list[str]) -> None:
    assert walk(flow, start) == steps


def test_a_flow_cannot_start_in_a_step_it_does_not_have_or_go_past_its_end() -> None:
    with pytest.raises(ValueError, match="has no step"):
        AdminSession(Flow.UNDO, Step.TITLE)
    session = AdminSession(Flow.UNDO, Step.CONFIRM)
    with pytest.raises(ValueError, match="ends at"):
        session.advance()


@pytest.mark.parametrize(
    ("flow", "step", "button", "accepted"),
    [
        (Flow.ADD, Step.CATEGORY, KbPickCategory("t", 0), True),
        (Flow.ADD, Step.TITLE, KbPickCategory("t", 0), False),
        (Flow.EDIT, Step.CHOICE, KbPickSeverity("t", "low"), True),
        (Flow.ADD, Step.SEVERITY, KbPickSeverity("t", "low"), True),  # a new pattern's severity is asked for
        (Flow.ADD, Step.TITLE, KbPickSeverity("t", "low"), False),
        (Flow.ADD, Step.EXAMPLES, KbDone("t"), True),
        (Flow.ADD, Step.CONFIRM, KbConfirm("t"), True),
        (Flow.REMOVE, Step.CONFIRM, KbConfirmLast("t"), False),  # the graver button only after the first
        (Flow.REMOVE, Step.CONFIRM_LAST, KbConfirm("t"), False),  # a double tap of the first does nothing
        (Flow.REMOVE, Step.CONFIRM_LAST, KbConfirmLast("t"), True),
    ],
)
def test_a_button_counts_only_in_its_step(flow: Flow, step: Step, button: object, accepted: bool) -> None:
    assert AdminSession(flow, step).accepts(button) is accepted  # type: ignore[arg-type]


def test_typed_text_reaches_a_flow_only_in_steps_that_ask_for_it() -> None:
    assert Step.TITLE in TEXT_STEPS and Step.CONFIRM not in TEXT_STEPS and Step.CATEGORY not in TEXT_STEPS
