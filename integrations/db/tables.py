"""SQLModel tables: the only place with `table=True`. Datetimes are stored timezone-aware (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Stores UTC and always returns aware datetimes (SQLite keeps no offset of its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def _dt(nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(UtcDateTime(), nullable=nullable)


class PersonRow(SQLModel, table=True):
    """Directory cache: who a Teams user is, refreshed from the directory."""

    __tablename__ = "person"
    aad_object_id: str = Field(primary_key=True, max_length=64)
    tenant_id: str = Field(default="", max_length=64)
    display_name: str = Field(default="", max_length=256)
    email: str = Field(default="", max_length=256)
    manager_id: str | None = Field(default=None, max_length=64)
    is_guest: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_dt())


class ConversationRefRow(SQLModel, table=True):
    """Where the bot can reach someone or something proactively.

    `ref_key` is `user:<tenant>:<aadObjectId>` for personal chats and `conv:<conversation id>`
    for channels and group chats.
    """

    __tablename__ = "conversation_ref"
    ref_key: str = Field(primary_key=True, max_length=300)
    tenant_id: str = Field(default="", max_length=64, index=True)
    aad_object_id: str | None = Field(default=None, max_length=64, index=True)
    conversation_id: str = Field(max_length=300)
    conversation_type: str = Field(default="personal", max_length=32)
    service_url: str = Field(max_length=500)
    reference: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    locale: str = Field(default="", max_length=20)
    unreachable: bool = False
    last_error: str = Field(default="", max_length=500)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_dt())


class DialogStateRow(SQLModel, table=True):
    """botbuilder Storage on SQL: one JSON document per key, with an eTag for optimistic writes."""

    __tablename__ = "dialog_state"
    key: str = Field(primary_key=True, max_length=500)
    data: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    etag: str = Field(max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_dt())


class AuditRow(SQLModel, table=True):
    """Append-only audit log; each row carries the SHA-256 of the previous row (a hash chain)."""

    __tablename__ = "audit_log"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_dt())
    actor: str = Field(max_length=64)
    on_behalf_of: str | None = Field(default=None, max_length=64)
    action: str = Field(max_length=64)
    subject: str = Field(max_length=64, index=True)
    details: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class OutboxRow(SQLModel, table=True):
    """A proactive message waiting to be delivered. Written in the same transaction as its cause."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(max_length=200, unique=True)
    recipient: str = Field(max_length=300, index=True)
    payload: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    status: str = Field(default="pending", max_length=20)
    attempts: int = 0
    next_attempt_at: datetime = Field(sa_column=_dt())
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    last_error: str = Field(default="", max_length=500)
    activity_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(sa_column=_dt())
    sent_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))


class CaseCounterRow(SQLModel, table=True):
    """Next case number per prefix and year (ANS-2026-0042), incremented atomically."""

    __tablename__ = "case_counter"
    prefix: str = Field(primary_key=True, max_length=8)
    year: int = Field(primary_key=True)
    value: int = 0


class NeedRow(SQLModel, table=True):
    """A filed needs report (behovsmelding). The answers are kept as JSON; rules' results beside."""

    __tablename__ = "need"
    __table_args__ = (sa.UniqueConstraint("requester_id", "draft_id", name="uq_need_draft"),)
    id: int | None = Field(default=None, primary_key=True)
    draft_id: str | None = Field(default=None, max_length=32)
    case_number: str = Field(max_length=20, unique=True)
    tenant_id: str = Field(default="", max_length=64)
    requester_id: str = Field(max_length=64, index=True)
    requester_name: str = Field(default="", max_length=256)
    title: str = Field(max_length=300)
    service_area: str = Field(default="", max_length=64)
    answers: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    estimated_total: int = 0
    tier: str = Field(default="", max_length=32)
    checklist: str = Field(default="[]", sa_column=sa.Column(sa.Text, nullable=False))
    status: str = Field(default="innsendt", max_length=32, index=True)
    version: int = 1  # +1 on every change; card clicks carry it (optimistic check)
    locale: str = Field(default="nb", max_length=8)
    created_at: datetime = Field(sa_column=_dt())
    updated_at: datetime = Field(sa_column=_dt())
    approver_id: str | None = Field(default=None, max_length=64, index=True)
    approver_name: str = Field(default="", max_length=256)
    decided_by: str | None = Field(default=None, max_length=64)
    decided_by_name: str = Field(default="", max_length=256)
    decided_on_behalf_of: str | None = Field(default=None, max_length=64)
    decided_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    decision_comment: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    info_question: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    info_answer: str | None = Field(default=None, sa_column=sa.Column(sa.Text))
    triaged_by: str | None = Field(default=None, max_length=64)
    triaged_by_name: str = Field(default="", max_length=256)
    triaged_at: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    triage_outcome: str | None = Field(default=None, max_length=32)
    triage_note: str | None = Field(default=None, sa_column=sa.Column(sa.Text))


class CardCopyRow(SQLModel, table=True):
    """One delivered copy of a case's card (approval or triage), so it can be edited in place.

    `idempotency_key` is the outbox key of the message that posted the copy; the worker finds
    the Teams activity id there once it is sent.
    """

    __tablename__ = "card_copy"
    __table_args__ = (
        sa.UniqueConstraint("case_number", "purpose", "recipient", name="uq_card_copy"),
    )
    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(max_length=20, index=True)
    purpose: str = Field(max_length=16)
    recipient: str = Field(max_length=300)
    view: str = Field(max_length=16)
    idempotency_key: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=_dt())


class NotificationPreferenceRow(SQLModel, table=True):
    """How a person wants their reminders: one by one (the default, no row) or a daily digest."""

    __tablename__ = "notification_preference"
    person_id: str = Field(primary_key=True, max_length=200)
    tenant_id: str = Field(max_length=100)
    daily_digest: bool = Field(default=False, index=True)
    updated_at: datetime = Field(sa_column=_dt())


class RoomSagaRow(SQLModel, table=True):
    """The collaboration room of an accepted case: the saga's current step and what it learned.

    Queued in the same transaction as the acceptance; the worker advances it one step at a time,
    storing each step (`team_id`, `operation_id`, ...) so a restart resumes where it stopped.
    `claimed_by`/`claimed_until` are a lease: one worker at a time runs a saga.
    """

    __tablename__ = "room_saga"
    __table_args__ = (sa.Index("ix_room_saga_due", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    case_number: str = Field(max_length=20, unique=True)
    tenant_id: str = Field(default="", max_length=64)
    mode: str = Field(max_length=16)
    display_name: str = Field(max_length=300)
    description: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    advisor_id: str = Field(max_length=64)
    members: str = Field(default="[]", sa_column=sa.Column(sa.Text, nullable=False))
    step: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=16)
    version: int = 1
    team_id: str | None = Field(default=None, max_length=200)
    operation_id: str | None = Field(default=None, max_length=200)
    channel_id: str | None = Field(default=None, max_length=300)
    web_url: str = Field(default="", max_length=1000)
    attempts: int = 0
    round: int = 1
    uncertain_since: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    not_found_since: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    last_error: str = Field(default="", max_length=1000)
    next_attempt_at: datetime = Field(sa_column=_dt())
    claimed_by: str | None = Field(default=None, max_length=64)
    claimed_until: datetime | None = Field(default=None, sa_column=_dt(nullable=True))
    created_at: datetime = Field(sa_column=_dt())
    updated_at: datetime = Field(sa_column=_dt())
