"""What one update set in motion, so that a queue worker knows when its answer has gone out.

The plugin answers in its own tasks (a burst waits for a quiet moment; a group's messages
are worked through one by one), so ``process_update`` returns before the answer is sent.
A worker that marked an update done at that point, then died, would lose the answer. The
worker therefore runs each update inside a :class:`Tracker`; the plugin registers every
task and waiting burst it starts with :func:`track`, and asyncio carries the tracker into
those tasks and timers through the context (``contextvars``). Outside a worker (polling,
the sandbox, a host bot) there is no tracker and :func:`track` does nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_current: ContextVar[Tracker | None] = ContextVar("fraud_awareness_update_tracker", default=None)


def track(work: asyncio.Future[object], *, collecting: bool = False) -> None:
    """Count ``work`` towards the current update.

    ``collecting``: a future that resolves when a burst stops taking messages; while one is
    pending, the worker may hand the burst the chat's next updates.
    """
    tracker = _current.get()
    if tracker is not None:
        tracker.add(work, collecting=collecting)


def spawn_tracked(coroutine: Coroutine[Any, Any, Any] | Awaitable[Any]) -> asyncio.Task[Any]:
    """``asyncio.ensure_future``, counted towards the current update."""
    task: asyncio.Task[Any] = asyncio.ensure_future(coroutine)
    track(task)
    return task


class Tracker:
    """The unfinished work of the updates handled under it."""

    def __init__(self) -> None:
        self._work: set[asyncio.Future[object]] = set()
        self._collecting: set[asyncio.Future[object]] = set()

    def add(self, work: asyncio.Future[object], *, collecting: bool = False) -> None:
        self._work.add(work)
        if collecting:
            self._collecting.add(work)

    @property
    def collecting(self) -> bool:
        """A burst of these updates still takes messages (its quiet window is open)."""
        return any(not work.done() for work in self._collecting)

    @contextmanager
    def active(self) -> Iterator[Tracker]:
        token = _current.set(self)
        try:
            yield self
        finally:
            _current.reset(token)

    async def settled(self, timeout: float) -> bool:  # noqa: ASYNC109 - a poll step, not a deadline for the caller
        """True once everything tracked is done (work may add work); False if ``timeout`` passed first.

        Raises the first failure, so the queue retries the update rather than marking it done.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pending = {work for work in self._work if not work.done()}
            if not pending:
                for work in self._work:
                    if not work.cancelled() and work.exception() is not None:
                        raise work.exception()  # type: ignore[misc]
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await asyncio.wait(pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
