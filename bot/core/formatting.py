"""Norwegian formatting of amounts and dates (Babel), the same in both languages for NOK.

Amounts use Babel's nb grouping (a no-break space, so `1 250 000 kr` never wraps in a card);
dates are `24.12.2026`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from babel.dates import format_date as _babel_format_date
from babel.numbers import format_decimal

NBSP = "\u00a0"


def format_nok(amount: int | float | Decimal | None, lang: str = "nb") -> str:
    """`1250000` → `1 250 000 kr` (no-break spaces). Whole kroner; øre only when present."""
    if amount is None:
        return "–"
    value = Decimal(str(amount))
    pattern = "#,##0" if value == value.to_integral_value() else "#,##0.00"
    digits = format_decimal(value, format=pattern, locale="nb_NO")
    return f"{digits.replace(' ', NBSP).replace(chr(0x202F), NBSP)}{NBSP}kr"


def format_date(value: date | datetime | None, lang: str = "nb") -> str:
    """`date(2026, 12, 24)` → `24.12.2026` (the Norwegian short form, used in both languages)."""
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.date()
    return str(_babel_format_date(value, format="dd.MM.yyyy", locale="nb_NO"))


def format_month_year(value: date, lang: str = "nb") -> str:
    """`date(2027, 3, 1)` → `mars 2027` / `March 2027`."""
    locale = "en_GB" if lang == "en" else "nb_NO"
    return str(_babel_format_date(value, format="LLLL yyyy", locale=locale))


def plain(text: str) -> str:
    """Replace no-break spaces by ordinary ones (for logs and comparisons)."""
    return text.replace(NBSP, " ")
