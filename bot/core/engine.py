"""The core put together: knowledge, assessor and reply text, loaded from settings.

This is the library entry point (``Engine.load(Settings())``) used by the CLI and the
Telegram adapter alike, so both answer a message the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import Settings
from bot.core.assess import Assessment, Assessor
from bot.core.embedding import Embedder
from bot.core.knowledge import KnowledgeBase
from bot.core.reply import ReportingContacts, render_group_alert, render_reply
from bot.core.text import Language

log = logging.getLogger(__name__)


@dataclass
class Engine:
    """Assess messages and word the answers. Safe to share between threads and handlers."""

    settings: Settings
    assessor: Assessor
    contacts: ReportingContacts

    @classmethod
    def load(
        cls,
        settings: Settings,
        *,
        kb: KnowledgeBase | None = None,
        embedder: Embedder | None = None,
        show_progress: bool = False,
    ) -> Engine:
        assessor = Assessor.from_settings(settings, kb=kb, embedder=embedder, show_progress=show_progress)
        return cls(settings, assessor, ReportingContacts.load(settings.reporting_file))

    def assess(self, text: str) -> Assessment:
        return self.assessor.assess(text)

    async def assess_async(self, text: str) -> Assessment:
        return await self.assessor.assess_async(text)

    def assess_many(self, texts: Sequence[str]) -> list[Assessment]:
        return self.assessor.assess_many(texts)

    def reply(self, assessment: Assessment, language: Language | None = None) -> str:
        """The full answer as Telegram HTML, in ``language`` or the message's own."""
        return render_reply(assessment, self.assessor.index.patterns, self.contacts, language)

    def group_alert(self, assessment: Assessment, language: Language | None = None) -> str:
        return render_group_alert(assessment, self.assessor.index.patterns, language or assessment.language)
