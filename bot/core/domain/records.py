"""Plain records that cross the port boundary (the database adapters map rows to these)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ConversationRef:
    """A stored Bot Framework conversation reference and what we know of its reachability."""

    ref_key: str
    tenant_id: str
    conversation_id: str
    service_url: str
    reference: dict[str, Any]
    aad_object_id: str | None = None
    conversation_type: str = "personal"
    locale: str = ""
    unreachable: bool = False
    last_error: str = ""

    @staticmethod
    def user_key(tenant_id: str, aad_object_id: str) -> str:
        return f"user:{tenant_id}:{aad_object_id}"

    @staticmethod
    def conversation_key(conversation_id: str) -> str:
        return f"conv:{conversation_id}"


@dataclass(frozen=True)
class NewOutboxMessage:
    """A message to deliver proactively. `idempotency_key` makes queuing it twice a no-op."""

    idempotency_key: str
    recipient: str  # a ConversationRef.ref_key
    payload: dict[str, Any]


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    idempotency_key: str
    recipient: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str = ""
    activity_id: str | None = None


@dataclass(frozen=True)
class OutboxStats:
    pending: int
    oldest_pending_seconds: float
    by_status: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    hash: str
    on_behalf_of: str | None = None


@dataclass(frozen=True)
class NeedCase:
    """A filed needs report as procurement sees it."""

    id: int
    case_number: str
    requester_id: str
    requester_name: str
    tenant_id: str
    title: str
    service_area: str
    answers: dict[str, Any]
    estimated_total: int
    tier: str
    checklist: list[str]
    status: str
    version: int
    locale: str
    created_at: datetime
    updated_at: datetime
    # Approval (forankring) by the requester's manager, or a stand-in on their behalf.
    approver_id: str | None = None
    approver_name: str = ""
    decided_by: str | None = None
    decided_by_name: str = ""
    decided_on_behalf_of: str | None = None
    decided_at: datetime | None = None
    decision_comment: str | None = None
    # "Be om mer informasjon" / "Trenger avklaring": the last question and the requester's answer.
    info_question: str | None = None
    info_answer: str | None = None
    # Triage by Innkjøpsseksjonen.
    triaged_by: str | None = None
    triaged_by_name: str = ""
    triaged_at: datetime | None = None
    triage_outcome: str | None = None
    triage_note: str | None = None
    # The chat draft it was filed from: sending the same draft twice files one case.
    draft_id: str | None = None


@dataclass(frozen=True)
class CardCopy:
    """One copy of a case's card in some conversation, to edit in place after a change.

    `purpose` is `approval` or `triage`; `view` the view the copy shows its conversation
    (`approver`, `requester`, `triage`); `idempotency_key` the outbox key that posted it.
    """

    case_number: str
    purpose: str
    recipient: str
    view: str
    idempotency_key: str


@dataclass(frozen=True)
class DigestSubscriber:
    """A person who chose one daily digest instead of single reminders."""

    person_id: str
    tenant_id: str
