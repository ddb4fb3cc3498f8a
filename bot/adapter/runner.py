"""The standalone bot: a PTB ``Application`` with the plugin installed.

Long polling by default, a webhook when ``WEBHOOK_URL`` is set. With no
``TELEGRAM_BOT_TOKEN`` the same application runs against the local Bot API emulator
(see :mod:`bot.adapter.sandbox`), so a newcomer sees the bot work without Telegram.
"""

from __future__ import annotations

import logging
import signal

from bot.adapter.application import build_application
from bot.adapter.plugin import FraudAwareness
from bot.app import bot_settings
from bot.config import Settings

log = logging.getLogger(__name__)


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
