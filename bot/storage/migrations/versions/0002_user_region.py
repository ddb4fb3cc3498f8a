"""A user's region (``/region``): which reporting line and Traditional wording their warnings use.

The language becomes optional, since a user may choose a region without choosing a language.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_preferences") as batch:
        batch.add_column(sa.Column("region", sa.String(length=8), nullable=True))
        batch.alter_column("language", existing_type=sa.String(length=8), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM user_preferences WHERE language IS NULL")
    with op.batch_alter_table("user_preferences") as batch:
        batch.alter_column("language", existing_type=sa.String(length=8), nullable=False)
        batch.drop_column("region")
