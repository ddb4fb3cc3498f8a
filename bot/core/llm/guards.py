"""Keeping a failing or costly endpoint from hurting users: a circuit breaker and a daily cap.

When the endpoint is down, rate-limited or answering garbage, every call would cost a
user the full timeout before the retrieval answer. After a few failures in a row the
circuit opens and calls are skipped outright for a while; then one probe is let
through, and its outcome closes or re-opens the circuit. The per-user daily cap bounds
what one (possibly abusive) user can spend.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from cachetools import TTLCache

log = logging.getLogger(__name__)


class CircuitBreaker:
    """Closed → (``threshold`` consecutive failures) → open for ``cooldown`` s → one probe → closed or open."""

    def __init__(self, threshold: int = 3, cooldown: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = threshold
        self.cooldown = cooldown
        self._clock = clock
        self._failures = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._opened_at is not None

    def allow(self) -> bool:
        """May a call go out now? While open, only one probe once the cooldown has passed."""
        if self._opened_at is None:
            return True
        if self._probing or self._clock() - self._opened_at < self.cooldown:
            return False
        self._probing = True
        return True

    def success(self) -> None:
        if self._opened_at is not None:
            log.info("LLM endpoint answered again; circuit closed")
        self._failures = 0
        self._opened_at = None
        self._probing = False

    def failure(self) -> None:
        self._failures += 1
        self._probing = False
        if self._opened_at is not None or self._failures >= self.threshold:
            if self._opened_at is None:
                log.warning("LLM endpoint failed %d times in a row; off for %.0f s", self._failures, self.cooldown)
            self._opened_at = self._clock()


class DailyCap:
    """At most ``limit`` calls per user per UTC day (0 = none at all)."""

    def __init__(self, limit: int, today: Callable[[], str] | None = None) -> None:
        self.limit = limit
        self._today = today or (lambda: datetime.now(UTC).date().isoformat())
        self._counts: TTLCache[tuple[int, str], int] = TTLCache(maxsize=200_000, ttl=2 * 86_400)

    def allows(self, user_id: int) -> bool:
        """Is there allowance left today (nothing counted)?"""
        return self._counts.get((user_id, self._today()), 0) < self.limit

    def take(self, user_id: int) -> bool:
        """Count one call for ``user_id``; False (and nothing counted) when today's allowance is spent."""
        key = (user_id, self._today())
        used = self._counts.get(key, 0)
        if used >= self.limit:
            return False
        self._counts[key] = used + 1
        return True
