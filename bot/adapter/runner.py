"""The standalone bot: a PTB ``Application`` with the plugin installed.

Long polling by default, a webhook when ``WEBHOOK_URL`` is set. With no
``TELEGRAM_BOT_TOKEN`` the same application runs against the local Bot API emulator
(see :mod:`bot.adapter.sandbox`), so a newcomer sees the bot work without Telegram.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.adapter.plugin import FraudAwareness
from bot.app import bot_settings
from bot.config import Settings

log = logging.getLogger(__name__)

COMMANDS = {
    "en": [
        BotCommand("start", "What I do and how to use me"),
        BotCommand("help", "What I can and cannot check"),
        BotCommand("language", "Answer in English or Chinese"),
        BotCommand("privacy", "What I store"),
    ],
    "zh": [
        BotCommand("start", "我能做什么、怎么用"),
        BotCommand("help", "我能检查什么"),
        BotCommand("language", "切换中文或英文"),
        BotCommand("privacy", "我会保存什么"),
    ],
}


def build_application(
    settings: Settings,
    plugin: FraudAwareness,
    *,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
) -> Application:
    """An application that answers many users at once and respects Telegram's rate limits.

    ``concurrent_updates`` lets one user's slow answer not hold up another's; the
    AIORateLimiter keeps outgoing messages within Telegram's limits and retries a 429
    after the ``retry_after`` Telegram asks for.
    """

    async def post_init(app: Application) -> None:
        try:
            await app.bot.set_my_commands(COMMANDS["en"])
            await app.bot.set_my_commands(COMMANDS["zh"], language_code="zh")
        except Exception:
            log.warning("could not set the command menu", exc_info=True)

    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url or settings.telegram_api_base_url)
        .base_file_url(base_file_url or settings.telegram_api_file_url)
        .concurrent_updates(True)
        .rate_limiter(AIORateLimiter(max_retries=3))
        .connection_pool_size(64)
        .connect_timeout(10)
        .read_timeout(20)
        .write_timeout(20)
        .pool_timeout(10)
        .post_init(post_init)
        .build()
    )
    plugin.install(application)
    return application


@asynccontextmanager
async def polling(application: Application, *, poll_timeout: int = 5) -> AsyncIterator[Application]:
    """Long-poll for the duration of the block, started and stopped as ``run_polling`` would do it.

    ``post_init`` and ``post_stop`` are run too: the plugin starts its knowledge watcher in one
    and answers everything still waiting in the other. The sandbox, the benchmarks and the
    end-to-end tests all use this, so they run the bot exactly as production does.
    """
    await application.initialize()
    if application.post_init:
        await application.post_init(application)
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(poll_interval=0, timeout=poll_timeout)
    try:
        yield application
    finally:
        try:
            if application.updater.running:
                await application.updater.stop()
            if application.running:
                await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        finally:
            await application.shutdown()


def run(settings: Settings) -> None:
    """Run until SIGINT/SIGTERM; on stop, waiting answers are sent before exit."""
    settings = bot_settings(settings)
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
