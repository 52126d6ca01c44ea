"""The checklist a needs report carries into the case: duties and things to consider.

Each item is an i18n key plus, where it is conditional, the key of the reason it is there, so
the advisor sees why the bot put it on the list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.domain.needs import NeedDraft
from bot.core.domain.thresholds import (
    SERVICES_AND_BUILDING,
    Classification,
    ContractType,
    Tier,
)

_TIERS = list(Tier)
_FRAMEWORK_MAX_MONTHS = 48  # framework agreements: at most four years with options
_CLEANING = re.compile(r"renhold|vask", re.IGNORECASE)


@dataclass(frozen=True)
class ChecklistItem:
    """One item: what to do (i18n key) and why it applies (i18n key, or None if always)."""

    key: str  # i18n key
    reason_key: str | None = None


def _at_least(classification: Classification, tier: Tier) -> bool:
    return _TIERS.index(classification.tier) >= _TIERS.index(tier)


def _mentions(text: str, terms: Sequence[str]) -> bool:
    # Word start, so "diesel" matches "dieselbiler" but "olje" does not match "bolje".
    return any(
        re.search(rf"(?<!\w){re.escape(term)}", text, re.IGNORECASE) for term in terms if term
    )


def build_checklist(
    need: NeedDraft, classification: Classification, *, green_flag_terms: Sequence[str]
) -> list[ChecklistItem]:
    """The checklist for `need`, in the order an advisor works through it.

    - protocol duty from the lower limit;
    - climate and environment weighted at least 30 % (FOA § 7-9) from the lower limit, unless the
      climate impact was answered negligible;
    - pay and working conditions: services and building at or above the EEA threshold, and
      whenever the risk of labour crime was answered yes;
    - the human-rights high-risk list (LOA § 5) when a high-risk product was answered yes;
    - Norgesmodellen seriousness requirements for building, cleaning ("renhold"/"vask" in the
      text) or labour-crime risk;
    - lots for small and medium suppliers, konkurransestrategi and market dialogue from the
      national threshold; innovation assessment and tax certificate from the KGV limit;
    - data processing agreement / DPIA when personal data are processed;
    - the green strategy when a flagged term appears in the title or description;
    - framework agreements longer than four years, and existing agreements to check first.
    """
    items: list[ChecklistItem] = []
    text = need.text()
    reportable = _at_least(classification, Tier.REPORTABLE)
    kgv = _at_least(classification, Tier.KGV)
    national = _at_least(classification, Tier.NATIONAL)

    if need.existing_agreement and need.existing_agreement.strip().lower() not in {
        "nei",
        "vet ikke",
    }:
        items.append(ChecklistItem("need.check.existing_agreement", "need.reason.existing"))
    if reportable:
        items.append(ChecklistItem("need.check.protocol", "need.reason.over_lower_limit"))
    if national:
        items.append(ChecklistItem("need.check.strategy", "need.reason.over_national"))
        items.append(ChecklistItem("need.check.market_dialogue", "need.reason.over_national"))
        items.append(ChecklistItem("need.check.lots", "need.reason.over_national"))
    if kgv:
        items.append(ChecklistItem("need.check.innovation", "need.reason.over_kgv"))
        items.append(ChecklistItem("need.check.tax_certificate", "need.reason.over_kgv"))
    if reportable and need.climate_impact != "ubetydelig":
        items.append(ChecklistItem("need.check.climate", "need.reason.climate"))
    if _mentions(text, green_flag_terms):
        items.append(ChecklistItem("need.check.green_strategy", "need.reason.green_terms"))

    eea_services = classification.tier is Tier.EEA and need.contract_type in SERVICES_AND_BUILDING
    if eea_services:
        items.append(ChecklistItem("need.check.pay_conditions", "need.reason.eea_services"))
    elif need.labour_crime_risk:
        items.append(ChecklistItem("need.check.pay_conditions", "need.reason.labour_crime"))
    if need.contract_type is ContractType.BYGG_ANLEGG:
        items.append(ChecklistItem("need.check.seriousness", "need.reason.building"))
    elif _CLEANING.search(text):
        items.append(ChecklistItem("need.check.seriousness", "need.reason.cleaning"))
    elif need.labour_crime_risk:
        items.append(ChecklistItem("need.check.seriousness", "need.reason.labour_crime"))
    if need.high_risk_product:
        items.append(ChecklistItem("need.check.human_rights", "need.reason.high_risk"))
    if need.personal_data:
        items.append(ChecklistItem("need.check.personal_data", "need.reason.personal_data"))
    if (
        need.period is not None
        and not need.period.open_ended
        and need.period.total_months() > _FRAMEWORK_MAX_MONTHS
    ):
        items.append(ChecklistItem("need.check.period_length", "need.reason.long_period"))
    return items
