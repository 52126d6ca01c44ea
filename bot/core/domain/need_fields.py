"""The fields of a needs report: what is asked, in which order, and how each answer is read.

The same validators serve the step-by-step conversation (need_intake) and a whole form
submitted from a card (`apply_form`), so both refuse and accept exactly the same input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from rapidfuzz import fuzz, process

from bot.core.domain.amounts import ParsedAmount, excl_vat, parse_amount
from bot.core.domain.dates import parse_date
from bot.core.domain.errors import ValidationFailed
from bot.core.domain.needs import CLIMATE_CHOICES, URGENCY_CHOICES, NeedDraft
from bot.core.domain.periods import ContractPeriod, parse_period
from bot.core.domain.thresholds import ContractType
from bot.core.formatting import format_date, format_nok
from bot.core.i18n import t

FieldKind = Literal["text", "amount", "date", "period", "choice", "yesno"]


@dataclass(frozen=True)
class Choice:
    """A button: the value stored, and its label (an i18n key, or literal text in `label`)."""

    value: str
    label_key: str
    label: str | None = None  # for choices not in a catalog, e.g. service areas from the directory

    def text(self, lang: str) -> str:
        """The label to show."""
        return self.label if self.label is not None else t(self.label_key, lang)


@dataclass(frozen=True)
class FieldSpec:
    """One question of the intake."""

    name: str
    kind: FieldKind
    question_key: str
    help_key: str
    example_key: str
    choices: tuple[Choice, ...] = ()
    optional: bool = False
    ask_if: Callable[[NeedDraft], bool] | None = None
    max_length: int = 500

    @property
    def label_key(self) -> str:
        """Short label for summaries and forms."""
        return f"need.field.{self.name}.label"

    def applies(self, draft: NeedDraft) -> bool:
        """Whether the question is asked at all for this draft."""
        return self.ask_if is None or self.ask_if(draft)


@dataclass(frozen=True)
class IntakeContext:
    """What the intake needs from outside: today, the directory's service areas, VAT, language."""

    today: date
    service_areas: Sequence[tuple[str, str]]  # (id, display name)
    vat_percent: int = 25
    lang: str = "nb"


YES, NO, DONT_KNOW = "ja", "nei", "vet ikke"
_YES_WORDS = {"ja", "j", "jo", "jepp", "yes", "y", "yep", "true", "sant"}
_NO_WORDS = {"nei", "n", "no", "nope", "false", "usant"}
_DONT_KNOW_WORDS = {
    "vet ikke", "vet ikkje", "usikker", "ukjent", "don't know", "dont know",
    "do not know", "not sure", "unknown",
}  # fmt: skip
YES_NO = (Choice(YES, "need.choice.yes"), Choice(NO, "need.choice.no"))


def _field(
    name: str,
    kind: FieldKind,
    *,
    choices: tuple[Choice, ...] = (),
    optional: bool = False,
    ask_if: Callable[[NeedDraft], bool] | None = None,
    max_length: int = 500,
) -> FieldSpec:
    base = f"need.field.{name}"
    return FieldSpec(
        name, kind, f"{base}.question", f"{base}.help", f"{base}.example",
        choices, optional, ask_if, max_length,
    )  # fmt: skip


def _choices(group: str, values: Sequence[str]) -> tuple[Choice, ...]:
    return tuple(Choice(v, f"need.choice.{group}.{v}") for v in values)


