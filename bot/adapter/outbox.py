"""The outbox: an answer whose send still failed after the quick retries is kept and tried again.

:func:`bot.adapter.sending.send` rides out a moment's trouble (a 5xx, a reset, PTB's rate
limiter waits out 429s). Telegram can be unavailable for longer than that, and a warning
that arrives two minutes late still stops a payment. So a send that failed *transiently*
(429, 5xx, timeouts, resets) is held here and retried with growing pauses, honouring
Telegram's ``retry_after``, for up to ``max_age`` seconds. Final refusals (a user who blocked
the bot, a bad request) are not retried. Under a queue worker a held letter keeps its job
open (:mod:`bot.adapter.tracking`), so a worker killed while holding it leaves the update
in the queue for another worker rather than losing it; and a letter given up on fails
the job (unless it is the job's last try), so the queue tries the update again later.

The outbox is bounded: when it is full, the new letter is dropped rather than the process
growing without limit. Whatever is finally dropped is counted (``/stats`` for admins) and
logged. On shutdown :meth:`Outbox.drain` makes every held letter try again at once and waits
a bounded time for them, so a graceful stop delivers what it can and counts the rest.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import BadRequest, NetworkError, RetryAfter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

from bot.adapter.sending import send
from bot.adapter.tracking import retry_later, track

log = logging.getLogger(__name__)

OnSent = Callable[[Message], Awaitable[None] | None]


def is_transient(error: BaseException) -> bool:
    """Worth another try later: rate limits and Telegram or the network being down, not a refusal."""
    return isinstance(error, RetryAfter) or (isinstance(error, NetworkError) and not isinstance(error, BadRequest))


@dataclass
class OutboxStats:
    """Delivery counts since start: the admins' /stats and the shutdown log line."""

    sent: int = 0  # delivered at the first go (with send()'s quick retries)
    held: int = 0  # taken into the outbox after the quick retries failed
    delivered_late: int = 0  # delivered from the outbox
    dropped: int = 0  # given up on: too old, refused, or the outbox was full
    dropped_full: int = 0  # of those, because the outbox was full


@dataclass
class _Letter:
    bot: Bot
    chat_id: int
    body: str
    keyboard: InlineKeyboardMarkup | None
    reply_to: int | None
    on_sent: OnSent | None
    deadline: float
    attempts: int = 1
    created: float = field(default_factory=time.monotonic)


