"""The schema comes from Alembic migrations, the same way on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.storage import Store, migrate
from bot.storage.database import POSTGRES, backend, sync_engine
from bot.storage.models import Base

REPO = Path(__file__).resolve().parent.parent
PRESET = REPO / "knowledge" / "patterns"


def schema_state(url: str) -> tuple[str | None, list[object], set[str]]:
    """(revision, differences between models and database, tables) of the database at ``url``."""
    engine = sync_engine(url)
    try:
        with engine.connect() as connection:
            opts = {"compare_type": True, "include_name": migrate.ours}
            context = MigrationContext.configure(connection, opts=opts)
            tables = {t for t in inspect(connection).get_table_names() if migrate.ours(t, "table", None)}
            return context.get_current_revision(), compare_metadata(context, Base.metadata), tables
    finally:
        engine.dispose()


def queue_tables(url: str) -> set[str]:
    """procrastinate's tables (made by revision 0003 on PostgreSQL only)."""
    engine = sync_engine(url)
    try:
        with engine.connect() as connection:
            return {t for t in inspect(connection).get_table_names() if not migrate.ours(t, "table", None)}
    finally:
        engine.dispose()


def test_migrations_from_empty_give_exactly_the_models_schema(database_url):
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    migrate.upgrade(database_url)
    revision, differences, tables = schema_state(database_url)
    assert revision == head
    assert differences == []
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    expected_queue = {"procrastinate_jobs", "procrastinate_events", "procrastinate_workers"}
    if backend(database_url) == POSTGRES:  # the update queue lives in PostgreSQL only
        assert expected_queue <= queue_tables(database_url)
    else:
        assert queue_tables(database_url) == set()

    migrate.upgrade(database_url)  # the next start: nothing to do, nothing breaks
    engine = sync_engine(database_url)
    try:
        with engine.begin() as connection:
            command.downgrade(migrate.alembic_config(connection), "base")
    finally:
        engine.dispose()
    assert schema_state(database_url)[2] == {"alembic_version"}
    assert queue_tables(database_url) == set()
    migrate.upgrade(database_url)
    assert schema_state(database_url)[:2] == (head, [])


async def test_a_database_created_before_migrations_keeps_its_data(tmp_path):
    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    engine = sync_engine(url)
    # What earlier versions did at start-up: create_all of the models as they were then, which is
    # the baseline revision's schema (today's models have columns that later migrations add).
    with engine.begin() as connection:
        command.upgrade(migrate.alembic_config(connection), migrate.BASELINE)
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(
            text(
                "INSERT INTO group_settings (chat_id, title, alerts_enabled, sensitivity, active, privacy_warned, "
                "added_at) VALUES (-42, 'Old group', 1, 'high', 1, 0, CURRENT_TIMESTAMP)"
            )
        )
    engine.dispose()

    store = Store(url.replace("sqlite://", "sqlite+aiosqlite://"))
    try:
        assert (await store.group(-42)).sensitivity == "high"
    finally:
        await store.close()
    revision, differences, _ = schema_state(url)
    head = ScriptDirectory.from_config(migrate.alembic_config()).get_current_head()
    assert revision == head and differences == []  # stamped as the baseline, then migrated on


START_UP = """
import sys, time
from bot.kb.repository import KnowledgeRepository
from bot.kb.service import seed_if_empty
url, preset, at = sys.argv[1], sys.argv[2], float(sys.argv[3])
time.sleep(max(0.0, at - time.time()))  # both processes start their migration at the same moment
repo = KnowledgeRepository(url)
print(seed_if_empty(repo, __import__("pathlib").Path(preset)))
repo.close()
"""


def test_two_processes_starting_at_once_migrate_and_seed_once(database_url):
    """Two bot processes on a fresh database: one creates the schema and imports the preset, the other waits."""
    env = dict(os.environ, PYTHONPATH=str(REPO), HF_HUB_OFFLINE="1")
    at = time.time() + 4  # after both interpreters have imported the bot
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", START_UP, database_url, str(PRESET), str(at)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=REPO,
        )
        for _ in range(2)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], [err for _, err in results]
    seeded = sorted(int(out.strip()) for out, _ in results)
    patterns = len(list(PRESET.glob("*.yaml")))
    assert seeded == [0, patterns]  # one imported the preset, the other found it there
    assert schema_state(database_url)[1] == []
    engine = sync_engine(database_url)
    try:
        with engine.connect() as connection:
            audited = connection.execute(text("SELECT count(*) FROM kb_audit")).scalar_one()
            revision = connection.execute(text("SELECT value FROM kb_meta WHERE key = 'revision'")).scalar_one()
    finally:
        engine.dispose()
    assert (audited, int(revision)) == (patterns, patterns)
