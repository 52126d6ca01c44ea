"""The deviation (avvik) table. Answers are columns: they are counted and filtered on."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from integrations.db.tables import UtcDateTime


def _dt(nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(UtcDateTime(), nullable=nullable)


class DeviationRow(SQLModel, table=True):
    """One reported deviation. `version` +1 on every state change (card clicks carry it);
    `escalated_at` and `reminded_for` are bookkeeping of the reminder loop (no version bump)."""

    __tablename__ = "deviation"
    __table_args__ = (sa.UniqueConstraint("reporter_id", "draft_id", name="uq_deviation_draft"),)
    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(max_length=20, unique=True)
    draft_id: str | None = Field(default=None, max_length=32)
    tenant_id: str = Field(default="", max_length=64)
    reporter_id: str = Field(max_length=64, index=True)
    reporter_name: str = Field(default="", max_length=256)
    locale: str = Field(default="nb", max_length=8)
    contract_number: str | None = Field(default=None, max_length=64, index=True)
    contract_title: str = Field(default="", max_length=300)
    supplier: str = Field(default="", max_length=300)
    manager_id: str | None = Field(default=None, max_length=64)
    manager_name: str = Field(default="", max_length=256)
    owner_id: str | None = Field(default=None, max_length=64)
    owner_name: str = Field(default="", max_length=256)
    service_area: str = Field(default="", max_length=128)
    category: str = Field(max_length=32)
    description: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    observed_on: date | None = None
    severity: str = Field(max_length=16)
    unit: str = Field(default="", max_length=200)
    attachments: str = Field(default="[]", sa_column=sa.Column(sa.Text, nullable=False))
    control_followup: bool = False
    state: str = Field(default="registrert", max_length=20, index=True)
    version: int = 1
    created_at: datetime = Field(sa_column=_dt())
    updated_at: datetime = Field(sa_column=_dt())
    acknowledged_by: str | None = Field(default=None, max_length=64)
    acknowledged_by_name: str = Field(default="", max_length=256)
    acknowledged_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    reclaimed_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    response_deadline: date | None = None
    closed_by: str | None = Field(default=None, max_length=64)
    closed_by_name: str = Field(default="", max_length=256)
    closed_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    outcome: str | None = Field(default=None, max_length=20)
    last_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    # 0010: a sanction proposed by closed_by waits for the avtaleeier's decision
    sanction_proposed_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    sanction_decided_by: str | None = Field(default=None, max_length=64)
    sanction_decided_by_name: str = Field(default="", max_length=256)
    escalated_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    reminded_for: date | None = None
