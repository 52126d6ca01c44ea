"""4. The reminder scan on a growing register: 10k and 100k contracts on SQLite, 10k, 100k and
1M on PostgreSQL when it answers on 127.0.0.1:5432. The same 100 contracts are due at every
size, so a scan whose cost follows what is due (the `next_reminder_on` index) stays flat.

The register grows in place (10k, then +90k, then +900k), ANALYZE after each step. Each size is
scanned `scan_repeats` times (median), resetting the due contracts and what the scan wrote in
between. The scan queues each reminder's notice into the outbox in its own transaction.
"""

from __future__ import annotations

import asyncio
import socket
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import delete, text, update
from sqlmodel import col

from bot.core.clock import FakeClock
from bot.core.domain.contracts import Contract, ReminderDue, ReminderPolicy
from bot.core.services.conversations import queue_notice
from bot.core.services.reminders import scan_reminders
from integrations.db.contract_tables import ContractReminderRow, ContractRow
from integrations.db.contracts import contract_repository
from integrations.db.engine import create_engine
from integrations.db.migrate import upgrade
from integrations.db.tables import OutboxRow
from integrations.db.uow import SqlUnitOfWork, SqlUnitOfWorkFactory
from tests.bench.contract_rows import AS_OF, NOW, due_number, due_rows, insert_rows, other_rows
from tests.bench.profile import Profile
from tests.bench.report import BenchResult, Target, ratio_of

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
POLICY = ReminderPolicy()


def postgres_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=1.0):
            return True
    except OSError:
        return False


def _queue(uow: SqlUnitOfWork) -> Any:
    clock = FakeClock(NOW)

    async def queue(due: ReminderDue, contract: Contract) -> None:
        await queue_notice(
            uow,
            recipient="user:bench-tenant:aad-avtaleforvalter",
            idempotency_key=f"contract:{due.contract_number}:{due.milestone}:{due.lead}",
            clock=clock,
            text=f"{due.contract_number} utløper {due.deadline.isoformat()}",
        )

    return queue


async def scan_once(uow_factory: SqlUnitOfWorkFactory, due: int) -> float:
    async with uow_factory() as uow:
        started = time.perf_counter()
        result = await scan_reminders(
            contracts=contract_repository(uow),
            policy=POLICY,
            as_of=AS_OF,
            now=NOW,
            queue=_queue(uow),
        )
        await uow.commit()
        elapsed = time.perf_counter() - started
    if result.queued != due:
        raise AssertionError(f"scan queued {result.queued}, expected {due}")
    return elapsed


async def reset(uow_factory: SqlUnitOfWorkFactory, due: int) -> None:
    async with uow_factory() as uow:
        session = uow.session
        await session.execute(delete(ContractReminderRow))
        await session.execute(delete(OutboxRow))
        numbers = [due_number(i) for i in range(due)]
        await session.execute(
            update(ContractRow)
            .where(col(ContractRow.number).in_(numbers))
            .values(next_reminder_on=AS_OF)
        )
        await uow.commit()


async def analyze(uow_factory: SqlUnitOfWorkFactory) -> None:
    async with uow_factory.engine.connect() as conn:
        await conn.execute(text("ANALYZE"))
        await conn.commit()


async def measure(db_url: str, schema: str, sizes: tuple[int, ...], profile: Profile) -> Any:
    engine = create_engine(db_url, schema=schema)
    uow_factory = SqlUnitOfWorkFactory(engine)
    rows_in = 0
    figures: dict[int, dict[str, float]] = {}
    try:
        for size in sizes:
            started = time.perf_counter()
            if rows_in == 0:
                await insert_rows(engine, due_rows(profile.due_contracts), schema)
                rows_in = profile.due_contracts
            await insert_rows(engine, other_rows(rows_in, size - rows_in), schema)
            rows_in = size
            await analyze(uow_factory)
            insert_seconds = time.perf_counter() - started
            times = []
            for _ in range(profile.scan_repeats):
                await reset(uow_factory, profile.due_contracts)
                times.append(await scan_once(uow_factory, profile.due_contracts))
            figures[size] = {
                "insert_seconds": round(insert_seconds, 1),
                "scan_ms": round(1000 * statistics.median(times), 1),
                "scan_ms_all": [round(1000 * t, 1) for t in times],  # type: ignore[dict-item]
            }
            sys.stderr.write(
                f"   {engine.dialect.name}: {size:>9,} contracts, scan "
                f"{figures[size]['scan_ms']} ms (insert {insert_seconds:.1f} s)\n"
            )
    finally:
        await engine.dispose()
    return figures


def add_figures(result: BenchResult, db: str, figures: dict[int, dict[str, float]]) -> None:
    sizes = sorted(figures)
    small = figures[sizes[0]]["scan_ms"]
    for size in sizes:
        value = figures[size]["scan_ms"]
        is_last = size == sizes[-1] and len(sizes) > 1
        result.add(
            f"{db} scan {size:,}",
            value,
            unit="ms",
            baseline=small,
            ratio=ratio_of(value, small),
            target=Target("<=", 3.0) if is_last else None,
            note=f"ratio = scan({size:,}) / scan({sizes[0]:,})",
        )


async def run_reminders(profile: Profile, workdir: Path) -> BenchResult:
    result = BenchResult("reminders")
    sqlite_url = f"sqlite+aiosqlite:///{workdir}/contracts.db"
    await asyncio.to_thread(upgrade, sqlite_url, "")
    sqlite_figures = await measure(sqlite_url, "", profile.sqlite_sizes, profile)
    add_figures(result, "SQLite", sqlite_figures)
    result.raw["sqlite"] = sqlite_figures
    if profile.pg_sizes and postgres_answers():
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        await asyncio.to_thread(upgrade, PG_URL, schema)
        try:
            pg_figures = await measure(PG_URL, schema, profile.pg_sizes, profile)
        finally:
            engine = create_engine(PG_URL)
            async with engine.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await engine.dispose()
        add_figures(result, "PostgreSQL", pg_figures)
        result.raw["postgresql"] = pg_figures
    elif profile.pg_sizes:
        result.notes.append("PostgreSQL does not answer on 127.0.0.1:5432: SQLite figures only.")
    else:
        result.notes.append("--quick: SQLite only (PostgreSQL sizes run in the full profile).")
    result.notes.append(
        f"{profile.due_contracts} contracts due on {AS_OF.isoformat()} at every size; median of "
        f"{profile.scan_repeats} scans, each queuing {profile.due_contracts} outbox notices."
    )
    return result
