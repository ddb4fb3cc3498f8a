"""The texts retrieval searches: every example and counter-example of every pattern.

Counter-examples (legitimate lookalikes) are indexed beside the scam examples so a
message that is closest to a police reminder or a news report about a scam is seen
as such, instead of being flagged for sharing the scam's vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.knowledge import KnowledgeBase


@dataclass(frozen=True)
class KnowledgeText:
    """One indexed text and what it is evidence of."""

    pattern_id: str
    category: str
    counter: bool
    language: str
    text: str


def knowledge_texts(kb: KnowledgeBase) -> list[KnowledgeText]:
    """All indexed texts in a stable order (the index rows follow it)."""
    texts: list[KnowledgeText] = []
    for pattern in kb:
        for counter, messages in ((False, pattern.examples), (True, pattern.counter_examples)):
            texts.extend(
                KnowledgeText(pattern.id, pattern.category, counter, language, text)
                for language, text in messages.all()
            )
    return texts
