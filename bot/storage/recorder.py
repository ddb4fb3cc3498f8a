"""Answers are recorded after they are sent, by one background writer, never on a user's path.

A record is statistics and the anchor of the 👍/👎 buttons; the answer is what protects the
user. So the handler sends first and hands the row to :class:`AnswerRecorder`, which

- queues it (bounded: a database that stays down cannot eat the memory; an overflow is
  counted and logged, never shown to anyone),
- writes whatever has queued up in one transaction (a burst of 2,000 answers is a handful of
  short write locks instead of 2,000 competing ones),
- retries a locked or unreachable database with growing pauses (tenacity), on top of the
  connection's own ``busy_timeout`` (see :mod:`bot.storage.database`),
- and is drained on shutdown, so a graceful stop writes what was answered.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential_jitter

from bot.storage.models import Answer
from bot.storage.store import Store

log = logging.getLogger(__name__)

_TRANSIENT = (OperationalError, PoolTimeout)
""""database is locked", a dropped PostgreSQL connection, a pool with no free connection: worth another try."""


@dataclass
class RecorderStats:
    """What happened to the records: shown to admins by /stats and logged at shutdown."""

    written: int = 0
    retried_batches: int = 0
    failed: int = 0  # the database refused them for good (after the retries)
    overflowed: int = 0  # the queue was full: never attempted


class AnswerRecorder:
    """A bounded queue of answers and the one task that writes them in batches."""

    def __init__(
        self,
        store: Store,
        *,
        max_pending: int = 20_000,
        batch_size: int = 500,
        retry_seconds: float = 60.0,
    ) -> None:
        self.store = store
        self.stats = RecorderStats()
        self.batch_size = batch_size
        self.retry_seconds = retry_seconds
        self._queue: asyncio.Queue[Answer] = asyncio.Queue(maxsize=max_pending)
        self._pending: set[str] = set()
        self._task: asyncio.Task[None] | None = None

    @property
    def pending(self) -> int:
        return len(self._pending)

    def is_pending(self, answer_id: str) -> bool:
        return answer_id in self._pending

    def submit(self, answer: Answer) -> None:
        """Queue ``answer`` for writing; returns at once. Starts the writer on first use."""
        try:
            self._queue.put_nowait(answer)
        except asyncio.QueueFull:
            self.stats.overflowed += 1
            log.error("record queue full (%d): answer %s not recorded", self._queue.maxsize, answer.id)
            return
        self._pending.add(answer.id)
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="answer-recorder")

    async def flush(self, timeout: float | None = None) -> bool:  # noqa: ASYNC109 - a bounded wait is the point
        """Wait until everything queued so far was written (or given up on). False on timeout."""
        try:
            await asyncio.wait_for(self._queue.join(), timeout)
        except TimeoutError:
            return False
        return True

    async def close(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        """Drain (up to ``timeout`` seconds), then stop the writer; what is left is counted as failed."""
        if not await self.flush(timeout):
            log.error("shutdown: %d answers still unrecorded after %.0f s; giving up on them", self.pending, timeout)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        self.stats.failed += self._queue.qsize()
        log.info(
            "answer records: %d written, %d failed, %d never queued (queue full)",
            self.stats.written,
            self.stats.failed,
            self.stats.overflowed,
        )

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self.batch_size and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._write(batch)
            finally:
                for answer in batch:
                    self._pending.discard(answer.id)
                    self._queue.task_done()

    async def _write(self, batch: list[Answer]) -> None:
        try:
            await self._write_with_retries(batch)
        except _TRANSIENT:
            self.stats.failed += len(batch)
            log.error("could not record %d answers: database unavailable for %.0f s", len(batch), self.retry_seconds)
        except Exception:
            if len(batch) == 1:
                self.stats.failed += 1
                log.exception("could not record answer %s", batch[0].id)
                return
            log.warning("a batch of %d records failed; writing them one by one", len(batch), exc_info=True)
            for answer in batch:  # one bad row must not cost the others theirs
                await self._write([answer])
        else:
            self.stats.written += len(batch)

    async def _write_with_retries(self, batch: list[Answer]) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(_TRANSIENT),
            wait=wait_exponential_jitter(initial=0.2, max=5.0),
            stop=stop_after_delay(self.retry_seconds),
            reraise=True,
            before_sleep=self._note_retry,
        )
        async for attempt in retrying:
            with attempt:
                # Fresh rows each attempt: a failed session may have attached the objects to itself.
                await self.store.record_answers([_copy(answer) for answer in batch])

    def _note_retry(self, state: object) -> None:
        self.stats.retried_batches += 1
        outcome = getattr(state, "outcome", None)
        error = outcome.exception() if outcome is not None else None
        log.warning("recording answers failed (%s); retrying", error)


def _copy(answer: Answer) -> Answer:
    return Answer(**{c.key: getattr(answer, c.key) for c in Answer.__mapper__.column_attrs})
