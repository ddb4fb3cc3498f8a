"""A queue worker process on the fast engine, for the kill test and the queue benchmark.

``python tests/queue_worker.py`` reads the bot's settings from the environment (as
``python -m bot run --role worker`` does) and runs the same :func:`bot.adapter.queue.work`
with the same plugin and application; only the embedder is the hashing one of
:mod:`fast_engine`, so a process is ready in a second and the figures measure the queue.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

from fast_engine import fast_engine  # noqa: E402

from bot.adapter import queue  # noqa: E402
from bot.adapter.application import build_application  # noqa: E402
from bot.adapter.plugin import FraudAwareness  # noqa: E402
from bot.app import database_url  # noqa: E402
from bot.config import Settings  # noqa: E402


def main() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    assert settings.telegram_bot_token is not None, "set TELEGRAM_BOT_TOKEN (the emulator's)"
    plugin = FraudAwareness(settings, engine=fast_engine(settings.data_dir / "engine"), answer_unknown_commands=True)
    application = build_application(
        settings, plugin, token=settings.telegram_bot_token.get_secret_value(), updater=False
    )
    asyncio.run(
        queue.work(
            database_url(settings),
            application,
            concurrency=settings.worker_concurrency,
            max_attempts=settings.queue_max_attempts,
            stalled_seconds=settings.queue_stalled_seconds,
            burst_window=settings.burst_window_seconds,
        )
    )


if __name__ == "__main__":
    main()
