""" "Mine saker" on a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL): the
per-person counts, and the use case's list of both kinds with a need's room."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.domain import rooms as saga_rules
from bot.core.domain.my_cases import NeedItem
from bot.core.domain.records import NeedCase
from bot.core.domain.rooms import RoomSaga
from bot.core.services.cases import case_of, my_cases
from integrations.db.uow import SqlUnitOfWorkFactory
from tests.support.deviation_driver import deviation_case

pytestmark = [pytest.mark.integration, pytest.mark.db]

NOW = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)


def _need(number: str, requester: str, when: datetime) -> NeedCase:
    return NeedCase(
        id=0,
        case_number=number,
        requester_id=requester,
        requester_name=requester,
        tenant_id="t",
        title=number,
        service_area="oppvekst",
        answers={},
        estimated_total=1,
        tier="below",
        checklist=[],
        status="akseptert",
        version=1,
        locale="nb",
        created_at=when,
        updated_at=when,
    )


async def test_counts_and_the_list_are_per_person(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory() as uow:
        await uow.needs.add(_need("ANS-2026-0001", "aad-kari", NOW))
        await uow.needs.add(_need("ANS-2026-0002", "aad-ola", NOW + timedelta(hours=1)))
        await uow.needs.add(_need("ANS-2026-0003", "aad-kari", NOW + timedelta(hours=3)))
        for n, reporter in ((1, "aad-kari"), (2, "aad-lise")):
            when = NOW + timedelta(hours=2 * n)
            await uow.deviations.add(
                deviation_case(
                    f"AVV-2026-{n:04d}", reporter_id=reporter, created_at=when, updated_at=when
                )
            )
        saga = RoomSaga(
            case_number="ANS-2026-0003",
            tenant_id="t",
            mode="team",
            display_name="ANS-2026-0003",
            description="",
            advisor_id="aad-per",
            members=(),
            step=saga_rules.CREATE_TEAM,
        )
        await uow.rooms.add(saga, now=NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.needs.count_for_requester("aad-kari") == 2
        assert await uow.deviations.count_for_reporter("aad-kari") == 1
        assert await uow.deviations.count_for_reporter("aad-nobody") == 0

    cases = await my_cases("aad-kari", uow=uow_factory(), limit=2)
    assert [item.case.case_number for item in cases.items] == ["ANS-2026-0003", "AVV-2026-0001"]
    assert cases.total == 3 and cases.more == 1
    first = cases.items[0]
    assert isinstance(first, NeedItem) and first.room is not None
    assert first.room.status == saga_rules.PENDING

    assert await case_of("aad-kari", "avv-2026-0001", uow=uow_factory()) is not None
    assert await case_of("aad-kari", "AVV-2026-0002", uow=uow_factory()) is None  # Lise's
    assert await case_of("aad-kari", "ANS-2026-0002", uow=uow_factory()) is None  # Ola's
    assert await case_of("aad-kari", "ANS-2026-9999", uow=uow_factory()) is None
