"""deviations (avvik) and their follow-up

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
# The merger re-chains this after 0005 (collaboration rooms), which is built in parallel.
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _dt(name: str, nullable: bool = True) -> sa.Column[sa.DateTime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "deviation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=20), nullable=False),
        sa.Column("draft_id", sa.String(length=32), nullable=True),
        sa.Column("tenant_id", sa.String(length=64), nullable=False),
        sa.Column("reporter_id", sa.String(length=64), nullable=False),
        sa.Column("reporter_name", sa.String(length=256), nullable=False),
        sa.Column("locale", sa.String(length=8), nullable=False),
        sa.Column("contract_number", sa.String(length=64), nullable=True),
        sa.Column("contract_title", sa.String(length=300), nullable=False),
        sa.Column("supplier", sa.String(length=300), nullable=False),
        sa.Column("manager_id", sa.String(length=64), nullable=True),
        sa.Column("manager_name", sa.String(length=256), nullable=False),
        sa.Column("owner_id", sa.String(length=64), nullable=True),
        sa.Column("owner_name", sa.String(length=256), nullable=False),
        sa.Column("service_area", sa.String(length=128), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("observed_on", sa.Date(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("attachments", sa.Text(), nullable=False),
        sa.Column("control_followup", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _dt("created_at", nullable=False),
        _dt("updated_at", nullable=False),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        sa.Column("acknowledged_by_name", sa.String(length=256), nullable=False),
        _dt("acknowledged_at"),
        _dt("reclaimed_at"),
        sa.Column("response_deadline", sa.Date(), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("closed_by_name", sa.String(length=256), nullable=False),
        _dt("closed_at"),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("last_note", sa.Text(), nullable=True),
        _dt("escalated_at"),
        sa.Column("reminded_for", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_number"),
        sa.UniqueConstraint("reporter_id", "draft_id", name="uq_deviation_draft"),
    )
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deviation_reporter_id"), ["reporter_id"])
        batch_op.create_index(batch_op.f("ix_deviation_contract_number"), ["contract_number"])
        batch_op.create_index(batch_op.f("ix_deviation_state"), ["state"])


def downgrade() -> None:
    with op.batch_alter_table("deviation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deviation_state"))
        batch_op.drop_index(batch_op.f("ix_deviation_contract_number"))
        batch_op.drop_index(batch_op.f("ix_deviation_reporter_id"))
    op.drop_table("deviation")
