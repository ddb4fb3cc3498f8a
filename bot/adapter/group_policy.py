"""When the bot speaks in a group: which messages are not assessed, and when an alert is a repeat.

Pure rules over plain values (no Telegram objects, no I/O), so each one is tested by a
table of cases, the way tg-spam keeps its duplicate and skip checks in its detector
library rather than in the bot. :mod:`bot.adapter.groups` maps Telegram messages onto
:class:`GroupMessage` and asks :class:`AlertMemory` before it sends an alert.

The repeat rule (the README states it too): the bot stays quiet about
- a message it has already alerted (an edit is re-checked, but not alerted twice);
- the same or a near-duplicate text (``NEAR_DUPLICATE`` % alike once normalised, whoever
  posts it) within the duplicate window: five members forwarding one chain message, or a
  scam re-posted with another amount or name, get one alert;
- the same sender's message matching the same pattern within the cooldown: one account
  flooding variants of its script gets one alert.
A *different* scam message from another member is alerted, even a minute later and for the
same pattern: the cooldown stops repeats, it must not silence a new warning. Changing the
rule means changing :meth:`AlertMemory.first`.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from cachetools import TTLCache
from rapidfuzz import fuzz, process

from bot.core.assess_config import SENSITIVITIES, Sensitivity
from bot.core.text import matching_form

GROUP_ANONYMOUS_BOT = 1087968824
"""The user Telegram shows as the sender of an anonymous admin's message."""
CHANNEL_BOT = 136817688
"""The user Telegram shows as the sender of a post made on behalf of a channel."""
ALERTED_MESSAGE_SECONDS = 48 * 3600
"""An edited message is re-checked; once alerted, it is not alerted again for two days."""
NEAR_DUPLICATE = 90.0
"""Texts this alike (rapidfuzz ``ratio``, 0-100, on the matching form) are one text: an amount,
a name or a link changed in a long scam keeps it above; another script of the same scam is far below."""
TEXTS_PER_GROUP = 200
"""Recently alerted texts compared per group (the oldest is forgotten first)."""


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


class AlertMemory:
    """What has been alerted recently, per group (in memory only)."""

    def __init__(
        self, *, duplicate_seconds: int, cooldown_seconds: int, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self.cooldown_seconds = cooldown_seconds
        self.duplicate_seconds = max(duplicate_seconds, 1)
        self._timer = timer
        self._texts: TTLCache[int, deque[tuple[float, str]]] = TTLCache(20_000, self.duplicate_seconds, timer)
        self._senders: TTLCache[tuple[int, int | None, str], bool] = TTLCache(100_000, max(cooldown_seconds, 1), timer)
        self._messages: TTLCache[tuple[int, int], bool] = TTLCache(200_000, ALERTED_MESSAGE_SECONDS, timer)

    def _recent_texts(self, chat_id: int) -> deque[tuple[float, str]]:
        """The group's alerted texts still inside the duplicate window, oldest first."""
        texts = self._texts.get(chat_id) or deque(maxlen=TEXTS_PER_GROUP)
        horizon = self._timer() - self.duplicate_seconds
        while texts and texts[0][0] <= horizon:
            texts.popleft()
        return texts

    def first(
        self, chat_id: int, message_id: int, words: str, pattern_id: str | None, sender_id: int | None = None
    ) -> bool:
        """True (and remembered) if this alert is no repeat: a new message, a new text, not the sender's same scam."""
        form = matching_form(words)
        message_key = (chat_id, message_id)
        sender_key = (chat_id, sender_id, pattern_id or "-")
        texts = self._recent_texts(chat_id)
        if message_key in self._messages or sender_key in self._senders:
            return False
        if process.extractOne(form, [text for _, text in texts], scorer=fuzz.ratio, score_cutoff=NEAR_DUPLICATE):
            return False
        texts.append((self._timer(), form))
        self._texts[chat_id] = texts
        self._messages[message_key] = True
        if self.cooldown_seconds > 0:
            self._senders[sender_key] = True
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
