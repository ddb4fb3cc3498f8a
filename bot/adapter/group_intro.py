"""The bot's first words in a group: who it is, in the group's language, before any alert.

Split from :mod:`bot.adapter.groups` because it is its own rule. The language is the
group's (its ``/settings`` choice, else its title's if Chinese, else the adder's: many
Chinese speakers run Telegram in English). The order matters after a restart: "the bot
was added" and a scam posted meanwhile arrive in one batch and are handled concurrently,
so an alert waits for an introduction in progress instead of arriving first.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from telegram import Bot, Chat, User

from bot.adapter.group_settings import GroupDirectory
from bot.adapter.languages import group_language
from bot.adapter.sending import send
from bot.core.i18n import as_language, text

log = logging.getLogger(__name__)

INTRO_WAIT_SECONDS = 30.0
"""An alert waits at most this long for the introduction being sent (a failed send must not cost the alert)."""


class Introductions:
    """Introduce the bot to a group it joined, and hold its alerts there until that is done."""

    def __init__(self, directory: GroupDirectory) -> None:
        self.directory = directory
        self._pending: dict[int, asyncio.Event] = {}

    @contextlib.asynccontextmanager
    async def _in_progress(self, chat_id: int) -> AsyncIterator[None]:
        done = self._pending.setdefault(chat_id, asyncio.Event())
        try:
            yield
        finally:
            done.set()
            self._pending.pop(chat_id, None)

    async def introduce(self, bot: Bot, chat: Chat, adder: User | None, *, can_read: bool) -> None:
        """The introduction (and, if the bot cannot read the group, how to fix that) in the group's language."""
        async with self._in_progress(chat.id):  # marked before the first await: an alert can wait for it
            group = await self.directory.get(chat.id, chat.title)  # a locked database gives the defaults
            language = as_language(group.language, group_language(chat.title, adder.language_code if adder else None))
            await send(bot, chat.id, text("group_intro", language), answers=False)  # the alert may follow
            warn = not can_read and not group.privacy_warned
            if warn:
                await send(bot, chat.id, text("privacy_mode", language), answers=False)
        # Written after the words are out, so an alert waiting for the introduction never waits for the database.
        try:
            changes: dict[str, object] = {"active": True, "title": chat.title}
            if warn:
                changes["privacy_warned"] = True
            await self.directory.update(chat.id, **changes)
        except Exception:
            log.warning("could not record that group %s was joined", chat.id, exc_info=True)

    async def done(self, chat_id: int) -> None:
        """Wait (briefly) for an introduction in progress in this group, if there is one."""
        pending = self._pending.get(chat_id)
        if pending is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(pending.wait(), timeout=INTRO_WAIT_SECONDS)
