"""Pictures in Telegram messages: which ones are screenshots, fetching them, reading them off the loop.

The bytes are downloaded into memory, read, and dropped: images are never written to disk or the
database. OCR is CPU work and serialised inside :mod:`bot.core.screenshot` (one shared engine), so
it runs on a one-thread executor of its own: screenshots queue behind each other, never in front
of typed messages, whose assessments use the default executor. Every failure (a file too big to
fetch, a download that fails) becomes an :class:`~bot.core.image_input.ImageProblem` the reply
words politely.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from typing import Any

from telegram import Bot, Document, Message, PhotoSize
from telegram.constants import ChatAction
from telegram.error import TelegramError

from bot.core.image_input import MAX_FILE_BYTES, ImageProblem
from bot.core.screenshot import ImageReading, read_images

log = logging.getLogger(__name__)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp")
"""A document named like this is treated as a picture (and told politely if it is not one)."""
ACTION_EVERY = 4.0
"""Seconds between "typing…" signals: Telegram shows one for about five."""


def picture_of(message: Message) -> PhotoSize | Document | None:
    """The message's picture to read: the largest photo size, or a document that claims to be an image."""
    if message.photo:
        return message.photo[-1]
    document = message.document
    if document is None or message.animation is not None:
        return None
    mime = (document.mime_type or "").lower()
    name = (document.file_name or "").lower()
    return document if mime.startswith("image/") or name.endswith(IMAGE_EXTENSIONS) else None


def is_sticker_or_animation(message: Message) -> bool:
    """Stickers and GIFs: not screenshots, and never worth downloading."""
    return message.sticker is not None or message.animation is not None


class ImageReader:
    """Fetches and reads pictures; one per process, shared by private chats and groups."""

    def __init__(self, *, max_bytes: int = MAX_FILE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._executor: ThreadPoolExecutor | None = None

    async def fetch(self, message: Message, *, max_bytes: int | None = None) -> bytes | ImageProblem:
        """The picture's bytes, or why they were not fetched (too large by its declared size, download failed)."""
        limit = min(max_bytes or self.max_bytes, self.max_bytes)
        picture = picture_of(message)
        if picture is None:
            return ImageProblem.NOT_AN_IMAGE
        if picture.file_size is not None and picture.file_size > limit:
            return ImageProblem.TOO_LARGE
        try:
            file = await message.get_bot().get_file(picture.file_id)
            if file.file_size is not None and file.file_size > limit:
                return ImageProblem.TOO_LARGE
            data = bytes(await file.download_as_bytearray())
        except TelegramError as exc:  # "file is too big" for over 20 MB; a transient failure otherwise
            log.warning("could not download a picture from chat %s: %s", message.chat_id, exc)
            return ImageProblem.TOO_LARGE if "too big" in str(exc).lower() else ImageProblem.OCR_FAILED
        return data if len(data) <= limit else ImageProblem.TOO_LARGE

    async def read(self, items: Sequence[bytes | ImageProblem], *, time_budget: float | None = None) -> ImageReading:
        """Read the fetched pictures as one conversation on the OCR thread; fetch problems are kept in order."""
        blobs = [item for item in items if isinstance(item, bytes)]
        early = [item for item in items if isinstance(item, ImageProblem)]
        if blobs:
            if self._executor is None:  # created on first use, again after close() (an application restarted)
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ocr")
            loop = asyncio.get_running_loop()
            reading = await loop.run_in_executor(self._executor, _read, blobs, time_budget)
        else:
            reading = ImageReading()
        if not early:
            return reading
        skipped = tuple(early) + reading.skipped
        read_any = any(p is None for p in skipped)
        problem = None if read_any else next(p for p in skipped if p is not None)
        return dataclasses.replace(reading, skipped=skipped, problem=problem)

    async def read_messages(
        self, messages: Sequence[Message], *, time_budget: float | None = None, max_bytes: int | None = None
    ) -> ImageReading:
        """Fetch every message's picture (concurrently), then read them together."""
        items = await asyncio.gather(*(self.fetch(m, max_bytes=max_bytes) for m in messages))
        return await self.read(items, time_budget=time_budget)

    def close(self) -> None:
        """Stop the OCR thread (a read in progress finishes in the background; queued ones are dropped)."""
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None


def _read(blobs: list[bytes], time_budget: float | None) -> ImageReading:
    return read_images(blobs, time_budget=time_budget)


@asynccontextmanager
async def showing_work(bot: Bot, chat_id: int, action: str = ChatAction.TYPING) -> AsyncIterator[None]:
    """Telegram's "typing…" under the chat's name for as long as the block runs (best effort)."""

    async def signal() -> None:
        while True:
            try:
                await bot.send_chat_action(chat_id, action)
            except TelegramError as exc:  # only a courtesy: never let it cost the answer
                log.debug("chat action in %s failed: %s", chat_id, exc)
            await asyncio.sleep(ACTION_EVERY)

    task: asyncio.Task[Any] = asyncio.create_task(signal())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
