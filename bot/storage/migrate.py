"""Schema by migration: ``alembic upgrade head`` at start-up, one process at a time.

Every process that opens the database (the bot, a second worker, the CLI) calls
:func:`upgrade` first. Two starting at once must not both create the tables, so the
upgrade runs under a lock the database engine understands: a transaction-scoped
advisory lock on PostgreSQL (whose DDL is transactional: the second process waits,
then finds the schema at head), and a lock file next to the SQLite database.
"""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from alembic import command
from alembic.config import Config
from filelock import FileLock
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Connection

from bot.storage.database import POSTGRES, sqlite_file, sync_engine

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"  # the schema that Base.metadata.create_all made before migrations
ADVISORY_LOCK = 7_140_214  # any constant shared by all bot processes; "schema migration" in this database
LOCK_TIMEOUT_SECONDS = 120


QUEUE_PREFIX = "procrastinate_"
"""procrastinate's tables: made by revision 0003 from its own SQL, so not compared with our models."""


def ours(name: str | None, type_: str, _parents: object) -> bool:
    """Autogenerate's filter: our tables, not the queue's."""
    return not (type_ == "table" and (name or "").startswith(QUEUE_PREFIX))


def alembic_config(connection: Connection | None = None) -> Config:
    """Alembic's configuration without an ini file: the bundled scripts, and our connection if given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def upgrade(url: str | URL) -> None:
    """Bring the database at ``url`` to the newest schema (nothing to do when it is there already)."""
    engine = sync_engine(url)
    try:
        with _file_lock(url), engine.begin() as connection:
            if connection.dialect.name == POSTGRES:
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADVISORY_LOCK})
            config = alembic_config(connection)
            if _made_before_migrations(connection):
                log.info("database created before migrations: marking it as revision %s", BASELINE)
                command.stamp(config, BASELINE)
            command.upgrade(config, "head")
    finally:
        engine.dispose()


def _made_before_migrations(connection: Connection) -> bool:
    tables = set(inspect(connection).get_table_names())
    return "alembic_version" not in tables and "kb_meta" in tables


def _file_lock(url: str | URL) -> AbstractContextManager[object]:
    path = sqlite_file(url)
    if path is None:  # PostgreSQL locks inside the database; in-memory SQLite has one user
        return nullcontext()
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(f"{path}.migrate.lock", timeout=LOCK_TIMEOUT_SECONDS)
