"""Threshold tiers at every boundary, totals with options, and thresholds that change."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.domain.errors import ValidationFailed
from bot.core.domain.periods import ContractPeriod
from bot.core.domain.thresholds import (
    ContractType,
    ThresholdSet,
    Tier,
    classify,
    estimate_total,
    select_thresholds,
)

pytestmark = pytest.mark.unit

T2024 = ThresholdSet(valid_from=date(2024, 3, 14))
VARE, TJENESTE, BYGG = ContractType.VARE, ContractType.TJENESTE, ContractType.BYGG_ANLEGG
HELSE, SAERLIGE = ContractType.HELSE_SOSIAL, ContractType.ANDRE_SAERLIGE


@pytest.mark.parametrize(
    ("total", "contract_type", "tier", "foa_part"),
    [
        (99_999, VARE, Tier.BELOW_LIMIT, None),
        (100_000, VARE, Tier.REPORTABLE, None),
        (499_999, VARE, Tier.REPORTABLE, None),
        (500_000, VARE, Tier.KGV, None),
        (1_299_999, VARE, Tier.KGV, None),
        (1_300_000, VARE, Tier.NATIONAL, "II"),
        (2_299_999, VARE, Tier.NATIONAL, "II"),
        (2_300_000, VARE, Tier.EEA, "III"),
        (2_299_999, TJENESTE, Tier.NATIONAL, "II"),
        (2_300_000, TJENESTE, Tier.EEA, "III"),
        (2_300_000, BYGG, Tier.NATIONAL, "II"),
        (57_799_999, BYGG, Tier.NATIONAL, "II"),
        (57_800_000, BYGG, Tier.EEA, "III"),
        (1_300_000, HELSE, Tier.NATIONAL, None),
        (7_799_999, HELSE, Tier.NATIONAL, None),
        (7_800_000, HELSE, Tier.EEA, "IV"),
        (2_300_000, SAERLIGE, Tier.NATIONAL, None),
        (7_800_000, SAERLIGE, Tier.EEA, "IV"),
        (499_999, BYGG, Tier.REPORTABLE, None),
    ],
)
def test_boundaries(
    total: int, contract_type: ContractType, tier: Tier, foa_part: str | None
) -> None:
    result = classify(total, contract_type, T2024)
    assert result.tier is tier
    assert result.foa_part == foa_part
    assert result.total == total


@pytest.mark.parametrize(
    ("contract_type", "eea"),
    [(VARE, 2_300_000), (TJENESTE, 2_300_000), (BYGG, 57_800_000), (HELSE, 7_800_000)],
)
def test_eea_threshold_per_type(contract_type: ContractType, eea: int) -> None:
    assert classify(1, contract_type, T2024).eea_threshold == eea


def test_consequences_accumulate() -> None:
    below = classify(50_000, VARE, T2024).consequences
    assert below == ("need.consequence.below_limit",)
    reportable = classify(200_000, VARE, T2024).consequences
    assert reportable == ("need.consequence.report", "need.consequence.protocol")
    national = classify(1_500_000, VARE, T2024).consequences
    assert {"need.consequence.kgv", "need.consequence.tax_certificate"} <= set(national)
    assert {"need.consequence.foa_part2", "need.consequence.doffin"} <= set(national)
    assert "need.consequence.strategy" in national
    eea = classify(3_000_000, VARE, T2024).consequences
    assert "need.consequence.foa_part3" in eea and "need.consequence.doffin_ted" in eea
    assert "need.consequence.foa_part2" not in eea
    assert "need.consequence.pay_conditions" not in eea  # goods


def test_pay_conditions_for_services_at_eea() -> None:
    assert "need.consequence.pay_conditions" in classify(2_300_000, TJENESTE, T2024).consequences
    assert (
        "need.consequence.pay_conditions" not in classify(2_299_999, TJENESTE, T2024).consequences
    )


def test_special_services_below_eea_follow_part_one() -> None:
    result = classify(5_000_000, HELSE, T2024)
    assert "need.consequence.special_part1" in result.consequences
    assert "need.consequence.strategy" in result.consequences
    assert "need.consequence.doffin" not in result.consequences
    assert "need.consequence.foa_part4" in classify(8_000_000, HELSE, T2024).consequences


@pytest.mark.parametrize(
    ("annual", "period", "total"),
    [
        (450_000, ContractPeriod(24, (12, 12)), 1_800_000),
        (450_000, ContractPeriod(24), 900_000),
        (100_000, ContractPeriod(0, open_ended=True), 400_000),
        (100_000, ContractPeriod(18), 150_000),
        (100_001, ContractPeriod(1), 8_333),
    ],
)
def test_estimate_total(annual: int, period: ContractPeriod, total: int) -> None:
    assert estimate_total(annual, period) == total


def test_options_move_a_need_over_the_national_threshold() -> None:
    without_options = estimate_total(450_000, ContractPeriod(24))
    with_options = estimate_total(450_000, ContractPeriod(24, (12, 12)))
    assert classify(without_options, VARE, T2024).tier is Tier.KGV
    assert classify(with_options, VARE, T2024).tier is Tier.NATIONAL


def test_open_ended_counts_48_months() -> None:
    total = estimate_total(30_000, ContractPeriod(0, open_ended=True))
    assert total == 120_000
    assert classify(total, TJENESTE, T2024).tier is Tier.REPORTABLE
    assert (
        estimate_total(30_000, ContractPeriod(0, open_ended=True), open_ended_months=36) == 90_000
    )


def test_thresholds_change_by_date() -> None:
    reform = ThresholdSet(valid_from=date(2027, 1, 1), lower_limit=300_000)
    sets = [T2024, reform]
    in_2026 = select_thresholds(sets, date(2026, 12, 31))
    in_2027 = select_thresholds(sets, date(2027, 1, 1))
    assert in_2026 is T2024
    assert in_2027 is reform
    assert classify(200_000, VARE, in_2026).tier is Tier.REPORTABLE
    assert classify(200_000, VARE, in_2027).tier is Tier.BELOW_LIMIT


def test_select_ignores_order() -> None:
    newer = ThresholdSet(valid_from=date(2026, 1, 1), national_threshold=1_400_000)
    assert select_thresholds([newer, T2024], date(2026, 6, 1)) is newer


def test_no_thresholds_yet() -> None:
    with pytest.raises(ValidationFailed) as raised:
        select_thresholds([T2024], date(2024, 3, 13))
    assert raised.value.message_key == "need.thresholds.missing"


def test_settings_read_threshold_sets_from_the_environment(monkeypatch) -> None:
    from bot.settings import Settings

    monkeypatch.setenv(
        "RULES__THRESHOLDS",
        '[{"valid_from": "2024-03-14"}, {"valid_from": "2027-01-01", "lower_limit": 300000}]',
    )
    sets = Settings(_env_file=None).rules.thresholds  # type: ignore[call-arg]
    assert sets[0] == T2024
    assert select_thresholds(sets, date(2027, 2, 1)).lower_limit == 300_000
