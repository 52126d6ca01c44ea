"""need.draft_id: sending the same chat draft twice files one case

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
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
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.add_column(sa.Column("draft_id", sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint("uq_need_draft", ["requester_id", "draft_id"])


def downgrade() -> None:
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_constraint("uq_need_draft", type_="unique")
        batch_op.drop_column("draft_id")
