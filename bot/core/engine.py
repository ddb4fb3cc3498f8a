"""The core put together: assessor, reply text and the optional LLM help.

The CLI and the Telegram adapter answer a message through the same :class:`Engine`,
so both say the same thing. An engine is built by the composition root
(:func:`bot.app.build_engine`), which decides where knowledge, model and settings
come from; the engine itself reads no configuration.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.assess import Assessment, Assessor
from bot.core.llm.helper import LLMHelper
from bot.core.regions import Region
from bot.core.reply import ReportingContacts, render_check, render_group_alert, render_reply
from bot.core.text import Language

log = logging.getLogger(__name__)


@dataclass
class Engine:
    """Assess messages and word the answers. Safe to share between threads and handlers."""

    assessor: Assessor
    contacts: ReportingContacts
    helper: LLMHelper | None = None
    """Optional LLM second opinion; None (the default, and without OPENAI_API_KEY) means retrieval only."""

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
        patterns = assessment.patterns
        return await self.helper.help(text, assessment, patterns, user_id=user_id, language=language)

    async def assess_many_with_help(
        self, texts: Sequence[str], *, language: Language | None = None
    ) -> list[Assessment]:
        """A batch through retrieval (off the loop), then the LLM a few messages at a time (the CLI's ``--llm``)."""
        assessments = await asyncio.to_thread(self.assess_many, texts)
        if self.helper is None or not assessments:
            return assessments
        # One batch is assessed against one snapshot (see Assessor.assess_many).
        return await self.helper.help_many(texts, assessments, assessments[0].patterns, language=language)

    def reply(self, assessment: Assessment, language: Language | None = None, region: Region | None = None) -> str:
        """The full answer as Telegram HTML, in ``language`` or the message's own, from the assessment's snapshot.

        ``region`` (the reader's, see :mod:`bot.core.regions`) picks the reporting line and Traditional wording.
        """
        return render_reply(assessment, assessment.patterns, self.contacts, language, region)

    def group_alert(
        self, assessment: Assessment, language: Language | None = None, region: Region | None = None
    ) -> str:
        return render_group_alert(assessment, assessment.patterns, language or assessment.language, region)

    def check_answer(self, assessment: Assessment, language: Language, region: Region | None = None) -> str:
        """The short answer to a group's ``/check``."""
        return render_check(assessment, assessment.patterns, language, region)
