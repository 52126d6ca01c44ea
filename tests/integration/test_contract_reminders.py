"""The reminder scan against a real database: once per (contract, milestone, lead), ever."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.cli_contracts import scan_reminders_command
from bot.core.domain.contracts import Contract, OptionPeriod, ReminderDue, ReminderPolicy
from bot.core.services.reminders import ScanResult, scan_reminders
from integrations.db.contracts import contract_repository
from integrations.db.engine import create_engine
from integrations.db.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.support.harness import Database, make_settings

pytestmark = [pytest.mark.integration, pytest.mark.db]

POLICY = ReminderPolicy()
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def contract(number: str, end: date, options: tuple[OptionPeriod, ...] = ()) -> Contract:
    return Contract(
        number=number,
        title=f"Avtale {number}",
        supplier="Fjellstrøm Bygg AS",
        org_number="974760673",
        start_date=date(2024, 1, 1),
        end_date=end,
        options=options,
        manager_email="kari@kommune.no",
    )


@pytest.fixture
async def uow_factory(database: Database) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine(database.url, schema=database.schema)
    yield SqlUnitOfWorkFactory(engine)
    await engine.dispose()


async def add(uow_factory: SqlUnitOfWorkFactory, *contracts: Contract, next_on: date) -> None:
    async with uow_factory() as uow:
        for c in contracts:
            await contract_repository(uow).upsert(c, NOW, next_reminder_on=next_on)
        await uow.commit()


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[ReminderDue, str]] = []

    async def __call__(self, due: ReminderDue, contract: Contract) -> None:
        await asyncio.sleep(0)  # let a concurrent scan run in between
        self.calls.append((due, contract.number))


async def scan(
    uow_factory: SqlUnitOfWorkFactory, as_of: date, queue: Recorder, batch_size: int = 200
) -> ScanResult:
    async with uow_factory() as uow:
        result = await scan_reminders(
            contracts=contract_repository(uow),
            policy=POLICY,
            as_of=as_of,
            now=NOW,
            queue=queue,
            batch_size=batch_size,
        )
        await uow.commit()
    return result


async def next_on(uow_factory: SqlUnitOfWorkFactory, number: str) -> date | None:
    async with uow_factory() as uow:
        return await contract_repository(uow).next_reminder_on(number)


async def test_boundaries_and_a_second_scan_queues_nothing(uow_factory) -> None:
    await add(uow_factory, contract("AV-1", date(2027, 12, 31)), next_on=date(2026, 12, 1))
    queue = Recorder()
    assert await scan(uow_factory, date(2026, 12, 30), queue) == ScanResult(0, 0, 1)
    assert await next_on(uow_factory, "AV-1") == date(2026, 12, 31)
    first = await scan(uow_factory, date(2026, 12, 31), queue)
    assert (first.queued, first.already_sent) == (1, 0)
    assert [(d.milestone, d.lead, d.due_on) for d, _ in queue.calls] == [
        ("expiry", "12m", date(2026, 12, 31))
    ]
    assert await next_on(uow_factory, "AV-1") == date(2027, 3, 31)
    assert await scan(uow_factory, date(2026, 12, 31), queue) == ScanResult(0, 0, 0)
    # even when the contract is looked at again (re-import), the reminder is not repeated
    async with uow_factory() as uow:
        await contract_repository(uow).set_next_reminder("AV-1", date(2026, 12, 31))
        await uow.commit()
    assert await scan(uow_factory, date(2026, 12, 31), queue) == ScanResult(0, 1, 1)
    nine = await scan(uow_factory, date(2027, 3, 31), queue)
    assert nine.queued == 1 and queue.calls[-1][0].lead == "9m"
    escalation = await scan(uow_factory, date(2027, 11, 30), queue)
    assert escalation.queued == 1 and queue.calls[-1][0].escalation
    assert await next_on(uow_factory, "AV-1") is None
    async with uow_factory() as uow:
        sent = await contract_repository(uow).reminders_for("AV-1")
    assert [(r.milestone, r.lead) for r in sent] == [
        ("expiry", "12m"),
        ("expiry", "9m"),
        ("expiry", "1m"),
    ]


async def test_nothing_due_is_invisible_to_the_scan(uow_factory) -> None:
    far = contract("AV-FAR", date(2035, 12, 31))
    await add(uow_factory, far, next_on=date(2034, 12, 31))
    await add(uow_factory, contract("AV-NONE", date(2020, 1, 1)), next_on=None)
    async with uow_factory() as uow:
        assert await contract_repository(uow).due_for_reminders(date(2034, 12, 30), 10) == []
        due = await contract_repository(uow).due_for_reminders(date(2034, 12, 31), 10)
    assert [c.number for c in due] == ["AV-FAR"]
    assert await scan(uow_factory, date(2030, 1, 1), Recorder()) == ScanResult(0, 0, 0)


async def test_options_and_batches(uow_factory) -> None:
    option = OptionPeriod(1, date(2028, 12, 31), notice_deadline=date(2027, 10, 1))
    many = [contract(f"AV-{i:03d}", date(2027, 12, 31), (option,)) for i in range(25)]
    await add(uow_factory, *many, next_on=date(2027, 4, 1))
    queue = Recorder()
    result = await scan(uow_factory, date(2027, 4, 1), queue, batch_size=7)
    assert (result.queued, result.contracts_checked) == (25, 25)
    assert {(d.milestone, d.lead) for d, _ in queue.calls} == {("option-1", "6m")}


async def test_two_concurrent_scans_queue_each_reminder_once(uow_factory) -> None:
    contracts = [contract(f"AV-{i:03d}", date(2027, 12, 31)) for i in range(30)]
    await add(uow_factory, *contracts, next_on=date(2026, 12, 31))
    first, second = Recorder(), Recorder()
    results = await asyncio.gather(
        scan(uow_factory, date(2026, 12, 31), first, batch_size=10),
        scan(uow_factory, date(2026, 12, 31), second, batch_size=10),
    )
    queued = [number for _, number in first.calls + second.calls]
    assert sorted(queued) == sorted(c.number for c in contracts)
    assert sum(r.queued for r in results) == 30
    async with uow_factory() as uow:
        repo = contract_repository(uow)
        for c in contracts:
            assert len(await repo.reminders_for(c.number)) == 1


async def test_concurrent_inserts_of_one_reminder_let_one_win(uow_factory) -> None:
    # No row locks to skip here: the second insert must wait for the first and then do nothing.
    await add(uow_factory, contract("AV-1", date(2027, 12, 31)), next_on=None)
    due = ReminderDue("AV-1", "expiry", "12m", date(2026, 12, 31), date(2027, 12, 31))

    async def record(hold: asyncio.Event | None, started: asyncio.Event | None) -> bool:
        async with uow_factory() as uow:
            inserted = await contract_repository(uow).record_reminder(due, NOW)
            if started is not None:
                started.set()
            if hold is not None:
                await hold.wait()
            await uow.commit()
            return inserted

    hold, started = asyncio.Event(), asyncio.Event()
    first = asyncio.create_task(record(hold, started))
    await started.wait()
    second = asyncio.create_task(record(None, None))
    await asyncio.sleep(0.2)  # the second insert is now waiting for the first transaction
    hold.set()
    assert sorted(await asyncio.gather(first, second)) == [False, True]


async def test_record_reminder_is_unique(uow_factory) -> None:
    await add(uow_factory, contract("AV-1", date(2027, 12, 31)), next_on=None)
    due = ReminderDue("AV-1", "expiry", "12m", date(2026, 12, 31), date(2027, 12, 31))
    async with uow_factory() as uow:
        repo = contract_repository(uow)
        assert await repo.record_reminder(due, NOW)
        assert not await repo.record_reminder(due, NOW)
        await uow.commit()
    async with uow_factory() as uow:
        assert not await contract_repository(uow).record_reminder(due, NOW)


def test_cli_scan(database: Database, capsys: pytest.CaptureFixture[str]) -> None:
    settings = make_settings(database)

    async def seed() -> None:
        engine = create_engine(database.url, schema=database.schema)
        await add(SqlUnitOfWorkFactory(engine), contract("AV-1", date(2027, 12, 31)),
                  next_on=date(2026, 12, 1))  # fmt: skip
        await engine.dispose()

    asyncio.run(seed())
    assert scan_reminders_command(settings, date(2026, 12, 31)) == 0
    out = capsys.readouterr().out
    assert "1 lagt i kø, 0 sendt tidligere" in out
    assert "AV-1: avtalen utløper 31.12.2027 (varsel 12m)" in out
    assert "ikke lagret som sendt" in out
    queued: list[str] = []

    def make_queue(uow: SqlUnitOfWork):
        async def queue(due: ReminderDue, contract: Contract) -> None:
            queued.append(f"{due.contract_number}/{due.lead}")

        return queue

    assert scan_reminders_command(settings, date(2026, 12, 31), make_queue=make_queue) == 0
    assert scan_reminders_command(settings, date(2026, 12, 31), make_queue=make_queue) == 0
    assert queued == ["AV-1/12m"]
    assert "0 lagt i kø" in capsys.readouterr().out


# --- delivery: the scan queues the cards in its own transaction -------------------------------


def _delivery_context(uow_factory: SqlUnitOfWorkFactory, when: datetime) -> Any:
    from bot.core.clock import FakeClock
    from bot.core.services.reminder_context import ReminderContext
    from bot.teams.features.reminder_views import ReminderCardViews
    from bot.wiring import reminder_store
    from integrations.directory.yaml_directory import YamlDirectory

    directory = YamlDirectory.demo()
    return ReminderContext(
        uow=uow_factory,
        clock=FakeClock(when),
        directory_of=lambda: directory,
        cards=ReminderCardViews(lambda: directory),
        store_of=reminder_store,
        tenant_id="tenant-1",
        policy=POLICY,
    )


def managed(number: str, end: date) -> Contract:
    return Contract(
        number=number,
        title=f"Avtale {number}",
        supplier="Fjellstrøm Bygg AS",
        org_number="974760673",
        start_date=date(2024, 1, 1),
        end_date=end,
        manager_email="kari.nordmann@lillestrom.kommune.no",
        service_area="oppvekst",
    )


async def _outbox_keys(uow_factory: SqlUnitOfWorkFactory) -> list[str]:
    from sqlalchemy import select

    from integrations.db.tables import OutboxRow

    async with uow_factory() as uow:
        rows = await uow.session.scalars(select(OutboxRow.idempotency_key))
        return sorted(rows.all())


async def test_two_concurrent_delivering_scans_queue_each_card_once(uow_factory) -> None:
    from bot.core.services.reminder_delivery import scan_and_deliver

    contracts = [managed(f"AV-{i:03d}", date(2027, 12, 31)) for i in range(12)]
    await add(uow_factory, *contracts, next_on=date(2026, 12, 31))
    ctx = _delivery_context(uow_factory, NOW)
    results = await asyncio.gather(
        scan_and_deliver(ctx, date(2026, 12, 31)), scan_and_deliver(ctx, date(2026, 12, 31))
    )
    keys = await _outbox_keys(uow_factory)
    # Kari (the manager) and Lise (oppvekst's innkjøpskontakt): one card each per contract
    assert len(keys) == 24 and len(set(keys)) == 24
    assert sum(r.queued for r in results) == 12
    assert {k.rsplit(":", 1)[-1] for k in keys} == {"aad-kari", "aad-lise"}


async def test_a_snooze_comes_back_once_even_with_two_scans(uow_factory) -> None:
    from bot.core.services.reminder_delivery import scan_and_deliver
    from integrations.db.reminders import reminder_repository

    await add(uow_factory, managed("AV-1", date(2027, 12, 31)), next_on=date(2026, 12, 31))
    ctx = _delivery_context(uow_factory, NOW)
    await scan_and_deliver(ctx, date(2026, 12, 31))
    async with uow_factory() as uow:
        store = reminder_repository(uow)
        (due,) = await store.reminders_for("AV-1")
        reminder = await store.reminder_for(due)
        assert reminder is not None
        assert await store.update_reminder_if_version(
            reminder.id, reminder.version, status="snoozed", snooze_until=date(2027, 1, 14)
        )
        await uow.commit()
    # the day before: nothing; on the day, two scans at once bring it back once
    await scan_and_deliver(ctx, date(2027, 1, 13))
    assert len(await _outbox_keys(uow_factory)) == 2
    await asyncio.gather(
        scan_and_deliver(ctx, date(2027, 1, 14)), scan_and_deliver(ctx, date(2027, 1, 14))
    )
    keys = await _outbox_keys(uow_factory)
    assert len(keys) == 4 and sum(":2:" in k for k in keys) == 2
    await scan_and_deliver(ctx, date(2027, 1, 15))
    assert len(await _outbox_keys(uow_factory)) == 4


async def test_a_milestone_let_expire_gets_no_later_lead(uow_factory) -> None:
    from integrations.db.reminders import reminder_repository

    await add(uow_factory, contract("AV-1", date(2027, 12, 31)), next_on=date(2026, 12, 31))
    queue = Recorder()
    await scan(uow_factory, date(2026, 12, 31), queue)
    async with uow_factory() as uow:
        store = reminder_repository(uow)
        (due,) = await store.reminders_for("AV-1")
        reminder = await store.reminder_for(due)
        assert reminder is not None
        await store.update_reminder_if_version(reminder.id, reminder.version, status="let_expire")
        await uow.commit()
    assert (await scan(uow_factory, date(2027, 3, 31), queue)).queued == 0
    assert (await scan(uow_factory, date(2027, 11, 30), queue)).queued == 0
    assert [d.lead for d, _ in queue.calls] == ["12m"]


def test_cli_scan_queues_the_cards_once(
    database: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli_reminders import deliver_reminders_command
    from bot.settings import ReminderSettings

    settings = make_settings(database, reminders=ReminderSettings(tenant_id="tenant-1"))

    async def seed() -> None:
        engine = create_engine(database.url, schema=database.schema)
        await add(SqlUnitOfWorkFactory(engine), managed("AV-1", date(2027, 12, 31)),
                  next_on=date(2026, 12, 1))  # fmt: skip
        await engine.dispose()

    async def keys() -> list[str]:
        engine = create_engine(database.url, schema=database.schema)
        try:
            return await _outbox_keys(SqlUnitOfWorkFactory(engine))
        finally:
            await engine.dispose()

    asyncio.run(seed())
    assert deliver_reminders_command(settings, date(2026, 12, 31)) == 0
    out = capsys.readouterr().out
    assert "1 lagt i kø, 0 sendt tidligere" in out
    assert "AV-1: avtalen utløper 31.12.2027 (varsel 12m)" in out
    assert asyncio.run(keys()) == [
        "reminder:1:1:user:tenant-1:aad-kari",
        "reminder:1:1:user:tenant-1:aad-lise",
    ]
    assert deliver_reminders_command(settings, date(2026, 12, 31)) == 0
    assert "0 lagt i kø" in capsys.readouterr().out
    assert len(asyncio.run(keys())) == 2
