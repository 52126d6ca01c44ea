"""The deviation report as one form: read every field at once, then continue the conversation.

The contract is the one field a form cannot settle: unless it is "vet ikke" or the contract
already chosen, the conversation goes on at the contract step (`pick` it by number, else
search the register with what was typed and offer the matches).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.core.domain.deviation_fields import (
    is_unknown,
    parse_category,
    parse_observed,
    parse_severity,
    parse_text,
)
from bot.core.domain.deviation_intake import DeviationSession, Prompt
from bot.core.domain.errors import ValidationFailed


@dataclass(frozen=True)
class FormResult:
    """`errors` (field → message key) when the form must be shown again; else the next prompt."""

    prompt: Prompt | None
    errors: dict[str, str] = field(default_factory=dict)


def _parsers(today: date) -> dict[str, Callable[[str], Any]]:
    return {
        "category": parse_category,
        "severity": parse_severity,
        "observed_on": lambda text: parse_observed(text, today),
        "description": lambda text: parse_text(
            text, minimum=5, maximum=4000, key="deviation.field.description.invalid"
        ),
        "unit": lambda text: parse_text(
            text, minimum=2, maximum=200, key="deviation.field.unit.invalid"
        ),
    }


def apply_form(session: DeviationSession, raw: Mapping[str, str], today: date) -> FormResult:
    """Fill `session` from the form's inputs; nothing is kept when a field is wrong."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, parse in _parsers(today).items():
        try:
            values[name] = parse(raw.get(name, ""))
        except ValidationFailed as error:
            errors[name] = error.message_key
    contract = raw.get("contract", "").strip()
    if len(contract) < 2 and not is_unknown(contract):
        errors["contract"] = "deviation.field.contract.invalid"
    if errors:
        return FormResult(None, errors)
    for name, value in values.items():
        setattr(session.draft, name, value)
    session.status = "active"
    session.history = []
    if is_unknown(contract):
        session.change_field("contract")
        return FormResult(session.answer(today, contract))  # "vet ikke": on to the summary
    if contract == session.draft.contract_number:
        session.current = None
        return FormResult(session.current_prompt())
    session.draft.clear("contract")
    session.change_field("contract")
    return FormResult(session.answer(today, f"#{contract}"))
