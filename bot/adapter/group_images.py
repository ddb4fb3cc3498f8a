"""Pictures in groups: read within a budget, so a busy group cannot take the machine.

A scam often reaches a family group as a screenshot. Reading one costs about a second of CPU, so
each group gets a bounded share: at most ``GROUP_IMAGES_PER_MINUTE`` pictures read per minute (the
rest are skipped and counted, never queued), none bigger than ``GROUP_IMAGE_MAX_BYTES``, and at most
``GROUP_IMAGE_TIME_BUDGET_SECONDS`` of OCR each (a long screenshot is read only so far). The text read
then takes the ordinary group path, with its strict alert rule. Pictures are never stored.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable

from cachetools import TTLCache
from telegram import Message
from telegram.ext import filters

from bot.adapter.hidden_links import hidden_links
from bot.adapter.images import ImageReader, picture_of
from bot.config import Settings
from bot.core.image_answer import words_to_assess

log = logging.getLogger(__name__)


class GroupPictures:
    """The per-group picture budget and the reading of one group picture into words to assess."""

    filter = filters.PHOTO | filters.Document.IMAGE
    """Photos and image files; stickers and GIFs are never read in groups."""

    def __init__(self, settings: Settings, reader: ImageReader, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self.reader = reader
        self._clock = clock
        self._recent: TTLCache[int, deque[float]] = TTLCache(maxsize=100_000, ttl=120, timer=clock)
        """Per group, when its pictures of the last minute were admitted (a sliding window)."""

    def admit(self, chat_id: int, message: Message) -> bool:
        """Take one picture from the group's budget, if it has any left and the picture is not too big."""
        per_minute = self.settings.group_images_per_minute
        picture = picture_of(message)
        if per_minute <= 0 or picture is None:
            return False
        if picture.file_size is not None and picture.file_size > self.settings.group_image_max_bytes:
            log.info("group %s: picture of %d bytes not read", chat_id, picture.file_size)
            return False
        now = self._clock()
        recent = self._recent.get(chat_id) or deque()
        while recent and now - recent[0] >= 60:
            recent.popleft()
        if len(recent) >= per_minute:
            log.info("group %s: picture budget of %d per minute spent; picture skipped", chat_id, per_minute)
            return False
        recent.append(now)
        self._recent[chat_id] = recent  # re-set: the entry lives two minutes after the group's last picture
        return True

    async def words(self, message: Message) -> str:
        """The caption, the picture's text, QR and hidden links as one message ("" when nothing was read)."""
        reading = await self.reader.read_messages(
            [message],
            time_budget=self.settings.group_image_time_budget_seconds,
            max_bytes=self.settings.group_image_max_bytes,
        )
        if reading.problem is not None:
            log.info("group %s: picture not read (%s)", message.chat_id, reading.problem)
        return words_to_assess(reading, [message.caption or ""], hidden_links(message))
