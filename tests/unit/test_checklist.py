"""The checklist a need carries, item by item."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.domain.checklist import ChecklistItem, build_checklist
from bot.core.domain.needs import NeedDraft
from bot.core.domain.periods import ContractPeriod
from bot.core.domain.thresholds import ContractType, ThresholdSet, classify

pytestmark = pytest.mark.unit

T = ThresholdSet(valid_from=date(2024, 3, 14))
GREEN = ["diesel", "bensin", "fossil"]


def keys(need: NeedDraft, total: int) -> list[str]:
    classification = classify(total, need.contract_type or ContractType.VARE, T)
    return [item.key for item in build_checklist(need, classification, green_flag_terms=GREEN)]


def pcs(**changes: object) -> NeedDraft:
    need = NeedDraft(
        title="30 nye PC-er til Skedsmo skole",
        contract_type=ContractType.VARE,
        climate_impact="moderat",
        existing_agreement="nei",
        high_risk_product=False,
        labour_crime_risk=False,
        personal_data=False,
    )
    for name, value in changes.items():
        setattr(need, name, value)
    return need


def test_below_lower_limit_is_almost_empty() -> None:
    assert keys(pcs(), 99_999) == []


def test_reportable_need() -> None:
    assert keys(pcs(), 100_000) == ["need.check.protocol", "need.check.climate"]


def test_kgv_adds_innovation_and_tax_certificate() -> None:
    result = keys(pcs(), 500_000)
    assert "need.check.innovation" in result and "need.check.tax_certificate" in result
    assert "need.check.strategy" not in result
    assert "need.check.innovation" not in keys(pcs(), 499_999)


def test_national_adds_strategy_lots_and_dialogue() -> None:
    result = keys(pcs(), 1_300_000)
    for key in ("need.check.strategy", "need.check.lots", "need.check.market_dialogue"):
        assert key in result
        assert key not in keys(pcs(), 1_299_999)


def test_negligible_climate_impact_drops_the_climate_item() -> None:
    assert "need.check.climate" not in keys(pcs(climate_impact="ubetydelig"), 800_000)
    assert "need.check.climate" in keys(pcs(climate_impact=None), 800_000)


def test_pay_conditions_for_services_at_eea_only() -> None:
    service = pcs(title="Vikartjenester", contract_type=ContractType.TJENESTE)
    assert "need.check.pay_conditions" in keys(service, 2_300_000)
    assert "need.check.pay_conditions" not in keys(service, 2_299_999)
    assert "need.check.pay_conditions" not in keys(pcs(), 3_000_000)  # goods


def test_labour_crime_risk_brings_pay_conditions_and_seriousness() -> None:
    result = keys(pcs(labour_crime_risk=True), 200_000)
    assert "need.check.pay_conditions" in result
    assert "need.check.seriousness" in result


@pytest.mark.parametrize(
    ("need", "reason"),
    [
        (pcs(contract_type=ContractType.BYGG_ANLEGG, title="Ny garderobe"), "need.reason.building"),
        (
            pcs(contract_type=ContractType.TJENESTE, title="Renhold av Kjeller skole"),
            "need.reason.cleaning",
        ),
        (
            pcs(contract_type=ContractType.TJENESTE, description="Vask av arbeidstøy"),
            "need.reason.cleaning",
        ),
    ],
)
def test_norgesmodellen(need: NeedDraft, reason: str) -> None:
    classification = classify(600_000, need.contract_type or ContractType.VARE, T)
    items = build_checklist(need, classification, green_flag_terms=GREEN)
    assert ChecklistItem("need.check.seriousness", reason) in items


def test_no_seriousness_for_plain_goods() -> None:
    assert "need.check.seriousness" not in keys(pcs(), 3_000_000)


def test_high_risk_product() -> None:
    assert "need.check.human_rights" in keys(pcs(high_risk_product=True), 200_000)
    assert "need.check.human_rights" not in keys(pcs(), 200_000)


def test_personal_data() -> None:
    assert "need.check.personal_data" in keys(pcs(personal_data=True), 200_000)


def test_green_strategy_terms() -> None:
    need = pcs(title="Leasing av dieselbiler til hjemmetjenesten")
    assert "need.check.green_strategy" in keys(need, 200_000)
    assert "need.check.green_strategy" not in keys(pcs(title="Leasing av elbiler"), 200_000)


def test_existing_agreement_is_checked_first() -> None:
    result = keys(pcs(existing_agreement="Rammeavtale med Atea"), 200_000)
    assert result[0] == "need.check.existing_agreement"
    assert "need.check.existing_agreement" not in keys(pcs(existing_agreement="vet ikke"), 200_000)


def test_long_framework_period() -> None:
    assert "need.check.period_length" in keys(pcs(period=ContractPeriod(36, (12, 12))), 200_000)
    assert "need.check.period_length" not in keys(pcs(period=ContractPeriod(24, (12, 12))), 200_000)


def test_every_item_has_a_reason() -> None:
    need = pcs(
        high_risk_product=True, labour_crime_risk=True, personal_data=True, title="Dieselbiler"
    )
    items = build_checklist(need, classify(3_000_000, ContractType.VARE, T), green_flag_terms=GREEN)
    assert len(items) >= 10
    assert all(item.reason_key for item in items)
