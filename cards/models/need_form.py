"""The needs report as one form: every field an input, prefilled, with errors under each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Final

from pydantic import field_validator

from cards.models.base import CardModel, Choice, as_lang, choices, label
from cards.text import PlainText, UserText

# Input ids = field names of the needs report; the submit's data carries one entry per id.
FORM_FIELDS: Final = (
    "title",
    "description",
    "service_area",
    "unit",
    "contract_type",
    "annual_value",
    "period",
    "start_date",
    "urgency",
    "urgency_reason",
    "existing_agreement",
    "other_units",
    "climate_impact",
    "high_risk_product",
    "labour_crime_risk",
    "personal_data",
    "budget_confirmed",
)
# Default choice values, the same as bot.core.domain's (ContractType, URGENCY_CHOICES,
# CLIMATE_CHOICES, YES/NO; a unit test keeps them equal); labels are
# card.need_form.<group>_<value>. A caller may pass its own through `options`.
CONTRACT_TYPES: Final = ("vare", "tjeneste", "bygg_anlegg", "helse_sosial", "andre_saerlige")
URGENCIES: Final = ("normal", "haster")
CLIMATE_IMPACTS: Final = ("ubetydelig", "moderat", "betydelig")
YES_NO: Final = ("ja", "nei")
# Choice fields and their default option group; the other fields are text or date inputs.
CHOICE_FIELDS: Final = {
    "service_area": None,  # from the directory: always given by the caller
    "contract_type": ("ct", CONTRACT_TYPES),
    "urgency": ("urgency", URGENCIES),
    "climate_impact": ("climate", CLIMATE_IMPACTS),
    "other_units": ("yn", YES_NO),
    "high_risk_product": ("yn", YES_NO),
    "labour_crime_risk": ("yn", YES_NO),
    "personal_data": ("yn", YES_NO),
    "budget_confirmed": ("yn", YES_NO),
}


def _complete(mapping: Mapping[str, str]) -> dict[str, str]:
    unknown = set(mapping) - set(FORM_FIELDS)
    if unknown:
        raise ValueError(f"not form fields: {sorted(unknown)}")
    # Every field present, so templates can bind `values.x` / `errors.x` without gaps.
    return {name: mapping.get(name, "") for name in FORM_FIELDS}


class NeedFormCard(CardModel):
    """All fields at once; submit sends `need.form_submit` with the inputs (and `draft_id`).

    `values` are raw input values (not escaped: inputs show text as is), `start_date` as
    `YYYY-MM-DD`, choices by value, yes/no as `ja`/`nei`. `annual_value`, `period` and
    `existing_agreement` are free text ("400 000", "2+1+1 år", "nei") for the core's parsers.
    """

    template: ClassVar[str] = "need_form"
    draft_id: PlainText
    values: dict[str, PlainText]
    errors: dict[str, UserText]
    has_errors: bool
    options: dict[str, list[Choice]]  # choice field -> its choices

    @field_validator("options")
    @classmethod
    def _all_choice_fields(cls, options: dict[str, list[Choice]]) -> dict[str, list[Choice]]:
        missing = set(CHOICE_FIELDS) - set(options)
        if missing:
            raise ValueError(f"no choices for {sorted(missing)}")
        return options

    @field_validator("values", "errors")
    @classmethod
    def _all_fields(cls, mapping: dict[str, str]) -> dict[str, str]:
        return _complete(mapping)

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        service_areas: Sequence[tuple[str, str]],
        values: Mapping[str, Any] | None = None,
        errors: Mapping[str, str] | None = None,
        options: Mapping[str, Sequence[tuple[str, str]]] | None = None,
        draft_id: str = "",
    ) -> NeedFormCard:
        """`service_areas` are `(id, name)`; `values` may hold str, numbers, dates or bools;
        `errors` are field name -> localized message; `options` (field -> `(value, label)`)
        replaces the default choices of a choice field."""
        lang_ = as_lang(lang)
        given = dict(options or {})
        given["service_area"] = service_areas
        all_options: dict[str, list[Choice]] = {}
        for name, default in CHOICE_FIELDS.items():
            if name in given:
                all_options[name] = choices(given[name])
            elif default is not None:
                group, ids = default
                all_options[name] = choices(
                    (value, label("need_form", f"{group}_{value}", lang_)) for value in ids
                )
        return cls(
            lang=lang_,
            draft_id=draft_id,
            values={name: _as_input(value) for name, value in (values or {}).items()},
            errors=dict(errors or {}),
            has_errors=bool(errors),
            options=all_options,
        )


def _as_input(value: Any) -> str:
    """A prefilled value as an input's `value` string."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nei"
    if hasattr(value, "isoformat"):
        return str(value.isoformat())[:10]  # Input.Date wants YYYY-MM-DD
    return str(value)
