"""SIGKILL the real bot process mid-dialog and mid-fan-out, restart it, and count.

Promise (issue 9): no case or notice is lost; duplicates are at most the batch in flight.
"""

from __future__ import annotations

import asyncio

import pytest

from tests.resilience.kill_scenarios import (
    BATCH_SIZE,
    HoldingConnector,
    check_one_complete_case,
    dialog_kill_cycle,
    fanout_kill_cycle,
    remember_users,
    unit_of_work,
)
from tests.support.bot_process import BotProcess
from tests.support.builders import KARI, User
from tests.support.harness import Database
from tests.support.need_driver import NeedDriver, draft_id_of

pytestmark = [pytest.mark.e2e, pytest.mark.db]

COUNT = 150  # notices in the fan-out (the soak runs more, many times)


async def test_sigkill_between_two_answers_loses_nothing(
    bot_process: BotProcess, holding_connector: HoldingConnector, database: Database
) -> None:
    await dialog_kill_cycle(
        bot_process, holding_connector, database, KARI, answers_before=4, in_flight_delay=None
    )
    assert bot_process.starts == 2


@pytest.mark.parametrize("delay", [0.0, 0.02, 0.06])
async def test_sigkill_while_an_answer_is_being_handled_then_resume(
    bot_process: BotProcess, holding_connector: HoldingConnector, database: Database, delay: float
) -> None:
    await dialog_kill_cycle(
        bot_process, holding_connector, database, KARI, answers_before=3, in_flight_delay=delay
    )


async def test_sigkill_after_filing_before_the_confirmation_does_not_file_twice(
    bot_process: BotProcess, holding_connector: HoldingConnector, database: Database
) -> None:
    driver = NeedDriver(bot_process, holding_connector, KARI)
    await driver.say("ny behovsmelding")
    summary = await driver.answer_until_summary()
    submit = {"verb": "need.submit", "draft_id": draft_id_of(summary)}
    holding_connector.held.clear()  # the confirmation reply hangs at the connector
    task = asyncio.create_task(driver.click(submit))
    for _ in range(200):  # until the case is committed and the bot waits on the reply
        async with unit_of_work(database) as uow, uow() as work:
            if await work.needs.list_for_requester(KARI.aad_object_id):
                break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("the case was never filed")
    bot_process.kill()
    holding_connector.held.set()
    with pytest.raises(Exception):  # noqa: B017 - the connection dies with the process
        await task
    await bot_process.start(migrate=False)
    # No confirmation came, so Kari clicks Send on the same summary card again.
    await driver.click(submit)
    await check_one_complete_case(database, KARI)


async def test_sigkill_mid_fan_out_loses_nothing_and_repeats_at_most_one_batch(
    bot_process: BotProcess, holding_connector: HoldingConnector, database: Database
) -> None:
    users = [User(f"aad-fan-{n:02d}", f"Mottaker {n}") for n in range(20)]
    await remember_users(bot_process, holding_connector, users)
    result = await fanout_kill_cycle(
        bot_process, holding_connector, database, users, tag="varsel-a", count=COUNT, kill_after=60
    )
    assert 60 <= result.before_kill < COUNT, result
    assert result.lost == 0, result
    assert result.delivered == COUNT, result
    assert result.duplicates <= BATCH_SIZE, result
