"""One row of a contract-register export (KAV) → a Contract, or the reasons it is refused.

Cells come in as the spreadsheet gives them: text from a CSV, or text, numbers and dates from an
XLSX. Each row stands on its own; a bad row never stops the others.

- Dates: "31.12.2026", "31.12.26" (two-digit years are 20xx), "31/12/2026", "2026-12-31"
  (an ISO time after it is ignored), and Excel date cells (datetime/date pass through).
- Amounts (whole NOK, rounded): "1 250 000", "1.250.000", "1 250 000,50", "kr 500 000,-",
  "1250000.50", and numeric cells. Empty is "not given"; negative is refused.
- Options ("Opsjoner"): the remaining options after the end date, each one following the
  previous end. "1+1" is two options of one year; a unit may follow: "1+1 år", "6+6 mnd",
  "2x1 år", "0,5 år". Empty, "0", "-", "ingen" mean none.
- Option notice ("Opsjonsfrist"): how long before an option starts notice must be given:
  "3 mnd", "3 måneder", "90 dager", "6 uker", or a bare number of months. Default: 3 months.
  Option n starts the day after the previous period ends and lasts its length; its notice
  deadline is the notice before that start (end 31.12.2026, 1 year, 3 mnd → option ends
  31.12.2027, notice by 01.10.2026).
- Organisation number: 9 digits with a valid check digit ("974 760 673" and "NO 974760673 MVA"
  are read too); empty is allowed (foreign suppliers have none).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from bot.core.domain.contracts import Contract, OptionPeriod, valid_org_number
from bot.core.domain.dates import add_months
from bot.core.i18n import t

# Field names, in the order of the export, with the default (KAV, bokmål) column headers.
DEFAULT_COLUMNS: dict[str, str] = {
    "number": "Avtalenummer",
    "title": "Avtalenavn",
    "supplier": "Leverandør",
    "org_number": "Organisasjonsnummer",
    "start_date": "Startdato",
    "end_date": "Sluttdato",
    "options": "Opsjoner",
    "option_notice": "Opsjonsfrist",
    "manager_email": "Avtaleforvalter",
    "service_area": "Tjenesteområde",
    "contract_type": "Avtaletype",
    "estimated_value": "Anslått verdi",
    "max_value": "Maksimal verdi",
    "consumed_value": "Forbruk",
}
REQUIRED_FIELDS = ("number", "title", "supplier", "start_date", "end_date")
DEFAULT_NOTICE_MONTHS = 3
_MAX_OPTION_MONTHS = 120
_MAX_NOTICE_MONTHS = 36


@dataclass(frozen=True)
class RowProblem:
    """Why a row was refused: a message key under `contracts.row.` and its parameters."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def message(self, lang: str = "nb") -> str:
        params = dict(self.params)
        if "field" in params:  # a field name, shown in the reader's language
            params["field"] = t(f"contracts.field.{params['field']}", lang)
        return t(self.key, lang, **params)


class CellError(ValueError):
    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.problem = RowProblem(key, params)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).replace("\u00a0", " ").replace("\u202f", " ").split())


def format_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


_NUMERIC_DATE = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


