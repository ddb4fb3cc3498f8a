"""The update queue: procrastinate's tables (PostgreSQL only) and the handled-updates table.

procrastinate ships its schema as one SQL file (``SchemaManager.get_schema()``); it is
applied here so that one ``alembic upgrade head`` makes the whole database, under the
same migration lock, instead of a second, separately run ``procrastinate schema --apply``.
procrastinate is pinned exactly: a new version's own migrations (in the package's
``sql/migrations``) will come in as a later revision of ours. SQLite has no queue (the
receiver and worker roles need PostgreSQL), so there only ``handled_updates`` is made,
to keep one schema per model on both engines.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_TABLES = ("procrastinate_events", "procrastinate_periodic_defers", "procrastinate_jobs", "procrastinate_workers")
QUEUE_TYPES = ("procrastinate_job_event_type", "procrastinate_job_to_defer_v1", "procrastinate_job_status")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.create_table(
        "handled_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index("ix_handled_updates_handled_at", "handled_updates", ["handled_at"])
    if _postgres():
        from procrastinate.schema import SchemaManager

        # Straight to psycopg without parameters: the file has many statements and literal % signs,
        # which SQLAlchemy's execution would hand to the driver as placeholders. Same transaction.
        with op.get_bind().connection.dbapi_connection.cursor() as cursor:  # type: ignore[union-attr]
            cursor.execute(SchemaManager.get_schema())
        # Ours: a worker with an open burst looks up its chat's next waiting updates (bot.adapter.queue).
        op.execute("CREATE INDEX ix_queue_next_in_chat ON procrastinate_jobs (lock, id) WHERE status = 'todo'")


def downgrade() -> None:
    if _postgres():
        bind = op.get_bind()
        for table in QUEUE_TABLES:
            bind.exec_driver_sql(f"DROP TABLE IF EXISTS {table} CASCADE")
        functions = bind.execute(
            sa.text(
                "SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = current_schema() AND starts_with(p.proname, 'procrastinate_')"
            )
        ).scalars()
        for function in list(functions):
            bind.exec_driver_sql(f"DROP FUNCTION IF EXISTS {function} CASCADE")
        for type_name in QUEUE_TYPES:
            bind.exec_driver_sql(f"DROP TYPE IF EXISTS {type_name} CASCADE")
    op.drop_index("ix_handled_updates_handled_at", table_name="handled_updates")
    op.drop_table("handled_updates")
