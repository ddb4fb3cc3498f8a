"""How one process learns that another changed the knowledge base.

PostgreSQL: a write transaction ends with ``pg_notify`` (delivered at commit, dropped on
rollback) and every process keeps one connection ``LISTEN``-ing, so a change arrives in
milliseconds. The listener reconnects after losing its connection and reports a change
after every (re)connect, since notifications sent while it was away are gone.
SQLite has no such channel: the revision is polled.

Either way the watcher gets a stream of "look now" signals and compares revisions itself,
so a duplicate or spurious signal costs one cheap read, never a wrong reload.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import psycopg
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.storage.database import POSTGRES, backend, libpq_conninfo

log = logging.getLogger(__name__)

CHANNEL = "fraud_bot_kb"
APPLICATION_NAME = "fraud-bot knowledge listener"  # how operators (and tests) find it in pg_stat_activity
HEARTBEAT_SECONDS = 30.0  # a silent connection is checked this often (a dead one would never notify)
RECONNECT_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)


def send(session: Session, revision: int) -> None:
    """Tell the other processes, at this transaction's commit, that the knowledge base is at ``revision``."""
    session.execute(select(func.pg_notify(CHANNEL, str(revision))))


async def changes(url: str, poll_interval: float = 0.5) -> AsyncIterator[None]:
    """Signals that the knowledge base may have changed: notifications on PostgreSQL, a timer elsewhere."""
    if backend(url) == POSTGRES:
        async for _ in _notifications(url):
            yield
    else:
        while True:
            await asyncio.sleep(poll_interval)
            yield


async def _notifications(url: str) -> AsyncIterator[None]:
    failures = 0
    while True:
        try:
            async with await psycopg.AsyncConnection.connect(
                libpq_conninfo(url), autocommit=True, application_name=APPLICATION_NAME
            ) as conn:
                await conn.execute(f"LISTEN {CHANNEL}")
                if failures:
                    log.info("knowledge listener reconnected")
                failures = 0
                yield  # whatever changed while not listening
                while True:
                    async for _ in conn.notifies(timeout=HEARTBEAT_SECONDS, stop_after=1):
                        pass
                    await conn.execute("SELECT 1")  # raises if the connection died quietly
                    # After a notification or a quiet heartbeat alike: the watcher compares revisions,
                    # so one that arrived during the check above is not missed either.
                    yield
        except psycopg.OperationalError:
            delay = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
            failures += 1
            log.warning("knowledge listener lost its connection; retrying in %.1f s", delay, exc_info=failures == 1)
            await asyncio.sleep(delay)
