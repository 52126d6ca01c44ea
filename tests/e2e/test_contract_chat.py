"""`finn avtale` and `avtaler som utløper` in chat; values only for those allowed to see them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FakeClock
from bot.core.formatting import plain
from tests.support.builders import KARI, User, make_message

pytestmark = [pytest.mark.e2e, pytest.mark.db]

PER = User("aad-per", "Per Innkjøper")  # procurement section
LISE = User("aad-lise", "Lise Johansen")  # avtaleforvalter of AV-2024-001
GUEST = User("aad-gjest", "Gjest Konsulent")

EXPORT = (
    "Avtalenummer;Avtalenavn;Leverandør;Organisasjonsnummer;Startdato;Sluttdato;Opsjoner;"
    "Opsjonsfrist;Avtaleforvalter;Tjenesteområde;Avtaletype;Anslått verdi;Maksimal verdi;"
    "Forbruk\n"
    "AV-2024-001;Kontorrekvisita;Kontorland AS;974760673;01.01.2024;31.05.2027;;;"
    "lise.johansen@lillestrom.kommune.no;oppvekst;Rammeavtale;1 250 000;2 000 000;1 100 000\n"
    "AV-2023-007;Skolemøbler;Møbelhuset Øst AS;974760673;01.08.2023;31.07.2031;;;"
    "ola.hansen@lillestrom.kommune.no;oppvekst;Rammeavtale;900 000;;\n"
)


async def _import(tmp_path: Path, database) -> None:
    export = tmp_path / "kav.csv"
    export.write_bytes(EXPORT.encode("cp1252"))
    env = dict(os.environ, DB__URL=database.url, DB__SCHEMA_NAME=database.schema)
    result = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "import-contracts", str(export)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "2 nye" in result.stdout


async def _ask(bot, connector, user: User, text: str) -> str:
    before = len(connector.sent_to(user.personal_conversation))
    await bot.post(make_message(user, text, connector.url))
    return plain(
        " ".join(r.all_text() for r in connector.sent_to(user.personal_conversation)[before:])
    )


async def test_search_finds_by_supplier_and_hides_values_from_others(
    bot, connector, tmp_path, database
):
    await _import(tmp_path, database)
    answer = await _ask(bot, connector, PER, "finn avtale kontorland")
    assert "AV-2024-001" in answer and "Kontorrekvisita" in answer
    assert "1 250 000 kr" in answer  # procurement staff see values
    assert "Forbruk: 1 100 000 kr av 2 000 000 kr (55 %)" in answer
    assert "1 250 000 kr" in await _ask(bot, connector, LISE, "finn avtale Kontorland")
    for outsider in (KARI, GUEST):
        answer = await _ask(bot, connector, outsider, "finn avtale kontorland")
        assert "AV-2024-001" in answer
        assert "1 250 000" not in answer and "verdi" not in answer.lower()
        assert "Forbruk" not in answer and "1 100 000" not in answer


async def test_search_tolerates_a_typo_and_says_so_when_nothing_matches(
    bot, connector, tmp_path, database
):
    await _import(tmp_path, database)
    assert "AV-2023-007" in await _ask(bot, connector, KARI, "finn avtale skolemøbel")
    assert "Fant ingen avtaler" in await _ask(bot, connector, KARI, "finn avtale blåbærsyltetøy")
    assert "for eksempel" in await _ask(bot, connector, KARI, "finn avtale")


async def test_expiring_lists_what_ends_soon_in_my_service_area(
    start_bot, connector, tmp_path, database
):
    bot = await start_bot(overrides={"clock": FakeClock(datetime(2026, 12, 1, 9, tzinfo=UTC))})
    await _import(tmp_path, database)
    answer = await _ask(bot, connector, KARI, "avtaler som utløper 12")
    assert "Oppvekst og utdanning" in answer
    assert "AV-2024-001" in answer  # ends 31.05.2027
    assert "AV-2023-007" not in answer  # ends 2031
    assert "AV-2023-007" in await _ask(bot, connector, KARI, "avtaler som utløper 120")
    assert "som et tall" in await _ask(bot, connector, KARI, "avtaler som utløper snart")


async def test_a_need_below_the_lower_limit_points_to_an_existing_agreement(
    bot, connector, tmp_path, database
):
    from tests.support.need_driver import NeedDriver

    await _import(tmp_path, database)
    user = NeedDriver(bot, connector, KARI)
    await user.say("ny behovsmelding")
    await user.answer_until_summary(
        {"title": "Kontorrekvisita til Skedsmo skole", "annual_value": "20 000", "period": "1 år"}
    )
    summary = plain(user.sent()[-1].all_text())
    assert "Under nedre grense" in summary
    assert "avtale som kan dekke dette: AV-2024-001 Kontorrekvisita" in summary
    assert "sende behovsmeldingen" in summary  # and it may still be filed
