"""Fault injection and flood control: the ways the real Bot API misbehaves.

Tests need to see how the bot copes with Telegram saying no: a 429 with ``retry_after``, a
500, a user who blocked the bot, a connection reset, or a slow server.  Scripted faults
(``fail_next``, ``reset_next``, ``delay``) make one test deterministic; the optional flood
control makes sustained sending hit 429s the way Telegram's per-chat and global limits do.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from dataclasses import dataclass

from .errors import ApiError

__all__ = ["FaultPlan", "FloodLimits"]

_LOG = logging.getLogger(__name__)

# Methods that count against Telegram's sending limits.
_LIMITED_PREFIXES = ("send", "copy", "forward", "edit")
_UNLIMITED = frozenset({"sendchataction"})


@dataclass
class _Failure:
    method: str
    status: int
    remaining: int
    retry_after: int | None
    description: str | None


@dataclass
class _Reset:
    method: str
    remaining: int


@dataclass
class _Delay:
    method: str
    seconds: float
    remaining: int | None


@dataclass(frozen=True)
class FloodLimits:
    """Sliding-window limits as ``(messages, seconds)``.

    Telegram publishes only approximations (about 30 messages per second overall, 20 per
    minute into one group, about one per second into one private chat with short bursts
    tolerated); these defaults follow them and can be tightened to provoke a 429 quickly.
    """

    global_limit: tuple[int, float] = (30, 1.0)
    group_limit: tuple[int, float] = (20, 60.0)
    private_limit: tuple[int, float] = (5, 1.0)


class FaultPlan:
    """Decides, per request, whether to delay it, fail it, or let it through."""

    def __init__(self) -> None:
        self._failures: list[_Failure] = []
        self._delays: list[_Delay] = []
        self._resets: list[_Reset] = []
        self._flood: FloodLimits | None = None
        self._windows: dict[tuple[str, int], deque[float]] = {}

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
    ) -> None:
        """Make the next ``count`` calls of ``method`` (``"*"``: any but getUpdates) fail."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self._failures.append(_Failure(method.lower(), status, count, retry_after, description))

    def reset_next(self, method: str, *, count: int = 1) -> None:
        """Drop the connection of the next ``count`` calls of ``method`` (``"*"``: any but getUpdates)
        without answering and without carrying the call out: the client sees a reset."""
        if count < 1:
            raise ValueError("count must be at least 1")
        self._resets.append(_Reset(method.lower(), count))

    @property
    def pending(self) -> int:
        """Scripted failures and resets not yet used up."""
        return sum(rule.remaining for rule in self._failures) + sum(rule.remaining for rule in self._resets)

    def take_reset(self, method: str) -> bool:
        """Whether this call's connection is to be reset (consumes one scripted reset)."""
        for rule in self._resets:
            if self._matches(rule.method, method):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._resets.remove(rule)
                _LOG.info("resetting the connection of %s", method)
                return True
        return False

    def delay(self, method: str, seconds: float, *, count: int | None = None) -> None:
        """Delay answers to ``method`` by ``seconds`` (the next ``count`` calls, or all)."""
        self._delays.append(_Delay(method.lower(), seconds, count))

    def enable_flood_control(self, limits: FloodLimits | None = None) -> None:
        """Start answering over-limit sends with 429 and a computed ``retry_after``."""
        self._flood = limits or FloodLimits()
        self._windows.clear()

    def disable_flood_control(self) -> None:
        self._flood = None
        self._windows.clear()

    def clear(self) -> None:
        """Forget every scripted failure, delay and flood window."""
        self._failures.clear()
        self._resets.clear()
        self._delays.clear()
        self._windows.clear()

    @staticmethod
    def _matches(pattern: str, method: str) -> bool:
        return pattern == method or (pattern == "*" and method != "getupdates")

    def delay_for(self, method: str) -> float:
        """Seconds to hold this call before answering (consumes counted delays)."""
        total = 0.0
        for rule in list(self._delays):
            if self._matches(rule.method, method):
                total += rule.seconds
                if rule.remaining is not None:
                    rule.remaining -= 1
                    if rule.remaining <= 0:
                        self._delays.remove(rule)
        return total

    def take_failure(self, method: str) -> ApiError | None:
        """The scripted error for this call, if one is queued (consumes it)."""
        for rule in self._failures:
            if self._matches(rule.method, method):
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._failures.remove(rule)
                _LOG.info("injecting %s into %s", rule.status, method)
                return ApiError.default_for(rule.status, rule.retry_after, rule.description)
        return None

    def check_flood(self, method: str, chat_id: int | None, chat_type: str | None) -> ApiError | None:
        """Count a send against the windows; a 429 if any window is full (nothing counted)."""
        if self._flood is None or method in _UNLIMITED or not method.startswith(_LIMITED_PREFIXES):
            return None
        now = time.monotonic()
        keys: list[tuple[tuple[str, int], tuple[int, float]]] = [(("global", 0), self._flood.global_limit)]
        if chat_id is not None:
            limit = self._flood.private_limit if chat_type == "private" else self._flood.group_limit
            keys.append((("chat", chat_id), limit))
        wait = 0.0
        for key, (count, window) in keys:
            stamps = self._windows.setdefault(key, deque())
            while stamps and stamps[0] <= now - window:
                stamps.popleft()
            if len(stamps) >= count:
                wait = max(wait, stamps[0] + window - now)
        if wait > 0:
            retry_after = max(1, math.ceil(wait))
            _LOG.info("flood control: %s to chat %s refused, retry after %s s", method, chat_id, retry_after)
            return ApiError.too_many_requests(retry_after)
        for key, _limit in keys:
            self._windows[key].append(now)
        return None
