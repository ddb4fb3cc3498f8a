"""The webhook receiver: check Telegram's secret, store the update in the queue, answer at once.

It does no assessing and loads no model, so it stays small and quick: Telegram gets its
``200`` as soon as the update is committed in PostgreSQL, and workers (any number,
anywhere) answer it (see :mod:`bot.adapter.queue`). A wrong or missing secret gets
``403`` and nothing is stored; a body that is not an update gets ``400``; a database it
cannot reach gets ``503``, so Telegram delivers the update again later. aiohttp is
already a dependency (the emulator speaks it), so no second web framework comes in.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
from typing import Any

from aiohttp import web
from procrastinate import App

from bot.adapter.queue import enqueue, queue_app

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
QUEUE_KEY: web.AppKey[App] = web.AppKey("queue", App)


def receiver_app(queue: App, *, secret: str, path: str) -> web.Application:
    """The HTTP side alone (tests and the benchmark run it in-process)."""

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            log.warning("webhook call with a wrong or missing secret token from %s", request.remote)
            return web.Response(status=403)
        try:
            update: Any = await request.json()
        except ValueError:
            return web.Response(status=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return web.Response(status=400)
        try:
            stored = await enqueue(request.app[QUEUE_KEY], update)
        except Exception:
            log.exception("could not store update %s; Telegram will deliver it again", update["update_id"])
            return web.Response(status=503)
        if not stored:
            log.info("update %s was delivered again while still waiting; kept once", update["update_id"])
        return web.Response(status=200)

    app = web.Application(client_max_size=4 * 1024 * 1024)
    app[QUEUE_KEY] = queue
    app.router.add_post(path, receive)
    return app


async def serve(database_url: str, *, secret: str, path: str, listen: str, port: int) -> None:
    """Receive until SIGINT/SIGTERM."""
    queue = queue_app(database_url)
    async with queue.open_async():
        runner = web.AppRunner(receiver_app(queue, secret=secret, path=path), access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, listen, port).start()
            log.info("receiving updates on %s:%d%s", listen, port, path)
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            await stop.wait()
        finally:
            await runner.cleanup()
