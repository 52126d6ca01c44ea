"""contract register and contract reminders

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
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
    op.create_table(
        "contract",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("supplier", sa.String(length=300), nullable=False),
        sa.Column("org_number", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("final_end_date", sa.Date(), nullable=False),
        sa.Column("options", sa.Text(), nullable=False),
        sa.Column("manager_email", sa.String(length=256), nullable=False),
        sa.Column("service_area", sa.String(length=128), nullable=False),
        sa.Column("contract_type", sa.String(length=64), nullable=False),
        sa.Column("estimated_value", sa.BigInteger(), nullable=True),
        sa.Column("max_value", sa.BigInteger(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("next_reminder_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("number"),
    )
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contract_final_end_date"), ["final_end_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_next_reminder_on"), ["next_reminder_on"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contract_service_area"), ["service_area"], unique=False
        )

    op.create_table(
        "contract_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contract_number", sa.String(length=64), nullable=False),
        sa.Column("milestone", sa.String(length=32), nullable=False),
        sa.Column("lead", sa.String(length=16), nullable=False),
        sa.Column("escalation", sa.Boolean(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("snooze_until", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contract_number"], ["contract.number"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "contract_number", "milestone", "lead", name="uq_contract_reminder_once"
        ),
    )


def downgrade() -> None:
    op.drop_table("contract_reminder")
    with op.batch_alter_table("contract", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_service_area"))
        batch_op.drop_index(batch_op.f("ix_contract_next_reminder_on"))
        batch_op.drop_index(batch_op.f("ix_contract_final_end_date"))
    op.drop_table("contract")
