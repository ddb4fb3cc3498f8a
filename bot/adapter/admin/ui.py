"""The Telegram side of an admin's chat: where to answer, in which language, and button helpers."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from html import escape

from telegram import Bot, CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, User
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.adapter.admin.forms import as_problems, clip
from bot.adapter.callbacks import Callback
from bot.adapter.sending import send
from bot.core.i18n import Language, text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conversation:
    """One admin's private chat with the bot: what every step needs to answer."""

    bot: Bot
    chat_id: int
    user: User
    language: Language

    def t(self, key: str, **values: object) -> str:
        """A text in the admin's language (values must already be escaped)."""
        return text(key, self.language, **values)

    async def say(self, body: str, keyboard: InlineKeyboardMarkup | None = None) -> Message:
        """Send HTML (bodies are built line by line within Telegram's limit)."""
        return await send(self.bot, self.chat_id, body, keyboard)

    async def problems(self, exc: Exception, *, retry: bool) -> None:
        """Why a change was refused, in the schema's words; ``retry``: the step waits for another try."""
        problems = "\n".join(f"• {escape(clip(p, 300))}" for p in as_problems(exc)[:10])
        body = self.t("problems", problems=problems)
        await self.say(body + ("\n" + self.t("try_again") if retry else ""))


class Alert(str):
    """A callback answer shown as a dialog rather than a passing toast."""


def button(label: str, data: Callback) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data.encode())


def rows(buttons: list[InlineKeyboardButton], width: int = 2) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


async def edit(query: CallbackQuery, body: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Replace the pressed message (paging); pressing the page already shown is no error."""
    try:
        await query.edit_message_text(body, parse_mode=ParseMode.HTML, reply_markup=keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


async def drop_keyboard(query: CallbackQuery) -> None:
    """A one-shot button disappears once pressed, so it cannot be pressed twice."""
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest as exc:
        log.debug("keyboard already gone: %s", exc)


def actor(user: User) -> str:
    """Who changed the knowledge, as the audit trail records it."""
    name = f" @{user.username}" if user.username else ""
    return f"tg:{user.id}{name}"[:64]
