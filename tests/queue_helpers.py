"""Driving the webhook receiver as Telegram does: updates made by the emulator, POSTed over HTTP.

The emulator knows every message (so the bot's replies to them are valid), but in webhook
mode nobody polls it: :func:`take_updates` takes what it queued, :func:`deliver` posts each
update to the receiver with the secret header, as Telegram's servers would.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.adapter.receiver import SECRET_HEADER
from bot.emulator import BotApiEmulator


def take_updates(emu: BotApiEmulator) -> list[dict[str, Any]]:
    """The updates the emulator queued for the bot, removed from its getUpdates queue."""
    updates, emu.world.updates = emu.world.updates, []
    return updates


async def deliver(session: aiohttp.ClientSession, url: str, secret: str, update: dict[str, Any]) -> int:
    """POST one update as Telegram does; the receiver's HTTP status."""
    async with session.post(url, json=update, headers={SECRET_HEADER: secret}) as response:
        return response.status


def replies_by_message(emu: BotApiEmulator, chat_id: int) -> dict[int, int]:
    """How many bot messages answer each message of ``chat_id`` (by ``reply_to_message``)."""
    counts: dict[int, int] = {}
    for sent in emu.sent_messages(chat_id):
        replied = (sent.get("reply_to_message") or {}).get("message_id")
        if replied is not None:
            counts[replied] = counts.get(replied, 0) + 1
    return counts
