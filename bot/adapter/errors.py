"""The one policy for failures while answering, whether PTB dispatched the update or a task of ours did.

Telegram refusing us (blocked, removed) is routine; Telegram being unavailable is logged
and left to the retries; the database being unavailable under a queue worker fails the
job, so the queue tries the update again later; anything else is an error, and a
private-chat user is told that something went wrong, never what.
"""

from __future__ import annotations

import logging

import sqlalchemy.exc
from telegram import Bot, Chat, User
from telegram.constants import ChatType
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.adapter.languages import language_from_telegram
from bot.adapter.tracking import retry_later
from bot.core.i18n import text
from bot.core.reply import html_to_plain

log = logging.getLogger(__name__)

_DATABASE_UNAVAILABLE = (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, sqlalchemy.exc.TimeoutError)
"""Connection refused or lost, too many clients, a pool that stayed busy: a later try can succeed."""


async def handle_error(error: BaseException | None, bot: Bot, chat: Chat | None, user: User | None) -> None:
    """The one policy for failures, whether PTB dispatched the update or our own task answered it."""
    if isinstance(error, Forbidden):
        log.info("cannot write to a chat (blocked or removed): %s", error)
        return
    if isinstance(error, RetryAfter | TimedOut | NetworkError) and not isinstance(error, BadRequest):
        where = chat.id if chat else None
        log.warning("Telegram unavailable or rate-limited (chat %s): %s", where, error, exc_info=error)
        return
    if isinstance(error, _DATABASE_UNAVAILABLE) and retry_later(error):
        log.warning("database unavailable while handling an update; the queue will try it again", exc_info=error)
        return  # no "something went wrong": the real answer comes with the retry
    log.error("error while handling an update", exc_info=error)
    if chat is not None and chat.type == ChatType.PRIVATE:
        try:
            language = language_from_telegram(user.language_code if user else None)
            await bot.send_message(chat.id, html_to_plain(text("error", language)))
        except Exception:
            log.warning("could not tell the user about the error", exc_info=True)
