"""Helpers for end-to-end tests of the Telegram side against the local Bot API emulator.

The bot under test is the real PTB ``Application`` that :func:`bot.adapter.runner.build_application`
builds, long-polling :class:`~bot.emulator.BotApiEmulator` over real HTTP on 127.0.0.1; the
test plays the users. These helpers start and stop that application exactly as
``run_polling`` would (``post_init`` and ``post_stop`` included, since the plugin drains its
pending answers in ``post_stop``), so a test sees what a Telegram user would see.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram.ext import Application

from bot.adapter.application import build_application, polling
from bot.adapter.callbacks import PREFIX as CALLBACK_PREFIX
from bot.adapter.plugin import FraudAwareness
from bot.config import Settings
from bot.core.engine import Engine
from bot.emulator import BotApiEmulator
from bot.storage import Store

TOKEN = "123456:TEST-TOKEN"
REPLY_TIMEOUT = 30.0
"""Generous: the first assessment of a session warms the model up, and CI machines are shared."""


def fast_settings(tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a fast test: a short burst window, no ``.env`` from the developer's machine."""
    values: dict[str, Any] = {"data_dir": tmp_path / "data", "burst_window_seconds": 0.3}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]  # pydantic-settings' init-only option


def running(application: Application) -> AbstractAsyncContextManager[Application]:
    """Run ``application`` against the emulator for the block, then stop it as a stop signal would."""
    return polling(application, poll_timeout=1)


@dataclass
class RunningBot:
    """Everything a test needs to talk to the bot and check what it did."""

    emu: BotApiEmulator
    application: Application
    plugin: FraudAwareness
    store: Store
    settings: Settings


def make_plugin(settings: Settings, engine: Engine, tmp_path: Path, **plugin_options: Any) -> FraudAwareness:
    """The plugin on the session's shared engine (the model loads once) and a fresh store per test."""
    store = Store.for_data_dir(tmp_path / "store")
    return FraudAwareness(settings, engine=engine, store=store, **plugin_options)


@asynccontextmanager
async def standalone_bot(
    emu: BotApiEmulator,
    engine: Engine,
    tmp_path: Path,
    *,
    settings: Settings | None = None,
    **plugin_options: Any,
) -> AsyncIterator[RunningBot]:
    """The standalone bot as ``python -m bot run`` builds it (concurrent updates, AIORateLimiter)."""
    settings = settings or fast_settings(tmp_path)
    plugin_options.setdefault("answer_unknown_commands", True)  # what runner.run() passes
    plugin = make_plugin(settings, engine, tmp_path, **plugin_options)
    application = build_application(
        settings, plugin, token=emu.token, base_url=emu.base_url, base_file_url=emu.base_file_url
    )
    async with running(application):
        yield RunningBot(emu, application, plugin, plugin.store, settings)


async def ask(
    emu: BotApiEmulator,
    chat: dict[str, Any],
    user: dict[str, Any],
    text: str | None,
    *,
    timeout: float = REPLY_TIMEOUT,  # noqa: ASYNC109 - passed on to the emulator's wait
    **send_options: Any,
) -> dict[str, Any]:
    """Send one message as ``user`` and return the bot's first reply to it."""
    sent = emu.send_message(chat, user, text, **send_options)
    [reply, *_] = await emu.wait_for_messages(chat, 1, timeout=timeout, after=sent)
    return reply


def fail_once(monkeypatch: Any, owner: type, name: str, error: Exception) -> list[Exception]:
    """Make the async method ``owner.name`` raise ``error`` on its first call, then work as before.

    Returns the pending failures: empty once it has fired (a test can check that it did).
    """
    pending = [error]
    original = getattr(owner, name)

    async def failing_once(self: Any, *args: Any, **kwargs: Any) -> Any:
        if pending:
            raise pending.pop()
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(owner, name, failing_once)
    return pending


def buttons(message: dict[str, Any]) -> dict[str, str]:
    """The inline buttons of a bot message, as ``{callback_data: label}``."""
    rows = message.get("reply_markup", {}).get("inline_keyboard", [])
    return {b["callback_data"]: b["text"] for row in rows for b in row if "callback_data" in b}


def button_data(message: dict[str, Any], action: str) -> str:
    """The callback data of the plugin's button for ``action`` (``h``, ``w``, ``r``, ``l``)."""
    prefix = f"{CALLBACK_PREFIX}{action}:"
    matches = [data for data in buttons(message) if data.startswith(prefix)]
    assert matches, f"no {prefix}… button on {message.get('text', '')[:80]!r}: {buttons(message)}"
    return matches[0]


def entity_texts(message: dict[str, Any], kinds: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """``(type, covered text)`` per entity of a bot message, offsets read as UTF-16 like Telegram."""
    encoded = message.get("text", "").encode("utf-16-le")
    found = []
    for entity in message.get("entities", []):
        if kinds is None or entity["type"] in kinds:
            start, end = 2 * entity["offset"], 2 * (entity["offset"] + entity["length"])
            found.append((entity["type"], encoded[start:end].decode("utf-16-le")))
    return found
