"""Thresholds and what they mean for a need: which tier, which part of FOA, which duties.

Every number comes from a `ThresholdSet` with the date it applies from (settings), never from
code: thresholds change every second year, and the lower limit may be raised to NOK 300 000.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from bot.core.domain.errors import ValidationFailed
from bot.core.domain.periods import ContractPeriod


class ContractType(StrEnum):
    """Kind of contract; decides which EEA threshold applies."""

    VARE = "vare"
    TJENESTE = "tjeneste"
    BYGG_ANLEGG = "bygg_anlegg"
    HELSE_SOSIAL = "helse_sosial"
    ANDRE_SAERLIGE = "andre_saerlige"


SPECIAL_SERVICES = frozenset({ContractType.HELSE_SOSIAL, ContractType.ANDRE_SAERLIGE})
# The regulation on pay and working conditions covers services and building (§ 2).
SERVICES_AND_BUILDING = frozenset(
    {
        ContractType.TJENESTE,
        ContractType.BYGG_ANLEGG,
        ContractType.HELSE_SOSIAL,
        ContractType.ANDRE_SAERLIGE,
    }
)


@dataclass(frozen=True)
class ThresholdSet:
    """One set of thresholds, NOK excl. VAT (same fields as settings' `Threshold`)."""

    valid_from: date
    lower_limit: int = 100_000
    kgv_limit: int = 500_000
    national_threshold: int = 1_300_000
    eea_goods_services: int = 2_300_000
    eea_building: int = 57_800_000
    eea_special_services: int = 7_800_000

    def eea_threshold(self, contract_type: ContractType) -> int:
        """The EEA threshold that applies to `contract_type`."""
        if contract_type is ContractType.BYGG_ANLEGG:
            return self.eea_building
        if contract_type in SPECIAL_SERVICES:
            return self.eea_special_services
        return self.eea_goods_services


def select_thresholds(sets: Sequence[ThresholdSet], on: date) -> ThresholdSet:
    """The set in force on `on`: the newest `valid_from` that is not after it.

    Raises ValidationFailed("need.thresholds.missing") when no set applies yet (a settings error).
    """
    in_force = [s for s in sets if s.valid_from <= on]
    if not in_force:
        raise ValidationFailed(
            f"no thresholds valid on {on.isoformat()}", message_key="need.thresholds.missing"
        )
    return max(in_force, key=lambda s: s.valid_from)


class Tier(StrEnum):
    """How far up the threshold ladder a need is; each tier adds duties to the ones below."""

    BELOW_LIMIT = "below_limit"  # outside the rules; still act responsibly
    REPORTABLE = "reportable"  # ≥ lower limit: report to Innkjøpsseksjonen, protocol duty
    KGV = "kgv"  # ≥ 500k: announce in the competition tool KGV, tax certificate
    NATIONAL = "national"  # ≥ national threshold: FOA part II, Doffin, konkurransestrategi
    EEA = "eea"  # ≥ EEA threshold of its type: FOA part III (part IV for special services)


def estimate_total(annual_value: int, period: ContractPeriod, open_ended_months: int = 48) -> int:
    """Estimated value for the whole period with every option: annual × months / 12, in kroner.

    Leaving options out can make the procurement an illegal direct award, so they always count.
    """
    months = period.total_months(open_ended_months)
    total = Decimal(annual_value) * months / 12
    return int(total.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Classification:
    """Where a total lands: tier, FOA part, the EEA threshold used, and i18n consequence keys."""

    total: int
    tier: Tier
    foa_part: str | None  # "II" | "III" | "IV" | None
    eea_threshold: int
    consequences: tuple[str, ...]  # i18n keys


def _tier(total: int, eea: int, thresholds: ThresholdSet) -> Tier:
    if total >= eea:
        return Tier.EEA
    if total >= thresholds.national_threshold:
        return Tier.NATIONAL
    if total >= thresholds.kgv_limit:
        return Tier.KGV
    if total >= thresholds.lower_limit:
        return Tier.REPORTABLE
    return Tier.BELOW_LIMIT


def classify(total: int, contract_type: ContractType, thresholds: ThresholdSet) -> Classification:
    """Classify an estimated total (NOK excl. VAT, all options included).

    FOA part, kept simple on purpose:
    - goods, services and building: "II" from the national threshold up to their EEA threshold,
      "III" at or above it (building only from NOK 57.8 million, so building stays in part II
      between 2.3 and 57.8 million);
    - health/social and other special services are never part II: below their EEA threshold
      they follow part I only (None; konkurransestrategi still required from the national
      threshold, a municipal rule), and "IV" at or above NOK 7.8 million.
    Below the national threshold foa_part is None (part I and the municipality's own rules).
    """
    eea = thresholds.eea_threshold(contract_type)
    tier = _tier(total, eea, thresholds)
    special = contract_type in SPECIAL_SERVICES
    order = list(Tier)
    at_least = order.index(tier)

    consequences: list[str] = []
    if tier is Tier.BELOW_LIMIT:
        consequences.append("need.consequence.below_limit")
    if at_least >= order.index(Tier.REPORTABLE):
        consequences += ["need.consequence.report", "need.consequence.protocol"]
    if at_least >= order.index(Tier.KGV):
        consequences += ["need.consequence.kgv", "need.consequence.tax_certificate"]
    if at_least >= order.index(Tier.NATIONAL):
        consequences.append("need.consequence.strategy")

    foa_part: str | None = None
    if tier is Tier.NATIONAL:
        foa_part = None if special else "II"
        consequences += (
            ["need.consequence.special_part1"]
            if special
            else ["need.consequence.foa_part2", "need.consequence.doffin"]
        )
    elif tier is Tier.EEA:
        foa_part = "IV" if special else "III"
        consequences += [
            "need.consequence.foa_part4" if special else "need.consequence.foa_part3",
            "need.consequence.doffin_ted",
        ]
        if contract_type in SERVICES_AND_BUILDING:
            consequences.append("need.consequence.pay_conditions")
    return Classification(
        total=total,
        tier=tier,
        foa_part=foa_part,
        eea_threshold=eea,
        consequences=tuple(consequences),
    )
