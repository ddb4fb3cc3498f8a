"""Messages forwarded together are read together.

People forward a scam as the several messages it arrived in, or as an album. Each
piece alone may look harmless ("it's me" … "I need a favour" … "send 5,000 here"),
so messages from one user in one chat within a short quiet window, or sharing a
media group, are collected and assessed as one conversation, and answered once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from bot.adapter.tracking import answering, call_answering, track

log = logging.getLogger(__name__)

Item = TypeVar("Item")


@dataclass
class _Burst(Generic[Item]):
    items: list[Item] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None
    released: asyncio.Future[object] | None = None  # resolved when the burst stops collecting (for a queue worker)
    update_ids: list[int] = field(default_factory=list)  # the queue's updates its one answer answers


class BurstCollector(Generic[Item]):
    """Collects items per key until the key has been quiet for ``window`` seconds, then flushes them.

    ``max_items`` bounds a burst: a user pasting a hundred messages gets them assessed
    in chunks rather than building an unbounded buffer.
    """

    def __init__(
        self,
        flush: Callable[[tuple[int, int], list[Item]], Awaitable[None]],
        *,
        window: float = 1.0,
        max_items: int = 10,
        spawn: Callable[[Awaitable[None]], object] | None = None,
    ) -> None:
        self._flush = flush
        self._window = window
        self._max_items = max_items
        self._spawn = spawn or asyncio.ensure_future
        self._bursts: dict[tuple[int, int], _Burst[Item]] = {}

    def add(self, key: tuple[int, int], item: Item, *, at_least: float = 0.0) -> None:
        """Hold ``item`` with the key's others; ``at_least`` waits longer than the window for this item
        (an album's photos arrive as separate updates and must be answered once, whatever the window)."""
        burst = self._bursts.setdefault(key, _Burst())
        if burst.released is None:
            burst.released = asyncio.get_running_loop().create_future()
        track(burst.released, collecting=True)
        burst.update_ids.extend(answering())
        burst.items.append(item)
        if burst.timer:
            burst.timer.cancel()
        wait = max(self._window, at_least)
        if len(burst.items) >= self._max_items or wait <= 0:
            self._release(key)
            return
        burst.timer = asyncio.get_running_loop().call_later(wait, self._release, key)

    def _release(self, key: tuple[int, int]) -> None:
        burst = self._bursts.pop(key, None)
        if burst and burst.items:
            if burst.timer:
                burst.timer.cancel()
            # The one answer answers every update of the burst (a queue worker marks them when it is sent).
            flushing = call_answering(burst.update_ids, self._spawn, self._flush(key, burst.items))
            if isinstance(flushing, asyncio.Future):
                track(flushing)  # the answer: a queue worker's job ends when it is sent
            if burst.released is not None and not burst.released.done():
                burst.released.set_result(None)

    def pending(self) -> int:
        return sum(len(b.items) for b in self._bursts.values())

    def flush_all(self) -> None:
        """Release every waiting burst now (shutdown: nothing is dropped)."""
        for key in list(self._bursts):
            self._release(key)
