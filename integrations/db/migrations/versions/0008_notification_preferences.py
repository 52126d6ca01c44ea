"""notification_preference: a person may choose a daily digest instead of single reminders

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notification_preference",
        sa.Column("person_id", sa.String(length=200), primary_key=True),
        sa.Column("tenant_id", sa.String(length=100), nullable=False),
        sa.Column("daily_digest", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_notification_preference_daily_digest",
        "notification_preference",
        ["daily_digest"],
    )


def downgrade() -> None:
    op.drop_index("ix_notification_preference_daily_digest", "notification_preference")
    op.drop_table("notification_preference")
