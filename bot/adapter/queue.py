"""The durable update queue (webhook mode, many workers): procrastinate on PostgreSQL.

The receiver (:mod:`bot.adapter.receiver`) defers one job per Telegram update, its
``lock`` the update's chat: procrastinate never runs two jobs with one lock at once and
always starts the oldest first, so one chat's updates are handled in order and by one
worker at a time, whichever of the N workers (on one machine or many) takes them.

A worker job feeds its update into the same PTB ``Application`` and plugin as polling
does, and ends only when the answer the update caused has been sent (see
:mod:`bot.adapter.tracking`). While the chat's burst is still open (the quiet window of
:mod:`bot.adapter.bursts`), the job also takes the chat's next waiting updates from the
queue, so a message forwarded in pieces is still read as one conversation and answered
once. Those later jobs then find their updates in ``handled_updates`` and do nothing.

Exactly once, as far as it can be: the moment an answer has been delivered
(:func:`bot.adapter.sending.send`), the updates it answers are written to
``handled_updates`` (:func:`bot.adapter.tracking.answered`); updates that needed no
answer are written when the job ends; an update found there is not handled again. A job
whose worker was killed is retried (``retry_stalled`` below) and answers what had not
been answered. A kill between Telegram accepting an answer and that row's commit
(milliseconds on a quiet machine, longer on a busy one) still gives a second answer: the
Bot API has no idempotency key to prevent it. This is at-least-once by choice: never
lose a warning, rarely repeat one.

Failures: a job that raises (the database unreachable, an answer task that failed) is
retried with exponential back-off, ``QUEUE_MAX_ATTEMPTS`` tries in all, then stays in
procrastinate's ``failed`` state: the dead letters, kept a week for an operator to look
at and retry (README, "Many workers"), then deleted with the message text they hold.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from procrastinate import App, JobContext, PsycopgConnector, RetryStrategy
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Job
from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from telegram import Update
from telegram.ext import Application
from tenacity import AsyncRetrying, stop_after_delay, wait_exponential

from bot.adapter.tracking import Tracker
from bot.storage.database import async_url, libpq_conninfo
from bot.storage.models import HandledUpdate

log = logging.getLogger(__name__)

TASK = "fraud_awareness.handle_update"
ABSORB_LIMIT = 10
"""At most this many updates of one chat in one job: the plugin's own bound on a burst."""
RETRY_BASE = 3
"""A failed update waits RETRY_BASE ** n seconds before try n + 1."""
POLL_SECONDS = 0.25
"""How often a job with an open burst looks for the chat's next updates in the queue."""
HANDLED_KEPT = timedelta(days=2)
"""Telegram gives up redelivering an update after a day."""
DEAD_LETTERS_KEPT_HOURS = 7 * 24
"""A failed update (its text included) is kept a week for an operator to look at, then deleted."""

_NEXT_IN_CHAT = """
SELECT id, args FROM procrastinate_jobs
 WHERE lock = %(lock)s AND status = 'todo' AND task_name = %(task)s AND id > %(after)s
 ORDER BY id LIMIT %(limit)s
"""


def chat_of(update: dict[str, Any]) -> int | None:
    """The chat an update belongs to (a button press: its message's chat), None for chat-less updates."""
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])  # inline queries and the like: one user, like a private chat
    return None


def lock_of(update: dict[str, Any]) -> str:
    chat = chat_of(update)
    return f"chat:{chat}" if chat is not None else f"update:{update['update_id']}"


def queue_app(database_url: str) -> App:
    """procrastinate over psycopg 3 (the driver the store uses) at ``DATABASE_URL``."""
    connector = PsycopgConnector(
        conninfo=libpq_conninfo(database_url), kwargs={"options": "-c TimeZone=UTC"}, min_size=1, max_size=4
    )
    return App(connector=connector)


async def enqueue(app: App, update: dict[str, Any]) -> bool:
    """Store ``update`` durably as a job; False when Telegram redelivered one that is still waiting.

    The receipt time goes with it: a worker behind a backlog merges only updates that
    arrived within the burst window of each other, as a bot keeping up would have.
    """
    update_id = int(update["update_id"])
    try:
        await app.configure_task(TASK, lock=lock_of(update), queueing_lock=f"update:{update_id}").defer_async(
            update=update, received=time.time()
        )
    except queue_errors.AlreadyEnqueued:
        return False
    return True


