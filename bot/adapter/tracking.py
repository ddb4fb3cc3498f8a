"""What one update set in motion, so that a queue worker knows when its answer has gone out.

The plugin answers in its own tasks (a burst waits for a quiet moment; a group's messages
are worked through one by one), so ``process_update`` returns before the answer is sent.
A worker that marked an update done at that point, then died, would lose the answer. The
worker therefore runs each update inside a :class:`Tracker`; the plugin registers every
task and waiting burst it starts with :func:`track`, and asyncio carries the tracker into
those tasks and timers through the context (``contextvars``). Outside a worker (polling,
the sandbox, a host bot) there is no tracker and :func:`track` does nothing.

Which updates an answer answers travels the same way (:func:`answering`): set while an
update is fed, gathered by a burst for its merged answer, carried with a group's waiting
message. When the outbox has delivered an answer it calls :func:`answered`, and the
worker marks exactly those updates handled at once, rather than when the whole job
settles: a worker killed after that moment has nothing left to answer twice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar, copy_context
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

OnAnswered = Callable[[tuple[int, ...]], Awaitable[None]]

_current: ContextVar[Tracker | None] = ContextVar("fraud_awareness_update_tracker", default=None)
_answering: ContextVar[tuple[int, ...]] = ContextVar("fraud_awareness_answering", default=())


def answering() -> tuple[int, ...]:
    """The update ids the work running now answers (empty outside a queue worker)."""
    return _answering.get()


@contextmanager
def carrying(update_ids: Iterable[int]) -> Iterator[None]:
    """Work done inside answers ``update_ids`` (a burst's merged answer, a group's queued message)."""
    token = _answering.set(tuple(dict.fromkeys(update_ids)))
    try:
        yield
    finally:
        _answering.reset(token)


def call_answering(update_ids: Iterable[int], function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a copy of the context where it answers ``update_ids`` (tasks it starts inherit it)."""
    context = copy_context()
    context.run(_answering.set, tuple(dict.fromkeys(update_ids)))
    return context.run(function, *args)


def retry_later(error: BaseException) -> bool:
    """Under a queue worker that may still retry: fail the updates being answered with ``error``, so the
    queue tries them again; False outside a worker and on a job's last try (then handle it as always)."""
    tracker = _current.get()
    return tracker is not None and tracker.fail(error, _answering.get())


async def answered() -> None:
    """An answer went out: let the worker mark the updates it answers handled now.

    Bookkeeping only: a failure is logged and the job marks them when it ends anyway.
    """
    tracker, update_ids = _current.get(), _answering.get()
    if tracker is None or tracker.on_answered is None or not update_ids:
        return
    try:
        await tracker.on_answered(update_ids)
    except Exception:
        log.warning("could not mark updates %s handled yet; the job marks them when it ends", update_ids, exc_info=True)


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

    def __init__(self, on_answered: OnAnswered | None = None, *, retryable: bool = True) -> None:
        self.on_answered = on_answered
        self.retryable = retryable
        self.failure: BaseException | None = None
        self.failed_updates: set[int] = set()
        self.whole_job_failed = False  # a failure that no single update's work can be blamed for
        self._work: set[asyncio.Future[object]] = set()
        self._collecting: set[asyncio.Future[object]] = set()

    def add(self, work: asyncio.Future[object], *, collecting: bool = False) -> None:
        self._work.add(work)
        if collecting:
            self._collecting.add(work)

    def fail(self, error: BaseException, update_ids: tuple[int, ...] = ()) -> bool:
        """What ``update_ids`` (none given: every update here) needed failed in a way a later try can fix.

        :meth:`settled` then raises ``error``; the worker marks the other updates and retries these.
        False when this is the job's last try: the caller handles the failure as it would without a queue.
        """
        if not self.retryable:
            return False
        self.failure = self.failure or error
        if update_ids:
            self.failed_updates.update(update_ids)
        else:
            self.whole_job_failed = True
        return True

    @property
    def collecting(self) -> bool:
        """A burst of these updates still takes messages (its quiet window is open)."""
        return any(not work.done() for work in self._collecting)

    @contextmanager
    def active(self, update_id: int | None = None) -> Iterator[Tracker]:
        """Work started inside counts towards this tracker (and answers ``update_id``, if given)."""
        token = _current.set(self)
        try:
            if update_id is None:
                yield self
            else:
                with carrying((update_id,)):
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
                if self.failure is not None:
                    raise self.failure
                for work in self._work:
                    if not work.cancelled() and work.exception() is not None:
                        raise work.exception()  # type: ignore[misc]
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            await asyncio.wait(pending, timeout=remaining, return_when=asyncio.FIRST_COMPLETED)
