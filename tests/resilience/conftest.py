"""Fixtures for the resilience tests: the bot as a real process that can be SIGKILLed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.resilience.kill_scenarios import FAST_WORKER, HoldingConnector
from tests.support.bot_process import BotProcess
from tests.support.harness import Database


@pytest.fixture
async def holding_connector() -> AsyncIterator[HoldingConnector]:
    fake = HoldingConnector()
    await fake.start()
    yield fake
    fake.held.set()
    await fake.close()


@pytest.fixture
async def bot_process(database: Database, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(database, tmp_path / "bot", **FAST_WORKER)
    await process.start()
    yield process
    process.kill()
    await process.close()