class HandledUpdates:
    """``handled_updates``: which updates' answers went out (ids only)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def which(self, update_ids: list[int]) -> set[int]:
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(HandledUpdate.update_id).where(HandledUpdate.update_id.in_(update_ids))
            )
            return {row[0] for row in rows}

    async def mark(self, updates: list[tuple[int, int | None]]) -> None:
        now = datetime.now(UTC)
        rows = [{"update_id": u, "chat_id": c, "handled_at": now} for u, c in updates]
        async with self._engine.begin() as connection:
            await connection.execute(insert(HandledUpdate).values(rows).on_conflict_do_nothing())

    async def forget_old(self) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(
                delete(HandledUpdate).where(HandledUpdate.handled_at < datetime.now(UTC) - HANDLED_KEPT)
            )
            return int(result.rowcount or 0)


class UpdateWorker:
    """Runs the queue's jobs through a PTB ``Application`` (built without an updater)."""

    def __init__(
        self, app: App, application: Application, handled: HandledUpdates, *, max_attempts: int, burst_window: float
    ) -> None:
        self.app = app
        self.burst_window = burst_window
        self.application = application
        self.handled = handled
        self.max_attempts = max_attempts
        # procrastinate counts retries after the first try; QUEUE_MAX_ATTEMPTS counts every try. The
        # pauses grow 3, 9, 27, 81 s…: five tries span two minutes of a database or Telegram outage.
        retry = RetryStrategy(max_attempts=max_attempts - 1, exponential_wait=RETRY_BASE) if max_attempts > 1 else False
        app.task(name=TASK, pass_context=True, retry=retry)(self.handle)

    async def handle(self, context: JobContext, update: dict[str, Any], received: float = 0.0) -> None:
        """Handle ``update`` (and its chat's next updates while its burst is open); mark them when answered."""
        update_id = int(update["update_id"])
        if await self.handled.which([update_id]):
            log.debug("update %d was handled already (absorbed into an earlier job, or a retry)", update_id)
            return
        job = context.job
        fed: list[tuple[int, int | None]] = []

        async def mark_answered(update_ids: tuple[int, ...]) -> None:
            chats = dict(fed)
            await self.handled.mark([(u, chats.get(u)) for u in update_ids])

        # On the last try a failure is handled as without a queue (an apology, a dropped answer logged).
        tracker = Tracker(on_answered=mark_answered, retryable=job.attempts + 1 < self.max_attempts)
        await self._feed(tracker, update, fed)
        try:
            await self._settle(job, tracker, received, fed)
        except Exception:
            if tracker.failure is None:  # not a failure a later try can fix (a task crashed): as it was
                raise
            # Only what failed is tried again: the rest is marked, so a retry answers nobody twice.
            failed = {u for u, _ in fed} if tracker.whole_job_failed else tracker.failed_updates
            await self._mark_surely([(u, chat) for u, chat in fed if u not in failed])
            if update_id in failed:
                raise
            log.warning("updates %s taken from later jobs failed; their own jobs will try them", sorted(failed))
            return
        await self._mark_surely(fed)

    async def _settle(self, job: Job, tracker: Tracker, received: float, fed: list[tuple[int, int | None]]) -> None:
        """Wait for the answers; while the burst is open, feed the chat's next updates from the queue."""
        last_id = job.id or 0
        while not await tracker.settled(POLL_SECONDS):
            if not tracker.collecting or not (job.lock or "").startswith("chat:") or len(fed) >= ABSORB_LIMIT:
                continue
            rows = await self.app.connector.execute_query_all_async(
                _NEXT_IN_CHAT, lock=job.lock, task=TASK, after=last_id, limit=ABSORB_LIMIT - len(fed)
            )
            later = []
            for row in rows:  # in order, up to the first that came after a quiet window (a new burst)
                if float(row["args"].get("received", 0.0)) - received > self.burst_window:
                    break
                later.append(row["args"]["update"])
                received = float(row["args"].get("received", received))
                last_id = row["id"]
            done = await self.handled.which([int(u["update_id"]) for u in later]) if later else set()
            for next_update in later:
                if int(next_update["update_id"]) in done:
                    continue
                try:
                    await self._feed(tracker, next_update, fed)
                except Exception:  # unreadable: its own job fails, retries and ends a dead letter
                    log.warning("update %s could not be read; left to its own job", next_update.get("update_id"))

    async def _mark_surely(self, updates: list[tuple[int, int | None]]) -> None:
        """Mark ``updates`` handled, riding out a short database outage (unmarked, they would be answered again)."""
        if not updates:
            return
        async for attempt in AsyncRetrying(stop=stop_after_delay(20), wait=wait_exponential(0.2, max=3), reraise=True):
            with attempt:
                await self.handled.mark(updates)

    async def _feed(self, tracker: Tracker, update: dict[str, Any], fed: list[tuple[int, int | None]]) -> None:
        parsed = Update.de_json(update, self.application.bot)  # unreadable: raises before it counts as fed
        fed.append((int(update["update_id"]), chat_of(update)))  # before handling: an answer may go out during it
        with tracker.active(int(update["update_id"])):
            await self.application.process_update(parsed)

    async def retry_stalled(self, stalled_seconds: float) -> None:
        """Give the jobs of a worker that stopped beating (killed, machine lost) to the living ones."""
        while True:
            await asyncio.sleep(max(1.0, stalled_seconds / 3))
            try:
                for job in await self.app.job_manager.get_stalled_jobs(seconds_since_heartbeat=stalled_seconds):
                    try:
                        await self.app.job_manager.retry_job(job)
                        log.warning("update job %s of a stalled worker is retried", job.id)
                    except Exception:  # another worker retried it first
                        log.debug("stalled job %s already retried", job.id, exc_info=True)
                forgotten = await self.handled.forget_old()
                if forgotten:
                    log.info("forgot %d handled update ids older than %s", forgotten, HANDLED_KEPT)
                await self.app.job_manager.delete_old_jobs(nb_hours=DEAD_LETTERS_KEPT_HOURS, include_failed=True)
            except Exception:  # the next round tries again
                log.warning("stalled-job check failed", exc_info=True)


