"""Start dates relative to a fixed today (1 December 2026)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.domain.dates import add_months, find_date, parse_date
from bot.core.domain.errors import ValidationFailed

pytestmark = pytest.mark.unit

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1. mars 2027", date(2027, 3, 1)),
        ("01.03.2027", date(2027, 3, 1)),
        ("1.3.2027", date(2027, 3, 1)),
        ("1.3.27", date(2027, 3, 1)),
        ("1/3/2027", date(2027, 3, 1)),
        ("2027-03-01", date(2027, 3, 1)),
        ("mars 2027", date(2027, 3, 1)),
        ("fra mars 2027", date(2027, 3, 1)),
        ("med oppstart 15. januar", date(2027, 1, 15)),
        ("i mars", date(2027, 3, 1)),
        ("i desember", TODAY),  # the month has begun
        ("neste måned", date(2027, 1, 1)),
        ("om to uker", date(2026, 12, 15)),
        ("om 3 måneder", date(2027, 3, 1)),
        ("om et halvt år", date(2027, 6, 1)),
        ("i morgen", date(2026, 12, 2)),
        ("snarest", TODAY),
        ("så snart som mulig", TODAY),
        ("March 1, 2027", date(2027, 3, 1)),
        ("1 March 2027", date(2027, 3, 1)),
        ("next month", date(2027, 1, 1)),
        ("2. jan. 2027", date(2027, 1, 2)),
    ],
)
def test_reads_dates(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text", ["", "abc", "mye", "2027", "15", "31.02.2027", "32.1.2027", "ja", "i går"]
)
def test_refuses_unreadable_dates(text: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_date(text, TODAY)
    assert raised.value.message_key == "need.date.invalid"


@pytest.mark.parametrize("text", ["30.11.2026", "1. mars 2025", "2026-01-01"])
def test_refuses_past_dates(text: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_date(text, TODAY)
    assert raised.value.message_key == "need.date.past"


def test_refuses_dates_far_ahead() -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_date("01.01.2040", TODAY)
    assert raised.value.message_key == "need.date.too_far"


def test_i_mars_depends_on_today() -> None:
    assert parse_date("i mars", date(2027, 2, 10)) == date(2027, 3, 1)
    assert parse_date("i mars", date(2027, 4, 10)) == date(2028, 3, 1)


def test_add_months_clamps_the_day() -> None:
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2026, 12, 15), 3) == date(2027, 3, 15)


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("oppstart 1. mars 2027", date(2027, 3, 1)),
        ("fra mars 2027", date(2027, 3, 1)),
        ("renhold av Kjeller skole fra 01.03.2027 for 2 mill", date(2027, 3, 1)),
        ("vi trenger det snarest", TODAY),
        ("levering i mai", date(2027, 5, 1)),
    ],
)
def test_finds_dates_in_sentences(sentence: str, expected: date) -> None:
    assert find_date(sentence, TODAY) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året, avtale på 2+1+1 år",
        "vi har nå en avtale som fungerer",
        "avtalen startet 1.1.2025",  # in the past: asked, not guessed
    ],
)
def test_no_date_in_sentence(sentence: str) -> None:
    assert find_date(sentence, TODAY) is None
