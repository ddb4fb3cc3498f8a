"""What the LLM contributed to an assessment, as carried on :class:`~bot.core.assess.Assessment`.

Plain frozen values with no dependency on the client, so the core can carry them (and
tests can build them) without importing ``openai``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.core.text import Language


@dataclass(frozen=True)
class Reason:
    """Words from the message (as sent, i.e. masked) and why the model finds them dangerous."""

    quote: str
    why: str


@dataclass(frozen=True)
class SecondOpinion:
    """The model's validated answer, and what retrieval alone had said before combining."""

    is_scam: bool
    category: str | None
    confidence: float
    reasons: tuple[Reason, ...]
    retrieval_verdict: str
    model: str


@dataclass(frozen=True)
class Explanation:
    """A short, sanitised paragraph about this particular message, in one reply language."""

    text: str
    language: Language
