"""The triage card in the procurement section's channel, and its decided view.

Actions (`Action.Execute`, data `{case_id, version}`, each with an `Action.Submit` fallback):
Aksepter (`triage.accept`), Trenger avklaring (`triage.clarify`, input `clarify_question`),
Dekkes av eksisterende avtale (`triage.existing`, input `agreement_ref`), Avvis
(`triage.reject`, input `reject_reason`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import ClassVar, Literal, NamedTuple

from bot.core.formatting import format_nok
from cards.models.base import CardModel, Fact, Line, as_lang, facts, format_when, label, lines
from cards.text import PlainText, UserText

TriageView = Literal["triage", "decided", "readonly"]
TriageOutcome = Literal["accepted", "clarify", "existing", "rejected"]


class TriageDecision(NamedTuple):
    """The advisor's decision; `note` is the question, agreement reference or reason."""

    outcome: TriageOutcome
    decided_by: str
    decided_at: datetime
    note: str | None = None


class TriageCard(CardModel):
    """Data of the triage card; `view` picks what the template shows."""

    template: ClassVar[str] = "triage"
    view: TriageView
    case_id: PlainText
    version: int
    number: UserText
    title: UserText
    requester: UserText
    service_area: UserText
    description: UserText
    facts: list[Fact]
    total: str
    tier_name: UserText
    tier_lines: list[Line]
    outcome: str = ""
    decided_by: UserText = ""
    decided_at: str = ""
    note: UserText = ""
    has_note: bool = False
    notice: UserText = ""  # a short note on top: a refused or stale click
    has_notice: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        case_id: str,
        version: int,
        number: str,
        title: str,
        requester: str,
        service_area: str,
        description: str,
        rows: Sequence[tuple[str, str]],
        total: int | Decimal | None,
        tier_name: str,
        tier_lines: Sequence[str] = (),
        decision: TriageDecision | None = None,
        notice: str | None = None,
        readonly: bool = False,
    ) -> TriageCard:
        """Without `decision` the triage view (`readonly`: the same without buttons, for someone
        who may not triage); with it the decided view."""
        lang_ = as_lang(lang)
        decided: dict[str, object] = {}
        if decision is not None:
            decided = {
                "outcome": label("triage", f"outcome_{decision.outcome}", lang_),
                "decided_by": decision.decided_by,
                "decided_at": format_when(decision.decided_at, lang_),
                "note": decision.note or "",
                "has_note": bool(decision.note),
            }
        return cls.model_validate(
            {
                "lang": lang_,
                "view": "decided"
                if decision is not None
                else ("readonly" if readonly else "triage"),
                "case_id": case_id,
                "version": version,
                "number": number,
                "title": title,
                "requester": requester,
                "service_area": service_area,
                "description": description,
                "facts": facts(rows),
                "total": format_nok(total, lang_),
                "tier_name": tier_name,
                "tier_lines": lines(tier_lines),
                "notice": notice or "",
                "has_notice": bool(notice),
                **decided,
            }
        )
