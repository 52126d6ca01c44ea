"""deviation: a sanction (prisavslag, dagbot, tilbakehold, heving, erstatning) waits for the
contract owner's approval: when it was proposed, and who decided it

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deviation") as batch:
        batch.add_column(sa.Column("sanction_proposed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("sanction_decided_by", sa.String(length=64)))
        batch.add_column(
            sa.Column(
                "sanction_decided_by_name", sa.String(length=256), nullable=False, server_default=""
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("deviation") as batch:
        batch.drop_column("sanction_decided_by_name")
        batch.drop_column("sanction_decided_by")
        batch.drop_column("sanction_proposed_at")
