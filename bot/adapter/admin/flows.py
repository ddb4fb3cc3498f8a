"""The guided admin flows as a declared table of steps and transitions.

PTB's ``ConversationHandler`` declares ``states``; it does not support an application
running with ``concurrent_updates=True``, so the bot keeps its own small runner (one
:class:`AdminSession` per admin in a TTL cache) but declares its flows the same way:
which step follows which, which steps wait for typed text, and which buttons a step
accepts. A button or a message that does not fit the current step is refused as stale.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from cachetools import TTLCache

from bot.adapter.callbacks import Callback, KbConfirm, KbConfirmLast, KbDone, KbPickCategory, KbPickSeverity
from bot.core.i18n import Language, text
from bot.core.knowledge import ScamPattern

SESSION_SECONDS = 30 * 60


class Flow(StrEnum):
    ADD = "add"
    EDIT = "edit"
    MESSAGE = "message"
    REMOVE = "remove"
    UNDO = "undo"


class Step(StrEnum):
    CATEGORY = "category"
    SEVERITY = "severity"
    TITLE = "title"
    SUMMARY = "summary"
    ADVICE = "advice"
    RED_FLAGS = "red_flags"
    EXAMPLES = "examples"
    VALUE = "value"
    CHOICE = "choice"
    MESSAGE = "message"
    CONFIRM = "confirm"
    CONFIRM_LAST = "confirm_last"


TRANSITIONS: dict[Flow, dict[Step, Step | None]] = {
    Flow.ADD: {
        Step.CATEGORY: Step.SEVERITY,
        Step.SEVERITY: Step.TITLE,
        Step.TITLE: Step.SUMMARY,
        Step.SUMMARY: Step.ADVICE,
        Step.ADVICE: Step.RED_FLAGS,
        Step.RED_FLAGS: Step.EXAMPLES,
        Step.EXAMPLES: Step.CONFIRM,
        Step.CONFIRM: None,
    },
    Flow.EDIT: {Step.VALUE: Step.CONFIRM, Step.CHOICE: Step.CONFIRM, Step.CONFIRM: None},
    Flow.MESSAGE: {Step.MESSAGE: None},
    Flow.REMOVE: {Step.CONFIRM: Step.CONFIRM_LAST, Step.CONFIRM_LAST: None},
    Flow.UNDO: {Step.CONFIRM: None},
}
"""Each flow's steps: a step and the one after it (None: the flow ends when that step is done)."""

TEXT_STEPS = frozenset({Step.TITLE, Step.SUMMARY, Step.ADVICE, Step.RED_FLAGS, Step.EXAMPLES, Step.VALUE, Step.MESSAGE})
"""Steps that wait for typed input: only then does an admin's text reach the flow, not the assessment."""

BUTTONS: dict[type[Callback], frozenset[Step]] = {
    KbPickCategory: frozenset({Step.CATEGORY, Step.CHOICE}),
    KbPickSeverity: frozenset({Step.SEVERITY, Step.CHOICE}),
    KbDone: frozenset({Step.EXAMPLES}),
    KbConfirm: frozenset({Step.CONFIRM}),
    KbConfirmLast: frozenset({Step.CONFIRM_LAST}),
}
"""The steps in which a session's button is accepted (a double tap or an old preview is not)."""


@dataclass
class AdminSession:
    """One admin's flow in progress; forgotten after 30 minutes or when finished or cancelled."""

    flow: Flow
    step: Step
    token: str = field(default_factory=lambda: secrets.token_hex(3))
    draft: dict[str, Any] = field(default_factory=dict)
    pattern_id: str | None = None
    target: str | None = None  # the field being edited
    value: Any = None  # its new value, validated
    counter: bool = False
    report_id: int | None = None
    audit_id: int | None = None
    pending: ScamPattern | None = None

    def __post_init__(self) -> None:
        if self.step not in TRANSITIONS[self.flow]:
            raise ValueError(f"{self.flow} has no step {self.step}")

    @property
    def expects_text(self) -> bool:
        return self.step in TEXT_STEPS

    def accepts(self, callback: Callback) -> bool:
        return self.step in BUTTONS.get(type(callback), frozenset())

    def advance(self) -> None:
        """On to the flow's next step (a flow never advances past its last)."""
        following = TRANSITIONS[self.flow][self.step]
        if following is None:
            raise ValueError(f"{self.flow} ends at {self.step}")
        self.step = following


class Sessions:
    """The open sessions, one per admin."""

    def __init__(self) -> None:
        self._open: TTLCache[int, AdminSession] = TTLCache(maxsize=1000, ttl=SESSION_SECONDS)

    def __len__(self) -> int:
        return len(self._open)

    def get(self, user_id: int) -> AdminSession | None:
        return self._open.get(user_id)

    def begin(self, user_id: int, session: AdminSession, language: Language) -> str:
        """Open ``session`` (replacing any other); returns a note if an unfinished draft was dropped."""
        previous = self._open.get(user_id)
        self._open[user_id] = session
        if previous is not None and previous.flow in (Flow.ADD, Flow.EDIT):
            return text("replaced_session", language, flow=f"/kb {previous.flow}") + "\n"
        return ""

    def keep(self, user_id: int, session: AdminSession) -> None:
        """Write a changed session back (and restart its 30 minutes)."""
        self._open[user_id] = session

    def take(self, user_id: int, token: str) -> AdminSession | None:
        """The session a button belongs to, if it is still the admin's current one."""
        session = self._open.get(user_id)
        return session if session is not None and session.token == token else None

    def end(self, user_id: int) -> AdminSession | None:
        return self._open.pop(user_id, None)
