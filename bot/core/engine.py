"""The core put together: knowledge, assessor and reply text, loaded from settings.

This is the library entry point (``Engine.load(Settings())``) used by the CLI and the
Telegram adapter alike, so both answer a message the same way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import Settings
from bot.core.assess import Assessment, Assessor
from bot.core.embedding import Embedder, embedder_from_settings
from bot.core.knowledge import KnowledgeBase
from bot.core.llm.helper import LLMHelper
from bot.core.reply import ReportingContacts, render_group_alert, render_reply
from bot.core.text import Language

log = logging.getLogger(__name__)


@dataclass
class Engine:
    """Assess messages and word the answers. Safe to share between threads and handlers."""

    settings: Settings
    assessor: Assessor
    contacts: ReportingContacts
    helper: LLMHelper | None = None
    """Optional LLM second opinion; None (the default, and without OPENAI_API_KEY) means retrieval only."""

    @classmethod
    def load(
        cls,
        settings: Settings,
        *,
        kb: KnowledgeBase | None = None,
        embedder: Embedder | None = None,
        show_progress: bool = False,
    ) -> Engine:
        embedder = embedder or embedder_from_settings(settings)
        assessor = Assessor.from_settings(settings, kb=kb, embedder=embedder, show_progress=show_progress)
        contacts = ReportingContacts.load(settings.reporting_file)
        return cls(settings, assessor, contacts, LLMHelper.from_settings(settings))

    def assess(self, text: str) -> Assessment:
        return self.assessor.assess(text)

    async def assess_async(self, text: str) -> Assessment:
        return await self.assessor.assess_async(text)

    def assess_many(self, texts: Sequence[str]) -> list[Assessment]:
        return self.assessor.assess_many(texts)

    async def assess_with_help(
        self, text: str, *, user_id: int | None = None, language: Language | None = None
    ) -> Assessment:
        """Retrieval, then (when configured and worth it) the LLM's second opinion, bounded by its timeout.

        Without an LLM configured this is exactly :meth:`assess_async` and opens no connection.
        ``user_id`` counts against the per-user daily cap; ``language`` is the explanation's.
        """
        assessment = await self.assess_async(text)
        if self.helper is None:
            return assessment
        patterns = self.assessor.index.patterns
        return await self.helper.help(text, assessment, patterns, user_id=user_id, language=language)

    async def assess_many_with_help(
        self, texts: Sequence[str], *, language: Language | None = None
    ) -> list[Assessment]:
        """A batch through retrieval (off the loop), then the LLM a few messages at a time (the CLI's ``--llm``)."""
        assessments = await asyncio.to_thread(self.assess_many, texts)
        if self.helper is None:
            return assessments
        return await self.helper.help_many(texts, assessments, self.assessor.index.patterns, language=language)

    def reply(self, assessment: Assessment, language: Language | None = None) -> str:
        """The full answer as Telegram HTML, in ``language`` or the message's own."""
        return render_reply(assessment, self.assessor.index.patterns, self.contacts, language)

    def group_alert(self, assessment: Assessment, language: Language | None = None) -> str:
        return render_group_alert(assessment, self.assessor.index.patterns, language or assessment.language)
