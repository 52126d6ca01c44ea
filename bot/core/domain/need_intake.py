"""The needs-report conversation as a pure state machine: text in, a `Prompt` out, no I/O.

The Teams layer renders the Prompt (a question with buttons, an error with an example, a
summary card) and stores `to_dict()` between turns. One question at a time, in FIELDS order,
only for what is still missing; "avbryt", "tilbake" and "hjelp" work in every step.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from bot.core.domain.amounts import ParsedAmount, excl_vat, find_amount_span
from bot.core.domain.dates import find_date_span
from bot.core.domain.errors import ValidationFailed
from bot.core.domain.need_fields import (
    FIELDS,
    NO,
    YES,
    Choice,
    FieldSpec,
    IntakeContext,
    choices_for,
    field_spec,
    format_value,
    parse_field,
    vat_params,
)
from bot.core.domain.needs import NeedDraft
from bot.core.domain.periods import find_period_span
from bot.core.domain.thresholds import ContractType
from bot.core.formatting import format_date

PromptKind = Literal["ask", "invalid", "help", "confirm_vat", "summary", "cancelled"]
Status = Literal["active", "summary", "cancelled"]

_CANCEL = {"avbryt", "cancel", "stopp", "stop", "avslutt"}
_BACK = {"tilbake", "back", "angre", "undo"}
_HELP = {"hjelp", "help", "?"}
_SKIP = {"hopp over", "skip", "-"}
_YES = {"ja", "j", "yes", "y", "ok", "jepp", "stemmer"}
_NO = {"nei", "n", "no"}


@dataclass(frozen=True)
class Prompt:
    """What to show next. `field` is the field asked about; `choices` become buttons."""

    kind: PromptKind
    field: str | None
    message_key: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    choices: tuple[Choice, ...] = ()
    example_key: str | None = None


_TYPE_HINTS: dict[ContractType, re.Pattern[str]] = {
    ContractType.VARE: re.compile(
        r"(?<!\w)(?:pc(?:-?er)?|datamaskin\w*|laptop\w*|bærbare?|nettbrett|ipad\w*|møbler|"
        r"stoler|pulter|varer|utstyr|skjermer|kjøretøy|printere?|skrivere|matvarer)(?!\w)"
    ),
    ContractType.TJENESTE: re.compile(
        r"(?<!\w)(?:tjeneste[rn]?|renhold|rådgivning|konsulent\w*|vakthold|kurs|opplæring|"
        r"vikarer|vikartjenester)(?!\w)"
    ),
    ContractType.BYGG_ANLEGG: re.compile(
        r"(?<!\w)(?:bygg|nybygg|ombygging|rehabilitering|tilbygg|anlegg|riving|asfaltering|"
        r"byggearbeid\w*|entreprise)(?!\w)"
    ),
    ContractType.HELSE_SOSIAL: re.compile(
        r"(?<!\w)(?:helsetjenester|omsorgstjenester|sosialtjenester|avlastning\w*|bpa|"
        r"barnevernstjenester|institusjonsplasser)(?!\w)"
    ),
}
_INTRO = re.compile(
    r"^(?:hei[,!]?\s+)?(?:(?:vi|jeg|enheten|skolen|barnehagen)\s+)?"
    r"(?:trenger|har\s+behov\s+for|ønsker\s+(?:å\s+(?:kjøpe|anskaffe)\s+)?|skal\s+(?:kjøpe|"
    r"anskaffe|ha)|må\s+(?:kjøpe|ha)|need|want\s+to\s+buy)\s+"
    r"|^(?:behov\s+for|kjøp\s+av|innkjøp\s+av|anskaffelse\s+av)\s+",
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"(?:[\s,;:–-]+|(?<!\w)(?:ca\.?|cirka|omtrent|rundt|for|fra|på|til|i|med|og|over|avtale|"
    r"oppstart|med oppstart|kr|nok)(?!\w))+$",
    re.IGNORECASE,
)


def _first_clause(sentence: str, spans: list[tuple[int, int]]) -> str | None:
    """The "what" of the free sentence: before the first amount, period or date, first clause."""
    cut = min((start for start, _end in spans), default=len(sentence))
    text = _INTRO.sub("", sentence[:cut].strip())
    text = re.split(r"[,;:]\s|\s[–-]\s|\.\s|\n", text)[0]
    text = _TRAILING.sub("", text).strip(" .,")
    if len(text) < 3:
        return None
    if len(text) > 120:
        text = text[:120].rsplit(" ", 1)[0]
    return text[0].upper() + text[1:]


class IntakeSession:
    """One needs-report conversation. Drive it with start / answer / change_field."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self.draft = NeedDraft()
        self.status: Status = "active"
        self.current: str | None = None
        self.history: list[dict[str, Any]] = []  # {"field", "previous"} for "tilbake"
        self.skipped: list[str] = []
        self.pending_vat: int | None = None  # amount given incl. VAT, awaiting confirmation

    # --- entry points -----------------------------------------------------------------------

    def start(self, context: IntakeContext, sentence: str | None = None) -> Prompt:
        """Begin, prefilling what the free sentence says; returns the first question."""
        self._reset()
        if sentence and sentence.strip():
            self._prefill(context, sentence.strip())
        if self.pending_vat is not None:
            self.current = "annual_value"
            return self._confirm_vat(context)
        return self._next(context)

    def start_from(self, context: IntakeContext, draft: NeedDraft) -> Prompt:
        """Begin with fields already filled in (e.g. from a contract about to expire); asks for
        the first one still missing."""
        self._reset()
        self.draft = NeedDraft.from_dict(draft.to_dict())
        return self._next(context)

    def answer(self, context: IntakeContext, text: str) -> Prompt:
        """Take the user's reply to the current step."""
        command = " ".join(text.lower().split()).strip(" .!")
        if self.status == "cancelled":
            return Prompt("cancelled", None, "need.cancelled")
        if command in _CANCEL:
            self.status = "cancelled"
            return Prompt("cancelled", None, "need.cancelled")
        if command in _BACK:
            return self._back(context)
        if command in _HELP:
            return self._help(context)
        if self.status == "summary":
            return self._summary()
        if self.current is None:  # a stored state without a step: find the step again
            return self._next(context)
        spec = field_spec(self.current)
        if self.pending_vat is not None:
            if command in _YES:
                return self._set(context, spec, excl_vat(self.pending_vat, context.vat_percent))
            if command in _NO:
                self.pending_vat = None
                return self._ask(context, spec)
        if command in _SKIP and spec.optional:
            self.skipped.append(spec.name)
            return self._next(context)
        try:
            value = parse_field(spec, text, context)
        except ValidationFailed as error:
            return self._invalid(context, spec, error)
        if isinstance(value, ParsedAmount):
            if value.includes_vat:
                self.pending_vat = value.value
                return self._confirm_vat(context)
            value = value.value
        return self._set(context, spec, value)

    def change_field(self, context: IntakeContext, name: str) -> Prompt:
        """Ask `name` again (the summary's "Endre"); after the answer, back to the summary."""
        spec = field_spec(name)
        if not spec.applies(self.draft):
            raise ValidationFailed(f"{name} does not apply", message_key="need.field.unknown")
        self.status = "active"
        self.current = name
        self.pending_vat = None
        if name in self.skipped:
            self.skipped.remove(name)
        return self._ask(context, spec)

    def current_prompt(self, context: IntakeContext) -> Prompt:
        """The prompt of the present step again (after a restart, or to repeat the question)."""
        if self.status == "cancelled":
            return Prompt("cancelled", None, "need.cancelled")
        if self.status == "summary":
            return self._summary()
        if self.current is None:
            return self._next(context)
        if self.pending_vat is not None:
            return self._confirm_vat(context)
        return self._ask(context, field_spec(self.current))

    # --- storage ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe state for storage between turns."""
        return {
            "version": 1,
            "draft": self.draft.to_dict(),
            "status": self.status,
            "current": self.current,
            "history": [dict(entry) for entry in self.history],
            "skipped": list(self.skipped),
            "pending_vat": self.pending_vat,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IntakeSession:
        """Inverse of to_dict."""
        session = cls()
        session.draft = NeedDraft.from_dict(data.get("draft"))
        status = data.get("status")
        session.status = status if status in ("active", "summary", "cancelled") else "active"
        current = data.get("current")
        known = {spec.name for spec in FIELDS}
        session.current = current if current in known else None  # a renamed field is re-found
        session.history = [dict(e) for e in data.get("history", []) if isinstance(e, dict)]
        session.skipped = [str(s) for s in data.get("skipped", [])]
        pending = data.get("pending_vat")
        session.pending_vat = pending if isinstance(pending, int) else None
        return session

    # --- steps ------------------------------------------------------------------------------

    def _prefill(self, context: IntakeContext, sentence: str) -> None:
        spans: list[tuple[int, int]] = []
        if amount := find_amount_span(sentence):
            spans.append(amount[1])
            if amount[0].includes_vat:
                self.pending_vat = amount[0].value
            else:
                self.draft.annual_value = amount[0].value
        if period := find_period_span(sentence):
            self.draft.period, span = period
            spans.append(span)
        if start := find_date_span(sentence, context.today):
            self.draft.start_date, span = start
            spans.append(span)
        self.draft.title = _first_clause(sentence, spans)
        if self.draft.title and self.draft.title != sentence and len(sentence) <= 2000:
            self.draft.description = sentence[0].upper() + sentence[1:]
        lowered = sentence.lower()
        types = [ct for ct, pattern in _TYPE_HINTS.items() if pattern.search(lowered)]
        if len(types) == 1:  # only when the words point one way
            self.draft.contract_type = types[0]
        areas = {
            sid
            for sid, name in context.service_areas
            for word in (sid, name)
            if re.search(rf"(?<!\w){re.escape(word.lower())}(?!\w)", lowered)
        }
        if len(areas) == 1:
            self.draft.service_area = areas.pop()

    def _set(self, context: IntakeContext, spec: FieldSpec, value: Any) -> Prompt:
        previous = self.draft.to_dict()[spec.name]
        setattr(self.draft, spec.name, value)
        self.history.append({"field": spec.name, "previous": previous})
        self.pending_vat = None
        return self._next(context)

    def _missing(self) -> FieldSpec | None:
        for spec in FIELDS:
            if not spec.applies(self.draft):
                setattr(self.draft, spec.name, None)  # e.g. a reason for urgency no longer urgent
                continue
            if getattr(self.draft, spec.name) is None and spec.name not in self.skipped:
                return spec
        return None

    def _next(self, context: IntakeContext) -> Prompt:
        spec = self._missing()
        if spec is None:
            self.current = None
            return self._summary()
        self.status = "active"
        self.current = spec.name
        return self._ask(context, spec)

    def _back(self, context: IntakeContext) -> Prompt:
        if self.pending_vat is not None:
            self.pending_vat = None
            return self._ask(context, field_spec("annual_value"))
        if not self.history:
            return self.current_prompt(context)
        entry = self.history.pop()
        name = str(entry["field"])
        restored = NeedDraft.from_dict({name: entry.get("previous")})
        setattr(self.draft, name, getattr(restored, name))
        self.status = "active"
        self.current = name
        return self._ask(context, field_spec(name))

    def _ask(self, context: IntakeContext, spec: FieldSpec) -> Prompt:
        params: dict[str, Any] = {}
        if getattr(self.draft, spec.name) is not None:
            params["current"] = format_value(spec.name, self.draft, context)
        return Prompt(
            "ask",
            spec.name,
            spec.question_key,
            params,
            choices_for(spec, context),
            spec.example_key,
        )

    def _invalid(self, context: IntakeContext, spec: FieldSpec, error: ValidationFailed) -> Prompt:
        params = {k: format_date(v) if isinstance(v, date) else v for k, v in error.params.items()}
        return Prompt(
            "invalid",
            spec.name,
            error.message_key,
            params,
            choices_for(spec, context),
            spec.example_key,
        )

    def _help(self, context: IntakeContext) -> Prompt:
        if self.status == "summary" or self.current is None:
            return Prompt("help", None, "need.summary.help")
        spec = field_spec(self.current)
        return Prompt(
            "help",
            spec.name,
            spec.help_key,
            {},
            choices_for(spec, context),
            spec.example_key,
        )

    def _confirm_vat(self, context: IntakeContext) -> Prompt:
        return Prompt(
            "confirm_vat",
            "annual_value",
            "need.field.annual_value.confirm_vat",
            vat_params(self.pending_vat or 0, context),
            (Choice(YES, "need.choice.vat_accept"), Choice(NO, "need.choice.vat_other")),
            "need.field.annual_value.example",
        )

    def _summary(self) -> Prompt:
        self.status = "summary"
        self.current = None
        return Prompt("summary", None, "need.summary.intro")
