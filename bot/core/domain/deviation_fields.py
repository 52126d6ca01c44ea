"""The fields of a deviation report: the draft, how answers are read, and what a sentence says.

Like need_fields.py for the needs report: pure parsing, no I/O. The contract is found by the
Teams layer (a search in the register); the draft only keeps what was chosen.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any, Final

from bot.core.domain.dates import MONTHS
from bot.core.domain.deviation import CATEGORIES, SEVERITIES
from bot.core.domain.errors import ValidationFailed
from bot.core.i18n import t

# The questions, in the order they are asked.
FIELDS: Final = ("contract", "category", "description", "observed_on", "severity", "unit")
UNKNOWN_WORDS: Final = frozenset({"vet ikke", "vet ikkje", "usikker", "ukjent", "don't know"})
UNKNOWN_WORDS_ASCII: Final = frozenset({"dont know", "unknown", "not sure", "-"})
MAX_ATTACHMENTS: Final = 10


@dataclass
class DeviationDraft:
    """What the reporter has said so far. `contract_unknown` is "vet ikke" (procurement finds
    the contract); `attachments` are `{"name", "url"}` of files sent in the chat."""

    contract_number: str | None = None
    contract_title: str | None = None
    supplier: str | None = None
    contract_unknown: bool = False
    category: str | None = None
    description: str | None = None
    observed_on: date | None = None
    severity: str | None = None
    unit: str | None = None
    attachments: list[dict[str, str]] = field(default_factory=list)

    def has(self, name: str) -> bool:
        if name == "contract":
            return self.contract_number is not None or self.contract_unknown
        return getattr(self, name) is not None

    def clear(self, name: str) -> None:
        if name == "contract":
            self.contract_number = self.contract_title = self.supplier = None
            self.contract_unknown = False
        else:
            setattr(self, name, None)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["observed_on"] = self.observed_on.isoformat() if self.observed_on else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DeviationDraft:
        data = dict(data or {})
        observed = data.get("observed_on")
        draft = cls()
        for name in ("contract_number", "contract_title", "supplier", "description", "unit"):
            value = data.get(name)
            setattr(draft, name, str(value) if isinstance(value, str) else None)
        draft.contract_unknown = bool(data.get("contract_unknown"))
        category = data.get("category")
        draft.category = category if category in CATEGORIES else None
        severity = data.get("severity")
        draft.severity = severity if severity in SEVERITIES else None
        try:
            draft.observed_on = date.fromisoformat(observed) if isinstance(observed, str) else None
        except ValueError:
            draft.observed_on = None
        draft.attachments = [
            {"name": str(a.get("name") or ""), "url": str(a.get("url") or "")}
            for a in data.get("attachments") or []
            if isinstance(a, dict)
        ][:MAX_ATTACHMENTS]
        return draft


def is_unknown(text: str) -> bool:
    said = " ".join(text.lower().replace("’", "'").split()).strip(" .!")
    return said in UNKNOWN_WORDS or said in UNKNOWN_WORDS_ASCII


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("ø", "o").replace("å", "a").replace("æ", "ae").split())


def _choose(text: str, ids: tuple[str, ...], label_prefix: str, key: str) -> str:
    """An id, or a label in either language, or the first word(s) of a label."""
    said = _fold(text).strip(" .!")
    if not said:
        raise ValidationFailed("empty choice", message_key=key)
    for value in ids:
        labels = [_fold(t(f"{label_prefix}.{value}", lang)) for lang in ("nb", "en")]
        if said in (value, _fold(value.replace("_", " ")), *labels):
            return value
    starts = [
        value
        for value in ids
        if any(_fold(t(f"{label_prefix}.{value}", lang)).startswith(said) for lang in ("nb", "en"))
        or value.startswith(said)
    ]
    if len(starts) == 1:
        return starts[0]
    raise ValidationFailed(f"unknown choice {text!r}", message_key=key)


def parse_category(text: str) -> str:
    return _choose(text, CATEGORIES, "deviation.category", "deviation.field.category.invalid")


def parse_severity(text: str) -> str:
    return _choose(text, SEVERITIES, "deviation.severity", "deviation.field.severity.invalid")


def parse_text(text: str, *, minimum: int, maximum: int, key: str) -> str:
    value = " ".join(text.split()) if "\n" not in text else text.strip()
    if len(value) < minimum:
        raise ValidationFailed("too short", message_key=key)
    return value[:maximum]


# --- when it happened ------------------------------------------------------------------------

_REL = re.compile(r"^(?:i\s+dag|idag|today|nå)$")
_YESTERDAY = re.compile(r"^(?:i\s+går|igår|yesterday)$")
_DAY_BEFORE = re.compile(r"^(?:i\s+forgårs|forgårs)$")
_AGO = re.compile(
    r"^(?:for\s+)?(?P<n>\d+|en|ei|ett|to|tre|fire|fem|seks)\s+(?P<u>dag|dager|uke|uker|days?|weeks?)\s+(?:siden|ago)$"
)
_LAST_WEEK = re.compile(r"^(?:forrige\s+uke|last\s+week)$")
_NUMERIC = re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{4}|\d{2}))?$")
_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_NAMED = re.compile(r"^(?P<d>\d{1,2})\.?\s*(?P<month>[a-zæøå]+)\.?(?:\s+(?P<y>\d{4}))?$")
_WORDS = {"en": 1, "ei": 1, "ett": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6}
_LEAD = re.compile(r"^(?:den|on|the|ca\.?|rundt)\s+")
_MAX_YEARS_BACK = 5


def _most_recent(day: int, month: int, today: date) -> date:
    """ "3. november" without a year: the last one up to today."""
    for year in (today.year, today.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    raise ValidationFailed("no such date", message_key="deviation.field.observed_on.invalid")


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValidationFailed(
            "no such date", message_key="deviation.field.observed_on.invalid"
        ) from exc


def parse_observed(text: str, today: date) -> date:
    """When the deviation happened or was discovered: today or earlier, at most five years back.

    "i dag", "i går", "i forgårs", "tre dager siden", "forrige uke", "3.11.2026", "3.11",
    "3. november", "2026-11-03". Raises ValidationFailed (invalid / in the future / too old).
    """
    s = " ".join(text.lower().replace("\u00a0", " ").split()).strip(" ,!.")
    while (lead := _LEAD.match(s)) is not None:
        s = s[lead.end() :]
    result: date | None = None
    if _REL.match(s):
        result = today
    elif _YESTERDAY.match(s):
        result = today - timedelta(days=1)
    elif _DAY_BEFORE.match(s):
        result = today - timedelta(days=2)
    elif _LAST_WEEK.match(s):
        result = today - timedelta(days=7)
    elif m := _AGO.match(s):
        n = int(m["n"]) if m["n"].isdigit() else _WORDS[m["n"]]
        result = today - (
            timedelta(weeks=n) if m["u"].startswith(("uke", "week")) else timedelta(days=n)
        )
    elif m := _ISO.match(s):
        result = _make(int(m["y"]), int(m["m"]), int(m["d"]))
    elif m := _NUMERIC.match(s):
        if m["y"]:
            year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
            result = _make(year, int(m["m"]), int(m["d"]))
        else:
            result = _most_recent(int(m["d"]), int(m["m"]), today)
    elif (m := _NAMED.match(s)) and m["month"] in MONTHS:
        month = MONTHS[m["month"]]
        result = (
            _make(int(m["y"]), month, int(m["d"]))
            if m["y"]
            else _most_recent(int(m["d"]), month, today)
        )
    if result is None:
        raise ValidationFailed(
            f"unreadable {text!r}", message_key="deviation.field.observed_on.invalid"
        )
    if result > today:
        raise ValidationFailed("in the future", message_key="deviation.field.observed_on.future")
    if result < date(today.year - _MAX_YEARS_BACK, today.month, 1):
        raise ValidationFailed("too old", message_key="deviation.field.observed_on.too_old")
    return result


# --- what a free sentence says ---------------------------------------------------------------

_CATEGORY_WORDS: Final[dict[str, re.Pattern[str]]] = {
    "forsinkelse": re.compile(
        r"for\s+sent|forsink\w*|ikke\s+levert|kom\s+aldri|kom\s+ikke|leveringstid|late|delay\w*"
    ),
    "pris_faktura": re.compile(
        r"faktur\w*|feil\s+pris|overpris\w*|for\s+dyrt|invoice\w*|overcharg\w*"
    ),
    "kvalitet": re.compile(
        r"mangel\w*|defekt\w*|ødelagt\w*|skadet|knust|dårlig\s+kvalitet|feil\s+vare\w*|damaged|broken"
    ),
    "sortiment": re.compile(r"sortiment\w*|produktbytte|byttet\s+ut|annet\s+produkt|substitut\w*"),
    "lonn_seriositet": re.compile(
        r"lønn\w*|svart\s+arbeid|sosial\s+dumping|hms-kort|underleverandør\w*|seriøsitet\w*"
    ),
    "hms": re.compile(
        r"(?<!-)\bhms\b(?!-)|ulykke\w*|personskade\w*|farlig\w*|sikkerhet\s+på\s+byggeplass\w*"
    ),
    "miljo": re.compile(r"miljø\w*|utslipp\w*|diesel\w*|fossil\w*"),
    "etikk": re.compile(r"barnearbeid|menneskerettigh\w*|tvangsarbeid|etikk\w*|etisk\w*"),
    "personvern": re.compile(
        r"personvern\w*|datalekkasje|personopplysning\w*|informasjonssikkerhet|sikkerhetsbrudd"
    ),
    "avtalelojalitet": re.compile(r"utenfor\s+avtalen|kjøpt\s+utenfor|avtalelojalitet"),
    "samarbeid": re.compile(r"svarer\s+ikke|kommunikasjon\w*|samarbeid\w*|kundeservice|uhøflig\w*"),
}
_SEVERITY_WORDS: Final[dict[str, re.Pattern[str]]] = {
    "kritisk": re.compile(r"kritisk\w*|livsfarlig\w*|akutt"),
    "hoy": re.compile(r"alvorlig\w*|svært\s+dårlig"),
}
_CONTRACT_NUMBER = re.compile(r"\b[A-ZÆØÅ]{2,6}-\d{4}-\d{1,5}\b")
_SUPPLIER = re.compile(
    r"(?:\bfra|\bhos|\bmed|\bav|\bpå|\bleverandøren|\bfrom|\bby|\bon)\s+"
    r"(?P<name>[A-ZÆØÅ][\wæøåÆØÅ&.'-]*(?:\s+(?:AS|ASA|SA|[A-ZÆØÅ][\wæøåÆØÅ&.'-]*))*)"
)


def _bounded(patterns: dict[str, re.Pattern[str]]) -> dict[str, re.Pattern[str]]:
    """Whole words only: "late" is not in "plater"."""
    return {k: re.compile(rf"(?<!\w)(?:{p.pattern})(?!\w)") for k, p in patterns.items()}


_CATEGORY_HINTS = _bounded(_CATEGORY_WORDS)
_SEVERITY_HINTS = _bounded(_SEVERITY_WORDS)


@dataclass(frozen=True)
class SentenceHints:
    """What a free sentence gave away: a search for the contract, and answers to prefill."""

    contract_query: str | None = None
    category: str | None = None
    severity: str | None = None
    observed_on: date | None = None
    description: str | None = None


_COMMAND = re.compile(
    r"^(?:jeg\s+vil\s+)?(?:meld(?:e)?\s+)?(?:et\s+)?(?:avvik|deviation)"
    r"(?:\s+(?:på|for|om|hos|fra|on))?\s*(?-i:[A-ZÆØÅ][\wæøåÆØÅ&.'-]*(?:\s+AS)?)?",
    re.IGNORECASE,
)
_DATE_WORDS = re.compile(
    r"(?<!\w)(?:i\s+dag|i\s+går|i\s+forgårs|forrige\s+uke|\d{1,2}\.\d{1,2}(?:\.\d{2,4})?|"
    r"\d{1,2}\.\s*[a-zæøå]+(?:\s+\d{4})?|(?:\d+|en|to|tre|fire|fem|seks)\s+(?:dager|uker)\s+siden)(?!\w)"
)


def hints_of(sentence: str, today: date) -> SentenceHints:
    """Read a sentence such as "leveransen fra Kontorland kom tre uker for sent"."""
    text = sentence.strip()
    lowered = text.lower()
    query = None
    if m := _CONTRACT_NUMBER.search(text):
        query = m.group(0)
    elif m := _SUPPLIER.search(text):
        query = m["name"].strip(" .,")
    categories = [c for c, pattern in _CATEGORY_HINTS.items() if pattern.search(lowered)]
    severity = next((s for s, p in _SEVERITY_HINTS.items() if p.search(lowered)), None)
    observed = None
    for m in _DATE_WORDS.finditer(lowered):
        try:
            observed = parse_observed(m.group(0), today)
            break
        except ValidationFailed:
            continue
    # "meld avvik på Kontorland" says which contract, not what happened.
    told = _COMMAND.sub("", text).strip(" .,:;–-")
    description = text[0].upper() + text[1:] if len(told) >= 15 else None
    return SentenceHints(
        contract_query=query,
        category=categories[0] if len(categories) == 1 else None,
        severity=severity,
        observed_on=observed,
        description=description[:4000] if description else None,
    )
