"""A reported deviation as stored, and the counts shown by "avvik for <leverandør>"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class DeviationCase:
    """A deviation (avvik) against a contract, from report to closing.

    `manager_id` is the contract's avtaleforvalter as found in the directory (None when the
    contract is unknown or its manager is not found: procurement acts alone then); `owner_id`
    the contract owner (the service area's director), told of high and critical ones.
    """

    id: int
    case_number: str
    tenant_id: str
    reporter_id: str
    reporter_name: str
    locale: str
    category: str
    description: str
    observed_on: date | None
    severity: str
    unit: str
    state: str
    version: int
    created_at: datetime
    updated_at: datetime
    contract_number: str | None = None
    contract_title: str = ""
    supplier: str = ""
    manager_id: str | None = None
    manager_name: str = ""
    owner_id: str | None = None
    owner_name: str = ""
    service_area: str = ""
    attachments: list[dict[str, str]] = field(default_factory=list)
    control_followup: bool = False
    acknowledged_by: str | None = None
    acknowledged_by_name: str = ""
    acknowledged_at: datetime | None = None
    reclaimed_at: datetime | None = None
    response_deadline: date | None = None
    closed_by: str | None = None
    closed_by_name: str = ""
    closed_at: datetime | None = None
    outcome: str | None = None  # while til_godkjenning: the sanction proposed
    last_note: str | None = None
    # A sanction: when it was proposed (by closed_by), and who approved or rejected it.
    sanction_proposed_at: datetime | None = None
    sanction_decided_by: str | None = None
    sanction_decided_by_name: str = ""
    escalated_at: datetime | None = None
    reminded_for: date | None = None
    draft_id: str | None = None


@dataclass(frozen=True)
class DeviationCount:
    """How many deviations of one category are in one state."""

    category: str
    state: str
    count: int
