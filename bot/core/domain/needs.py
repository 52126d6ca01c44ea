"""The needs report (behovsmelding) while it is being filled in: every field optional until then.

The draft is stored as JSON between turns (and across restarts), so it converts to and from a
plain dict; reading is tolerant of missing or unknown keys, because older drafts must still load.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from bot.core.domain.periods import ContractPeriod
from bot.core.domain.thresholds import ContractType

URGENCY_CHOICES = ("normal", "haster")
CLIMATE_CHOICES = ("ubetydelig", "moderat", "betydelig")


@dataclass
class NeedDraft:
    """All fields of a needs report; None means not answered yet."""

    title: str | None = None
    description: str | None = None
    service_area: str | None = None  # id from the directory, e.g. "oppvekst"
    unit: str | None = None  # unit / cost centre
    contract_type: ContractType | None = None
    annual_value: int | None = None  # NOK excl. VAT
    period: ContractPeriod | None = None
    start_date: date | None = None
    urgency: str | None = None  # "normal" | "haster"
    urgency_reason: str | None = None
    existing_agreement: str | None = None  # free text, or "nei" / "vet ikke"
    other_units: bool | None = None
    climate_impact: str | None = None  # "ubetydelig" | "moderat" | "betydelig"
    high_risk_product: bool | None = None
    labour_crime_risk: bool | None = None
    personal_data: bool | None = None
    budget_confirmed: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe dict: dates as ISO strings, the period as a dict, enums as their values."""
        data: dict[str, Any] = {}
        for spec in fields(self):
            value = getattr(self, spec.name)
            if isinstance(value, ContractPeriod):
                value = value.to_dict()
            elif isinstance(value, ContractType):
                value = value.value
            elif isinstance(value, date):
                value = value.isoformat()
            data[spec.name] = value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> NeedDraft:
        """Inverse of to_dict; missing keys stay None and unknown keys are ignored."""
        data = data or {}
        draft = cls()
        for name in ("title", "description", "service_area", "unit", "urgency"):
            setattr(draft, name, _str(data.get(name)))
        for name in ("urgency_reason", "existing_agreement", "climate_impact"):
            setattr(draft, name, _str(data.get(name)))
        for name in (
            "other_units",
            "high_risk_product",
            "labour_crime_risk",
            "personal_data",
            "budget_confirmed",
        ):
            value = data.get(name)
            setattr(draft, name, value if isinstance(value, bool) else None)
        contract_type = data.get("contract_type")
        if contract_type in {c.value for c in ContractType}:
            draft.contract_type = ContractType(contract_type)
        annual = data.get("annual_value")
        if isinstance(annual, int) and not isinstance(annual, bool):
            draft.annual_value = annual
        period = data.get("period")
        if isinstance(period, dict):
            draft.period = ContractPeriod.from_dict(period)
        start = data.get("start_date")
        if isinstance(start, str) and start:
            with suppress(ValueError):  # a damaged date is asked again, not a crash
                draft.start_date = date.fromisoformat(start)
        return draft

    def text(self) -> str:
        """Title and description together, for word checks (green strategy, cleaning)."""
        return " ".join(part for part in (self.title, self.description) if part)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
