"""When the bot speaks in a group: which messages are not assessed, and when an alert is a repeat.

Pure rules over plain values (no Telegram objects, no I/O), so each one is tested by a
table of cases, the way tg-spam keeps its duplicate and skip checks in its detector
library rather than in the bot. :mod:`bot.adapter.groups` maps Telegram messages onto
:class:`GroupMessage` and asks :class:`AlertMemory` before it sends an alert.

Today's repeat rule: one alert per text (within the duplicate window), per message, and
per pattern within the cooldown. Changing the rule means changing :meth:`AlertMemory.first`.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache

from bot.core.assess_config import SENSITIVITIES, Sensitivity
from bot.core.text import matching_form

GROUP_ANONYMOUS_BOT = 1087968824
"""The user Telegram shows as the sender of an anonymous admin's message."""
CHANNEL_BOT = 136817688
"""The user Telegram shows as the sender of a post made on behalf of a channel."""
ALERTED_MESSAGE_SECONDS = 48 * 3600
"""An edited message is re-checked; once alerted, it is not alerted again for two days."""


@dataclass(frozen=True)
class GroupMessage:
    """What the skip rules need to know about a group message."""

    chat_id: int
    words: str
    sender_id: int | None = None
    sender_is_bot: bool = False
    sender_chat_id: int | None = None
    automatic_forward: bool = False


def skip_reason(message: GroupMessage, bot_id: int, min_chars: int) -> str | None:
    """Why ``message`` is not assessed at all, or None if it is."""
    if message.automatic_forward:
        return "the group's own linked channel"
    if message.sender_chat_id is not None and message.sender_chat_id == message.chat_id:
        return "an anonymous admin of the group"
    if message.sender_id == bot_id:
        return "the bot itself"
    if message.sender_is_bot and message.sender_id not in (GROUP_ANONYMOUS_BOT, CHANNEL_BOT):
        return "another bot"
    if len(message.words.strip()) < min_chars:
        return "too short"
    return None


def sensitivity(stored: object) -> Sensitivity:
    """A group's stored sensitivity, or "normal" if the row holds anything else."""
    return next((level for level in SENSITIVITIES if level == stored), "normal")


def text_digest(words: str) -> str:
    """The same text however it is spaced, cased or decorated: a repost is recognised as one."""
    return hashlib.sha256(matching_form(words).encode("utf-8")).hexdigest()[:24]


class AlertMemory:
    """What has been alerted recently, per group (in memory only)."""

    def __init__(
        self, *, duplicate_seconds: int, cooldown_seconds: int, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self.cooldown_seconds = cooldown_seconds
        self._texts: TTLCache[tuple[int, str], bool] = TTLCache(200_000, max(duplicate_seconds, 1), timer)
        self._patterns: TTLCache[tuple[int, str], bool] = TTLCache(100_000, max(cooldown_seconds, 1), timer)
        self._messages: TTLCache[tuple[int, int], bool] = TTLCache(200_000, ALERTED_MESSAGE_SECONDS, timer)

    def first(self, chat_id: int, message_id: int, words: str, pattern_id: str | None) -> bool:
        """True (and remembered) if this alert is no repeat: a new text, a new message, a pattern not cooling down."""
        text_key, message_key = (chat_id, text_digest(words)), (chat_id, message_id)
        pattern_key = (chat_id, pattern_id or "-")
        if text_key in self._texts or message_key in self._messages or pattern_key in self._patterns:
            return False
        self._texts[text_key] = True
        self._messages[message_key] = True
        if self.cooldown_seconds > 0:
            self._patterns[pattern_key] = True
        return True


@dataclass(frozen=True)
class AlertRecord:
    """What an alert needs later (details, "not a scam"); held in memory only."""

    chat_id: int
    message_id: int
    alert_message_id: int
    text: str
    pattern_id: str | None
    details_html: str