class Outbox:
    """Sends now if it can; otherwise keeps the letter and keeps trying for a few minutes."""

    def __init__(
        self,
        *,
        max_size: int = 1_000,
        max_age: float = 300.0,
        first_pause: float = 2.0,
        max_pause: float = 30.0,
    ) -> None:
        self.stats = OutboxStats()
        self.max_size = max_size
        self.max_age = max_age
        self._wait = wait_exponential_jitter(initial=first_pause, max=max_pause)
        self._letters: dict[asyncio.Task[None], _Letter] = {}
        self._hurry = asyncio.Event()
        self._accepting = True

    @property
    def held(self) -> int:
        """Letters waiting for another try now."""
        return len(self._letters)

    async def deliver(
        self,
        bot: Bot,
        chat_id: int,
        body: str,
        keyboard: InlineKeyboardMarkup | None = None,
        *,
        reply_to: int | None = None,
        on_sent: OnSent | None = None,
    ) -> Message | None:
        """Send ``body`` now; if that fails transiently, hold it and return None (``on_sent`` runs on delivery).

        A final refusal (blocked, bad request) is raised as before: retrying cannot help it.
        """
        try:
            message = await send(bot, chat_id, body, keyboard, reply_to=reply_to)
        except Exception as error:
            if not is_transient(error):
                raise
            self._hold(_Letter(bot, chat_id, body, keyboard, reply_to, on_sent, time.monotonic() + self.max_age), error)
            return None
        self.stats.sent += 1  # send() has told a queue worker the update is answered
        await _call(on_sent, message)
        return message

    def _hold(self, letter: _Letter, error: BaseException) -> None:
        if not self._accepting or len(self._letters) >= self.max_size:
            self.stats.dropped += 1
            self.stats.dropped_full += self._accepting
            why = "outbox full" if self._accepting else "shutting down"
            if retry_later(error):  # a queue worker: the update stays in the queue, another try answers it
                log.warning("answer to chat %s not kept (%s); the queue will try its update again", letter.chat_id, why)
                return
            log.error("answer to chat %s dropped (%s) after: %s", letter.chat_id, why, error)
            return
        self.stats.held += 1
        log.warning("send to chat %s failed (%s); kept in the outbox (%d held)", letter.chat_id, error, self.held + 1)
        task = asyncio.get_running_loop().create_task(self._retry(letter, error), name=f"outbox-{letter.chat_id}")
        self._letters[task] = letter
        task.add_done_callback(self._forget)
        track(task)  # a queue worker's job stays open while its answer is held: a kill then loses nothing

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._letters.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("outbox task failed", exc_info=task.exception())

    async def _retry(self, letter: _Letter, first_error: BaseException) -> None:
        last_error = first_error
        retrying = AsyncRetrying(
            retry=retry_if_exception(is_transient),
            wait=lambda state: self._pause(state, letter),
            stop=lambda _state: time.monotonic() >= letter.deadline,
            sleep=self._sleep,
            reraise=True,
        )
        await self._sleep(self._pause_after(last_error, 1))
        try:
            async for attempt in retrying:
                with attempt:
                    letter.attempts += 1
                    message = await send(
                        letter.bot, letter.chat_id, letter.body, letter.keyboard, reply_to=letter.reply_to
                    )
        except Exception as error:
            self.stats.dropped += 1
            if retry_later(error):  # a queue worker: the update stays in the queue, another try answers it
                log.warning("answer to chat %s given up here; the queue will try its update again", letter.chat_id)
                return
            log.error(
                "answer to chat %s dropped after %d attempts over %.0f s: %s",
                letter.chat_id,
                letter.attempts,
                time.monotonic() - letter.created,
                error,
            )
            return
        self.stats.delivered_late += 1
        log.info("answer to chat %s delivered from the outbox (attempt %d)", letter.chat_id, letter.attempts)
        await _call(letter.on_sent, message)

    def _pause(self, state: RetryCallState, letter: _Letter) -> float:
        error = state.outcome.exception() if state.outcome is not None else None
        pause = self._pause_after(error, state.attempt_number + 1)
        return max(0.0, min(pause, letter.deadline - time.monotonic()))  # the last try just before the deadline

    def _pause_after(self, error: BaseException | None, attempt: int) -> float:
        """Exponential with jitter, and never sooner than Telegram's ``retry_after``."""
        state = RetryCallState(None, None, (), {})
        state.attempt_number = attempt
        pause = float(self._wait(state))
        if isinstance(error, RetryAfter):
            after = error.retry_after
            pause = max(pause, after.total_seconds() if isinstance(after, timedelta) else float(after))
        return pause

    async def _sleep(self, seconds: float) -> None:
        """A pause that :meth:`drain` cuts short (then pauses are at most a second)."""
        if self._hurry.is_set():
            await asyncio.sleep(min(seconds, 1.0))
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._hurry.wait(), seconds)

    async def drain(self, timeout: float = 20.0) -> None:  # noqa: ASYNC109 - a bounded wait is the point
        """Shutdown: no new letters; every held one tries again now, for at most ``timeout`` seconds."""
        self._accepting = False
        if self._letters:
            log.info("shutdown: %d answers in the outbox; trying them for up to %.0f s", self.held, timeout)
            deadline = time.monotonic() + timeout
            for letter in self._letters.values():
                letter.deadline = min(letter.deadline, deadline)
            self._hurry.set()
            await asyncio.wait(list(self._letters), timeout=timeout + 5)
            stuck = list(self._letters)
            for task in stuck:
                task.cancel()
            self.stats.dropped += len(stuck)
            await asyncio.gather(*stuck, return_exceptions=True)
        s = self.stats
        log.info(
            "answers sent: %d at once, %d from the outbox, %d dropped (%d outbox full)",
            s.sent,
            s.delivered_late,
            s.dropped,
            s.dropped_full,
        )


async def _call(on_sent: OnSent | None, message: Message) -> None:
    """Run the delivery hook; its failure (e.g. bookkeeping) must not undo or repeat the delivery."""
    if on_sent is None:
        return
    try:
        result = on_sent(message)
        if result is not None:
            await result
    except Exception:
        log.exception("after-delivery step failed for chat %s", message.chat_id)
