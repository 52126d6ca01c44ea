"""Turn intake prompts, assessments and stored cases into cards (no decisions are made here)."""

from __future__ import annotations

from typing import Any

from bot.core.domain.need_fields import FIELDS, IntakeContext, field_spec, summary_rows
from bot.core.domain.need_intake import IntakeSession, Prompt
from bot.core.domain.thresholds import Tier
from bot.core.i18n import t
from bot.core.services.needs import Assessment
from cards.models import NeedSummaryCard, QuestionCard


def _step(session: IntakeSession, field: str | None) -> tuple[int, int] | None:
    applicable = [spec.name for spec in FIELDS if spec.applies(session.draft)]
    if field not in applicable:
        return None
    return applicable.index(field) + 1, len(applicable)


def question_card(prompt: Prompt, session: IntakeSession, lang: str) -> dict[str, Any]:
    """A question, a re-ask after bad input (with the error), help, or the VAT confirmation."""
    example = t(prompt.example_key, lang) if prompt.example_key else None
    error = None
    if prompt.kind == "invalid" and prompt.field:
        error = t(prompt.message_key, lang, **prompt.params)
        text = t(field_spec(prompt.field).question_key, lang)
    else:
        text = t(prompt.message_key, lang, **prompt.params)
    if prompt.kind == "ask" and "current" in prompt.params:
        text = f"{text}\n\n{t('need.ask.current', lang, current=prompt.params['current'])}"
    options = [(choice.value, choice.text(lang)) for choice in prompt.choices]
    return QuestionCard.build(
        lang,
        text=text,
        example=example,
        error=error,
        options=options,
        step=_step(session, prompt.field),
    ).render()


def tier_texts(assessment: Assessment, lang: str) -> tuple[str, list[str]]:
    tier = assessment.classification.tier
    name = t(f"need.tier.{tier.value}", lang)
    return name, [t(key, lang) for key in assessment.classification.consequences]


def summary_card(
    session: IntakeSession,
    assessment: Assessment,
    context: IntakeContext,
    draft_id: str,
    *,
    existing_agreement: str | None = None,
) -> dict[str, Any]:
    lang = context.lang
    tier_name, tier_lines = tier_texts(assessment, lang)
    if assessment.classification.tier is Tier.BELOW_LIMIT:
        if existing_agreement:
            tier_lines.append(
                t("need.flow.existing_agreement_hint", lang, agreement=existing_agreement)
            )
        tier_lines.append(t("need.flow.below_limit_offer", lang))
    rows = [(t(key, lang), value) for key, value in summary_rows(session.draft, context)]
    editable = [
        (spec.name, t(spec.label_key, lang)) for spec in FIELDS if spec.applies(session.draft)
    ]
    return NeedSummaryCard.build(
        lang,
        draft_id=draft_id,
        title=session.draft.title or "",
        rows=rows,
        total=assessment.total,
        tier_name=tier_name,
        tier_lines=tier_lines,
        checklist=[t(item.key, lang) for item in assessment.checklist],
        editable_fields=editable,
    ).render()
