"""Cards of deviations (avvik): the report's summary and form, the follow-up card, the counts.

- `DeviationSummaryCard`: before sending. Send (`deviation.submit`), Endre (field picker sending
  `deviation.edit_field`, or `deviation.form`), Avbryt (`deviation.cancel`); all with `draft_id`.
- `DeviationFormCard`: every field at once; submit sends `deviation.form_submit` with the inputs.
- `DeviationCard`: the case. View `actor` (the avtaleforvalter and Innkjøpsseksjonen) has the
  buttons the state allows: Mottatt (`deviation.acknowledge`), Reklamasjon sendt with a response
  deadline (`deviation.reclaim`, inputs `deadline`, `note`), Lukk with an outcome
  (`deviation.close`, inputs `outcome`, `note`); view `sanction` (the avtaleeier, while a
  proposed sanction waits) has Godkjenn / Avvis (`deviation.sanction_approve` / `_reject`,
  input `sanction_note`); `readonly` and `closed` have none.
- `DeviationStatsCard`: "avvik for <leverandør eller avtale>": counts by category and state.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, ClassVar, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from cards.models.base import (
    CardModel,
    Choice,
    Fact,
    Line,
    as_lang,
    choices,
    facts,
    format_when,
    label,
    lines,
)
from cards.text import PlainText, UserText, escape_markdown

DeviationView = Literal["actor", "readonly", "closed", "sanction"]
FORM_FIELDS: Final = ("contract", "category", "description", "observed_on", "severity", "unit")
MAX_ATTACHMENTS: Final = 10
_SAFE_URL = re.compile(r"^https://[^\s()<>\[\]]+$")


def attachment_line(name: str, url: str) -> str:
    """A link to a file sent in Teams, as markdown; the name escaped, only plain https URLs."""
    shown = escape_markdown(name or url)
    return f"[{shown}]({url})" if _SAFE_URL.match(url) else shown


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)
    text: str  # built by attachment_line (already safe markdown)


class DeviationSummaryCard(CardModel):
    template: ClassVar[str] = "deviation_summary"
    draft_id: PlainText
    facts: list[Fact]
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    notes: list[Line] = Field(default_factory=list)
    editable_fields: list[Choice]
    has_attachments: bool = False
    has_notes: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        draft_id: str,
        rows: Sequence[tuple[str, str]],
        attachments: Sequence[tuple[str, str]] = (),
        notes: Sequence[str] = (),
        editable_fields: Sequence[tuple[str, str]] = (),
    ) -> DeviationSummaryCard:
        """`rows` are `(label, value)`; `attachments` `(name, url)`; `notes` localized lines
        (the control follow-up, an unknown contract); `editable_fields` `(field, label)`."""
        found = [Attachment(text=attachment_line(n, u)) for n, u in attachments]
        return cls(
            lang=as_lang(lang),
            draft_id=draft_id,
            facts=facts(rows),
            attachments=found,
            notes=lines(notes),
            editable_fields=choices(editable_fields),
            has_attachments=bool(found),
            has_notes=bool(notes),
        )


class DeviationFormCard(CardModel):
    """`values` are raw input values (`observed_on` as YYYY-MM-DD); `errors` field -> message."""

    template: ClassVar[str] = "deviation_form"
    draft_id: PlainText
    values: dict[str, PlainText]
    errors: dict[str, UserText]
    has_errors: bool
    categories: list[Choice]
    severities: list[Choice]

    @field_validator("values", "errors")
    @classmethod
    def _all_fields(cls, mapping: dict[str, str]) -> dict[str, str]:
        unknown = set(mapping) - set(FORM_FIELDS)
        if unknown:
            raise ValueError(f"not form fields: {sorted(unknown)}")
        return {name: mapping.get(name, "") for name in FORM_FIELDS}

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        categories: Sequence[tuple[str, str]],
        severities: Sequence[tuple[str, str]],
        values: Mapping[str, Any] | None = None,
        errors: Mapping[str, str] | None = None,
        draft_id: str = "",
    ) -> DeviationFormCard:
        return cls(
            lang=as_lang(lang),
            draft_id=draft_id,
            values={k: _as_input(v) for k, v in (values or {}).items()},
            errors=dict(errors or {}),
            has_errors=bool(errors),
            categories=choices(categories),
            severities=choices(severities),
        )


def _as_input(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()[:10]
    return str(value)


class DeviationCard(CardModel):
    template: ClassVar[str] = "deviation"
    view: DeviationView
    case_id: PlainText
    version: int
    number: UserText
    heading_line: UserText
    state: UserText
    facts: list[Fact]
    description: UserText
    attachments: list[Attachment] = Field(default_factory=list, max_length=MAX_ATTACHMENTS)
    outcomes: list[Choice] = Field(default_factory=list)
    control_note: str = ""
    notice: UserText = ""
    min_deadline: str = ""
    has_attachments: bool = False
    has_control: bool = False
    has_notice: bool = False
    can_acknowledge: bool = False
    can_reclaim: bool = False
    can_close: bool = False
    can_decide_sanction: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        view: DeviationView,
        case_id: str,
        version: int,
        number: str,
        contract: str,
        state: str,
        state_id: str,
        rows: Sequence[tuple[str, str]],
        description: str,
        attachments: Sequence[tuple[str, str]] = (),
        outcomes: Sequence[tuple[str, str]] = (),
        control: bool = False,
        notice: str | None = None,
        today: date | None = None,
    ) -> DeviationCard:
        """`state_id` is the state's id (what the buttons depend on), `state` its label."""
        lang_ = as_lang(lang)
        acting = view == "actor"
        found = [Attachment(text=attachment_line(n, u)) for n, u in attachments]
        return cls(
            lang=lang_,
            view=view,
            case_id=case_id,
            version=version,
            number=number,
            heading_line=contract,
            state=state,
            facts=facts(rows),
            description=description,
            attachments=found,
            outcomes=choices(outcomes),
            control_note=label("deviation", "control", lang_) if control else "",
            notice=notice or "",
            min_deadline=today.isoformat() if today else "",
            has_attachments=bool(found),
            has_control=control,
            has_notice=bool(notice),
            can_acknowledge=acting and state_id == "registrert",
            can_reclaim=acting and state_id in ("mottatt", "under_oppfolging"),
            can_close=acting and state_id not in ("lukket", "til_godkjenning"),
            can_decide_sanction=view == "sanction" and state_id == "til_godkjenning",
        )


class StatsRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    title: UserText
    value: UserText


class DeviationStatsCard(CardModel):
    template: ClassVar[str] = "deviation_stats"
    heading: UserText
    subject: UserText
    rows: list[StatsRow]
    totals: UserText
    empty: UserText = ""
    has_rows: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        heading: str,
        subject: str,
        rows: Sequence[tuple[str, str]],
        totals: str,
        empty: str = "",
    ) -> DeviationStatsCard:
        """`rows` are `(category label, "2 registrert · 1 lukket")`; `subject` names the
        contracts counted."""
        return cls(
            lang=as_lang(lang),
            heading=heading,
            subject=subject,
            rows=[StatsRow(title=a, value=b) for a, b in rows],
            totals=totals,
            empty=empty,
            has_rows=bool(rows),
        )


def when(value: date | datetime | None, lang: str) -> str:
    return format_when(value, lang) if value else "–"


__all__ = [
    "Attachment",
    "DeviationCard",
    "DeviationFormCard",
    "DeviationStatsCard",
    "DeviationSummaryCard",
    "DeviationView",
    "attachment_line",
    "when",
]
