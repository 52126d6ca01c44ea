"""20 SIGKILL/restart cycles of the needs dialog and of the fan-out, against one database and
one bot process that is killed over and over (bounded: 20 cycles each, ≤ 5 minutes in all).

Counts over all cycles: one complete case per dialog cycle (none lost, none doubled), every
notice delivered, duplicates per kill at most one batch in flight.
"""

from __future__ import annotations

import random
import time

import pytest

from tests.resilience.kill_scenarios import (
    BATCH_SIZE,
    dialog_kill_cycle,
    fanout_kill_cycle,
    remember_users,
)
from tests.support.builders import User

pytestmark = [pytest.mark.e2e, pytest.mark.db]

CYCLES = 20
DIALOG_BUDGET = 100.0  # seconds; the two tests together stay under 5 minutes
FAN_OUT_BUDGET = 190.0


async def test_twenty_kills_mid_dialog(bot_process, holding_connector, database):
    rng = random.Random(20261201)
    started = time.monotonic()
    for cycle in range(CYCLES):
        user = User(f"aad-soak-{cycle:02d}", f"Soak {cycle}")
        delay = rng.choice([None, 0.0, 0.01, 0.03, 0.08])
        await dialog_kill_cycle(
            bot_process,
            holding_connector,
            database,
            user,
            answers_before=rng.randint(1, 8),
            in_flight_delay=delay,
        )
        assert time.monotonic() - started < DIALOG_BUDGET, f"over budget after {cycle} cycles"
    assert bot_process.starts == CYCLES + 1


async def test_twenty_kills_mid_fan_out(bot_process, holding_connector, database):
    rng = random.Random(20261202)
    users = [User(f"aad-fan-{n:02d}", f"Mottaker {n}") for n in range(10)]
    await remember_users(bot_process, holding_connector, users)
    started = time.monotonic()
    results = []
    for cycle in range(CYCLES):
        result = await fanout_kill_cycle(
            bot_process,
            holding_connector,
            database,
            users,
            tag=f"soak{cycle:02d}",
            count=40,
            rng=rng,
        )
        assert result.lost == 0, (cycle, result)
        assert result.duplicates <= BATCH_SIZE, (cycle, result)
        results.append(result)
        assert time.monotonic() - started < FAN_OUT_BUDGET, f"over budget after {cycle} cycles"
    assert sum(r.delivered for r in results) == CYCLES * 40
    assert sum(r.lost for r in results) == 0
