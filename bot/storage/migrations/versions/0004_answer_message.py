"""Answers remember the message they were sent as, so a button is honoured only on that message.

A 👍/👎 or report button carries the answer's id; binding the stored answer to its chat,
user and Telegram message lets the bot refuse a forged callback that names someone
else's answer. Older rows have no message id and are bound by chat and user only.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("answers") as batch:
        batch.drop_column("message_id")
