"""Importing the contract register from KAV exports into a real database, and reading it back."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.cli_contracts import import_contracts_command
from bot.core.domain.contracts import ReminderPolicy
from integrations.contracts.importer import ImportFileError, import_contracts
from integrations.db.contract_tables import ContractRow
from integrations.db.contracts import contract_repository
from integrations.db.engine import create_engine
from integrations.db.uow import SqlUnitOfWorkFactory
from tests.support.harness import Database, make_settings

pytestmark = [pytest.mark.integration, pytest.mark.db]

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
HEADER = (
    "Avtalenummer;Avtalenavn;Leverandør;Organisasjonsnummer;Startdato;Sluttdato;Opsjoner;"
    "Opsjonsfrist;Avtaleforvalter;Tjenesteområde;Avtaletype;Anslått verdi;Maksimal verdi"
)
GOOD = [
    "AV-2024-001;Renhold av skolebygg;Rørvik Renhold AS;974760673;01.01.2024;31.12.2027;1+1;"
    "3 mnd;kari.nordmann@kommune.no;Oppvekst og utdanning;Tjenester;1 250 000,00;2 000 000,00",
    "AV-2024-002;Kontorrekvisita;Bærum Papir og Æske AS;958 935 420;01.03.2024;28.02.2026;;;"
    "ola@kommune.no;Organisasjon;Varer;kr 500 000,-;",
    "AV-2024-003;Snøbrøyting Åsen;Åsen Maskin & Transport AS;923609016;01.10.2023;30.09.26;2x1 år;"
    "6 mnd;per@kommune.no;Teknisk;Tjenester;1.250.000;",
]
BAD = [
    ";Uten nummer;Leverandør AS;974760673;01.01.2024;31.12.2026;;;;;;;",  # line 5
    "AV-2024-013;Feil orgnr;Ålesund IT AS;123456789;01.01.2024;31.12.2026;;;;;;;",  # line 6
    "AV-2024-014;Baklengs;Øst AS;974760673;01.06.2025;01.01.2025;;;;;;;",  # line 7
    "AV-2024-015;Rar dato;Øst AS;974760673;1. mars 2024;31.12.2026;;;;;;;",  # line 8
    "AV-2024-016;Rare opsjoner;Øst AS;974760673;01.01.2024;31.12.2026;ved behov;;;;;;",  # line 9
    "AV-2024-017;Dobbel A;Øst AS;974760673;01.01.2024;31.12.2026;;;;;;;",  # line 10
    "AV-2024-017;Dobbel B;Øst AS;974760673;01.01.2024;31.12.2026;;;;;;;",  # line 11
]


def write_cp1252(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join([HEADER, *lines]) + "\r\n").encode("cp1252"))
    return path


@pytest.fixture
async def uow_factory(database: Database) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine(database.url, schema=database.schema)
    yield SqlUnitOfWorkFactory(engine)
    await engine.dispose()


async def run_import(uow_factory: SqlUnitOfWorkFactory, path: Path, **kwargs: object):
    return await import_contracts(
        path,
        uow_factory=uow_factory,
        policy=ReminderPolicy(),
        today=TODAY,
        now=NOW,
        **kwargs,
    )


async def count(uow_factory: SqlUnitOfWorkFactory) -> int:
    async with uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(ContractRow)) or 0)


async def test_windows_1252_semicolon_export_with_bad_rows(uow_factory, tmp_path) -> None:
    path = write_cp1252(tmp_path / "kav.csv", GOOD + BAD)
    report = await run_import(uow_factory, path)
    assert (report.added, report.changed, report.unchanged, report.total) == (3, 0, 0, 10)
    rejected = {line: (number, reasons) for line, number, reasons in report.rejected}
    date_help = "(skriv for eksempel 31.12.2026)"
    options_help = "(skriv for eksempel 1+1 for to opsjoner på ett år)"
    assert rejected == {
        5: ("", ("avtalenummer mangler",)),
        6: ("AV-2024-013", ("organisasjonsnummer 123456789 er ugyldig",)),
        7: ("AV-2024-014", ("sluttdato 01.01.2025 er før startdato 01.06.2025",)),
        8: ("AV-2024-015", (f"startdato «1. mars 2024» er ikke en dato {date_help}",)),
        9: ("AV-2024-016", (f"opsjoner «ved behov» kan ikke leses {options_help}",)),
        10: ("AV-2024-017", ("avtalenummeret står også på linje 11",)),
        11: ("AV-2024-017", ("avtalenummeret står også på linje 10",)),
    }  # fmt: skip
    async with uow_factory() as uow:
        repo = contract_repository(uow)
        first = await repo.get("AV-2024-001")
        second = await repo.get("AV-2024-002")
        third = await repo.get("AV-2024-003")
        next_on = await repo.next_reminder_on("AV-2024-001")
    assert first is not None and second is not None and third is not None
    assert first.supplier == "Rørvik Renhold AS" and first.estimated_value == 1_250_000
    assert [o.end_date for o in first.options] == [date(2028, 12, 31), date(2029, 12, 31)]
    assert first.options[0].notice_deadline == date(2027, 10, 1)
    assert second.supplier == "Bærum Papir og Æske AS" and second.org_number == "958935420"
    assert second.max_value is None and second.options == ()
    assert third.end_date == date(2026, 9, 30) and third.estimated_value == 1_250_000
    assert third.options[0].notice_deadline == date(2026, 4, 1)
    # option 1's 6-month notice reminder (01.04.2027) is the first one ahead
    assert next_on == date(2027, 4, 1)


async def test_reimport_is_idempotent_and_a_changed_row_is_changed(uow_factory, tmp_path) -> None:
    path = write_cp1252(tmp_path / "kav.csv", GOOD)
    await run_import(uow_factory, path)
    again = await run_import(uow_factory, path)
    assert (again.added, again.changed, again.unchanged, again.rejected) == (0, 0, 3, [])
    edited = [
        GOOD[0].replace("Renhold av skolebygg", "Renhold av skolebygg og barnehager"),
        *GOOD[1:],
    ]
    changed = await run_import(uow_factory, write_cp1252(tmp_path / "kav2.csv", edited))
    assert (changed.added, changed.changed, changed.unchanged) == (0, 1, 2)
    async with uow_factory() as uow:
        contract = await contract_repository(uow).get("AV-2024-001")
    assert contract is not None and contract.title == "Renhold av skolebygg og barnehager"


async def test_dry_run_writes_nothing(uow_factory, tmp_path) -> None:
    path = write_cp1252(tmp_path / "kav.csv", GOOD + BAD)
    report = await run_import(uow_factory, path, dry_run=True)
    assert (report.added, len(report.rejected), report.dry_run) == (3, 7, True)
    assert await count(uow_factory) == 0


async def test_comma_utf8_bom_export_and_progress(uow_factory, tmp_path) -> None:
    header = HEADER.replace(";", ",").replace("Avtalenummer", "  AVTALENUMMER ")
    lines = [
        '"AV-2025-100","Møbler, kontor",Håkonsen Interiør AS,974760673,2025-01-01,2026-12-31,1,'
        '"3 mnd",,Organisasjon,Varer,"1 250 000,50",',
        "AV-2025-101,Tolketjenester,Språkbrua AS,,01.02.25,31.01.27,,,,Helse,Tjenester,300000,",
    ]
    path = tmp_path / "kav-utf8.csv"
    path.write_bytes("\ufeff".encode() + "\n".join([header, *lines]).encode("utf-8"))
    seen: list[tuple[int, int]] = []
    report = await run_import(uow_factory, path, on_progress=lambda d, t: seen.append((d, t)))
    assert (report.added, report.rejected) == (2, [])
    assert seen[-1] == (2, 2)
    async with uow_factory() as uow:
        contract = await contract_repository(uow).get("AV-2025-100")
    assert contract is not None
    assert (contract.title, contract.supplier) == ("Møbler, kontor", "Håkonsen Interiør AS")
    assert contract.estimated_value == 1_250_001 and len(contract.options) == 1


async def test_xlsx_with_date_cells_and_a_column_mapping(uow_factory, tmp_path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Avtale nr", "Avtalenavn", "Leverandør", "Org.nr", "Startdato", "Sluttdato",
                  "Opsjoner", "Anslått verdi"])  # fmt: skip
    sheet.append(["AV-2026-001", "Bleier og inkontinens", "Ærlig Helse AS", 974760673,
                  datetime(2026, 1, 1), datetime(2027, 12, 31), "1+1", 2500000])  # fmt: skip
    sheet.append(["AV-2026-002", "Kantinemat", "Grønn Kost AS", "974760673",
                  date(2026, 5, 1), "31.12.2027", None, "kr 800 000,-"])  # fmt: skip
    sheet.append([None, None, None, None, None, None, None, None])
    sheet.append(["AV-2026-003", "Feil", "Feil AS", "974760673", "ukjent", date(2027, 1, 1)])
    path = tmp_path / "kav.xlsx"
    workbook.save(path)
    mapping = tmp_path / "kolonner.yaml"
    mapping.write_text('columns:\n  number: "Avtale nr"\n  org_number: "org.nr"\n', "utf-8")
    report = await run_import(uow_factory, path, mapping=mapping)
    assert report.added == 2
    assert [(r.line, r.number) for r in report.rejected] == [(5, "AV-2026-003")]
    async with uow_factory() as uow:
        contract = await contract_repository(uow).get("AV-2026-001")
    assert contract is not None
    assert (contract.start_date, contract.end_date) == (date(2026, 1, 1), date(2027, 12, 31))
    assert contract.org_number == "974760673" and contract.estimated_value == 2_500_000


async def test_unreadable_files(uow_factory, tmp_path) -> None:
    with pytest.raises(ImportFileError, match="Finner ikke"):
        await run_import(uow_factory, tmp_path / "finnes-ikke.csv")
    wrong = tmp_path / "kav.csv"
    wrong.write_text("Navn;Dato\nx;y\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="Avtalenummer"):
        await run_import(uow_factory, wrong)
    broken = tmp_path / "kav.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ImportFileError, match="Kan ikke lese"):
        await run_import(uow_factory, broken)


async def test_search_and_expiring(uow_factory, tmp_path) -> None:
    await run_import(uow_factory, write_cp1252(tmp_path / "kav.csv", GOOD))
    async with uow_factory() as uow:
        repo = contract_repository(uow)
        assert (await repo.search("rørvik", 5))[0].number == "AV-2024-001"
        assert (await repo.search("Rørvikk renhold", 5))[0].number == "AV-2024-001"
        assert [c.number for c in await repo.search("snøbrøyting", 5)] == ["AV-2024-003"]
        assert (await repo.search("AV-2024-002", 5))[0].number == "AV-2024-002"
        assert await repo.search("100%_", 5) == []
        assert await repo.search("   ", 5) == []
        soon = await repo.expiring(None, 12, date(2026, 1, 1))
        assert [c.number for c in soon] == ["AV-2024-002"]
        later = await repo.expiring(None, 48, date(2026, 1, 1))
        assert [c.number for c in later] == ["AV-2024-002", "AV-2024-003", "AV-2024-001"]
        teknisk = await repo.expiring("Teknisk", 48, date(2026, 1, 1))
        assert [c.number for c in teknisk] == ["AV-2024-003"]


def test_cli_report(database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(database)
    path = write_cp1252(tmp_path / "kav.csv", GOOD + BAD)
    assert import_contracts_command(settings, path, dry_run=True, mapping=None) == 0
    out = capsys.readouterr().out
    assert "Avtaler: 3 nye, 0 endret, 0 uendret, 7 avvist (av 10 rader)." in out
    assert "Prøvekjøring: ingenting er lagret." in out
    assert "linje 6 (AV-2024-013): organisasjonsnummer 123456789 er ugyldig" in out
    assert "linje 5: avtalenummer mangler" in out
    assert import_contracts_command(settings, path, dry_run=False, mapping=None) == 0
    assert import_contracts_command(settings, path, dry_run=False, mapping=None) == 0
    assert "0 nye, 0 endret, 3 uendret" in capsys.readouterr().out
    assert (
        import_contracts_command(settings, tmp_path / "nei.csv", dry_run=False, mapping=None) == 1
    )
    assert "Finner ikke filen" in capsys.readouterr().err


def test_cli_progress_bar_for_big_files(
    database: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = [
        f"AV-2030-{i:04d};Avtale {i};Leverandør {i} AS;974760673;01.01.2030;31.12.2031;;;;;;;"
        for i in range(350)
    ]
    path = write_cp1252(tmp_path / "stor.csv", lines)
    assert import_contracts_command(make_settings(database), path, dry_run=False, mapping=None) == 0
    captured = capsys.readouterr()
    assert "350 nye" in captured.out
    assert "100 % (350/350)" in captured.err
