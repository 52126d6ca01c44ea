"""Amounts as people type them, and the ones that must be refused."""

from __future__ import annotations

import pytest

from bot.core.domain.amounts import ParsedAmount, excl_vat, find_amount, parse_amount
from bot.core.domain.errors import ValidationFailed

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("450 000", 450_000),
        ("450000", 450_000),
        ("450.000 kr", 450_000),
        ("450\u00a0000\u00a0kr", 450_000),
        ("kr 2 500 000,-", 2_500_000),
        ("1,3 mill", 1_300_000),
        ("1.3M", 1_300_000),
        ("1,3 millioner", 1_300_000),
        ("1,3 MNOK", 1_300_000),
        ("300k", 300_000),
        ("300 000 NOK", 300_000),
        ("en million", 1_000_000),
        ("to millioner", 2_000_000),
        ("to og en halv million", 2_500_000),
        ("450'", 450_000),
        ("450 tusen", 450_000),
        ("1 300 tkr", 1_300_000),
        ("2,5 mrd", 2_500_000_000),
        ("45 000,50 kr", 45_001),
        ("45 000,49 kr", 45_000),
        ("1,300,000", 1_300_000),
        ("450,000 NOK", 450_000),  # English grouping
        ("450 000 kr i året", 450_000),
        ("450 000 per år", 450_000),
    ],
)
def test_reads_norwegian_amounts(text: str, value: int) -> None:
    amount = parse_amount(text)
    assert amount.value == value
    assert amount.includes_vat is False


@pytest.mark.parametrize(
    ("text", "includes_vat"),
    [
        ("562 500 inkl. mva", True),
        ("562 500 inkludert mva", True),
        ("562 500 kr med mva", True),
        ("450 000 eks. mva", False),
        ("450 000 ekskl. mva.", False),
        ("450 000 uten mva", False),
        ("450 000 + mva", False),
    ],
)
def test_vat_words(text: str, includes_vat: bool) -> None:
    amount = parse_amount(text)
    assert amount.includes_vat is includes_vat
    assert amount.value in {562_500, 450_000}


@pytest.mark.parametrize(
    ("text", "value"),
    [("ca. en halv million", 500_000), ("cirka 300k", 300_000), ("omtrent 2 mill", 2_000_000)],
)
def test_approximate(text: str, value: int) -> None:
    assert parse_amount(text) == ParsedAmount(value, includes_vat=False, approximate=True)


def test_exact_amount_is_not_approximate() -> None:
    assert parse_amount("450 000 kr").approximate is False


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "mye",
        "-5",
        "abc",
        "1,2,3",
        "0",
        "12,5",  # 12.5 kr or 12 500? refuse
        "1.500 mill",  # 1.5 or 1 500 million
        "400-500 000",  # a range is no estimate
        "450 000 per måned",  # monthly: never multiplied silently
        "inkl. mva eks. mva 3 000",
        "1 2 3",
        "to",  # a number word without a magnitude
        "mill",
        "2+1+1",
    ],
)
def test_refuses_what_it_cannot_read(text: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        parse_amount(text)
    assert raised.value.message_key == "need.amount.invalid"


@pytest.mark.parametrize(
    ("value", "vat", "expected"),
    [(562_500, 25, 450_000), (125, 25, 100), (1_000, 25, 800), (111, 11, 100), (1_001, 25, 801)],
)
def test_excl_vat(value: int, vat: int, expected: int) -> None:
    assert excl_vat(value, vat) == expected


def test_finds_the_amount_not_the_pcs() -> None:
    sentence = "vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året"
    assert find_amount(sentence) == ParsedAmount(450_000, includes_vat=False, approximate=True)


@pytest.mark.parametrize(
    ("sentence", "value"),
    [
        ("renhold av Kjeller skole for to millioner i året", 2_000_000),
        ("avtale fra 2027, anslått 1,3 mill", 1_300_000),
        ("budsjettet er 300k for 40 stoler", 300_000),
        ("rundt 2 500 000 for 2+1+1 år", 2_500_000),
        ("we need 30 new PCs, about 1,300,000 NOK a year", 1_300_000),
    ],
)
def test_finds_amounts_in_sentences(sentence: str, value: int) -> None:
    found = find_amount(sentence)
    assert found is not None
    assert found.value == value


def test_finds_vat_in_sentence() -> None:
    found = find_amount("40 stoler for 300k inkl. mva")
    assert found == ParsedAmount(300_000, includes_vat=True, approximate=False)


@pytest.mark.parametrize(
    "sentence",
    [
        "vi trenger 30 nye PC-er til Skedsmo skole",
        "oppstart i 2027",
        "avtale på 2+1+1 år",
        "oppstart 01.03.2027",
        "30 m kabel",
    ],
)
def test_no_amount_in_sentence(sentence: str) -> None:
    assert find_amount(sentence) is None
