"""Shared fixtures: a real database (SQLite, or PostgreSQL when TEST_DATABASE_URL is set),
units of work on it, a fake Bot Connector, and the real app on a free port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from integrations.db.engine import create_engine
from integrations.db.uow import SqlUnitOfWorkFactory
from tests.support.fake_connector import FakeConnector
from tests.support.harness import (
    BotHarness,
    Database,
    create_database,
    drop_database,
    make_settings,
)


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    db = await create_database(tmp_path)
    yield db
    await drop_database(db)


@pytest.fixture
async def uow_factory(database: Database) -> AsyncIterator[SqlUnitOfWorkFactory]:
    """Units of work on the test database, without a bot (repository and use-case tests)."""
    engine = create_engine(database.url, schema=database.schema)
    yield SqlUnitOfWorkFactory(engine)
    await engine.dispose()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    fake = FakeConnector()
    await fake.start()
    yield fake
    await fake.close()


StartBot = Callable[..., Awaitable[BotHarness]]


@pytest.fixture
async def start_bot(database: Database, connector: FakeConnector) -> AsyncIterator[StartBot]:
    # Depends on `connector` so the bot stops first: a bot whose connector is gone waits
    # for its in-flight sends at shutdown.
    started: list[BotHarness] = []

    async def start(overrides: dict[str, Any] | None = None, **settings: Any) -> BotHarness:
        harness = BotHarness(make_settings(database, **settings), overrides)
        await harness.start()
        started.append(harness)
        return harness

    yield start
    for harness in started:
        await harness.stop()


@pytest.fixture
async def bot(start_bot: StartBot) -> BotHarness:
    return await start_bot()
