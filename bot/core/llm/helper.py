"""The second opinion end to end: which messages, what is sent, and what may change.

Flow for one message: retrieval has already assessed it. Only a message retrieval is
unsure of or warns about (``suspicious``, ``scam``, or ``safe`` with red flags) goes
further. Its text is masked, the prompt is grounded in the closest known patterns and
the pattern's advice, and the answer (from the cache, or one bounded call) is validated,
combined by :func:`~bot.core.llm.combine.combine_verdict`, and turned into an
explanation by :mod:`~bot.core.llm.explain`. Any failure leaves the retrieval
assessment untouched, within the configured timeout.

Slow calls never hold up others: each call runs in its caller's task with its own
deadline, nothing queues behind it, and beyond ``MAX_IN_FLIGHT`` concurrent calls new
messages simply skip the model rather than wait.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from cachetools import TTLCache

from bot.core.llm.client import ChatClient, LLMUnavailable
from bot.core.llm.combine import combine_verdict
from bot.core.llm.explain import make_explanation
from bot.core.llm.guards import CircuitBreaker, DailyCap
from bot.core.llm.masking import mask_personal_data
from bot.core.llm.opinion import Reason, SecondOpinion
from bot.core.llm.prompts import KnownPattern, PromptInput, advice_without_contacts, build_messages
from bot.core.llm.schema import MAX_REASONS, NO_CATEGORY, OffSchema, OpinionPayload, parse_opinion
from bot.core.reply import pattern_text
from bot.core.text import Language

if TYPE_CHECKING:
    from bot.core.assess import Assessment
    from bot.core.knowledge import ScamPattern
    from bot.core.llm.config import OpenAISettings

log = logging.getLogger(__name__)

MAX_IN_FLIGHT = 16
GROUNDING_PATTERNS = 3
MAX_ADVICE = 4
CACHE_SECONDS = 24 * 3600
CLI_CONCURRENCY = 4
GENERAL_ADVICE = (
    "Do not pay, share codes or give personal details until you have checked.",
    "Contact the person or organisation through a number or website you already know, never one in the message.",
)
"""Grounding for a message retrieval found no close pattern for: the closest one's advice would mislead."""


def _plain(text: str) -> str:
    return " ".join(text.split()).casefold()


def cache_key(model: str, data: PromptInput) -> str:
    """Same masked message, language and grounding → same answer: a hash, never the text, is kept as key."""
    material = [model, data.language, data.message, [p.pattern_id for p in data.patterns], list(data.red_flags)]
    return hashlib.sha256(json.dumps(material, ensure_ascii=False).encode()).hexdigest()


