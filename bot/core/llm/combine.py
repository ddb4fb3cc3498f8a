"""The one rule for what a second opinion may change. Pure, so every case is tested.

Retrieval (known scripts, red flags, calibrated risk) stays the decision-maker; the
model is one more witness that is easy to fool, so it may only move a verdict *up*,
one step, and only where our own evidence already points:

======================  ==================================  ==================================
retrieval verdict       model says scam (conf ≥ threshold)   model says not scam / unsure
======================  ==================================  ==================================
``scam``                ``scam``                             ``scam`` (never lowered)
``suspicious``          ``scam`` if conf ≥ 0.8               ``suspicious`` (never lowered)
``safe`` with evidence  ``suspicious`` if conf ≥ 0.6         ``safe``
``safe`` no evidence    ``safe`` (never decides alone)       ``safe``
======================  ==================================  ==================================

Evidence means a red flag in the message, or a known scam example close enough to
count for a group alert and closer than any legitimate lookalike.

The group ``alert`` is never touched: the calibrated ``risk`` is left as retrieval
computed it, so :meth:`~bot.core.assess.Assessment.alert_at` cannot be reached by the
model either. Groups stay retrieval-only; the model only changes private-chat verdicts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.assess import Verdict

RAISE_CONFIDENCE = 0.6
"""A model this sure may raise ``safe`` (with evidence) to ``suspicious``."""
CONFIRM_CONFIDENCE = 0.8
"""A model this sure may confirm ``suspicious`` as ``scam``."""


def combine_verdict(retrieval: Verdict, *, has_evidence: bool, llm_is_scam: bool | None, confidence: float) -> Verdict:
    """The verdict to show, given retrieval's and the model's (``llm_is_scam=None``: no usable answer)."""
    if not llm_is_scam or retrieval == "scam":
        return retrieval
    if retrieval == "suspicious":
        return "scam" if confidence >= CONFIRM_CONFIDENCE else "suspicious"
    if has_evidence and confidence >= RAISE_CONFIDENCE:
        return "suspicious"
    return "safe"
