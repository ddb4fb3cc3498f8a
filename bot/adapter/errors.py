"""The one policy for failures while answering, whether PTB dispatched the update or a task of ours did.

Telegram refusing us (blocked, removed) is routine; Telegram being unavailable is logged
and left to the retries; anything else is an error, and a private-chat user is told that
something went wrong, never what.
"""

from __future__ import annotations

import logging

from telegram import Bot, Chat, User
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.adapter.languages import language_from_telegram
from bot.core.i18n import text
from bot.core.reply import html_to_plain

log = logging.getLogger(__name__)


async def handle_error(error: BaseException | None, bot: Bot, chat: Chat | None, user: User | None) -> None:
    """The one policy for failures, whether PTB dispatched the update or our own task answered it."""
    if isinstance(error, Forbidden):
        log.info("cannot write to a chat (blocked or removed): %s", error)
        return
    if isinstance(error, RetryAfter | TimedOut | NetworkError) and not isinstance(error, BadRequest):
        where = chat.id if chat else None
        log.warning("Telegram unavailable or rate-limited (chat %s): %s", where, error, exc_info=error)
        return
    log.error("error while handling an update", exc_info=error)
    if chat is not None and chat.type == ChatType.PRIVATE:
        try:
            language = language_from_telegram(user.language_code if user else None)
            await bot.send_message(chat.id, html_to_plain(text("error", language)))
        except Exception:
            log.warning("could not tell the user about the error", exc_info=True)
