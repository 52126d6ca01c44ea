"""Contract periods: "2+1+1 år", "18 mnd", "4 år", "løpende".

The period decides the estimated value (every option counts), so the parser refuses what it
cannot read for certain: a bare "4" could be years or months and is rejected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.core.domain.errors import ValidationFailed
from bot.core.i18n import t

_INVALID = "need.period.invalid"
_MAX_MONTHS = 600  # 50 years: anything longer is a typo or a year number


@dataclass(frozen=True)
class ContractPeriod:
    """Base period and options in months; open-ended contracts count a fixed number of months."""

    base_months: int
    option_months: tuple[int, ...] = ()
    open_ended: bool = False

    def total_months(self, open_ended_months: int = 48) -> int:
        """All months including every option; open-ended counts `open_ended_months` (FOA: 48)."""
        if self.open_ended:
            return open_ended_months
        return self.base_months + sum(self.option_months)

    def describe(self, lang: str = "nb", open_ended_months: int = 48) -> str:
        """ "2 år + opsjon 1 + 1 år", "18 måneder", "løpende (regnes som 48 måneder)"."""
        if self.open_ended:
            return t("need.period.open_ended", lang, months=open_ended_months)
        parts = (self.base_months, *self.option_months)
        in_years = all(m % 12 == 0 for m in parts)
        numbers = [m // 12 if in_years else m for m in parts]
        unit = "years" if in_years else "months"

        def with_unit(n: int, *, many: bool = False) -> str:
            plural = "one" if n == 1 and not many else "other"
            return t(f"need.period.{unit}_{plural}", lang, n=n)

        base = with_unit(numbers[0])
        if not self.option_months:
            return base
        # "1 + 1 years": the unit after a sum of options is plural
        options = " + ".join(str(n) for n in numbers[1:-1])
        last = with_unit(numbers[-1], many=bool(options))
        options = f"{options} + {last}" if options else last
        key = "need.period.with_option" if len(numbers) == 2 else "need.period.with_options"
        return t(key, lang, base=base, options=options)

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form for drafts."""
        return {
            "base_months": self.base_months,
            "option_months": list(self.option_months),
            "open_ended": self.open_ended,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ContractPeriod:
        """Inverse of to_dict."""
        return cls(
            base_months=int(data.get("base_months", 0)),
            option_months=tuple(int(m) for m in data.get("option_months", ())),
            open_ended=bool(data.get("open_ended", False)),
        )


_WORDS: dict[str, Decimal] = {
    "en": Decimal(1),
    "ett": Decimal(1),
    "et": Decimal(1),
    "én": Decimal(1),
    "ei": Decimal(1),
    "one": Decimal(1),
    "a": Decimal(1),
    "to": Decimal(2),
    "two": Decimal(2),
    "tre": Decimal(3),
    "three": Decimal(3),
    "fire": Decimal(4),
    "four": Decimal(4),
    "fem": Decimal(5),
    "five": Decimal(5),
    "seks": Decimal(6),
    "six": Decimal(6),
    "sju": Decimal(7),
    "syv": Decimal(7),
    "åtte": Decimal(8),
    "ni": Decimal(9),
    "ti": Decimal(10),
    "ten": Decimal(10),
    "tolv": Decimal(12),
    "twelve": Decimal(12),
    "atten": Decimal(18),
    "eighteen": Decimal(18),
    "halvannet": Decimal("1.5"),
    "halvannen": Decimal("1.5"),
}
_NUM = (
    r"(?:\d+(?:[.,]\d+)?|"
    + "|".join(sorted((re.escape(w) for w in _WORDS), key=len, reverse=True))
    + ")"
)
_YEARS = r"år|års|years?|yrs?"
_MONTHS = r"måneder|måneders|måned|mnd\.?|md\.?|months?|mos?\.?"
_PART = rf"(?:\d+\s*[x×]\s*)?{_NUM}(?:\s*(?:{_YEARS}|{_MONTHS})(?!\w))?"
_OPTION = (
    r"(?:(?:med\s+)?(?:en\s+|an?\s+|mulighet\s+for\s+)?"
    r"(?:opsjon(?:er)?|forlengelse|options?|extensions?)(?:\s+(?:på|of|i|for))?)"
)
_SEP = rf"(?:\s*(?:\+|pluss(?!\w)|plus(?!\w))\s*{_OPTION}?\s*|\s*,?\s+{_OPTION}\s+)"
_SERIES = rf"{_PART}(?:{_SEP}{_PART})*(?:\s+(?:opsjon(?:er)?|options?))?"
_PART_RE = re.compile(
    rf"(?:(?P<times>\d+)\s*[x×]\s*)?(?P<num>{_NUM})"
    rf"(?:\s*(?:(?P<years>{_YEARS})|(?P<months>{_MONTHS}))(?!\w))?"
)
_SERIES_RE = re.compile(rf"(?<![\w.,+]){_SERIES}(?![\w+])")
_OPEN_ENDED = re.compile(
    r"(?<!\w)(?:løpende|ubestemt\s+tid|tidsubegrenset|uten\s+sluttdato|ingen\s+sluttdato|"
    r"inntil\s+videre|open[- ]ended|indefinite(?:ly)?|ongoing|until\s+further\s+notice)(?!\w)"
)
_FILLER = re.compile(
    r"^(?:(?:en\s+|ei\s+)?(?:ramme)?avtale(?:periode)?\s+(?:på|for|over)|varighet|periode|"
    r"(?:a\s+)?(?:contract|agreement)\s+(?:of|for)|for|i|over|totalt|in\s+total)\s+"
)


_YEARS_AND_MONTHS = re.compile(
    rf"(?P<y>{_NUM})\s*(?:{_YEARS})\s+(?:og|and)\s+(?P<m>{_NUM})\s*(?:{_MONTHS})(?!\w)"
)


def _join_years_and_months(match: re.Match[str]) -> str:
    # "2 år og 6 måneder" is one base period of 30 months, not an option
    years = _months_of(f"{match['y']} år", None)[0]
    months = _months_of(f"{match['m']} mnd", None)[0]
    return f"{years + months} mnd"


def _months_of(part: str, unit_after: str | None) -> list[int]:
    match = _PART_RE.fullmatch(part.strip())
    if not match:
        raise ValidationFailed(f"unreadable period part: {part!r}", message_key=_INVALID)
    unit = "years" if match["years"] else "months" if match["months"] else unit_after
    if unit is None:
        raise ValidationFailed(f"no unit for {part!r}", message_key=_INVALID)
    raw = match["num"]
    try:
        number = _WORDS[raw] if raw in _WORDS else Decimal(raw.replace(",", "."))
    except InvalidOperation as exc:
        raise ValidationFailed(f"unreadable number {raw!r}", message_key=_INVALID) from exc
    months = number * 12 if unit == "years" else number
    if months != months.to_integral_value() or not 1 <= months <= _MAX_MONTHS:
        raise ValidationFailed(f"not a whole number of months: {part!r}", message_key=_INVALID)
    return [int(months)] * int(match["times"] or 1)


def _unit_of(part: str) -> str | None:
    match = _PART_RE.fullmatch(part.strip())
    if match and match["years"]:
        return "years"
    if match and match["months"]:
        return "months"
    return None


def parse_period(text: str) -> ContractPeriod:
    """Read a contract period.

    "2+1+1" and "2+1+1 år" are years (a part without a unit takes the unit of the next part that
    has one, and a plus series without any unit is years, as agreements are written); "18 mnd",
    "6 mnd + 6 mnd", "4 år", "ett år", "1 year", "2 år med opsjon på 1 + 1 år"; "løpende",
    "ubestemt tid" and "tidsubegrenset" are open-ended. Raises ValidationFailed otherwise.
    """
    s = " ".join(text.lower().replace("\u00a0", " ").split()).strip(" .")
    s = _FILLER.sub("", s)
    s = _YEARS_AND_MONTHS.sub(_join_years_and_months, s)
    if _OPEN_ENDED.fullmatch(s) or re.fullmatch(rf"{_OPEN_ENDED.pattern}\s+(?:avtale|kontrakt)", s):
        return ContractPeriod(base_months=0, open_ended=True)
    if not s or not re.fullmatch(_SERIES, s):
        raise ValidationFailed(f"unreadable period: {text!r}", message_key=_INVALID)
    s = re.sub(r"\s+(?:opsjon(?:er)?|options?)$", "", s)
    parts = [p for p in re.split(_SEP, s) if p.strip()]
    if len(parts) == 1 and _unit_of(parts[0]) is None:
        raise ValidationFailed(f"a bare number is no period: {text!r}", message_key=_INVALID)
    months: list[int] = []
    unit_after: str | None = "years"  # "2+1+1": the conventional notation is in years
    for part in reversed(parts):
        unit_after = _unit_of(part) or unit_after
        months[:0] = _months_of(part, unit_after)
    return ContractPeriod(base_months=months[0], option_months=tuple(months[1:]))


def find_period_span(sentence: str) -> tuple[ContractPeriod, tuple[int, int]] | None:
    """Like find_period, with where in the sentence the period was found."""
    s = sentence.lower()
    open_ended = _OPEN_ENDED.search(s)
    if open_ended:
        return ContractPeriod(base_months=0, open_ended=True), open_ended.span()
    for match in _SERIES_RE.finditer(s):
        text = match.group(0)
        has_unit = bool(re.search(rf"(?:{_YEARS}|{_MONTHS})(?!\w)", text))
        has_plus = len(re.split(_SEP, text)) > 1
        if not (has_unit or has_plus):
            continue
        if re.search(r"(?<!\w)(?:om|in|innen|within|siden|ago)\s+$", s[: match.start()]):
            continue  # "om 2 år" is a date, not a period
        if re.match(r"\s*(?:siden|gammel|gamle|old|ago)(?!\w)", s[match.end() :]):
            continue
        try:
            return parse_period(text), match.span()
        except ValidationFailed:
            continue
    return None


def find_period(sentence: str) -> ContractPeriod | None:
    """Find a contract period in a longer sentence ("avtale på 2+1+1 år"), or None."""
    found = find_period_span(sentence)
    return found[0] if found else None