@asynccontextmanager
async def serving(application: Application) -> AsyncIterator[Application]:
    """The application started as ``run_webhook`` would start it, without the updater: the queue feeds it."""
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    try:
        yield application
    finally:
        try:
            if application.running:
                await application.stop()
            if application.post_stop:
                await application.post_stop(application)  # the plugin answers what is still waiting
        finally:
            await application.shutdown()


async def work(
    database_url: str,
    application: Application,
    *,
    concurrency: int,
    max_attempts: int,
    stalled_seconds: float,
    burst_window: float,
    install_signal_handlers: bool = True,
) -> None:
    """Take updates from the queue until SIGINT/SIGTERM (then finish the jobs in hand and stop)."""
    app = queue_app(database_url)
    # Small pools: PostgreSQL's default is 100 connections for all workers and receivers together
    # (the budget: bot.storage.database.STORE_CONNECTIONS).
    engine = create_async_engine(
        async_url(database_url),
        pool_size=1,
        max_overflow=2,
        pool_pre_ping=True,
        connect_args={"options": "-c TimeZone=UTC"},
    )
    worker = UpdateWorker(
        app, application, HandledUpdates(engine), max_attempts=max_attempts, burst_window=burst_window
    )
    try:
        async with app.open_async(), serving(application):
            recovering = asyncio.create_task(worker.retry_stalled(stalled_seconds))
            try:
                await app.run_worker_async(
                    concurrency=concurrency,
                    install_signal_handlers=install_signal_handlers,
                    listen_notify=True,
                    fetch_job_polling_interval=1.0,
                    update_heartbeat_interval=max(0.5, stalled_seconds / 4),
                    stalled_worker_timeout=stalled_seconds,
                    delete_jobs="successful",  # failed jobs stay: the dead letters
                )
            finally:
                recovering.cancel()
                await asyncio.gather(recovering, return_exceptions=True)
    finally:
        await engine.dispose()
