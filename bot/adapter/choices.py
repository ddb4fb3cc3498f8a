"""Visible feedback for a pressed button: the buttons change to show what was chosen.

A toast alone is easy to miss (and some clients show none), so after answering the
callback the plugin edits the message's buttons: the chosen one gets a tick, a report
button says it was reported, a language or region prompt turns into its confirmation.
Editing is best effort: a message too old to edit, or already showing the choice, is
left as it is (the answer has been given already).
"""

from __future__ import annotations

import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import TelegramError

log = logging.getLogger(__name__)

TICK = "✅ "


def relabelled(markup: InlineKeyboardMarkup | None, labels: dict[str, str]) -> InlineKeyboardMarkup | None:
    """``markup`` with the buttons whose callback data is in ``labels`` renamed; the rest as they were."""
    if markup is None:
        return None
    rows = [
        [
            InlineKeyboardButton(labels[b.callback_data], callback_data=b.callback_data)
            if isinstance(b.callback_data, str) and b.callback_data in labels
            else b
            for b in row
        ]
        for row in markup.inline_keyboard
    ]
    return InlineKeyboardMarkup(rows)


def ticked(options: dict[str, str], chosen: str) -> dict[str, str]:
    """Labels for a row of exclusive options (callback data → label), the chosen one ticked."""
    return {data: (TICK + label if data == chosen else label) for data, label in options.items()}


async def show_choice(query: CallbackQuery, labels: dict[str, str], new_text: str | None = None) -> None:
    """Edit the pressed message's buttons (and, for a prompt, its text) to show the choice."""
    message = query.message
    if message is None or not hasattr(message, "reply_markup"):
        return  # too old for Telegram to send it back: nothing to edit
    markup = relabelled(message.reply_markup, labels)
    try:
        if new_text is not None:
            await query.edit_message_text(new_text, parse_mode=ParseMode.HTML, reply_markup=markup)
        elif markup != message.reply_markup:
            await query.edit_message_reply_markup(reply_markup=markup)
    except TelegramError as error:  # "message is not modified", "message can't be edited" …
        log.info("could not show a button choice: %s", error)
