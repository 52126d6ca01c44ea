"""Contract periods and how they are described."""

from __future__ import annotations

import pytest

from bot.core.domain.errors import ValidationFailed
from bot.core.domain.periods import ContractPeriod, find_period, parse_period
from bot.core.formatting import plain

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "base", "options"),
    [
        ("2+1+1", 24, (12, 12)),
        ("2+1+1 år", 24, (12, 12)),
        ("2 + 1 + 1 år", 24, (12, 12)),
        ("4 år", 48, ()),
        ("18 måneder", 18, ()),
        ("18 mnd", 18, ()),
        ("6 mnd + 6 mnd", 6, (6,)),
        ("ett år", 12, ()),
        ("to år", 24, ()),
        ("1 year", 12, ()),
        ("2 years + 1 + 1", 24, (12, 12)),
        ("2 år med opsjon på 1 + 1 år", 24, (12, 12)),
        ("2 år + opsjon 1+1 år", 24, (12, 12)),
        ("3 år + 1 år opsjon", 36, (12,)),
        ("2 år + 2 x 1 år", 24, (12, 12)),
        ("1,5 år", 18, ()),
        ("2 år og 6 måneder", 30, ()),
        ("avtale på 3 år", 36, ()),
    ],
)
def test_reads_periods(text: str, base: int, options: tuple[int, ...]) -> None:
    assert parse_period(text) == ContractPeriod(base_months=base, option_months=options)


@pytest.mark.parametrize("text", ["løpende", "ubestemt tid", "tidsubegrenset", "løpende avtale"])
def test_open_ended(text: str) -> None:
    period = parse_period(text)
    assert period.open_ended
    assert period.total_months() == 48
    assert period.total_months(open_ended_months=36) == 36


@pytest.mark.parametrize(
    "text", ["", "4", "mye", "2027", "0 år", "-2 år", "2++1", "1,3 år", "3 uker", "to"]
)
def test_refuses_unreadable_periods(text: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_period(text)
    assert raised.value.message_key == "need.period.invalid"


def test_total_months_includes_options() -> None:
    assert ContractPeriod(24, (12, 12)).total_months() == 48
    assert ContractPeriod(18).total_months() == 18


@pytest.mark.parametrize(
    ("period", "nb", "en"),
    [
        (ContractPeriod(24, (12, 12)), "2 år + opsjon 1 + 1 år", "2 years + options 1 + 1 years"),
        (ContractPeriod(36, (12,)), "3 år + opsjon 1 år", "3 years + option 1 year"),
        (ContractPeriod(12), "1 år", "1 year"),
        (ContractPeriod(18), "18 måneder", "18 months"),
        (ContractPeriod(6, (6,)), "6 måneder + opsjon 6 måneder", "6 months + option 6 months"),
        (
            ContractPeriod(0, open_ended=True),
            "løpende (regnes som 48 måneder)",
            "open-ended (counted as 48 months)",
        ),
    ],
)
def test_describe(period: ContractPeriod, nb: str, en: str) -> None:
    assert plain(period.describe("nb")) == nb
    assert plain(period.describe("en")) == en


def test_dict_round_trip() -> None:
    period = ContractPeriod(24, (12, 12))
    assert ContractPeriod.from_dict(period.to_dict()) == period


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("avtale på 2+1+1 år", ContractPeriod(24, (12, 12))),
        ("renhold i 4 år fra mars 2027", ContractPeriod(48)),
        ("en avtale for to år", ContractPeriod(24)),
        ("løpende avtale om vikarer", ContractPeriod(0, open_ended=True)),
    ],
)
def test_finds_periods(sentence: str, expected: ContractPeriod) -> None:
    assert find_period(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "avtalen går ut om 2 år",
        "2 500 000 kr",
        "oppstart 1. mars 2027",
        "30 nye PC-er",
        "PC-er som er 5 år gamle",
    ],
)
def test_no_period_in_sentence(sentence: str) -> None:
    assert find_period(sentence) is None
