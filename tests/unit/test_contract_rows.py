"""One row of a KAV export: Norwegian dates, amounts, options and the reasons a row is refused."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.core.domain.contract_rows import (
    CellError,
    Notice,
    RowProblem,
    parse_amount_cell,
    parse_date_cell,
    parse_notice_cell,
    parse_options_cell,
    parse_row,
)
from bot.core.domain.contracts import Contract, OptionPeriod

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("31.12.2026", date(2026, 12, 31)),
        ("1.3.2027", date(2027, 3, 1)),
        ("31.12.26", date(2026, 12, 31)),
        ("31/12/2026", date(2026, 12, 31)),
        ("2026-12-31", date(2026, 12, 31)),
        ("2026-12-31 00:00:00", date(2026, 12, 31)),
        (" 31.12.2026 ", date(2026, 12, 31)),
        (datetime(2026, 12, 31, 0, 0), date(2026, 12, 31)),
        (date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_dates(cell: object, expected: date) -> None:
    assert parse_date_cell(cell) == expected


@pytest.mark.parametrize("cell", ["31.02.2026", "neste år", "2026", "12/2026", "46387", ""])
def test_unreadable_dates(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_date_cell(cell, label="end_date")
    assert caught.value.problem.key == "contracts.row.date_invalid"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1 250 000", 1_250_000),
        ("1\u00a0250\u00a0000", 1_250_000),
        ("1.250.000", 1_250_000),
        ("1 250 000,00", 1_250_000),
        ("1 250 000,50", 1_250_001),
        ("kr 500 000,-", 500_000),
        ("500 000 kr", 500_000),
        ("NOK 75000", 75_000),
        ("1250000.50", 1_250_001),
        ("450000", 450_000),
        (1250000, 1_250_000),
        (1250000.4, 1_250_000),
        ("", None),
        (None, None),
    ],
)
def test_amounts(cell: object, expected: int | None) -> None:
    assert parse_amount_cell(cell) == expected


@pytest.mark.parametrize("cell", ["ca. en million", "1,2,3", "-5000", "12 34", "1.25.000", True])
def test_unreadable_amounts(cell: object) -> None:
    with pytest.raises(CellError):
        parse_amount_cell(cell)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1+1", (12, 12)),
        ("1 + 1 år", (12, 12)),
        ("2+1+1", (24, 12, 12)),
        ("6+6 mnd", (6, 6)),
        ("6 mnd + 1 år", (6, 12)),
        ("2x1 år", (12, 12)),
        ("0,5 år", (6,)),
        ("1", (12,)),
        (1, (12,)),
        ("opsjon på 1+1 år", (12, 12)),
        ("", ()),
        ("0", ()),
        ("-", ()),
        ("Ingen", ()),
    ],
)
def test_options(cell: object, expected: tuple[int, ...]) -> None:
    assert parse_options_cell(cell) == expected


@pytest.mark.parametrize("cell", ["opsjon ved behov", "1+", "1,3 år", "ja", "1+1 uker", "99 år"])
def test_unknown_option_formats(cell: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_options_cell(cell)
    assert caught.value.problem.key == "contracts.row.options_invalid"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("", Notice(3)),
        ("3 mnd", Notice(3)),
        ("6 måneder", Notice(6)),
        ("3", Notice(3)),
        (4, Notice(4)),
        ("90 dager", Notice(0, 90)),
        ("6 uker", Notice(0, 42)),
        ("3 mnd før utløp", Notice(3)),
    ],
)
def test_option_notice(cell: object, expected: Notice) -> None:
    assert parse_notice_cell(cell) == expected


def test_unreadable_option_notice() -> None:
    with pytest.raises(CellError):
        parse_notice_cell("snarest")


def row(**changes: object) -> dict[str, object]:
    cells: dict[str, object] = {
        "number": "AV-2024-013",
        "title": "Renhold av skolebygg",
        "supplier": "Rørvik & Sønner Renhold AS",
        "org_number": "974 760 673",
        "start_date": "01.01.2024",
        "end_date": "31.12.2026",
        "options": "1+1",
        "option_notice": "3 mnd",
        "manager_email": "Kari.Nordmann@kommune.no",
        "service_area": "Oppvekst og utdanning",
        "contract_type": "Tjenester",
        "estimated_value": "1 250 000,00",
        "max_value": "kr 2 000 000,-",
    }
    cells.update(changes)
    return cells


def test_a_good_row() -> None:
    contract = parse_row(row())
    assert contract == Contract(
        number="AV-2024-013",
        title="Renhold av skolebygg",
        supplier="Rørvik & Sønner Renhold AS",
        org_number="974760673",
        start_date=date(2024, 1, 1),
        end_date=date(2026, 12, 31),
        options=(
            OptionPeriod(1, date(2027, 12, 31), notice_deadline=date(2026, 10, 1)),
            OptionPeriod(2, date(2028, 12, 31), notice_deadline=date(2027, 10, 1)),
        ),
        manager_email="kari.nordmann@kommune.no",
        service_area="Oppvekst og utdanning",
        contract_type="Tjenester",
        estimated_value=1_250_000,
        max_value=2_000_000,
    )
    assert contract.final_end_date == date(2028, 12, 31)


def test_options_follow_each_other_and_notice_defaults_to_three_months() -> None:
    contract = parse_row(row(end_date="30.06.2027", options="6+6 mnd", option_notice=""))
    assert isinstance(contract, Contract)
    assert contract.options == (
        OptionPeriod(1, date(2027, 12, 31), notice_deadline=date(2027, 4, 1)),
        OptionPeriod(2, date(2028, 6, 30), notice_deadline=date(2027, 10, 1)),
    )


def test_optional_cells_may_be_empty() -> None:
    contract = parse_row(
        row(org_number="", options="", manager_email="", estimated_value="", max_value=None)
    )
    assert isinstance(contract, Contract)
    assert (contract.org_number, contract.options, contract.estimated_value) == ("", (), None)


def test_vat_style_org_number_is_read() -> None:
    contract = parse_row(row(org_number="NO 974 760 673 MVA"))
    assert isinstance(contract, Contract) and contract.org_number == "974760673"


def messages(problems: object) -> list[str]:
    assert isinstance(problems, list)
    return [p.message("nb") for p in problems if isinstance(p, RowProblem)]


def test_every_reason_is_reported_in_norwegian() -> None:
    problems = parse_row(
        row(
            number="",
            org_number="123456789",
            start_date="01.06.2025",
            end_date="01.01.2025",
            options="opsjon ved behov",
            estimated_value="mye",
            manager_email="kari",
        )
    )
    assert messages(problems) == [
        "avtalenummer mangler",
        "opsjoner «opsjon ved behov» kan ikke leses (skriv for eksempel 1+1 for to opsjoner på "
        "ett år)",
        "anslått verdi «mye» er ikke et beløp (skriv for eksempel 1 250 000)",
        "sluttdato 01.01.2025 er før startdato 01.06.2025",
        "organisasjonsnummer 123456789 er ugyldig",
        "avtaleforvalter «kari» er ikke en e-postadresse",
    ]


def test_unreadable_date_and_english_messages() -> None:
    problems = parse_row(row(end_date="31.13.2026"))
    assert messages(problems) == [
        "sluttdato «31.13.2026» er ikke en dato (skriv for eksempel 31.12.2026)"
    ]
    assert isinstance(problems, list)
    assert problems[0].message("en") == (
        "end date “31.13.2026” is not a date (write e.g. 31.12.2026)"
    )


def test_consumption_is_read_when_the_export_has_it() -> None:
    contract = parse_row(row(consumed_value="1 700 000"))
    assert isinstance(contract, Contract)
    assert (contract.consumed_value, contract.consumed_percent) == (1_700_000, 85)
    assert isinstance(parse_row(row()), Contract)  # an export without the column is fine
    problems = parse_row(row(consumed_value="mye"))
    assert messages(problems) == ["forbruk «mye» er ikke et beløp (skriv for eksempel 1 250 000)"]
