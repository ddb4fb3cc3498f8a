"""Delivery: the outbox (answers still to send) and the recorder (answers still to write), as one unit.

The plugin sends every answer through :attr:`Delivery.outbox` and records it only once it
was delivered, through :attr:`Delivery.recorder`; both are drained together on shutdown,
outbox first (a late delivery still needs its record). ``/stats`` in a private chat shows
the bot's admins (``ADMIN_IDS``) what was delivered, held, dropped and recorded.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, filters

from bot.adapter.outbox import Outbox
from bot.adapter.sending import send
from bot.config import Settings
from bot.storage import Store
from bot.storage.recorder import AnswerRecorder

log = logging.getLogger(__name__)


class Delivery:
    """The outbox and the answer recorder, started on first use and drained by :meth:`close`."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.settings = settings
        self.outbox = Outbox(max_size=settings.outbox_size, max_age=settings.outbox_max_age_seconds)
        self.recorder = AnswerRecorder(store)
        self.storage_errors = 0  # reads on the answer path that failed and were answered without

    async def close(self) -> None:
        """Graceful stop: held answers try once more, then the records are written (each within the grace)."""
        grace = self.settings.shutdown_grace_seconds
        await self.outbox.drain(grace)
        await self.recorder.close(grace)

    def storage_error(self, what: str, error: Exception) -> None:
        """A read the answer could do without failed: logged and counted, never shown to the user."""
        self.storage_errors += 1
        log.warning("storage unavailable for %s; answering without it", what, exc_info=error)

    def handler(self) -> CommandHandler[ContextTypes.DEFAULT_TYPE, None] | None:
        """``/stats`` in a private chat for ``ADMIN_IDS``; None when no admins are configured."""
        if not self.settings.admin_ids:
            return None
        admins = filters.User(user_id=self.settings.admin_ids)
        return CommandHandler("stats", self._cmd_stats, filters=filters.ChatType.PRIVATE & admins)

    async def _cmd_stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        if message is not None:
            await send(message.get_bot(), message.chat_id, self.report(), reply_to=message.message_id)

    def report(self) -> str:
        """The delivery figures since start, as HTML (admins only; English like the other admin tools)."""
        sent, records = self.outbox.stats, self.recorder.stats
        lines = [
            "<b>Delivery since start</b>",
            f"Answers sent at once: {sent.sent}",
            f"Sent late from the outbox: {sent.delivered_late}",
            f"Waiting in the outbox: {self.outbox.held}",
            f"Dropped after retries: {sent.dropped} (outbox full: {sent.dropped_full})",
            "",
            "<b>Answer records</b>",
            f"Written: {records.written}; waiting: {self.recorder.pending}",
            f"Failed: {records.failed}; queue full: {records.overflowed}; retried batches: {records.retried_batches}",
            f"Storage reads answered without: {self.storage_errors}",
        ]
        return "\n".join(lines)  # numbers only: nothing to escape
