"""approvals and triage: decision fields on need, and card_copy

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.add_column(sa.Column("approver_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("approver_name", sa.String(length=256), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("decided_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("decided_by_name", sa.String(length=256), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("decided_on_behalf_of", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("decision_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("info_question", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("info_answer", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("triaged_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("triaged_by_name", sa.String(length=256), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("triaged_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("triage_outcome", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("triage_note", sa.Text(), nullable=True))
        batch_op.create_index(batch_op.f("ix_need_approver_id"), ["approver_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_need_status"), ["status"], unique=False)

    op.create_table(
        "card_copy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_number", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("recipient", sa.String(length=300), nullable=False),
        sa.Column("view", sa.String(length=16), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_number", "purpose", "recipient", name="uq_card_copy"),
    )
    with op.batch_alter_table("card_copy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_card_copy_case_number"), ["case_number"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("card_copy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_card_copy_case_number"))
    op.drop_table("card_copy")
    with op.batch_alter_table("need", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_need_status"))
        batch_op.drop_index(batch_op.f("ix_need_approver_id"))
        for column in (
            "triage_note",
            "triage_outcome",
            "triaged_at",
            "triaged_by_name",
            "triaged_by",
            "info_answer",
            "info_question",
            "decision_comment",
            "decided_at",
            "decided_on_behalf_of",
            "decided_by_name",
            "decided_by",
            "approver_name",
            "approver_id",
        ):
            batch_op.drop_column(column)
