"""The deviation-report conversation as a pure state machine: text in, a `Prompt` out, no I/O.

Like need_intake.py: one question at a time in FIELDS order, only for what is still missing;
"avbryt", "tilbake" and "hjelp" work in every step; the state is `to_dict()` between turns.

The contract step is the one that needs the outside world: any text there becomes a `search`
prompt (the Teams layer searches the register and offers the best matches as buttons), a chosen
match arrives as `#<contract number>` and becomes a `pick` prompt (the Teams layer looks the
contract up and calls `choose_contract`), and "vet ikke" is allowed (procurement resolves it).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from bot.core.domain.deviation import CATEGORIES, SEVERITIES
from bot.core.domain.deviation_fields import (
    FIELDS,
    MAX_ATTACHMENTS,
    DeviationDraft,
    hints_of,
    is_unknown,
    parse_category,
    parse_observed,
    parse_severity,
    parse_text,
)
from bot.core.domain.errors import ValidationFailed

PromptKind = Literal["ask", "invalid", "help", "search", "pick", "summary", "cancelled"]
Status = Literal["active", "summary", "cancelled"]

_CANCEL = {"avbryt", "cancel", "stopp", "stop", "avslutt"}
_BACK = {"tilbake", "back", "angre", "undo"}
_HELP = {"hjelp", "help", "?"}
UNKNOWN_CHOICE = "vet ikke"


@dataclass(frozen=True)
class Prompt:
    """What to show next. `choices` are `(value, catalog key)` pairs that become buttons."""

    kind: PromptKind
    field: str | None
    message_key: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    choices: tuple[tuple[str, str], ...] = ()


def _choices(name: str, default_unit: str | None) -> tuple[tuple[str, str], ...]:
    if name == "category":
        return tuple((c, f"deviation.category.{c}") for c in CATEGORIES)
    if name == "severity":
        return tuple((s, f"deviation.severity.{s}") for s in SEVERITIES)
    if name == "contract":
        return ((UNKNOWN_CHOICE, "deviation.choice.unknown_contract"),)
    if name == "unit" and default_unit:
        return ((default_unit, ""),)  # "" = show the value itself
    return ()


class DeviationSession:
    """One deviation report in chat. Drive it with start / answer / choose_contract."""

    def __init__(self, default_unit: str | None = None) -> None:
        self.default_unit = default_unit
        self._reset()

    def _reset(self) -> None:
        self.draft = DeviationDraft()
        self.status: Status = "active"
        self.current: str | None = None
        self.history: list[str] = []  # fields answered, for "tilbake"
        self.contract_query: str | None = None

    # --- entry points -----------------------------------------------------------------------

    def start(self, today: date, sentence: str | None = None) -> Prompt:
        self._reset()
        if sentence and sentence.strip():
            hints = hints_of(sentence, today)
            self.draft.category = hints.category
            self.draft.severity = hints.severity
            self.draft.observed_on = hints.observed_on
            self.draft.description = hints.description
            self.contract_query = hints.contract_query
        if self.contract_query:
            self.current = "contract"
            return self._search(self.contract_query)
        return self._next()

    def answer(self, today: date, text: str) -> Prompt:
        command = " ".join(text.lower().split()).strip(" .!")
        if self.status == "cancelled":
            return Prompt("cancelled", None, "deviation.cancelled")
        if command in _CANCEL:
            self.status = "cancelled"
            return Prompt("cancelled", None, "deviation.cancelled")
        if command in _BACK:
            return self._back()
        if command in _HELP:
            return self._help()
        if self.status == "summary":
            return self._summary()
        if self.current is None:
            return self._next()
        name = self.current
        try:
            if name == "contract":
                return self._contract_answer(text)
            value = self._parse(name, text, today)
        except ValidationFailed as error:
            return Prompt("invalid", name, error.message_key, {}, _choices(name, self.default_unit))
        setattr(self.draft, name, value)
        self.history.append(name)
        return self._next()

    def choose_contract(self, number: str, title: str, supplier: str) -> Prompt:
        """The reporter picked a contract from the matches."""
        self.draft.contract_number = number
        self.draft.contract_title = title
        self.draft.supplier = supplier
        self.draft.contract_unknown = False
        self.history.append("contract")
        return self._next()

    def add_attachments(self, files: list[dict[str, str]]) -> int:
        """Files sent in the chat during the report; returns how many were added."""
        known = {a["url"] for a in self.draft.attachments}
        added = 0
        for item in files:
            if len(self.draft.attachments) >= MAX_ATTACHMENTS:
                break
            if item.get("url") and item["url"] not in known:
                self.draft.attachments.append({"name": item.get("name", ""), "url": item["url"]})
                known.add(item["url"])
                added += 1
        return added

    def change_field(self, name: str) -> Prompt:
        """Ask `name` again (the summary's "Endre"); afterwards, back to the summary."""
        if name not in FIELDS:
            raise ValidationFailed(f"unknown field {name}", message_key="deviation.field.unknown")
        self.status = "active"
        self.current = name
        return self._ask(name)

    def current_prompt(self) -> Prompt:
        if self.status == "cancelled":
            return Prompt("cancelled", None, "deviation.cancelled")
        if self.status == "summary":
            return self._summary()
        if self.current is None:
            return self._next()
        return self._ask(self.current)

    # --- storage ----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": 1,
            "draft": self.draft.to_dict(),
            "status": self.status,
            "current": self.current,
            "history": list(self.history),
            "contract_query": self.contract_query,
            "default_unit": self.default_unit,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DeviationSession:
        unit = data.get("default_unit")
        session = cls(unit if isinstance(unit, str) else None)
        session.draft = DeviationDraft.from_dict(data.get("draft"))
        status = data.get("status")
        session.status = status if status in ("active", "summary", "cancelled") else "active"
        current = data.get("current")
        session.current = current if current in FIELDS else None
        session.history = [str(h) for h in data.get("history", []) if h in FIELDS]
        query = data.get("contract_query")
        session.contract_query = query if isinstance(query, str) else None
        return session

    # --- steps ------------------------------------------------------------------------------

    def _contract_answer(self, text: str) -> Prompt:
        if is_unknown(text):
            self.draft.clear("contract")
            self.draft.contract_unknown = True
            self.history.append("contract")
            return self._next()
        said = text.strip()
        if said.startswith("#") and len(said) > 1:
            return Prompt(
                "pick",
                "contract",
                "deviation.field.contract.question",
                {"number": said[1:].strip()},
            )
        if len(said) < 2:
            raise ValidationFailed("too short", message_key="deviation.field.contract.invalid")
        self.contract_query = said
        return self._search(said)

    def _parse(self, name: str, text: str, today: date) -> Any:
        if name == "category":
            return parse_category(text)
        if name == "severity":
            return parse_severity(text)
        if name == "observed_on":
            return parse_observed(text, today)
        if name == "description":
            return parse_text(
                text, minimum=5, maximum=4000, key="deviation.field.description.invalid"
            )
        return parse_text(text, minimum=2, maximum=200, key="deviation.field.unit.invalid")

    def _search(self, query: str) -> Prompt:
        return Prompt(
            "search",
            "contract",
            "deviation.field.contract.matches",
            {"query": query},
            _choices("contract", None),
        )

    def _next(self) -> Prompt:
        for name in FIELDS:
            if not self.draft.has(name):
                self.status = "active"
                self.current = name
                return self._ask(name)
        return self._summary()

    def _back(self) -> Prompt:
        if not self.history:
            return self.current_prompt()
        name = self.history.pop()
        self.draft.clear(name)
        self.status = "active"
        self.current = name
        return self._ask(name)

    def _ask(self, name: str) -> Prompt:
        return Prompt(
            "ask",
            name,
            f"deviation.field.{name}.question",
            {},
            _choices(name, self.default_unit),
        )

    def _help(self) -> Prompt:
        if self.status == "summary" or self.current is None:
            return Prompt("help", None, "deviation.summary.help")
        name = self.current
        return Prompt(
            "help", name, f"deviation.field.{name}.help", {}, _choices(name, self.default_unit)
        )

    def _summary(self) -> Prompt:
        self.status = "summary"
        self.current = None
        return Prompt("summary", None, "deviation.summary.intro")