# fmt: off
FIELDS: tuple[FieldSpec, ...] = (
    _field("title", "text", max_length=120),
    _field("description", "text", optional=True, max_length=2000),
    _field("service_area", "choice"),
    _field("unit", "text", max_length=120),
    _field("contract_type", "choice", choices=_choices("contract_type", list(ContractType))),
    _field("annual_value", "amount"),
    _field("period", "period"),
    _field("start_date", "date"),
    _field("urgency", "choice", choices=_choices("urgency", URGENCY_CHOICES)),
    _field("urgency_reason", "text", max_length=1000, ask_if=lambda d: d.urgency == "haster"),
    _field(
        "existing_agreement", "text", max_length=300,
        choices=(Choice(NO, "need.choice.no"), Choice(DONT_KNOW, "need.choice.dont_know")),
    ),
    _field("other_units", "yesno", choices=YES_NO),
    _field("climate_impact", "choice", choices=_choices("climate", CLIMATE_CHOICES)),
    _field("high_risk_product", "yesno", choices=YES_NO),
    _field("labour_crime_risk", "yesno", choices=YES_NO),
    _field("personal_data", "yesno", choices=YES_NO),
    _field("budget_confirmed", "yesno", choices=YES_NO),
)
# fmt: on
_BY_NAME = {spec.name: spec for spec in FIELDS}


