"""On PostgreSQL an admin's change in one process is live in every other process within a second."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from bot.core.assess import Assessor
from bot.kb.notify import APPLICATION_NAME
from bot.kb.repository import KnowledgeRepository
from bot.kb.service import KnowledgeService, seed_if_empty
from bot.storage.database import libpq_conninfo

REPO = Path(__file__).resolve().parent.parent
PRESET = REPO / "knowledge" / "patterns"

# The other process: an admin deleting the patterns it is told to, printing when each commit is done.
OTHER_PROCESS = """
import sys, time
from bot.kb.repository import KnowledgeRepository
repo = KnowledgeRepository(sys.argv[1])
print("ready", flush=True)
for line in sys.stdin:
    repo.delete(line.strip(), actor="admin:elsewhere")
    print(time.time(), flush=True)
"""


def listening(url: str) -> set[int]:
    """The server processes of connections that have LISTENed and have been waiting since."""
    with psycopg.connect(libpq_conninfo(url)) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND query LIKE 'LISTEN%%'",
            (APPLICATION_NAME,),
        ).fetchall()
        return {row[0] for row in rows}


def terminate_listeners(url: str) -> set[int]:
    with psycopg.connect(libpq_conninfo(url), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            (APPLICATION_NAME,),
        ).fetchall()
        return {row[0] for row in rows}


async def until(condition: Callable[[], object], within: float) -> float:
    """Wait for ``condition()``; returns the time it became true (time.time())."""
    deadline = time.monotonic() + within
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)
    return time.time()


async def test_a_change_in_another_process_arrives_within_a_second_and_after_a_lost_connection(postgres_url, engine):
    repo = KnowledgeRepository(postgres_url)
    seed_if_empty(repo, PRESET)
    here = Assessor(engine.assessor.config, engine.assessor.embedder, engine.assessor.index, engine.assessor.risk_model)
    service = KnowledgeService(here, repo)
    watcher = asyncio.create_task(service.watch(interval=60))  # SQLite's polling period: unused on PostgreSQL
    other = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        OTHER_PROCESS,
        postgres_url,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=dict(os.environ, PYTHONPATH=str(REPO)),
        cwd=REPO,
    )

    async def delete_elsewhere(pattern_id: str) -> float:
        """The other process's admin deletes ``pattern_id``; returns when its commit returned."""
        other.stdin.write(pattern_id.encode() + b"\n")
        await other.stdin.drain()
        return float(await other.stdout.readline())

    def live(pattern_id: str) -> bool:
        return pattern_id in here.kb.by_id()

    try:
        assert await other.stdout.readline() == b"ready\n"
        await until(lambda: listening(postgres_url), within=10)

        committed = await delete_elsewhere("prize_lottery_brand_tv_show_pay_tax_first")
        seen = await until(lambda: not live("prize_lottery_brand_tv_show_pay_tax_first"), within=5)
        assert seen - committed < 1.0

        # The listening connection dies (a server restart, a proxy timeout): a change made meanwhile is
        # picked up on reconnect, and notifications flow again afterwards.
        lost = terminate_listeners(postgres_url)
        assert lost
        await delete_elsewhere("romance_scam_ai_partner_never_meets")
        await until(lambda: not live("romance_scam_ai_partner_never_meets"), within=15)
        await until(lambda: listening(postgres_url) - lost, within=15)

        committed = await delete_elsewhere("deepfake_video_call_friend_loan")
        seen = await until(lambda: not live("deepfake_video_call_friend_loan"), within=5)
        assert seen - committed < 1.0
        assert repo.revision() == service._revision
    finally:
        watcher.cancel()
        await asyncio.gather(watcher, return_exceptions=True)
        other.stdin.close()
        await asyncio.wait_for(other.wait(), 30)
        repo.close()
