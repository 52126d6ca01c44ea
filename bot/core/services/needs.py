"""Use cases for needs reports: assess a draft against the rules, file it, list a user's cases."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.core.clock import Clock
from bot.core.domain.checklist import ChecklistItem, build_checklist
from bot.core.domain.errors import ValidationFailed
from bot.core.domain.need_fields import FIELDS
from bot.core.domain.needs import NeedDraft
from bot.core.domain.periods import ContractPeriod
from bot.core.domain.records import ConversationRef, NeedCase
from bot.core.domain.thresholds import (
    Classification,
    ContractType,
    ThresholdSet,
    classify,
    estimate_total,
    select_thresholds,
)
from bot.core.i18n import t
from bot.core.ports import UnitOfWork
from bot.core.services.approvals import ApprovalContext, plan_request, request_approval
from bot.core.services.audit import record
from bot.core.services.conversations import queue_notice

CASE_PREFIX = "ANS"
STATUS_SUBMITTED = "innsendt"


@dataclass(frozen=True)
class NeedRules:
    """The numbers the rules use, from settings (each threshold set with its start date)."""

    thresholds: Sequence[ThresholdSet]
    open_ended_months: int = 48
    vat_percent: int = 25
    green_flag_terms: Sequence[str] = ()


@dataclass(frozen=True)
class Assessment:
    total: int
    classification: Classification
    checklist: list[ChecklistItem]


def assess(draft: NeedDraft, rules: NeedRules, *, on: date) -> Assessment:
    """Estimated total incl. options, the tier it lands in on `on`, and the checklist."""
    annual = draft.annual_value or 0
    period = draft.period or ContractPeriod(base_months=12)
    total = estimate_total(annual, period, rules.open_ended_months)
    thresholds = select_thresholds(rules.thresholds, on)
    classification = classify(total, draft.contract_type or ContractType.VARE, thresholds)
    checklist = build_checklist(draft, classification, green_flag_terms=rules.green_flag_terms)
    return Assessment(total=total, classification=classification, checklist=checklist)


def missing_fields(draft: NeedDraft) -> list[str]:
    return [
        spec.name
        for spec in FIELDS
        if not spec.optional and spec.applies(draft) and getattr(draft, spec.name) is None
    ]


@dataclass(frozen=True)
class FileNeed:
    """Command: file a completed needs report."""

    draft: NeedDraft
    requester_id: str
    requester_name: str
    tenant_id: str
    lang: str
    approver_id: str | None = None  # who approves it (the approval card goes to them)
    approver_name: str = ""
    draft_id: str | None = None  # the chat draft: sending it twice files one case


async def filed_from_draft(requester_id: str, draft_id: str, *, uow: UnitOfWork) -> NeedCase | None:
    async with uow:
        return await uow.needs.get_by_draft(requester_id, draft_id)


async def file_need(
    command: FileNeed,
    *,
    uow: UnitOfWork,
    clock: Clock,
    rules: NeedRules,
    approvals: ApprovalContext | None = None,
) -> NeedCase:
    """Store the need with a fresh case number, audit it and queue the approval card.

    One transaction: the case, its audit entry and its outbox messages (the approval card to the
    approver and an active stand-in, the requester's copy with Trekk tilbake) exist together or
    not at all. Without `approvals` (no card renderer) a text notice goes to the approver.
    """
    missing = missing_fields(command.draft)
    if missing:
        raise ValidationFailed(f"missing: {missing}", message_key="need.missing_fields")
    deciders: list[str] = []
    if approvals is not None and command.approver_id:
        deciders = await plan_request(approvals, command.approver_id)  # directory: before the tx
    now = clock.now()
    assessment = assess(command.draft, rules, on=now.date())
    async with uow:
        if command.draft_id:
            existing = await uow.needs.get_by_draft(command.requester_id, command.draft_id)
            if existing is not None:
                return existing  # sent again after a crash or a double click: one case
        number = await uow.case_numbers.next_number(CASE_PREFIX, now.year)
        case = await uow.needs.add(
            NeedCase(
                id=0,
                draft_id=command.draft_id,
                case_number=number,
                requester_id=command.requester_id,
                requester_name=command.requester_name,
                tenant_id=command.tenant_id,
                title=command.draft.title or "",
                service_area=command.draft.service_area or "",
                answers=command.draft.to_dict(),
                estimated_total=assessment.total,
                tier=assessment.classification.tier.value,
                checklist=[item.key for item in assessment.checklist],
                status=STATUS_SUBMITTED,
                version=1,
                locale=command.lang,
                created_at=now,
                updated_at=now,
                approver_id=command.approver_id,
                approver_name=command.approver_name,
            )
        )
        await record(
            uow,
            clock=clock,
            actor=command.requester_id,
            action="need.submitted",
            subject=number,
            details={
                "title": case.title,
                "estimated_total": assessment.total,
                "tier": case.tier,
                "approver": command.approver_id,
            },
        )
        if approvals is not None and command.approver_id:
            await request_approval(uow, approvals, case, deciders)
        elif command.approver_id:
            await queue_notice(
                uow,
                recipient=ConversationRef.user_key(command.tenant_id, command.approver_id),
                idempotency_key=f"{number}:approval-request",
                clock=clock,
                text=t(
                    "need.approval_notice",
                    "nb",
                    number=number,
                    title=case.title,
                    requester=command.requester_name,
                ),
                card=None,
            )
        await uow.commit()
    return case
