"""The assessment: the one path every message takes.

normalise → embed → search (dense + lexical) → score → decide. The CLI, private
chats and groups all call :meth:`Assessor.assess_many`; only what they do with the
resulting :class:`Assessment` differs (a group looks at ``alert``, a private chat
shows the full reply).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from bot.core.assess_config import AssessConfig, Sensitivity
from bot.core.calibration import RiskModel, ScoreFeatures
from bot.core.cues import find_cues, steer
from bot.core.embedding import Embedder
from bot.core.index import DenseIndex
from bot.core.knowledge import KnowledgeBase, ScamPattern
from bot.core.lexical import LexicalIndex
from bot.core.llm.opinion import Explanation, SecondOpinion
from bot.core.redflags import RedFlag, find_red_flags, red_flag_score
from bot.core.text import Language, MessageText

log = logging.getLogger(__name__)

Verdict = Literal["scam", "suspicious", "safe"]
MAX_MATCHES = 5
NEIGHBOURS = 10
"""How many nearest knowledge texts vote on "scam or legitimate lookalike" (the ``neighbours`` feature)."""


@dataclass(frozen=True)
class PatternMatch:
    """How closely a message resembles one known pattern, and the closest known text."""

    pattern_id: str
    category: str
    score: float
    closest_text: str

    def to_json(self) -> dict[str, Any]:
        return {"pattern_id": self.pattern_id, "category": self.category, "score": round(self.score, 4)}


@dataclass(frozen=True)
class Assessment:
    """Everything the bot concluded about one message."""

    verdict: Verdict
    risk: float
    alert: bool
    matches: tuple[PatternMatch, ...]
    red_flags: tuple[RedFlag, ...]
    language: Language
    features: ScoreFeatures
    lookalike: PatternMatch | None = None
    thresholds: dict[str, float] = field(default_factory=dict, repr=False)
    second_opinion: SecondOpinion | None = None
    """The LLM's validated answer, when one was asked for and given (``verdict`` already combines it)."""
    explanation: Explanation | None = None
    """A sanitised paragraph about this message from the LLM, shown by the reply in place of the summary."""
    patterns: dict[str, ScamPattern] = field(default_factory=dict, repr=False, compare=False)
    """The knowledge snapshot the verdict was made against: the reply is worded from these patterns, so a
    live knowledge swap between assessing and answering cannot pair a verdict with another snapshot's text."""
    cues: tuple[str, ...] = ()
    """What the message says about its type (:mod:`bot.core.cues`): the reply puts advice about these first."""
    error: str | None = None
    """Set when this message could not be assessed (logged); everything else is then empty and ``alert`` False."""

    @classmethod
    def failed(cls, language: Language, error: str, thresholds: dict[str, float] | None = None) -> Assessment:
        """The stand-in for a message whose assessment raised: no verdict of its own, never an alert."""
        features = ScoreFeatures(0.0, 0.0, 0.0, 0.0, 0.0)
        return cls("safe", 0.0, False, (), (), language, features, None, thresholds or {}, error=error)

    @property
    def has_text(self) -> bool:
        """False for empty, emoji-only or punctuation-only input: nothing was assessed."""
        return bool(self.matches or self.red_flags)

    @property
    def top(self) -> PatternMatch | None:
        return self.matches[0] if self.matches else None

    def alert_at(self, sensitivity: Sensitivity) -> bool:
        """Would a group at this sensitivity be alerted? Needs high risk *and* a close known scam."""
        threshold = self.thresholds.get(f"alert_{sensitivity}", 1.0)
        return _alert_rule(self.risk, self.features, threshold, self.thresholds.get("alert_min_match", 1.0))

    def to_json(self, message_id: Any) -> dict[str, Any]:
        """The JSON-lines contract of ``python -m bot check --jsonl``: exactly these keys."""
        return {
            "id": message_id,
            "verdict": self.verdict,
            "risk": round(self.risk, 4),
            "alert": self.alert,
            "matches": [m.to_json() for m in self.matches],
            "red_flags": [f.kind for f in self.red_flags],
            "language": self.language,
        }


def _alert_rule(risk: float, features: ScoreFeatures, threshold: float, min_match: float) -> bool:
    """Group alerts need more evidence than a private answer: calibrated risk over the threshold,
    a known scam example close enough, and that example closer than any legitimate lookalike."""
    return risk >= threshold and features.match >= min_match and features.match > features.lookalike


