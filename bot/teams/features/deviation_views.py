"""Turn deviation prompts, drafts and cases into cards (no decisions are made here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.domain import deviation as rules
from bot.core.domain.contracts import Contract
from bot.core.domain.deviation_fields import FIELDS, DeviationDraft
from bot.core.domain.deviation_intake import DeviationSession, Prompt
from bot.core.domain.deviation_records import DeviationCase, DeviationCount
from bot.core.formatting import format_date
from bot.core.i18n import t
from cards import verbs
from cards.models import QuestionCard
from cards.models.deviation import (
    DeviationCard,
    DeviationFormCard,
    DeviationStatsCard,
    DeviationSummaryCard,
    when,
)

MAX_MATCHES = 5  # buttons for contracts, plus "Vet ikke"


def _choice_title(value: str, key: str, lang: str) -> str:
    return t(key, lang) if key else value


def question_card(
    prompt: Prompt,
    lang: str,
    *,
    matches: Sequence[Contract] = (),
) -> dict[str, Any]:
    """A question, a re-ask with the error, help, or the contract matches as buttons."""
    error = None
    if prompt.kind == "invalid" and prompt.field:
        error = t(prompt.message_key, lang, **prompt.params)
        text = t(f"deviation.field.{prompt.field}.question", lang)
    elif prompt.kind == "search" and not matches:
        text = t("deviation.field.contract.none", lang, **prompt.params)
    else:
        text = t(prompt.message_key, lang, **prompt.params)
    options = [
        (f"#{c.number}", f"{c.supplier} – {c.title} ({c.number})"[:100])
        for c in matches[:MAX_MATCHES]
    ]
    options += [(value, _choice_title(value, key, lang)) for value, key in prompt.choices]
    step = None
    if prompt.field in FIELDS:
        step = (FIELDS.index(prompt.field) + 1, len(FIELDS))
    return QuestionCard.build(
        lang,
        text=text,
        error=error,
        options=options,
        step=step,
        verb=verbs.DEVIATION_ANSWER,
    ).render()


def draft_rows(draft: DeviationDraft, lang: str) -> list[tuple[str, str]]:
    contract = (
        t("deviation.contract_unknown", lang)
        if draft.contract_unknown
        else f"{draft.contract_title or ''} ({draft.contract_number or ''})"
    )
    rows = [(t("deviation.row.contract", lang), contract)]
    if draft.supplier:
        rows.append((t("deviation.row.supplier", lang), draft.supplier))
    rows += [
        (
            t("deviation.row.category", lang),
            t(f"deviation.category.{draft.category}", lang) if draft.category else "–",
        ),
        (t("deviation.row.observed_on", lang), format_date(draft.observed_on, lang)),
        (
            t("deviation.row.severity", lang),
            t(f"deviation.severity.{draft.severity}", lang) if draft.severity else "–",
        ),
        (t("deviation.row.unit", lang), draft.unit or "–"),
        (t("deviation.field.description.label", lang), draft.description or "–"),
    ]
    return rows


def summary_card(session: DeviationSession, lang: str, draft_id: str) -> dict[str, Any]:
    draft = session.draft
    notes = []
    if draft.category and rules.needs_control(draft.category):
        notes.append(t("deviation.summary.control", lang))
    if draft.contract_unknown:
        notes.append(t("deviation.summary.unknown_contract", lang))
    return DeviationSummaryCard.build(
        lang,
        draft_id=draft_id,
        rows=draft_rows(draft, lang),
        attachments=[(a["name"], a["url"]) for a in draft.attachments],
        notes=notes,
        editable_fields=[(name, t(f"deviation.field.{name}.label", lang)) for name in FIELDS],
    ).render()


def form_card(
    lang: str, values: dict[str, Any], errors: dict[str, str], draft_id: str
) -> dict[str, Any]:
    return DeviationFormCard.build(
        lang,
        categories=[(c, t(f"deviation.category.{c}", lang)) for c in rules.CATEGORIES],
        severities=[(s, t(f"deviation.severity.{s}", lang)) for s in rules.SEVERITIES],
        values=values,
        errors={name: t(key, lang) for name, key in errors.items()},
        draft_id=draft_id,
    ).render()


class DeviationCardRenderer:
    """The `DeviationCards` port on cards/: the follow-up card of a stored case."""

    def __init__(self, clock: Clock, tz: str) -> None:
        self._clock = clock  # today's date is the deadline input's minimum
        self._tz = ZoneInfo(tz)

    def deviation_card(
        self, case: DeviationCase, *, view: str, lang: str, notice: str | None = None
    ) -> dict[str, Any]:
        rows = [
            (t("deviation.row.supplier", lang), case.supplier or "–"),
            (t("deviation.row.category", lang), t(f"deviation.category.{case.category}", lang)),
            (t("deviation.row.severity", lang), t(f"deviation.severity.{case.severity}", lang)),
            (t("deviation.row.observed_on", lang), format_date(case.observed_on, lang)),
            (t("deviation.row.unit", lang), case.unit or "–"),
            (t("deviation.row.reporter", lang), case.reporter_name or "–"),
            (t("deviation.row.registered", lang), when(case.created_at, lang)),
            (
                t("deviation.row.manager", lang),
                case.manager_name or t("deviation.procurement", lang),
            ),
        ]
        if case.acknowledged_by_name:
            rows.append((t("deviation.row.acknowledged", lang), case.acknowledged_by_name))
        if case.response_deadline:
            rows.append(
                (t("deviation.row.deadline", lang), format_date(case.response_deadline, lang))
            )
        if case.outcome and case.state == rules.TIL_GODKJENNING:
            rows.append(
                (t("deviation.row.sanction", lang), t(f"deviation.outcome.{case.outcome}", lang))
            )
            rows.append((t("deviation.row.proposed_by", lang), case.closed_by_name or "–"))
        elif case.outcome:
            rows.append(
                (t("deviation.row.outcome", lang), t(f"deviation.outcome.{case.outcome}", lang))
            )
            rows.append((t("deviation.row.closed_by", lang), case.closed_by_name or "–"))
        if case.sanction_decided_by_name and case.state != rules.TIL_GODKJENNING:
            rows.append(
                (t("deviation.row.sanction_decided_by", lang), case.sanction_decided_by_name)
            )
        if case.last_note:
            rows.append((t("deviation.row.note", lang), case.last_note))
        contract = case.contract_title or t("deviation.contract_unknown", lang)
        if case.contract_number:
            contract = f"{contract} ({case.contract_number})"
        shown = view if view in ("actor", "readonly", "closed", "sanction") else "readonly"
        today = self._clock.now().astimezone(self._tz).date()
        return DeviationCard.build(
            lang,
            view=shown,  # type: ignore[arg-type]
            case_id=case.case_number,
            version=case.version,
            number=case.case_number,
            contract=contract,
            state=t(f"deviation.state.{case.state}", lang),
            state_id=case.state,
            rows=rows,
            description=case.description,
            attachments=[(a.get("name", ""), a.get("url", "")) for a in case.attachments],
            outcomes=[(o, t(f"deviation.outcome.{o}", lang)) for o in rules.OUTCOMES],
            control=case.control_followup,
            notice=notice,
            today=today,
        ).render()


def stats_card(
    query: str, contracts: Sequence[Contract], counts: Sequence[DeviationCount], lang: str
) -> dict[str, Any]:
    by_category: dict[str, dict[str, int]] = {}
    for count in counts:
        by_category.setdefault(count.category, {})[count.state] = count.count
    rows = []
    for category in rules.CATEGORIES:
        states = by_category.get(category)
        if not states:
            continue
        parts = [
            f"{states[s]} {t(f'deviation.state.{s}', lang).lower()}"
            for s in rules.STATES
            if states.get(s)
        ]
        rows.append((t(f"deviation.category.{category}", lang), " · ".join(parts)))
    total = sum(c.count for c in counts)
    open_ = sum(c.count for c in counts if c.state in rules.OPEN_STATES)
    names = ", ".join(f"{c.number} {c.supplier}" for c in contracts)
    return DeviationStatsCard.build(
        lang,
        heading=t("deviation.stats.heading", lang, query=query),
        subject=t("deviation.stats.subject", lang, contracts=names),
        rows=rows,
        totals=t("deviation.stats.totals", lang, total=total, open=open_),
        empty=t("deviation.stats.empty", lang),
    ).render()
