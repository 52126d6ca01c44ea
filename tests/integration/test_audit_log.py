"""The audit log is append-only and hash-chained: `python -m bot audit-verify` catches any edit."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from sqlalchemy import text

from bot.core.clock import FakeClock
from bot.core.services.audit import record, verify
from integrations.db.engine import create_engine
from integrations.db.uow import SqlUnitOfWorkFactory

pytestmark = [pytest.mark.integration, pytest.mark.db]


@pytest.fixture
async def uow_factory(database):
    engine = create_engine(database.url, schema=database.schema)
    yield SqlUnitOfWorkFactory(engine)
    await engine.dispose()


async def _fill(uow_factory, count=5):
    clock = FakeClock()
    for n in range(count):
        async with uow_factory() as uow:
            await record(
                uow,
                clock=clock,
                actor="aad-ola",
                action="need.approved",
                subject=f"ANS-2026-{n:04d}",
                details={"comment": f"Godkjent æøå {n}", "amount": 450000 + n},
                on_behalf_of="aad-lise" if n == 2 else None,
            )
            await uow.commit()
        clock.advance(minutes=5)


def _cli(database, *args):
    env = dict(os.environ, DB__URL=database.url, DB__SCHEMA_NAME=database.schema)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=60
    )


async def test_intact_chain_verifies(uow_factory, database):
    await _fill(uow_factory)
    assert await verify(uow_factory) == (5, [])
    result = await asyncio.to_thread(_cli, database, "audit-verify")
    assert result.returncode == 0, result.stderr
    assert "5 rows" in result.stdout


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE audit_log SET details = replace(details, 'Godkjent', 'Avvist') WHERE id = 3",
        "UPDATE audit_log SET actor = 'aad-mallory' WHERE id = 2",
        "DELETE FROM audit_log WHERE id = 4",
        "UPDATE audit_log SET on_behalf_of = NULL WHERE id = 3",
    ],
)
async def test_any_edit_or_deletion_is_detected(uow_factory, database, tamper):
    await _fill(uow_factory)
    async with uow_factory.engine.begin() as conn:
        await conn.execute(text(tamper))
    _count, problems = await verify(uow_factory)
    assert problems, f"tampering not detected: {tamper}"
    result = await asyncio.to_thread(_cli, database, "audit-verify")
    assert result.returncode == 1
    assert "TAMPERED" in result.stdout


async def test_deleting_the_newest_row_is_not_hidden_by_the_chain_alone(uow_factory):
    """Truncating the tail keeps a valid chain; the row count is what the operator compares.

    That is why audit-verify prints the number of rows, and why backups keep the last hash.
    """
    await _fill(uow_factory)
    async with uow_factory.engine.begin() as conn:
        await conn.execute(text("DELETE FROM audit_log WHERE id = 5"))
    assert await verify(uow_factory) == (4, [])


async def test_concurrent_appends_keep_one_chain(uow_factory):
    clock = FakeClock()

    async def append(n):
        async with uow_factory() as uow:
            await record(uow, clock=clock, actor=f"aad-{n}", action="x", subject=f"S-{n}")
            await uow.commit()

    await asyncio.gather(*(append(n) for n in range(12)))
    assert await verify(uow_factory) == (12, [])