@dataclass(frozen=True)
class RetrievalIndex:
    """An immutable snapshot of what is searched: swapped whole when the knowledge changes."""

    kb: KnowledgeBase
    dense: DenseIndex
    lexical: LexicalIndex
    patterns: dict[str, ScamPattern]
    is_counter: np.ndarray
    pattern_rows: dict[str, np.ndarray]

    @classmethod
    def create(cls, kb: KnowledgeBase, dense: DenseIndex) -> RetrievalIndex:
        documents = dense.documents
        rows: dict[str, list[int]] = {}
        for i, doc in enumerate(documents):
            if not doc.counter:
                rows.setdefault(doc.pattern_id, []).append(i)
        return cls(
            kb=kb,
            dense=dense,
            lexical=LexicalIndex(documents),
            patterns=kb.by_id(),
            is_counter=np.array([d.counter for d in documents], dtype=bool),
            pattern_rows={k: np.array(v) for k, v in rows.items()},
        )


class Assessor:
    """Assesses messages against the knowledge base. Thread-safe; one instance per process.

    ``assess_many`` does CPU work (embedding, scoring) and is meant to run in a worker
    thread; ``assess`` in async code goes through :meth:`assess_async`, which does that.
    """

    def __init__(
        self,
        config: AssessConfig,
        embedder: Embedder,
        index: RetrievalIndex,
        risk_model: RiskModel,
        *,
        index_dir: Path | None = None,
    ) -> None:
        self.config = config
        self.embedder = embedder
        self.risk_model = risk_model
        self.index_dir = index_dir
        """Where a swapped-in index is saved for the next start (None: kept in memory only)."""
        self._index = index
        self._swap_lock = threading.Lock()

    @classmethod
    def build(
        cls,
        config: AssessConfig,
        embedder: Embedder,
        kb: KnowledgeBase,
        risk_model: RiskModel,
        *,
        index_dir: Path,
        show_progress: bool = False,
    ) -> Assessor:
        """An assessor for ``kb``, reusing the index saved in ``index_dir`` unless it is stale."""
        dense = DenseIndex.load_or_build(index_dir, kb, embedder, show_progress=show_progress)
        return cls(config, embedder, RetrievalIndex.create(kb, dense), risk_model, index_dir=index_dir)

    @property
    def index(self) -> RetrievalIndex:
        return self._index

    @property
    def kb(self) -> KnowledgeBase:
        return self._index.kb

    def replace_knowledge(self, kb: KnowledgeBase, *, persist: bool = True) -> None:
        """Build a new index for ``kb`` (slow, no lock held) and swap it in atomically.

        Messages assessed meanwhile keep using the old snapshot; the next one sees the new.
        """
        dense = DenseIndex.build(kb, self.embedder, previous=self._index.dense)
        snapshot = RetrievalIndex.create(kb, dense)
        if persist and self.index_dir is not None:
            dense.save(self.index_dir)
        with self._swap_lock:
            self._index = snapshot
        log.info("knowledge base swapped in: %d patterns, version %s", len(kb), kb.version)

    def thresholds(self) -> dict[str, float]:
        return self.config.thresholds()

    def assess(self, text: str) -> Assessment:
        return self.assess_many([text])[0]

    async def assess_async(self, text: str) -> Assessment:
        """Assess off the event loop so one message's embedding never blocks another's reply."""
        return await asyncio.to_thread(self.assess, text)

    def assess_many(self, texts: Sequence[str]) -> list[Assessment]:
        """Assess a batch in one embedding pass (the CLI's thousands of lines, a group's queue, a media group).

        One message can never cost the others their answer: if the batch pass fails, each
        message is retried alone, and a message that still fails gets an
        :meth:`Assessment.failed` stand-in (``error`` set, never an alert) in its place.
        The result always has one assessment per text, in order.
        """
        index = self._index  # one snapshot for the whole batch
        thresholds = self.thresholds()
        try:
            return self._assess_batch(index, texts, thresholds)
        except Exception:
            if len(texts) == 1:
                log.exception("could not assess a message; answering with an error")
                return [Assessment.failed(_language_or_english(texts[0]), "could not assess this message", thresholds)]
            log.exception("a batch of %d messages failed; assessing them one by one", len(texts))
        return [self.assess_many([text])[0] for text in texts]

    def _assess_batch(
        self, index: RetrievalIndex, texts: Sequence[str], thresholds: dict[str, float]
    ) -> list[Assessment]:
        messages = [MessageText.of(t) for t in texts]
        readable = [m.normalised if m.has_words else "" for m in messages]
        vectors = self.embedder.encode(readable)
        unknown = self.embedder.unknown_ratio(readable)
        dense_all = index.dense.scores(vectors)
        return [
            self._decide(index, message, dense_all[i], float(unknown[i]), thresholds)
            for i, message in enumerate(messages)
        ]

    def _decide(
        self,
        index: RetrievalIndex,
        message: MessageText,
        dense: np.ndarray,
        unknown: float,
        thresholds: dict[str, float],
    ) -> Assessment:
        flags = tuple(find_red_flags(message.original)) if message.has_words else ()  # quoted as written
        if not message.has_words:
            features = ScoreFeatures(0.0, 0.0, 0.0, 0.0, 0.0)
            return Assessment(
                "safe", 0.0, False, (), flags, message.language, features, None, thresholds, patterns=index.patterns
            )

        trust = float(np.clip(1.0 - unknown / self.config.dense_unknown_cutoff, 0.0, 1.0))
        # Each model has its own similarity scale (e5 rates unrelated texts about 0.8): rescale the
        # dense score so 0 means "unrelated" before fusing it with BM25, whose scores start at 0.
        floor = self.embedder.similarity_floor
        dense = np.clip((dense - floor) / (1.0 - floor), 0.0, 1.0)
        lexical = index.lexical.scores(message.normalised)
        weight = self.config.lexical_weight
        fused = (trust * dense + weight * lexical) / (trust + weight) if trust + weight > 0 else lexical

        ranked = self._rank(index, fused)
        top_score = ranked[0].score if ranked else 0.0  # the risk is scored on resemblance alone, before steering
        cues = find_cues(message.normalised)
        steered = steer([m.category for m in ranked], cues)
        if steered is not None:  # the message's own words rule out the closest type: name one they allow
            ranked = (ranked[steered], *ranked[:steered], *ranked[steered + 1 :])
        matches = ranked[:MAX_MATCHES]
        counter_rows = np.flatnonzero(index.is_counter)
        lookalike = None
        lookalike_score = 0.0
        if len(counter_rows):
            best_counter = int(counter_rows[np.argmax(fused[counter_rows])])
            lookalike_score = float(fused[best_counter])
            doc = index.dense.documents[best_counter]
            lookalike = PatternMatch(doc.pattern_id, doc.category, lookalike_score, doc.text)

        nearest = np.argsort(-fused, kind="stable")[:NEIGHBOURS]
        features = ScoreFeatures(
            match=top_score,
            lookalike=lookalike_score,
            flags=red_flag_score(list(flags)),
            flag_count=float(len({f.kind for f in flags})),
            trust=trust,
            neighbours=float(np.mean(~index.is_counter[nearest])) if len(nearest) else 0.0,
        )
        risk = self.risk_model.risk(features)
        verdict: Verdict = (
            "scam" if risk >= thresholds["scam"] else "suspicious" if risk >= thresholds["suspicious"] else "safe"
        )
        alert = _alert_rule(risk, features, thresholds["alert_normal"], thresholds["alert_min_match"])
        return Assessment(
            verdict,
            risk,
            alert,
            matches,
            flags,
            message.language,
            features,
            lookalike,
            thresholds,
            patterns=index.patterns,
            cues=tuple(c.kind for c in cues),
        )

    @staticmethod
    def _rank(index: RetrievalIndex, fused: np.ndarray) -> tuple[PatternMatch, ...]:
        """Best example per pattern, patterns ordered by it (all of them: steering may reach past the top five)."""
        best: list[tuple[float, str, int]] = []
        for pattern_id, rows in index.pattern_rows.items():
            row = int(rows[np.argmax(fused[rows])])
            best.append((float(fused[row]), pattern_id, row))
        best.sort(key=lambda item: (-item[0], item[1]))
        documents = index.dense.documents
        return tuple(
            PatternMatch(pid, index.patterns[pid].category, score, documents[row].text) for score, pid, row in best
        )


def _language_or_english(text: str) -> Language:
    """The message's language for an error answer, English when even that cannot be told."""
    try:
        return MessageText.of(text).language
    except Exception:
        return "en"
