"""Alembic's entry point: the models are the target; the bot passes its own connection.

At start-up ``bot.storage.migrate`` hands over a connection that already holds the
migration lock. From the command line (``alembic -c bot/storage/migrations/alembic.ini …``)
the database is ``DATABASE_URL``, else the ini file's ``sqlalchemy.url``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy.engine import Connection

from bot.storage.database import SQLITE, sync_engine
from bot.storage.migrate import ours
from bot.storage.models import Base


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        # SQLite cannot ALTER most things: later revisions rebuild tables in batch mode there.
        render_as_batch=connection.dialect.name == SQLITE,
        compare_type=True,
        include_name=ours,  # procrastinate's tables are made by revision 0003 from its own SQL, not from models
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    if context.is_offline_mode():
        raise SystemExit("offline (--sql) migrations are not supported: run against a database")
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = os.environ.get("DATABASE_URL") or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set DATABASE_URL (or sqlalchemy.url in the ini file)")
    engine = sync_engine(url)
    try:
        with engine.begin() as connection:
            run_migrations(connection)
    finally:
        engine.dispose()


main()
