"""The approval and triage cards of a stored case (the `NeedCards` port, built on cards/)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.core.domain import approval as rules
from bot.core.domain.directory import Directory
from bot.core.domain.need_fields import IntakeContext, summary_rows
from bot.core.domain.needs import NeedDraft
from bot.core.domain.records import NeedCase
from bot.core.i18n import t
from bot.core.services.needs import NeedRules, assess
from cards.models import ApprovalCard, ApprovalDecision, TriageCard, TriageDecision
from cards.models.approval import ApprovalOutcome
from cards.models.triage import TriageOutcome

_TRIAGE_HIDDEN = frozenset({"need.field.service_area.label", "need.field.description.label"})


class CaseCards:
    """Renders a case's cards; reads only the YAML-backed parts of the directory (service areas),
    so it is fast enough inside an invoke."""

    def __init__(self, directory_of: Callable[[], Directory], rules_: NeedRules) -> None:
        self._directory_of = directory_of
        self._rules = rules_

    async def _context(self, case: NeedCase, lang: str) -> IntakeContext:
        areas = await self._directory_of().service_areas()
        return IntakeContext(
            today=case.created_at.date(),
            service_areas=[(area.id, area.name) for area in areas],
            vat_percent=self._rules.vat_percent,
            lang=lang,
        )

    def _qa_rows(self, case: NeedCase, lang: str) -> list[tuple[str, str]]:
        rows: list[tuple[str, str]] = []
        if case.info_question:
            rows.append((t("approval.row.question", lang), case.info_question))
            rows.append(
                (
                    t("approval.row.answer", lang),
                    case.info_answer or t("approval.row.no_answer", lang),
                )
            )
        return rows

    async def approval_card(
        self,
        case: NeedCase,
        *,
        view: str,
        lang: str,
        refresh_user_ids: Sequence[str] = (),
        notice: str | None = None,
    ) -> dict[str, Any]:
        context = await self._context(case, lang)
        draft = NeedDraft.from_dict(case.answers)
        rows = [(t(key, lang), value) for key, value in summary_rows(draft, context)]
        rows += self._qa_rows(case, lang)
        decision = None
        if view == "decided":
            outcome: ApprovalOutcome = _approval_outcome(case.status)
            decision = ApprovalDecision(
                outcome,
                case.decided_by_name or case.decided_by or "",
                case.decided_at or case.updated_at,
                on_behalf_of=case.approver_name if case.decided_on_behalf_of else None,
                comment=case.decision_comment,
            )
        return ApprovalCard.build(
            lang,
            view=_approval_view(view),
            case_id=case.case_number,
            version=case.version,
            number=case.case_number,
            title=case.title,
            requester=case.requester_name,
            approver=case.approver_name,
            rows=rows,
            total=case.estimated_total,
            tier_name=t(f"need.tier.{case.tier}", lang),
            status=t(f"need.status.{case.status}", lang),
            refresh_user_ids=refresh_user_ids,
            decision=decision,
            notice=notice,
        ).render()

    async def triage_card(
        self, case: NeedCase, *, lang: str, notice: str | None = None, readonly: bool = False
    ) -> dict[str, Any]:
        context = await self._context(case, lang)
        draft = NeedDraft.from_dict(case.answers)
        rows = [
            (t(key, lang), value)
            for key, value in summary_rows(draft, context)
            if key not in _TRIAGE_HIDDEN and key != "need.field.title.label"
        ]
        rows.insert(0, (t("approval.row.approved_by", lang), _approved_by(case, lang)))
        rows += self._qa_rows(case, lang)
        assessment = assess(draft, self._rules, on=case.created_at.date())
        area = dict(context.service_areas).get(case.service_area, case.service_area)
        decision = None
        if case.status not in (rules.GODKJENT,) and case.status in rules.TRIAGE_OUTCOME_OF_STATUS:
            outcome: TriageOutcome = _triage_outcome(case.status)
            decision = TriageDecision(
                outcome,
                case.triaged_by_name or case.triaged_by or "",
                case.triaged_at or case.updated_at,
                note=case.triage_note,
            )
        return TriageCard.build(
            lang,
            case_id=case.case_number,
            version=case.version,
            number=case.case_number,
            title=case.title,
            requester=case.requester_name,
            service_area=area or "–",
            description=draft.description or "–",
            rows=rows,
            total=case.estimated_total,
            tier_name=t(f"need.tier.{case.tier}", lang),
            tier_lines=[t(key, lang) for key in assessment.classification.consequences],
            decision=decision,
            notice=notice,
            readonly=readonly,
        ).render()


def _approved_by(case: NeedCase, lang: str) -> str:
    name = case.decided_by_name or case.decided_by or ""
    if case.decided_on_behalf_of:
        return t("approval.on_behalf", lang, actor=name, approver=case.approver_name)
    return name or "–"


def _approval_view(view: str) -> Any:
    if view not in ("approver", "requester", "readonly", "decided"):
        raise ValueError(f"unknown approval view {view}")
    return view


def _approval_outcome(status: str) -> Any:
    return rules.OUTCOME_OF_STATUS.get(status, "approved")


def _triage_outcome(status: str) -> Any:
    return rules.TRIAGE_OUTCOME_OF_STATUS[status]
