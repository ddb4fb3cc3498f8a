"""The standalone bot: a PTB ``Application`` with the plugin installed.

``ROLE=all`` (the default) is one process: long polling, or PTB's own webhook when
``WEBHOOK_URL`` is set. With no ``TELEGRAM_BOT_TOKEN`` the same application runs against
the local Bot API emulator (see :mod:`bot.adapter.sandbox`), so a newcomer sees the bot
work without Telegram. ``ROLE=receiver`` and ``ROLE=worker`` split it over the durable
PostgreSQL queue (:mod:`bot.adapter.receiver`, :mod:`bot.adapter.queue`).
"""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram import Bot, Update

from bot.adapter import queue, receiver
from bot.adapter.application import build_application
from bot.adapter.plugin import FraudAwareness
from bot.app import bot_settings, database_url
from bot.config import Settings
from bot.storage import migrate
from bot.storage.database import POSTGRES, backend

log = logging.getLogger(__name__)


class RoleError(ValueError):
    """A role that cannot run with these settings; the message says what to set."""


def run(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM; on stop, waiting answers are sent before exit."""
    settings = bot_settings(settings)
    if settings.role != "all":
        run_queue_role(settings)
        return
    if settings.telegram_bot_token is None:
        from bot.adapter.sandbox import run_sandbox

        run_sandbox(settings)
        return
    plugin = FraudAwareness(settings, answer_unknown_commands=True)
    application = build_application(settings, plugin, token=settings.telegram_bot_token.get_secret_value())
    stop_signals = (signal.SIGINT, signal.SIGTERM)
    if settings.webhook_url:
        log.info(
            "starting webhook on %s:%d for %s", settings.webhook_listen, settings.webhook_port, settings.webhook_url
        )
        secret = settings.webhook_secret_token.get_secret_value() if settings.webhook_secret_token else None
        application.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            webhook_url=settings.webhook_url,
            secret_token=secret,
            stop_signals=stop_signals,
        )
    else:
        log.info("starting long polling against %s", settings.telegram_api_base_url)
        application.run_polling(stop_signals=stop_signals, drop_pending_updates=False)


def run_queue_role(settings: Settings) -> None:
    """The receiver or a worker of the PostgreSQL update queue."""
    url = database_url(settings)
    if backend(url) != POSTGRES:
        raise RoleError(f"ROLE={settings.role} needs the update queue: set DATABASE_URL to a PostgreSQL database")
    if settings.telegram_bot_token is None:
        raise RoleError(f"ROLE={settings.role} needs TELEGRAM_BOT_TOKEN")
    token = settings.telegram_bot_token.get_secret_value()
    migrate.upgrade(url)  # the queue's tables come with ours (revision 0003)
    if settings.role == "receiver":
        if settings.webhook_secret_token is None:
            raise RoleError("ROLE=receiver needs WEBHOOK_SECRET_TOKEN: without it anyone could post updates")
        secret = settings.webhook_secret_token.get_secret_value()
        if settings.webhook_url:
            asyncio.run(_set_webhook(settings, token, secret))
        asyncio.run(
            receiver.serve(
                url,
                secret=secret,
                path=settings.webhook_path,
                listen=settings.webhook_listen,
                port=settings.webhook_port,
            )
        )
        return
    plugin = FraudAwareness(settings, answer_unknown_commands=True)
    application = build_application(settings, plugin, token=token, updater=False)
    log.info("worker: %d updates at a time from the queue", settings.worker_concurrency)
    asyncio.run(
        queue.work(
            url,
            application,
            concurrency=settings.worker_concurrency,
            max_attempts=settings.queue_max_attempts,
            stalled_seconds=settings.queue_stalled_seconds,
            burst_window=settings.burst_window_seconds,
        )
    )


async def _set_webhook(settings: Settings, token: str, secret: str) -> None:
    """Point Telegram at this receiver (the secret comes back in every call)."""
    bot = Bot(token, base_url=settings.telegram_api_base_url, base_file_url=settings.telegram_api_file_url)
    async with bot:
        await bot.set_webhook(settings.webhook_url or "", secret_token=secret, allowed_updates=Update.ALL_TYPES)
    log.info("webhook set to %s", settings.webhook_url)
