"""A PTB ``Application`` with the plugin installed, and how it is started and stopped.

Shared by the standalone runner, the sandbox, the benchmarks and the end-to-end tests,
so all of them run the bot exactly as production does.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Literal

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder

from bot.adapter.plugin import FraudAwareness
from bot.config import Settings
from bot.core.i18n import COMMAND_MENU

log = logging.getLogger(__name__)


def _menu(written: Literal["en", "zh"]) -> list[BotCommand]:
    return [BotCommand(command, description) for command, description in COMMAND_MENU[written]]


def build_application(
    settings: Settings,
    plugin: FraudAwareness,
    *,
    token: str,
    base_url: str | None = None,
    base_file_url: str | None = None,
    updater: bool = True,
) -> Application:
    """An application that answers many users at once and respects Telegram's rate limits.

    ``concurrent_updates`` lets one user's slow answer not hold up another's; the
    AIORateLimiter keeps outgoing messages within Telegram's limits and retries a 429
    after the ``retry_after`` Telegram asks for. ``updater=False``: a queue worker,
    whose updates come from PostgreSQL rather than from polling or a webhook.
    """

    async def post_init(app: Application) -> None:
        try:
            await app.bot.set_my_commands(_menu("en"))
            await app.bot.set_my_commands(_menu("zh"), language_code="zh")
        except Exception:
            log.warning("could not set the command menu", exc_info=True)

    builder = ApplicationBuilder() if updater else ApplicationBuilder().updater(None)
    application = (
        builder.token(token)
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