class LLMHelper:
    """Second opinion and tailored explanation for one engine. Safe to share between tasks of one loop."""

    def __init__(
        self,
        settings: OpenAISettings,
        client: ChatClient,
        *,
        breaker: CircuitBreaker | None = None,
        cap: DailyCap | None = None,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.client = client
        self.timeout = settings.openai_timeout_seconds
        self.breaker = breaker or CircuitBreaker()
        self.cap = cap or DailyCap(settings.llm_daily_cap_per_user)
        self.max_in_flight = max_in_flight
        self._in_flight = 0
        self._cache: TTLCache[str, OpinionPayload] = TTLCache(maxsize=10_000, ttl=CACHE_SECONDS)

    @classmethod
    def from_settings(cls, settings: OpenAISettings) -> LLMHelper | None:
        """A helper when an API key is configured and sending text is allowed; otherwise None (feature off)."""
        if settings.openai_api_key is None:
            return None
        if not settings.llm_send_message_text:
            log.info("LLM help is off: LLM_SEND_MESSAGE_TEXT is false, so no message text is sent")
            return None
        log.info("LLM help on: model %s at %s", settings.openai_model, settings.openai_base_url or "api.openai.com")
        return cls(settings, ChatClient(settings))

    @staticmethod
    def qualifies(assessment: Assessment) -> bool:
        """Worth a model call: retrieval warns, is unsure, or found red flags it could not place."""
        return assessment.has_text and (assessment.verdict != "safe" or bool(assessment.red_flags))

    @staticmethod
    def has_evidence(assessment: Assessment) -> bool:
        """Our own evidence, without which the model may change nothing (see combine.py)."""
        f = assessment.features
        close = f.match >= assessment.thresholds.get("alert_min_match", 1.0) and f.match > f.lookalike
        return bool(assessment.red_flags) or close

    async def help(
        self,
        text: str,
        assessment: Assessment,
        patterns: dict[str, ScamPattern],
        *,
        user_id: int | None = None,
        language: Language | None = None,
    ) -> Assessment:
        """``assessment`` with the model's opinion combined in, or unchanged when it does not apply or fails."""
        if not self.qualifies(assessment):
            return assessment
        language = language or assessment.language
        masked = mask_personal_data(text)
        data = self._prompt_input(masked.text, assessment, patterns, language)
        key = cache_key(self.client.model, data)
        payload = self._cache.get(key)
        if payload is None:
            payload = await self._ask(data, user_id)
            if payload is None:
                return assessment
            self._cache[key] = payload
        return self._apply(assessment, payload, masked.text, language)

    async def help_many(
        self,
        texts: Sequence[str],
        assessments: Sequence[Assessment],
        patterns: dict[str, ScamPattern],
        *,
        language: Language | None = None,
    ) -> list[Assessment]:
        """A batch (the CLI's JSON lines), a few calls at a time, in input order."""
        gate = asyncio.Semaphore(min(CLI_CONCURRENCY, self.max_in_flight))

        async def one(text: str, assessment: Assessment) -> Assessment:
            async with gate:
                try:
                    return await self.help(text, assessment, patterns, language=language)
                except Exception:  # one message's failure keeps its retrieval answer, never sinks the batch
                    log.exception("LLM second opinion failed for one message; retrieval-only answer")
                    return assessment

        return list(await asyncio.gather(*(one(t, a) for t, a in zip(texts, assessments, strict=True))))

    def _prompt_input(
        self, masked: str, assessment: Assessment, patterns: dict[str, ScamPattern], language: Language
    ) -> PromptInput:
        known = []
        for match in assessment.matches[:GROUNDING_PATTERNS]:
            pattern = patterns.get(match.pattern_id)
            if pattern is not None:
                signs = tuple(pattern_text(pattern, "red_flags", "en"))[:3]
                title = str(pattern_text(pattern, "title", "en"))
                known.append(KnownPattern(match.pattern_id, match.category, title, match.score, signs))
        flags = tuple(
            f"{flag.label('en')}: “{mask_personal_data(flag.evidence).text}”" for flag in assessment.red_flags
        )
        top = patterns.get(assessment.matches[0].pattern_id) if assessment.matches else None
        if top is not None and assessment.verdict != "safe":
            advice = advice_without_contacts(list(pattern_text(top, "advice", language)))[:MAX_ADVICE]
        else:
            advice = GENERAL_ADVICE
        return PromptInput(masked, language, tuple(known), flags, advice)

    async def _ask(self, data: PromptInput, user_id: int | None) -> OpinionPayload | None:
        """One bounded call, or None (skipped or failed) so the caller keeps the retrieval answer."""
        if self._in_flight >= self.max_in_flight:
            log.info("LLM second opinion skipped: %d calls already in flight", self._in_flight)
            return None
        if user_id is not None and not self.cap.allows(user_id):
            log.info("LLM second opinion skipped: daily cap reached for a user")
            return None
        if not self.breaker.allow():
            return None
        if user_id is not None:
            self.cap.take(user_id)
        self._in_flight += 1
        started = time.monotonic()
        try:
            content = await asyncio.wait_for(self.client.complete(build_messages(data)), self.timeout)
            payload = parse_opinion(content)
        except (TimeoutError, LLMUnavailable, OffSchema) as exc:
            self.breaker.failure()
            reason = "timeout" if isinstance(exc, TimeoutError) else str(exc)
            log.warning("LLM second opinion failed after %.1f s (%s); retrieval-only answer", _since(started), reason)
            return None
        finally:
            self._in_flight -= 1
        self.breaker.success()
        log.debug("LLM second opinion in %.1f s", _since(started))
        return payload

    def _apply(self, assessment: Assessment, payload: OpinionPayload, masked: str, language: Language) -> Assessment:
        verdict = combine_verdict(
            assessment.verdict,
            has_evidence=self.has_evidence(assessment),
            llm_is_scam=payload.is_scam,
            confidence=payload.confidence,
        )
        if verdict != assessment.verdict:
            log.info("second opinion moved a verdict from %s to %s", assessment.verdict, verdict)
        where = _plain(masked)
        reasons = tuple(
            Reason(r.quote, r.why) for r in payload.reasons if r.quote.strip() and _plain(r.quote) in where
        )[:MAX_REASONS]
        opinion = SecondOpinion(
            is_scam=payload.is_scam,
            category=None if payload.category == NO_CATEGORY else payload.category,
            confidence=payload.confidence,
            reasons=reasons,
            retrieval_verdict=assessment.verdict,
            model=self.client.model,
        )
        explanation = make_explanation(payload, verdict, language)
        return replace(assessment, verdict=verdict, second_opinion=opinion, explanation=explanation)

    async def aclose(self) -> None:
        await self.client.aclose()


def _since(started: float) -> float:
    return time.monotonic() - started
