"""Tables of the contract register: contracts, and the reminders sent for them (once each)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from integrations.db.tables import UtcDateTime


def _dt(nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(UtcDateTime(), nullable=nullable)


class ContractRow(SQLModel, table=True):
    """One contract from the register (KAV). `content_hash` tells an unchanged re-import apart;
    `next_reminder_on` is when the reminder scan should look at it again (NULL: never)."""

    __tablename__ = "contract"
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=300)
    supplier: str = Field(max_length=300)
    org_number: str = Field(default="", max_length=20)
    start_date: date
    end_date: date
    final_end_date: date = Field(index=True)
    options: str = Field(default="[]", sa_column=sa.Column(sa.Text, nullable=False))
    manager_email: str = Field(default="", max_length=256)
    service_area: str = Field(default="", max_length=128, index=True)
    contract_type: str = Field(default="", max_length=64)
    estimated_value: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, nullable=True)
    )
    max_value: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    # 0009: bought so far ("Forbruk"), for the reminder when it nears the maximum value
    consumed_value: int | None = Field(
        default=None, sa_column=sa.Column(sa.BigInteger, nullable=True)
    )
    # number, title and supplier casefolded in Python (SQLite's lower() knows only ASCII: Ø, Å)
    search_text: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    content_hash: str = Field(max_length=64)
    next_reminder_on: date | None = Field(default=None, index=True)
    created_at: datetime = Field(sa_column=_dt())
    updated_at: datetime = Field(sa_column=_dt())


class ContractReminderRow(SQLModel, table=True):
    """A reminder sent for a contract's milestone at one lead time: one row, ever, per
    (contract, milestone, lead). The decision columns are filled in from the reminder card."""

    __tablename__ = "contract_reminder"
    __table_args__ = (
        sa.UniqueConstraint(
            "contract_number", "milestone", "lead", name="uq_contract_reminder_once"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    contract_number: str = Field(max_length=64, foreign_key="contract.number")
    milestone: str = Field(max_length=32)  # "expiry", "option-2"
    lead: str = Field(max_length=16)  # "12m"
    escalation: bool = False
    due_on: date
    deadline: date
    queued_at: datetime = Field(sa_column=_dt())
    # pending | snoozed | let_expire | started | option_requested | option_exercised
    status: str = Field(default="pending", max_length=20)
    snooze_until: date | None = Field(default=None, index=True)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    version: int = 1
    # 0007: who decided (for the card), how often the reminder came back after a snooze, and
    # what could not be resolved at delivery (sent to the procurement channel instead).
    decided_by_name: str = Field(default="", max_length=256)
    sends: int = 1
    delivery_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))


class OptionRequestRow(SQLModel, table=True):
    """ "Utløs opsjon" from a reminder card: the contract owner's approval of exercising an option
    (four-eyes: never the requester). `version` guards the Godkjenn / Avvis clicks."""

    __tablename__ = "option_request"
    id: int | None = Field(default=None, primary_key=True)
    reminder_id: int = Field(foreign_key="contract_reminder.id", index=True)
    contract_number: str = Field(max_length=64, foreign_key="contract.number")
    milestone: str = Field(max_length=32)
    requester_id: str = Field(max_length=64)
    requester_name: str = Field(default="", max_length=256)
    approver_id: str = Field(max_length=64)
    approver_name: str = Field(default="", max_length=256)
    # pending | approved | rejected
    status: str = Field(default="pending", max_length=20)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_by_name: str = Field(default="", max_length=256)
    decided_on_behalf_of: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    comment: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    created_at: datetime = Field(sa_column=_dt())
    version: int = 1
