"""Deviations on a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL): filing,
the optimistic update under concurrency, the reminder marks, and the counts."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.exc import IntegrityError

from bot.core.domain.deviation_records import DeviationCount
from integrations.db.uow import SqlUnitOfWorkFactory
from tests.support.deviation_driver import deviation_case as _case

pytestmark = [pytest.mark.integration, pytest.mark.db]

NOW = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


async def test_add_get_and_numbers(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        number = await uow.case_numbers.next_number("AVV", 2026)
        added = await uow.deviations.add(_case(number, draft_id="d1"))
        await uow.commit()
    assert number == "AVV-2026-0001" and added.id > 0
    async with uow_factory() as uow:
        found = await uow.deviations.get(number)
        by_draft = await uow.deviations.get_by_draft("aad-kari", "d1")
        assert await uow.case_numbers.next_number("AVV", 2026) == "AVV-2026-0002"
    assert found is not None and by_draft == found
    assert found.description == "Kom «tre uker» for sent – ÆØÅ"
    assert found.attachments == [{"name": "følgeseddel.pdf", "url": "https://x/f.pdf"}]
    assert found.observed_on == date(2026, 11, 15) and found.created_at == NOW


async def test_one_draft_files_one_case(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.deviations.add(_case("AVV-2026-0001", draft_id="same"))
        await uow.commit()
    with pytest.raises(IntegrityError):
        async with uow_factory() as uow:
            await uow.deviations.add(_case("AVV-2026-0002", draft_id="same"))
            await uow.commit()


async def test_exactly_one_of_two_concurrent_changes_wins(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.deviations.add(_case("AVV-2026-0001"))
        await uow.commit()

    async def change(name: str) -> bool:
        async with uow_factory() as uow:
            ok = await uow.deviations.update_if_version(
                "AVV-2026-0001", 1, state="mottatt", acknowledged_by_name=name, updated_at=NOW
            )
            await uow.commit()
            return ok

    results = await asyncio.gather(change("Lise"), change("Per"))
    assert sorted(results) == [False, True]
    async with uow_factory() as uow:
        case = await uow.deviations.get("AVV-2026-0001")
        assert case is not None and case.version == 2 and case.state == "mottatt"
        with pytest.raises(ValueError):
            await uow.deviations.update_if_version("AVV-2026-0001", 2, description="x")


async def test_marks_do_not_bump_the_version(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.deviations.add(_case("AVV-2026-0001"))
        await uow.deviations.mark(
            "AVV-2026-0001", escalated_at=NOW, reminded_for=date(2026, 11, 20)
        )
        await uow.commit()
    async with uow_factory() as uow:
        case = await uow.deviations.get("AVV-2026-0001")
        assert case is not None and case.version == 1
        assert case.escalated_at == NOW and case.reminded_for == date(2026, 11, 20)
        with pytest.raises(ValueError):
            await uow.deviations.mark("AVV-2026-0001", state="lukket")


async def test_counts_by_category_and_state(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.deviations.add(_case("AVV-2026-0001"))
        await uow.deviations.add(_case("AVV-2026-0002", state="lukket"))
        await uow.deviations.add(_case("AVV-2026-0003", category="pris_faktura"))
        await uow.deviations.add(_case("AVV-2026-0004", contract="AV-2023-007"))
        await uow.deviations.add(_case("AVV-2026-0005", contract=None))
        await uow.commit()
    async with uow_factory() as uow:
        counts = await uow.deviations.counts_for_contracts(["AV-2024-001"])
        assert sorted(counts, key=lambda c: (c.category, c.state)) == [
            DeviationCount("forsinkelse", "lukket", 1),
            DeviationCount("forsinkelse", "registrert", 1),
            DeviationCount("pris_faktura", "registrert", 1),
        ]
        assert await uow.deviations.counts_for_contracts([]) == []
        assert await uow.deviations.count_for_contract("AV-2024-001") == 3
        assert await uow.deviations.count_for_contract("AV-2023-007") == 1
        assert await uow.deviations.count_for_contract("AV-0000-000") == 0
        waiting = await uow.deviations.list_by_state(["registrert"])
        assert [c.case_number for c in waiting] == [
            "AVV-2026-0001",
            "AVV-2026-0003",
            "AVV-2026-0004",
            "AVV-2026-0005",
        ]
