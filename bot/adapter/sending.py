"""Sending a message: HTML, one retry policy for private answers, group alerts and admins alike.

A warning may be what stops someone sending money, so a moment's outage must not
swallow it: transient failures (a 5xx, a dropped connection, a timeout) are retried
after a short, growing pause. A 429 is retried by PTB's AIORateLimiter after
Telegram's ``retry_after``. A timeout can mean Telegram delivered anyway; a rare
duplicate beats a lost warning. If Telegram refuses the markup, the same words go
out as plain text.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InlineKeyboardMarkup, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError

from bot.adapter.tracking import answered
from bot.core.reply import TELEGRAM_LIMIT, html_to_plain

log = logging.getLogger(__name__)

SEND_ATTEMPTS = 3
SEND_RETRY_DELAY = 0.5
"""Seconds before the first retry of a transiently failed send; doubled for the next."""
_NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


async def send(
    bot: Bot,
    chat_id: int,
    body: str,
    keyboard: InlineKeyboardMarkup | None = None,
    *,
    reply_to: int | None = None,
    answers: bool = True,
) -> Message:
    """Send ``body`` (HTML), as a reply to message ``reply_to`` if given, retrying transient failures.

    ``answers``: this message is the whole answer to the update(s) being handled, so a queue
    worker marks them handled now (:func:`bot.adapter.tracking.answered`); False for words
    that come before the answer (a group's introduction before its first alert).
    """
    attempt = 1
    while True:
        try:
            sent = await _send_once(bot, chat_id, reply_to, body, keyboard)
            if answers:
                await answered()
            return sent
        except BadRequest:  # a NetworkError subclass, but final: the same request fails again
            raise
        except NetworkError as exc:  # TimedOut included
            if attempt >= SEND_ATTEMPTS:
                raise
            pause = SEND_RETRY_DELAY * 2 ** (attempt - 1)
            log.warning("sending to chat %s failed (%s); retry in %.1f s", chat_id, exc, pause)
            await asyncio.sleep(pause)
            attempt += 1


async def _send_once(
    bot: Bot, chat_id: int, reply_to: int | None, body: str, keyboard: InlineKeyboardMarkup | None
) -> Message:
    """One delivery attempt, with the plain-text fallback for markup Telegram refuses."""
    body = body[: TELEGRAM_LIMIT - 1]
    reply = None if reply_to is None else ReplyParameters(message_id=reply_to, allow_sending_without_reply=True)
    try:
        return await bot.send_message(
            chat_id,
            body,
            parse_mode=ParseMode.HTML,
            reply_markup=keyboard,
            reply_parameters=reply,
            link_preview_options=_NO_PREVIEW,
        )
    except BadRequest as exc:
        if "parse" not in str(exc).lower():
            raise
        log.warning("HTML rejected by Telegram (%s); sending plain text", exc)
        return await bot.send_message(
            chat_id,
            html_to_plain(body),
            reply_markup=keyboard,
            reply_parameters=reply,
            link_preview_options=_NO_PREVIEW,
        )
