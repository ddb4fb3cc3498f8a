"""A group's settings and counters as the bot keeps them in memory, and the ``/settings`` view.

Settings are read once per group and cached; changes for one group are serialised so
two quick button presses both stick. Counters are kept in memory and written in
batches: a busy group must not mean a database write per message. The batch is written
beside the alerts, never in their way: a locked database keeps the counts for the next
write instead of stalling or ending the group's assessment.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.adapter.callbacks import SetGroupLanguage, SetSensitivity, ToggleAlerts
from bot.core.assess_config import SENSITIVITIES
from bot.core.i18n import LANGUAGES, as_language, text
from bot.storage import Store
from bot.storage.models import GroupSettings

COUNT_FLUSH_EVERY = 100
log = logging.getLogger(__name__)


STAND_IN_RETRY_SECONDS = 10.0
"""After a failed read, a group's defaults stand in this long before the database is asked again
(each attempt can wait out the busy timeout, and an alert must not wait for several)."""


def default_settings(chat_id: int, title: str | None = None) -> GroupSettings:
    """What every group starts with (as :meth:`Store.group` creates it)."""
    return GroupSettings(
        chat_id=chat_id, title=title, alerts_enabled=True, sensitivity="normal", active=True, privacy_warned=False
    )


class GroupDirectory:
    """Each group's settings, from the store, cached.

    ``max_age``: re-read a group's settings this many seconds after they were read. One process
    sees every change it makes (None: keep them); queue workers are many, and an admin's
    "alerts off" handled by one must reach the others.
    """

    def __init__(self, store: Store, *, max_age: float | None = None) -> None:
        self.store = store
        self.max_age = max_age
        self._read_at: dict[int, float] = {}
        self._groups: dict[int, GroupSettings] = {}
        self._stand_ins: dict[int, GroupSettings] = {}  # defaults while the database could not be read
        self._stand_in_since: dict[int, float] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def _lock(self, chat_id: int) -> asyncio.Lock:
        return self._locks.setdefault(chat_id, asyncio.Lock())

    def cached(self, chat_id: int) -> GroupSettings | None:
        return self._groups.get(chat_id) or self._stand_ins.get(chat_id)

    async def get(self, chat_id: int, title: str | None = None) -> GroupSettings:
        """The group's settings; while the database cannot be read, a new group's defaults (not cached).

        A group first seen while another process holds the write lock must still be assessed:
        its messages are checked with the defaults every new group gets, and the settings are
        read again on its next message.
        """
        cached = self._groups.get(chat_id)
        if cached is not None and not self._stale(chat_id):
            return cached
        async with self._lock(chat_id):
            known = self._groups.get(chat_id)
            if known is not None and not self._stale(chat_id):
                return known  # read by another message while this one waited
            stand_in = self._stand_ins.get(chat_id)
            if stand_in is not None and time.monotonic() - self._stand_in_since[chat_id] < STAND_IN_RETRY_SECONDS:
                return stand_in  # the database was just found locked: do not make every message wait again
            try:
                cached = await self.store.group(chat_id, title)
            except Exception:
                if known is not None:  # settings a little old beat a new group's defaults
                    log.warning("settings of group %s could not be re-read; keeping the last", chat_id, exc_info=True)
                    return known
                log.warning("settings of group %s unavailable; using the defaults for now", chat_id, exc_info=True)
                self._stand_in_since[chat_id] = time.monotonic()
                return self._stand_ins.setdefault(chat_id, default_settings(chat_id, title))
            self._remember(chat_id, cached)
            self._stand_ins.pop(chat_id, None)
            self._stand_in_since.pop(chat_id, None)
        return cached

    def _stale(self, chat_id: int) -> bool:
        return self.max_age is not None and time.monotonic() - self._read_at.get(chat_id, 0.0) >= self.max_age

    def _remember(self, chat_id: int, settings: GroupSettings) -> None:
        self._groups[chat_id] = settings
        self._read_at[chat_id] = time.monotonic()

    async def update(self, chat_id: int, **changes: object) -> GroupSettings:
        """Settings changes for one group are serialised, so two quick button presses both stick."""
        async with self._lock(chat_id):
            await self.store.update_group(chat_id, **changes)
            updated = await self.store.group(chat_id)
            self._remember(chat_id, updated)
            return updated

    def forget(self, chat_id: int) -> None:
        self._groups.pop(chat_id, None)


class GroupCounters:
    """Checked, alerts, false alarms, skipped: counted in memory, written every hundred or on demand."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._counts: dict[int, Counter[str]] = {}
        self._lock = asyncio.Lock()
        self._writing: set[asyncio.Task[Any]] = set()

    async def add(self, chat_id: int, key: str, amount: int = 1) -> None:
        counts = self._counts.setdefault(chat_id, Counter())
        counts[key] += amount
        if sum(counts.values()) >= COUNT_FLUSH_EVERY and not self._writing:
            task = asyncio.get_running_loop().create_task(self._flush_quietly(chat_id))
            self._writing.add(task)
            task.add_done_callback(self._writing.discard)

    async def _flush_quietly(self, chat_id: int) -> None:
        try:
            await self.flush(chat_id)
        except Exception:
            log.warning("group counters not written (kept for the next try)", exc_info=True)

    async def flush(self, chat_id: int | None = None) -> None:
        """Write the counts now; on failure they stay in memory and the error is raised."""
        async with self._lock:
            for cid in [chat_id] if chat_id is not None else list(self._counts):
                counts = self._counts.pop(cid, None)
                if not counts:
                    continue
                try:
                    await self.store.add_group_counts(cid, **dict(counts))
                except Exception:
                    self._counts.setdefault(cid, Counter()).update(counts)
                    raise


def settings_view(group: GroupSettings) -> tuple[str, InlineKeyboardMarkup]:
    language = as_language(group.language)
    state = text("on" if group.alerts_enabled else "off", language)
    current_language = group.language or text("auto", language)
    body = text(
        "settings_title",
        language,
        alerts=state,
        sensitivity=text(group.sensitivity, language),
        lang_name=current_language,
    )

    def mark(label: str, chosen: bool) -> str:
        return f"• {label}" if chosen else label

    keyboard = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(text("btn_alerts", language, state=state), callback_data=ToggleAlerts().encode())],
            [
                InlineKeyboardButton(
                    mark(text(level, language), group.sensitivity == level),
                    callback_data=SetSensitivity(level).encode(),
                )
                for level in SENSITIVITIES
            ],
            [
                InlineKeyboardButton(
                    mark(label, (group.language or "auto") == code),
                    callback_data=SetGroupLanguage(code).encode(),
                )
                for code, label in zip(("auto", *LANGUAGES), ("Auto", "EN", "简", "繁"), strict=True)
            ],
        ]
    )
    return body, keyboard
