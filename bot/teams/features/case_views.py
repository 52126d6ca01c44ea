""" "Mine saker" as cards: the list of both kinds, and one needs case in detail (a deviation opens
as its own follow-up card, see deviation_views.py). No decisions are made here."""

from __future__ import annotations

from typing import Any

from bot.core.domain.deviation_records import DeviationCase
from bot.core.domain.my_cases import DeviationItem, MyCases, NeedItem, room_link, room_state
from bot.core.domain.need_fields import IntakeContext, summary_rows
from bot.core.domain.needs import NeedDraft
from bot.core.i18n import t
from bot.core.services.needs import Assessment
from bot.teams.features.need_views import tier_texts
from cards.models import CaseDetailCard, CaseEntry, CaseListCard


def room_text(item: NeedItem, lang: str) -> str:
    state = room_state(item.room)
    return t(f"cases.room.{state}", lang) if state else ""


def ready_link(item: NeedItem) -> str:
    """The room's link once the room is ready (before that its people are not all in it)."""
    return room_link(item.room) if room_state(item.room) == "ready" else ""


def deviation_contract(case: DeviationCase, lang: str) -> str:
    """`Kontorrekvisita (AV-2024-001)`, or "Ukjent avtale" (never a value of the contract)."""
    if not case.contract_number:
        return case.contract_title or t("deviation.contract_unknown", lang)
    return f"{case.contract_title or case.supplier} ({case.contract_number})"


def _need_entry(item: NeedItem, lang: str) -> CaseEntry:
    case = item.case
    return CaseEntry(
        case_id=case.case_number,
        number=case.case_number,
        title=case.title,
        status=t(f"need.status.{case.status}", lang),
        when=case.created_at,
        kind=t("cases.kind.need", lang),
        room_text=room_text(item, lang),
        room_url=ready_link(item),
    )


def _deviation_entry(item: DeviationItem, lang: str) -> CaseEntry:
    case = item.case
    status = " · ".join(
        (
            t(f"deviation.category.{case.category}", lang),
            t(f"deviation.severity.{case.severity}", lang),
            t(f"deviation.state.{case.state}", lang),
        )
    )
    return CaseEntry(
        case_id=case.case_number,
        number=case.case_number,
        title=deviation_contract(case, lang),
        status=status,
        when=case.created_at,
        kind=t("cases.kind.deviation", lang),
    )


def case_list_card(cases: MyCases, lang: str) -> dict[str, Any]:
    entries = [
        _need_entry(item, lang) if isinstance(item, NeedItem) else _deviation_entry(item, lang)
        for item in cases.items
    ]
    return CaseListCard.build(lang, cases=entries, total=cases.total).render()


def need_detail_card(
    item: NeedItem, assessment: Assessment, context: IntakeContext
) -> dict[str, Any]:
    lang = context.lang
    case = item.case
    draft = NeedDraft.from_dict(case.answers)
    tier_name, tier_lines = tier_texts(assessment, lang)
    rows = [(t(key, lang), value) for key, value in summary_rows(draft, context)]
    return CaseDetailCard.build(
        lang,
        case_id=case.case_number,
        number=case.case_number,
        title=case.title,
        status=t(f"need.status.{case.status}", lang),
        rows=rows,
        total=case.estimated_total,
        tier_name=tier_name,
        tier_lines=tier_lines,
        checklist=[t(key, lang) for key in case.checklist],
        room_text=room_text(item, lang),
        room_url=ready_link(item),
    ).render()
