"""Start dates as users write them: "1. mars 2027", "01.03.2027", "mars 2027", "om to uker".

Our own patterns come first, because they say exactly what they mean (a month without a day is
the first of that month, "i mars" is the next March); dateparser is the fallback for the forms it
reads well (English "March 1, 2027", odd spacing). A bare number such as "2027" or "15" is never
taken for a date, and a date in the past is refused rather than moved.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta
from typing import Any

import dateparser

from bot.core.domain.errors import ValidationFailed

_INVALID = "need.date.invalid"
_PAST = "need.date.past"
_TOO_FAR = "need.date.too_far"
_MAX_YEARS_AHEAD = 10

MONTHS: dict[str, int] = {
    **dict.fromkeys(("januar", "january", "jan"), 1),
    **dict.fromkeys(("februar", "february", "feb"), 2),
    **dict.fromkeys(("mars", "march", "mar"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mai", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "jul"), 7),
    **dict.fromkeys(("august", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nov"), 11),
    **dict.fromkeys(("desember", "december", "des", "dec"), 12),
}
_COUNT: dict[str, int] = {
    "en": 1, "ett": 1, "et": 1, "én": 1, "a": 1, "one": 1, "to": 2, "two": 2, "tre": 3,
    "three": 3, "fire": 4, "four": 4, "fem": 5, "five": 5, "seks": 6, "six": 6, "sju": 7,
    "syv": 7, "åtte": 8, "ni": 9, "ti": 10, "ten": 10,
}  # fmt: skip
_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
# Abbreviations ("mar", "des") only with a day or a year next to them.
_FULL_MONTH = r"(?P<month>" + "|".join(m for m in MONTHS if len(m) > 3 or m in {"mai", "may"}) + ")"
_COUNT_RE = r"(?P<n>\d+|" + "|".join(_COUNT) + ")"

_ASAP = re.compile(
    r"snarest(?:\s+mulig)?|så\s+(?:snart|fort)\s+som\s+mulig|straks|umiddelbart|nå|i\s+dag|"
    r"asap|as\s+soon\s+as\s+possible|immediately|now|today"
)
# "nå" and "i dag" are too common in a sentence to mean a start date there.
_ASAP_IN_SENTENCE = re.compile(
    r"snarest(?:\s+mulig)?|så\s+(?:snart|fort)\s+som\s+mulig|asap|as\s+soon\s+as\s+possible"
)
_TOMORROW = re.compile(r"i\s+morgen|tomorrow")
_NEXT = re.compile(r"(?:neste|next)\s+(?P<what>måned|month|uke|week|år|year)|over\s+nyttår")
_IN = re.compile(
    rf"(?:om|in)\s+{_COUNT_RE}\s+(?P<unit>dager|dag|days?|uker|uke|weeks?|måneder|måned|mnd|"
    r"months?|år|years?)|om\s+et\s+halvt\s+år|in\s+half\s+a\s+year"
)
_ISO = re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})")
_NUMERIC = re.compile(r"(?P<d>\d{1,2})[./](?P<m>\d{1,2})[./](?P<y>\d{4}|\d{2})")
_DAY_MONTH = re.compile(rf"(?P<d>\d{{1,2}})\.?\s*{_MONTH}(?:\s*(?P<y>\d{{4}}))?")
_MONTH_YEAR = re.compile(rf"{_MONTH}\s+(?P<y>\d{{4}})")
_IN_MONTH = re.compile(
    rf"(?:(?:i|fra|til|innen|in|from|by|primo|(?:i\s+)?(?:starten|begynnelsen)\s+av)\s+)?"
    rf"{_FULL_MONTH}(?:\s+(?P<next>neste\s+år|next\s+year))?"
)
_LEAD = re.compile(
    r"^(?:(?:med\s+)?oppstart|start(?:dato)?|fra\s+og\s+med|f\.o\.m\.?|fra|innen|"
    r"senest|den|ca\.?|rundt|from|by|on|starting|start)\s+"
)
_DATEPARSER_SETTINGS: dict[str, Any] = {
    "DATE_ORDER": "DMY",
    "PREFER_DATES_FROM": "future",
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "REQUIRE_PARTS": ["month", "year"],
}


def add_months(day: date, months: int) -> date:
    """`day` moved `months` months on, the day clamped to the month's length (31.01 → 28.02)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _first_of_month(day: date) -> date:
    return day.replace(day=1)


