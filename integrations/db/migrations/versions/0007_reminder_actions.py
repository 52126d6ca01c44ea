"""contract reminder actions: decision fields, snoozes, delivery notes, and option requests

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
# The merger re-chains this after the other helpers' 0005 and 0006.
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contract_reminder", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("decided_by_name", sa.String(length=256), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("sends", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("delivery_note", sa.Text(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_contract_reminder_snooze_until"), ["snooze_until"], unique=False
        )

    op.create_table(
        "option_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("contract_number", sa.String(length=64), nullable=False),
        sa.Column("milestone", sa.String(length=32), nullable=False),
        sa.Column("requester_id", sa.String(length=64), nullable=False),
        sa.Column("requester_name", sa.String(length=256), nullable=False),
        sa.Column("approver_id", sa.String(length=64), nullable=False),
        sa.Column("approver_name", sa.String(length=256), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_by_name", sa.String(length=256), nullable=False),
        sa.Column("decided_on_behalf_of", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["contract_number"], ["contract.number"]),
        sa.ForeignKeyConstraint(["reminder_id"], ["contract_reminder.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("option_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_option_request_reminder_id"), ["reminder_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("option_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_option_request_reminder_id"))
    op.drop_table("option_request")
    with op.batch_alter_table("contract_reminder", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contract_reminder_snooze_until"))
        batch_op.drop_column("delivery_note")
        batch_op.drop_column("sends")
        batch_op.drop_column("decided_by_name")