def field_spec(name: str) -> FieldSpec:
    """The spec of field `name`; ValidationFailed("need.field.unknown") if there is none."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValidationFailed(
            f"unknown field {name!r}", message_key="need.field.unknown"
        ) from None


def choices_for(spec: FieldSpec, context: IntakeContext) -> tuple[Choice, ...]:
    """The buttons for a field; service areas come from the directory, not from code."""
    if spec.name == "service_area":
        return tuple(
            Choice(sid, f"need.service_area.{sid}", label=name)
            for sid, name in context.service_areas
        )
    return spec.choices


def _clean(text: str) -> str:
    # NUL never belongs in text, and PostgreSQL refuses to store it.
    return " ".join(text.replace("\x00", "").replace("\u00a0", " ").split()).strip()


def _key(text: str) -> str:
    return _clean(text).lower().strip(" .!?")


def parse_yes_no(text: str) -> bool:
    """ja/j/yes → True, nei/n/no → False; "vet ikke" is refused with its own message."""
    key = _key(text)
    if key in _YES_WORDS:
        return True
    if key in _NO_WORDS:
        return False
    if key in _DONT_KNOW_WORDS:
        raise ValidationFailed("unsure yes/no", message_key="need.yesno.unsure")
    raise ValidationFailed(f"not yes or no: {text!r}", message_key="need.yesno.invalid")


def match_choice(text: str, choices: Sequence[Choice]) -> str:
    """The value of the choice `text` names: its value, label (nb or en), number or a near miss."""
    key = _key(text)
    if key.isdigit() and 1 <= int(key) <= len(choices):
        return choices[int(key) - 1].value
    names: dict[str, str] = {}
    for choice in choices:
        for name in (
            choice.value,
            choice.value.replace("_", " "),
            choice.text("nb"),
            choice.text("en"),
        ):
            names.setdefault(_key(name), choice.value)
    if key in names:
        return names[key]
    starting = {value for name, value in names.items() if len(key) >= 3 and name.startswith(key)}
    if len(starting) == 1:
        return starting.pop()
    best = process.extract(key, list(names), scorer=fuzz.ratio, limit=5, score_cutoff=80)
    if best:
        # A typo counts only when no other choice comes close ("ubetydelig" vs "betydelig").
        top = best[0][1]
        values = {names[name] for name, score, _index in best if score > top - 8}
        if len(values) == 1:
            return values.pop()
    raise ValidationFailed(f"no such choice: {text!r}", message_key="need.choice.invalid")


def _parse_text(spec: FieldSpec, text: str) -> str:
    value = _clean(text)
    if not value:
        raise ValidationFailed("empty", message_key="need.text.empty")
    if len(value) > spec.max_length:
        raise ValidationFailed("too long", message_key="need.text.too_long", max=spec.max_length)
    if spec.name == "title" and len(value) < 3:
        raise ValidationFailed("too short", message_key="need.text.too_short")
    if spec.name == "existing_agreement":
        key = _key(value)
        if key in _NO_WORDS:
            return NO
        if key in _DONT_KNOW_WORDS:
            return DONT_KNOW
        if key in _YES_WORDS:  # "ja" alone does not say which agreement
            raise ValidationFailed("which agreement?", message_key="need.existing_agreement.which")
    return value


def parse_field(spec: FieldSpec, text: str, context: IntakeContext) -> Any:
    """Read an answer for `spec`; raises ValidationFailed with an i18n message key.

    Returns str (text, choice), bool (yesno), ContractType, ParsedAmount (the caller decides
    what to do about VAT), date or ContractPeriod.
    """
    if spec.kind == "amount":
        return parse_amount(text)
    if spec.kind == "date":
        return parse_date(text, context.today)
    if spec.kind == "period":
        return parse_period(text)
    if spec.kind == "yesno":
        return parse_yes_no(text)
    if spec.kind == "choice":
        choices = choices_for(spec, context)
        if not choices:  # no directory configured: take the text as given
            return _parse_text(spec, text)
        value = match_choice(text, choices)
        return ContractType(value) if spec.name == "contract_type" else value
    return _parse_text(spec, text)


def _required(spec: FieldSpec, draft: NeedDraft) -> bool:
    return not spec.optional and spec.applies(draft)


def apply_form(
    context: IntakeContext, values: dict[str, str], *, base: NeedDraft | None = None
) -> tuple[NeedDraft, dict[str, str]]:
    """Validate a whole form (field name → raw text) with the intake's validators.

    Returns the draft (starting from `base`; fields absent from `values` keep their value) and
    the errors as field name → i18n message key. An amount typed "inkl. mva" is an error here
    ("need.amount.form_excl_vat"): a form has no step to confirm the converted value.
    """
    draft = NeedDraft.from_dict(base.to_dict()) if base else NeedDraft()
    errors: dict[str, str] = {}
    for spec in FIELDS:
        if spec.name not in values:
            continue
        raw = values[spec.name]
        if not spec.applies(draft) or not _clean(raw):
            setattr(draft, spec.name, None)
            continue
        try:
            value = parse_field(spec, raw, context)
        except ValidationFailed as error:
            errors[spec.name] = error.message_key
            continue
        if isinstance(value, ParsedAmount):
            if value.includes_vat:
                errors[spec.name] = "need.amount.form_excl_vat"
                continue
            value = value.value
        setattr(draft, spec.name, value)
    for spec in FIELDS:
        if _required(spec, draft) and getattr(draft, spec.name) is None and spec.name not in errors:
            errors[spec.name] = "need.field.required"
        if not spec.applies(draft):
            setattr(draft, spec.name, None)
    return draft, errors


def format_value(name: str, draft: NeedDraft, context: IntakeContext) -> str:
    """A field's value as text in the context's language ("–" when empty)."""
    value = getattr(draft, name)
    lang = context.lang
    if value is None:
        return "–"
    if isinstance(value, bool):
        return t("need.choice.yes" if value else "need.choice.no", lang)
    if isinstance(value, ContractPeriod):
        return value.describe(lang)
    if isinstance(value, date):
        return format_date(value, lang)
    if name == "annual_value":
        return format_nok(value, lang)
    spec = _BY_NAME[name]
    for choice in choices_for(spec, context):
        if choice.value == value:
            return choice.text(lang)
    return str(value)


def summary_rows(draft: NeedDraft, context: IntakeContext) -> list[tuple[str, str]]:
    """(label key, formatted value) for every field that applies, for the summary card."""
    return [
        (spec.label_key, format_value(spec.name, draft, context))
        for spec in FIELDS
        if spec.applies(draft)
    ]


def vat_params(given: int, context: IntakeContext) -> dict[str, Any]:
    """Parameters of the "confirm the amount excl. VAT" message."""
    excl = excl_vat(given, context.vat_percent)
    return {
        "given": format_nok(given, context.lang),
        "excl": format_nok(excl, context.lang),
        "vat_percent": context.vat_percent,
        "given_value": given,
        "excl_value": excl,
    }
