"""Live knowledge changes: validated, audited, and in effect for the very next message.

Every change runs in a worker thread as one unit: write to the database (with its
audit entry), load the live pattern set, rebuild the index incrementally (only new
texts are embedded) and swap it into the assessor atomically. Messages assessed
meanwhile use the previous snapshot; none waits. Other bot processes sharing the
database notice the revision change within a second and reload the same way: told by
PostgreSQL's NOTIFY, or by polling the revision on SQLite (``bot.kb.notify``).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import aclosing
from pathlib import Path
from typing import TypeVar

from bot.core.assess import Assessor
from bot.core.knowledge import KnowledgeBase, KnowledgeError, Messages, ScamPattern, load_knowledge
from bot.core.text import detect_language, normalise
from bot.kb import notify
from bot.kb.ids import new_pattern_id
from bot.kb.repository import AuditEntry, KnowledgeRepository

log = logging.getLogger(__name__)

T = TypeVar("T")


class LiveKnowledge:
    """The running knowledge base in the database, seeded from the shipped YAML on first use.

    The database implementation of :class:`bot.core.knowledge_source.KnowledgeSource`. It is
    opened and seeded once by the composition root; the same repository then serves the
    :class:`KnowledgeService` that applies admins' changes.
    """

    def __init__(self, repository: KnowledgeRepository, preset: Path) -> None:
        self.repository = repository
        self.preset = preset
        self._seeded = False

    def seed(self) -> None:
        """Import the preset into an empty database, once per process."""
        if not self._seeded:
            seed_if_empty(self.repository, self.preset)
            self._seeded = True

    def load(self) -> KnowledgeBase:
        self.seed()
        return self.repository.load()

    def close(self) -> None:
        self.repository.close()


def seed_if_empty(repository: KnowledgeRepository, preset: Path) -> int:
    """Import the shipped preset into an empty database; returns how many patterns were added."""
    if not repository.is_empty():
        return 0
    patterns = list(load_knowledge(preset))
    plan = repository.apply_import(patterns, actor="preset")
    log.info("knowledge base seeded with %d patterns from %s", len(plan.added), preset)
    return len(plan.added)


class KnowledgeService:
    """Changes to the live knowledge base, applied off the event loop and swapped in atomically."""

    def __init__(self, assessor: Assessor, repository: KnowledgeRepository) -> None:
        self.assessor = assessor
        self.repository = repository
        self._lock = asyncio.Lock()
        self._revision = repository.revision()
        self.last_apply_seconds: float | None = None

    # Reading (cheap; still off-loop, it is disk I/O)
    async def get(self, pattern_id: str, *, include_deleted: bool = False) -> ScamPattern | None:
        return await asyncio.to_thread(self.repository.get, pattern_id, include_deleted=include_deleted)

    async def history(self, pattern_id: str | None, limit: int = 10) -> list[AuditEntry]:
        return await asyncio.to_thread(self.repository.history, pattern_id, limit)

    @property
    def kb(self) -> KnowledgeBase:
        return self.assessor.kb

    def is_last_of_category(self, pattern_id: str) -> bool:
        pattern = self.kb.by_id().get(pattern_id)
        return pattern is not None and sum(p.category == pattern.category for p in self.kb) == 1

    # Changing
    async def apply(self, change: Callable[[KnowledgeRepository], T]) -> T:
        """Run ``change`` against the repository, then make the result live. One change at a time."""
        async with self._lock:
            return await asyncio.to_thread(self._apply_now, change)

    def _apply_now(self, change: Callable[[KnowledgeRepository], T]) -> T:
        started = time.perf_counter()
        result = change(self.repository)
        self._reload_now()
        self.last_apply_seconds = time.perf_counter() - started
        log.info("knowledge change live in %.2f s", self.last_apply_seconds)
        return result

    def _reload_now(self) -> None:
        kb = self.repository.load()
        revision = self.repository.revision()
        if kb.version != self.assessor.kb.version:
            self.assessor.replace_knowledge(kb)
        self._revision = revision

    async def save(self, pattern: ScamPattern, actor: str) -> AuditEntry | None:
        return await self.apply(lambda repo: repo.save(pattern, actor))

    async def update(
        self, pattern_id: str, change: Callable[[ScamPattern], ScamPattern], actor: str
    ) -> AuditEntry | None:
        """Apply ``change`` to the pattern as it is now (so another admin's change to another field survives)."""

        def apply(repo: KnowledgeRepository) -> AuditEntry | None:
            current = repo.get(pattern_id)
            if current is None:
                raise KnowledgeError([f"no pattern {pattern_id!r}"])
            return repo.save(change(current), actor)

        return await self.apply(apply)

    async def create(self, pattern: ScamPattern, actor: str) -> ScamPattern:
        """Add a new pattern under a free id from its category and English title; returns it as saved."""

        def apply(repo: KnowledgeRepository) -> ScamPattern:
            # The id is settled inside the change, under the service's lock: two admins adding
            # "the same" title at once get two patterns, never one overwriting the other.
            saved = pattern.model_copy(update={"id": _free_id(repo, pattern.category, pattern.title.en)})
            repo.save(saved, actor)
            return saved

        return await self.apply(apply)

    async def free_id(self, category: str, title_en: str) -> str:
        """The id a new pattern would get now (for a preview; :meth:`create` settles it again)."""
        return await asyncio.to_thread(_free_id, self.repository, category, title_en)

    async def delete(self, pattern_id: str, actor: str) -> AuditEntry:
        return await self.apply(lambda repo: repo.delete(pattern_id, actor))

    async def restore(self, pattern_id: str, actor: str) -> AuditEntry:
        return await self.apply(lambda repo: repo.restore(pattern_id, actor))

    async def undo(self, actor: str, pattern_id: str | None = None) -> AuditEntry:
        return await self.apply(lambda repo: repo.undo(actor, pattern_id))

    async def add_message(self, pattern_id: str, text: str, actor: str, *, counter: bool) -> AuditEntry | None:
        """Add an example (or a counter-example) to a pattern, in the language it is written in."""

        def change(repo: KnowledgeRepository) -> AuditEntry | None:
            pattern = repo.get(pattern_id)
            if pattern is None:
                raise KnowledgeError([f"no pattern {pattern_id!r}"])
            return repo.save(with_message(pattern, text, counter=counter), actor)

        return await self.apply(change)

    # Other processes
    async def watch(self, interval: float = 0.5) -> None:
        """Pick up changes made by another process sharing the database (runs until cancelled).

        ``interval`` is the polling period on SQLite; PostgreSQL signals changes as they commit.
        """
        async with aclosing(notify.changes(self.repository.url, interval)) as signals:
            async for _ in signals:
                await self._catch_up()

    async def _catch_up(self) -> None:
        try:
            revision = await asyncio.to_thread(self.repository.revision)
            if revision != self._revision:
                async with self._lock:
                    await asyncio.to_thread(self._reload_now)
                log.info("knowledge reloaded: revision %d from another process", revision)
        except Exception:  # the watcher must outlive a locked or briefly unreadable database
            log.warning("could not check the knowledge revision", exc_info=True)


def _free_id(repository: KnowledgeRepository, category: str, title_en: str) -> str:
    return new_pattern_id(category, title_en, lambda pid: repository.get(pid, include_deleted=True) is not None)


def with_message(pattern: ScamPattern, text: str, *, counter: bool) -> ScamPattern:
    """A copy of ``pattern`` with ``text`` added to its examples or counter-examples (no duplicates)."""
    clean = normalise(text, limit=2000)
    if not clean:
        raise KnowledgeError(["the message has no text to add"])
    field = "counter_examples" if counter else "examples"
    messages: Messages = getattr(pattern, field)
    language = "en" if detect_language(clean) == "en" else "zh"
    current = getattr(messages, language)
    if clean in current:
        return pattern
    updated = messages.model_copy(update={language: [*current, clean]})
    return ScamPattern.model_validate({**pattern.model_dump(), field: updated.model_dump()})