def _make(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise ValidationFailed(f"no such date {day}.{month}.{year}", message_key=_INVALID) from exc


def _next_occurrence(month: int, day: int, today: date) -> date:
    # "1. mars" and "i mars" without a year mean the next one from today.
    for year in (today.year, today.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise ValidationFailed(f"no such date {day}.{month}", message_key=_INVALID)


def _relative(s: str, today: date) -> date | None:
    if _ASAP.fullmatch(s):
        return today
    if _TOMORROW.fullmatch(s):
        return today + timedelta(days=1)
    nxt = _NEXT.fullmatch(s)
    if nxt:
        what = nxt["what"]
        if what in {"uke", "week"}:
            return today + timedelta(days=7 - today.weekday())  # next Monday
        if what in {"år", "year"} or what is None:
            return date(today.year + 1, 1, 1)
        return add_months(_first_of_month(today), 1)
    within = _IN.fullmatch(s)
    if within:
        if within["n"] is None:
            return add_months(today, 6)
        n = int(within["n"]) if within["n"].isdigit() else _COUNT[within["n"]]
        unit = within["unit"]
        if unit.startswith(("dag", "day")):
            return today + timedelta(days=n)
        if unit.startswith(("uke", "week")):
            return today + timedelta(weeks=n)
        if unit.startswith(("år", "year")):
            return add_months(today, 12 * n)
        return add_months(today, n)
    return None


def _absolute(s: str, today: date) -> date | None:
    if m := _ISO.fullmatch(s):
        return _make(int(m["y"]), int(m["m"]), int(m["d"]))
    if m := _NUMERIC.fullmatch(s):
        year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
        return _make(year, int(m["m"]), int(m["d"]))
    if m := _DAY_MONTH.fullmatch(s):
        month, day = MONTHS[m["month"]], int(m["d"])
        return _make(int(m["y"]), month, day) if m["y"] else _next_occurrence(month, day, today)
    if m := _MONTH_YEAR.fullmatch(s):
        return _make(int(m["y"]), MONTHS[m["month"]], 1)
    if m := _IN_MONTH.fullmatch(s):
        month = MONTHS[m["month"]]
        if m["next"]:
            return date(today.year + 1, month, 1)
        if month == today.month:
            return today  # "i desember" said in December: the month has begun
        return _next_occurrence(month, 1, today)
    return None


def _with_dateparser(s: str, today: date) -> date | None:
    # Only text with a month name or a day-month-year shape; dateparser reads "15" as a date.
    if not re.search(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", s) and not any(
        re.search(rf"(?<!\w){re.escape(name)}(?!\w)", s) for name in MONTHS
    ):
        return None
    settings = {
        **_DATEPARSER_SETTINGS,
        "RELATIVE_BASE": datetime.combine(today, time()),
    }
    parsed = dateparser.parse(s, languages=["nb", "en"], settings=settings)
    return parsed.date() if parsed is not None else None


def parse_date(text: str, today: date) -> date:
    """Read a start date relative to `today`.

    Raises ValidationFailed with "need.date.invalid" (unreadable, or a bare number),
    "need.date.past" (before today) or "need.date.too_far" (more than ten years ahead).
    """
    s = " ".join(text.lower().replace("\u00a0", " ").split()).strip(" ,!")
    while (lead := _LEAD.match(s)) is not None:
        s = s[lead.end() :]
    s = s.rstrip(".")
    if not s or s.isdigit():
        raise ValidationFailed(f"unreadable date: {text!r}", message_key=_INVALID)
    result = _relative(s, today) or _absolute(s, today) or _with_dateparser(s, today)
    if result is None:
        raise ValidationFailed(f"unreadable date: {text!r}", message_key=_INVALID)
    if result < today:
        raise ValidationFailed(f"date in the past: {result}", message_key=_PAST, date=result)
    if result > add_months(today, 12 * _MAX_YEARS_AHEAD):
        raise ValidationFailed(f"date too far ahead: {result}", message_key=_TOO_FAR)
    return result


_IN_SENTENCE = [
    re.compile(rf"(?<![\w.]){p.pattern}(?![\w])")
    for p in (_ISO, _NUMERIC, _DAY_MONTH, _MONTH_YEAR, _ASAP_IN_SENTENCE, _TOMORROW, _NEXT, _IN)
]
# "mars" alone only after a preposition inside a sentence ("i mars", "fra mars").
_IN_SENTENCE.append(
    re.compile(
        rf"(?<!\w)(?:i|fra|innen|in|from|by|primo|(?:i\s+)?(?:starten|begynnelsen)\s+av)\s+"
        rf"{_FULL_MONTH}(?!\w)"
    )
)


def find_date_span(sentence: str, today: date) -> tuple[date, tuple[int, int]] | None:
    """Like find_date, with where in the sentence the date was found."""
    s = sentence.lower()
    candidates: list[tuple[int, int]] = []
    for pattern in _IN_SENTENCE:
        candidates.extend(m.span() for m in pattern.finditer(s))
    # leftmost first, and the longest of those starting at the same place
    for start, end in sorted(candidates, key=lambda span: (span[0], -span[1])):
        try:
            return parse_date(s[start:end], today), (start, end)
        except ValidationFailed:
            continue
    return None


def find_date(sentence: str, today: date) -> date | None:
    """Find a start date inside a sentence ("oppstart 1. mars 2027", "fra mars 2027").

    Returns None when there is none, or when the only one found is in the past (the question is
    then asked instead of guessing).
    """
    found = find_date_span(sentence, today)
    return found[0] if found else None
