"""What the admin modules share: the kb service, the store, open sessions and button references.

No Telegram here: the handlers, the flows and the review queue each get this one object
instead of reaching into one another.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Literal

from cachetools import TTLCache
from telegram import User

from bot.adapter.admin.flows import Sessions
from bot.core.knowledge import ScamPattern
from bot.kb.service import KnowledgeService
from bot.storage import Store

log = logging.getLogger(__name__)


def ref(pattern_id: str) -> str:
    """A short, stable stand-in for a pattern id in callback data (Telegram allows only 64 bytes)."""
    return hashlib.sha1(pattern_id.encode("utf-8")).hexdigest()[:10]


class PatternRefs:
    """Pattern ids behind buttons: remembered when a button is made, found again when it is pressed."""

    def __init__(self, knowledge: KnowledgeService) -> None:
        self._knowledge = knowledge
        self._known: TTLCache[str, str] = TTLCache(maxsize=100_000, ttl=7 * 24 * 3600)

    def remember(self, pattern_id: str) -> str:
        key = ref(pattern_id)
        self._known[key] = pattern_id
        return key

    def resolve(self, key: str) -> str | None:
        """The pattern id behind a button; live ids are found even after a restart emptied the cache."""
        known = self._known.get(key)
        if known:
            return known
        return next((pid for pid in self._knowledge.kb.by_id() if ref(pid) == key), None)


@dataclass
class AdminState:
    """The admin side's services and memory."""

    knowledge: KnowledgeService
    store: Store
    admin_ids: frozenset[int]
    sessions: Sessions = field(default_factory=Sessions)
    refs: PatternRefs = field(init=False)

    def __post_init__(self) -> None:
        self.refs = PatternRefs(self.knowledge)

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.admin_ids

    def live(self, pattern_id: str) -> ScamPattern | None:
        return self.knowledge.kb.by_id().get(pattern_id)

    def seconds(self) -> str:
        """How long the last change took to go live, as the confirmations show it."""
        return f"{self.knowledge.last_apply_seconds or 0:.2f}"

    async def close_report(
        self, report_id: int, user: User, status: Literal["accepted", "dismissed"], resolution: str
    ) -> bool:
        closed = await self.store.resolve_report(report_id, status=status, resolved_by=user.id, resolution=resolution)
        log.info("report %s %s by admin %s (%s)", report_id, status, user.id, resolution)
        return closed
