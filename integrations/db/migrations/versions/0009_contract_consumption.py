"""contract.consumed_value: what has been bought on the agreement ("Forbruk" in the export), so
a reminder comes when it nears the maximum value

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("contract", sa.Column("consumed_value", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contract") as batch:
        batch.drop_column("consumed_value")