def parse_date_cell(value: object, *, label: str = "") -> date:
    """A date cell; raises CellError("contracts.row.date_invalid")."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    s = _text(value)
    numeric = _NUMERIC_DATE.fullmatch(s)
    iso = _ISO_DATE.fullmatch(s)
    try:
        if numeric:
            day, month, year = (int(g) for g in numeric.groups())
            return date(2000 + year if year < 100 else year, month, day)
        if iso:
            year, month, day = (int(g) for g in iso.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise CellError("contracts.row.date_invalid", field=label, value=s)


_CURRENCY = re.compile(r"(?i)^(?:kr\.?|nok)\s*|\s*(?:kr\.?|nok)$|[,.]-$")
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_SPACE_THOUSANDS = re.compile(r"\d{1,3}(?: \d{3})+(?:,\d+)?")
_PLAIN = re.compile(r"\d+(?:,\d+)?")
_POINT_DECIMAL = re.compile(r"\d+\.\d{1,2}")


def parse_amount_cell(value: object, *, label: str = "") -> int | None:
    """Whole NOK, or None when empty; raises CellError("contracts.row.amount_invalid")."""
    if isinstance(value, bool):
        raise CellError("contracts.row.amount_invalid", field=label, value=str(value))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        s = _text(value)
        if not s:
            return None
        core = _CURRENCY.sub("", s).strip()
        if _DOT_THOUSANDS.fullmatch(core):
            core = core.replace(".", "")
        elif _SPACE_THOUSANDS.fullmatch(core):
            core = core.replace(" ", "")
        elif _POINT_DECIMAL.fullmatch(core):
            core = core.replace(".", ",")
        elif not _PLAIN.fullmatch(core):
            raise CellError("contracts.row.amount_invalid", field=label, value=s)
        try:
            number = Decimal(core.replace(",", "."))
        except InvalidOperation as exc:
            raise CellError("contracts.row.amount_invalid", field=label, value=s) from exc
    if number < 0 or not number.is_finite():
        raise CellError("contracts.row.amount_invalid", field=label, value=_text(value))
    return int(number.quantize(Decimal(1), rounding=ROUND_HALF_UP))


_NO_OPTIONS = {"", "0", "-", "ingen", "nei", "none", "no", "0 år", "0 mnd"}
_YEARS = r"år|års|years?"
_MONTHS = r"måneder|måned|mnd\.?|md\.?|months?"
_OPTION_PART = re.compile(
    rf"(?:(?P<times>\d+)\s*[x×]\s*)?(?P<num>\d+(?:[.,]\d+)?)"
    rf"\s*(?:(?P<years>{_YEARS})|(?P<months>{_MONTHS}))?"
)


def parse_options_cell(value: object) -> tuple[int, ...]:
    """Months of each remaining option, in order; raises CellError("contracts.row.options_invalid").

    A part without a unit takes the unit of the next part that has one; a series without any unit
    is in years ("1+1"), as agreements are written.
    """
    s = _text(value).lower()
    if s in _NO_OPTIONS:
        return ()
    s = re.sub(r"^(?:opsjon(?:er)?|options?)\s*(?:på|of|:)?\s*", "", s)
    parts = [p.strip() for p in re.split(r"\s*(?:\+|pluss|plus)\s*", s)]
    matches = [_OPTION_PART.fullmatch(p) for p in parts]
    if not parts or any(m is None for m in matches):
        raise CellError("contracts.row.options_invalid", value=_text(value))
    months: list[int] = []
    unit = "years"
    for match in reversed(matches):
        assert match is not None
        unit = "years" if match["years"] else "months" if match["months"] else unit
        number = Decimal(match["num"].replace(",", "."))
        length = number * 12 if unit == "years" else number
        if length != length.to_integral_value() or not 1 <= length <= _MAX_OPTION_MONTHS:
            raise CellError("contracts.row.options_invalid", value=_text(value))
        months[:0] = [int(length)] * int(match["times"] or 1)
    return tuple(months)


@dataclass(frozen=True)
class Notice:
    """How long before an option starts notice must be given."""

    months: int = DEFAULT_NOTICE_MONTHS
    days: int = 0

    def before(self, day: date) -> date:
        return add_months(day, -self.months) - timedelta(days=self.days)


_NOTICE = re.compile(
    r"(?P<n>\d+)\s*(?:(?P<months>måneder|måned|mnd\.?|md\.?|months?)|(?P<weeks>uker|uke|weeks?)"
    r"|(?P<days>dager|dag|d\.?|days?))?(?:\s+(?:før|before).*)?"
)


def parse_notice_cell(value: object) -> Notice:
    """ "3 mnd", "90 dager", "6 uker", "3"; empty → 3 months. CellError("…notice_invalid")."""
    s = _text(value).lower()
    if not s:
        return Notice()
    match = _NOTICE.fullmatch(s)
    if match:
        n = int(match["n"])
        notice = (
            Notice(months=0, days=n)
            if match["days"]
            else Notice(months=0, days=7 * n)
            if match["weeks"]
            else Notice(months=n)
        )
        if notice.months <= _MAX_NOTICE_MONTHS and notice.days <= _MAX_NOTICE_MONTHS * 31:
            return notice
    raise CellError("contracts.row.notice_invalid", value=_text(value))


def option_periods(end_date: date, months: tuple[int, ...], notice: Notice) -> list[OptionPeriod]:
    """Each option starts the day after the previous period ends."""
    periods: list[OptionPeriod] = []
    previous_end = end_date
    for number, length in enumerate(months, start=1):
        start = previous_end + timedelta(days=1)
        end = add_months(start, length) - timedelta(days=1)
        periods.append(OptionPeriod(number, end, notice.before(start)))
        previous_end = end
    return periods


def normalize_org_number(value: object) -> str:
    """ "974 760 673", "NO974760673MVA" → "974760673"; other text is returned squeezed."""
    s = _text(value).upper().replace(" ", "").replace(".", "")
    s = re.sub(r"^NO(?=\d{9})", "", s)
    return re.sub(r"(?<=^\d{9})MVA$", "", s)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def parse_row(cells: Mapping[str, object]) -> Contract | list[RowProblem]:
    """Validate one row (cells keyed by field name, see DEFAULT_COLUMNS) on its own."""
    problems: list[RowProblem] = []
    texts = {name: _text(cells.get(name)) for name in DEFAULT_COLUMNS}
    for name in REQUIRED_FIELDS:
        if not texts[name]:
            problems.append(RowProblem("contracts.row.missing", {"field": name}))

    def cell(parse: Any, name: str, **kwargs: Any) -> Any:
        if name in REQUIRED_FIELDS and not texts[name]:
            return None
        try:
            return parse(cells.get(name), **kwargs)
        except CellError as error:
            problems.append(error.problem)
            return None

    start = cell(parse_date_cell, "start_date", label="start_date")
    end = cell(parse_date_cell, "end_date", label="end_date")
    option_months = cell(parse_options_cell, "options")
    notice = cell(parse_notice_cell, "option_notice")
    estimated = cell(parse_amount_cell, "estimated_value", label="estimated_value")
    maximum = cell(parse_amount_cell, "max_value", label="max_value")
    consumed = cell(parse_amount_cell, "consumed_value", label="consumed_value")
    if start is not None and end is not None and end < start:
        problems.append(
            RowProblem(
                "contracts.row.end_before_start",
                {"end": format_date(end), "start": format_date(start)},
            )
        )
    org_number = normalize_org_number(cells.get("org_number"))
    if org_number and not valid_org_number(org_number):
        problems.append(RowProblem("contracts.row.org_number_invalid", {"value": org_number}))
    email = texts["manager_email"]
    if email and not _EMAIL.fullmatch(email):
        problems.append(RowProblem("contracts.row.email_invalid", {"value": email}))
    if problems:
        return problems
    assert start is not None and end is not None
    return Contract(
        number=texts["number"],
        title=texts["title"],
        supplier=texts["supplier"],
        org_number=org_number,
        start_date=start,
        end_date=end,
        options=tuple(option_periods(end, option_months or (), notice or Notice())),
        manager_email=email.lower(),
        service_area=texts["service_area"],
        contract_type=texts["contract_type"],
        estimated_value=estimated,
        max_value=maximum,
        consumed_value=consumed,
    )
