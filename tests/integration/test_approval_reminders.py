"""Reminders and escalation of waiting approvals, with a fake clock, across a weekend and the
17 May holiday (2027: Monday 17 May is both Constitution Day and Whit Monday)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import FakeClock
from bot.core.domain.errors import NotAuthorized
from bot.core.services.approval_reminders import ReminderPolicy, scan_approvals
from bot.core.services.approvals import ApprovalContext, decide
from bot.settings import Settings
from bot.teams.features.approval_views import CaseCards
from bot.wiring import need_rules
from integrations.db.engine import create_engine
from integrations.db.uow import SqlUnitOfWorkFactory
from integrations.directory.yaml_directory import YamlDirectory
from tests.support.approval_driver import file_need_directly
from tests.support.harness import Database

pytestmark = [pytest.mark.integration, pytest.mark.db]

OSLO = ZoneInfo("Europe/Oslo")
POLICY = ReminderPolicy(remind_after_business_days=2, escalate_after_business_days=5)
TENANT = "tenant-1"


def oslo(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027, 5, day, hour, minute, tzinfo=OSLO)


@pytest.fixture
async def uow_factory(database: Database) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine(database.url, schema=database.schema)
    yield SqlUnitOfWorkFactory(engine)
    await engine.dispose()


def _context(uow_factory: SqlUnitOfWorkFactory, clock: FakeClock) -> ApprovalContext:
    directory = YamlDirectory.demo()
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    return ApprovalContext(
        uow=uow_factory,
        clock=clock,
        directory_of=lambda: directory,
        cards=CaseCards(lambda: directory, need_rules(settings)),
    )


async def _file(ctx: ApprovalContext) -> str:
    return await file_need_directly(ctx, tenant_id=TENANT)


async def _keys(ctx: ApprovalContext) -> set[str]:
    from sqlalchemy import select

    from integrations.db.tables import OutboxRow

    async with ctx.uow() as uow:
        return set((await uow.session.scalars(select(OutboxRow.idempotency_key))).all())


async def test_reminder_after_two_business_days_and_escalation_after_five(uow_factory):
    clock = FakeClock(oslo(14, 10))  # Friday 14 May 2027, 10:00
    ctx = _context(uow_factory, clock)
    number = await _file(ctx)
    reminder = f"{number}:v1:reminder:aad-ola"

    # Sat 15, Sun 16 (weekend) and Mon 17 May (holiday) do not count: day 1 is Tue 18 May.
    for moment in (oslo(15, 10), oslo(17, 12), oslo(18, 16), oslo(19, 9, 59)):
        clock.set(moment)
        result = await scan_approvals(ctx, POLICY)
        assert result.reminded == 0 and result.escalated == 0, moment
    assert reminder not in await _keys(ctx)

    # Due Wednesday 19 May 10:00, but the first scan after that is in the evening: quiet.
    clock.set(oslo(19, 17, 30))
    assert (await scan_approvals(ctx, POLICY)).quiet
    assert reminder not in await _keys(ctx)
    # The next morning's scan reminds, once.
    clock.set(oslo(20, 7, 0))
    assert (await scan_approvals(ctx, POLICY)).reminded == 1
    assert reminder in await _keys(ctx)
    clock.set(oslo(20, 8, 0))
    assert (await scan_approvals(ctx, POLICY)).reminded == 0  # already reminded
    async with uow_factory() as uow:
        message = await uow.outbox.get_by_key(reminder)
    assert message is not None and "Påminnelse" in message.payload["text"]

    # Five business days (Tue 18 – Mon 24 May): escalated to Ola's manager, Ingrid.
    clock.set(oslo(24, 9, 59))
    assert (await scan_approvals(ctx, POLICY)).escalated == 0
    clock.set(oslo(24, 10, 0))
    assert (await scan_approvals(ctx, POLICY)).escalated == 1
    async with uow_factory() as uow:
        case = await uow.needs.get(number)
        audit = [e for e in await uow.audit.all() if e.subject == number]
        card = await uow.outbox.get_by_key(f"{number}:approval-request:escalated:aad-ingrid")
        ola_update = await uow.outbox.get_by_key(f"{number}:approval-request:update:v2")
    assert case is not None and case.approver_id == "aad-ingrid" and case.version == 2
    assert audit[-1].action == "need.escalated" and audit[-1].details["from"] == "aad-ola"
    assert card is not None and card.recipient == f"user:{TENANT}:aad-ingrid"
    assert "Ola Hansen" in card.payload["text"]
    # Ola's copy is edited to read-only; he can no longer decide, Ingrid can.
    assert ola_update is not None
    assert "approval.approve" not in str(ola_update.payload["card"])
    with pytest.raises(NotAuthorized):
        await decide(ctx, number, actor_id="aad-ola", actor_name="Ola", action="approve", version=2)
    outcome = await decide(
        ctx, number, actor_id="aad-ingrid", actor_name="Ingrid", action="approve", version=2
    )
    assert outcome.case.status == "godkjent"
    # Nothing more to remind once decided.
    clock.set(oslo(31, 10))
    result = await scan_approvals(ctx, POLICY)
    assert result.reminded == 0 and result.escalated == 0


async def test_no_reminders_on_a_holiday_morning(uow_factory):
    clock = FakeClock(oslo(5, 10))  # Wednesday 5 May 2027
    ctx = _context(uow_factory, clock)
    await _file(ctx)
    clock.set(oslo(6, 10))  # Thursday 6 May 2027: Ascension Day (Kristi himmelfartsdag)
    assert (await scan_approvals(ctx, POLICY)).quiet


async def test_a_daily_digest_replaces_single_reminders_for_those_who_chose_it(uow_factory):
    from bot.core.services.approval_digest import send_daily_digests, set_daily_digest

    clock = FakeClock(oslo(3, 10))  # Monday 3 May 2027
    ctx = _context(uow_factory, clock)
    first, second = await _file(ctx), await _file(ctx)
    assert await send_daily_digests(ctx, POLICY) == 0, "nobody chose the digest yet"
    await set_daily_digest(ctx, person_id="aad-ola", tenant_id=TENANT, on=True)

    clock.set(oslo(5, 10))  # two business days later: Ola gets no single reminders
    assert (await scan_approvals(ctx, POLICY)).reminded == 0
    assert not {k for k in await _keys(ctx) if ":reminder:" in k}

    clock.set(oslo(6, 7, 30))  # Thursday 6 May is Ascension Day: no digest on a holiday
    assert await send_daily_digests(ctx, POLICY) == 0
    clock.set(oslo(7, 7, 30))  # Friday, before the digest hour
    assert await send_daily_digests(ctx, POLICY) == 0
    clock.set(oslo(7, 8, 0))
    assert await send_daily_digests(ctx, POLICY) == 1
    clock.set(oslo(7, 14, 0))
    assert await send_daily_digests(ctx, POLICY) == 0, "once a day"
    async with uow_factory() as uow:
        digest = await uow.outbox.get_by_key("digest:aad-ola:2027-05-07")
    assert digest is not None and digest.recipient == f"user:{TENANT}:aad-ola"
    assert first in digest.payload["text"] and second in digest.payload["text"]
    assert "2 behovsmelding(er)" in digest.payload["text"]

    clock.set(oslo(10, 8, 0))  # Monday: a new day, a new digest
    assert await send_daily_digests(ctx, POLICY) == 1

    # Back to single reminders: the digest stops.
    await set_daily_digest(ctx, person_id="aad-ola", tenant_id=TENANT, on=False)
    clock.set(oslo(11, 8, 0))
    assert await send_daily_digests(ctx, POLICY) == 0
