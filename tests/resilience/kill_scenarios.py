"""SIGKILL scenarios shared by tests/resilience/test_kill.py (one cycle) and the soak (many).

Everything is counted from outside the bot: what the fake connector received and what the
database holds, read from the test process with its own engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import update
from sqlmodel import col

from bot.core.clock import SystemClock
from bot.core.domain.records import ConversationRef
from bot.core.services.conversations import queue_notice
from integrations.db.engine import create_engine
from integrations.db.tables import OutboxRow
from integrations.db.uow import SqlUnitOfWorkFactory
from tests.support.bot_process import BotProcess
from tests.support.builders import TENANT, User, make_message
from tests.support.fake_connector import FakeConnector
from tests.support.harness import Database
from tests.support.need_driver import ANSWERS, NeedDriver, asked_field, draft_id_of, verbs_in

BATCH_SIZE = 20
FAST_WORKER = {
    "WORKER__BATCH_SIZE": str(BATCH_SIZE),
    "WORKER__GLOBAL_RATE_PER_SECOND": "400",
    "WORKER__CONVERSATION_BURST": "1000",
    "WORKER__CONVERSATION_RATE_PER_SECOND": "1000",
}


class HoldingConnector(FakeConnector):
    """A fake connector that can hold replies (the bot waits on them) until released."""

    def __init__(self) -> None:
        super().__init__()
        self.held = asyncio.Event()
        self.held.set()  # set = not holding
        self.waiting = 0

    async def _activity(self, request: web.Request) -> web.Response:
        if not self.held.is_set():
            self.waiting += 1
            await self.held.wait()
        return await super()._activity(request)


@contextlib.asynccontextmanager
async def unit_of_work(database: Database) -> AsyncIterator[SqlUnitOfWorkFactory]:
    engine = create_engine(database.url, schema=database.schema)
    try:
        yield SqlUnitOfWorkFactory(engine)
    finally:
        await engine.dispose()


async def expire_leases(database: Database) -> int:
    """What 120 s (the worker's LEASE_SECONDS) would do to the dead process's claims: end
    them. Only the lease clock is moved; status, attempts and payloads stay as the kill left
    them."""
    past = datetime.now(UTC) - timedelta(seconds=1)
    async with unit_of_work(database) as uow, uow() as work:
        result = await work.session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.status) == "pending", col(OutboxRow.claimed_until).is_not(None))
            .values(claimed_until=past)
        )
        await work.commit()
    return int(getattr(result, "rowcount", 0) or 0)


# --- the needs dialog --------------------------------------------------------------------


async def answer_one(driver: NeedDriver) -> str:
    field = asked_field(driver.last_card())
    assert field is not None, "the last card asks nothing known"
    driver.asked.append(field)
    await driver.say(ANSWERS[field])
    return field


async def post_and_kill(bot: BotProcess, activity: dict[str, Any], delay: float) -> None:
    """Send an activity and SIGKILL the bot `delay` seconds later, whatever it is doing."""
    task = asyncio.create_task(bot.post(activity))
    await asyncio.sleep(delay)
    bot.kill()
    with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
        await task


async def resume(driver: NeedDriver) -> None:
    """What a user does after the bot lost track mid-turn: ask to start again, take the offer
    to continue the draft, and go on from the question it shows."""
    await driver.say("ny behovsmelding")
    card = driver.last_card()
    if "need.resume" in verbs_in(card):
        await driver.click({"verb": "need.resume", "draft_id": draft_id_of(card)})


async def check_one_complete_case(database: Database, user: User) -> None:
    async with unit_of_work(database) as uow, uow() as work:
        cases = await work.needs.list_for_requester(user.aad_object_id, limit=50)
    assert len(cases) == 1, [c.case_number for c in cases]
    (case,) = cases
    assert case.title == ANSWERS["title"]
    assert case.estimated_total == 1_800_000  # 450 000 × (2 + 1 + 1): amount and period kept
    assert case.answers["description"] == ANSWERS["description"]
    assert case.answers["unit"] == ANSWERS["unit"]
    # Every question the driver answers has its answer stored (none lost or shifted).
    missing = [name for name in ANSWERS if case.answers.get(name) is None]
    assert not missing, (missing, case.answers)


async def dialog_kill_cycle(
    bot: BotProcess,
    connector: FakeConnector,
    database: Database,
    user: User,
    *,
    answers_before: int,
    in_flight_delay: float | None,
) -> None:
    """Answer `answers_before` questions, SIGKILL (between turns, or `in_flight_delay` s into
    the next answer's turn), restart, continue, file: exactly one complete case."""
    driver = NeedDriver(bot, connector, user)
    await driver.say("ny behovsmelding")
    for _ in range(answers_before):
        await answer_one(driver)
    if in_flight_delay is None:
        bot.kill()
        await bot.start(migrate=False)
    else:
        field = asked_field(driver.last_card())
        assert field is not None
        activity = make_message(user, ANSWERS[field], connector.url)
        await post_and_kill(bot, activity, in_flight_delay)
        await bot.start(migrate=False)
        await resume(driver)
    summary = await driver.answer_until_summary()
    replies = await driver.click({"verb": "need.submit", "draft_id": draft_id_of(summary)})
    assert any("ANS-" in r.all_text() for r in replies), [r.all_text() for r in replies]
    await check_one_complete_case(database, user)


# --- the fan-out -------------------------------------------------------------------------


@dataclass
class FanOutResult:
    queued: int
    before_kill: int
    delivered: int
    duplicates: int
    lost: int


def notices(connector: FakeConnector, tag: str) -> Counter[str]:
    return Counter(
        r.text for r in connector.requests if r.method == "POST" and r.text.startswith(tag)
    )


async def remember_users(bot: BotProcess, connector: FakeConnector, users: list[User]) -> None:
    """One message per user, so the bot has a conversation reference for each."""
    before = len(connector.requests)
    for chunk in range(0, len(users), 10):
        results = await asyncio.gather(
            *(bot.post(make_message(u, "hjelp", connector.url)) for u in users[chunk : chunk + 10])
        )
        assert all(status in (200, 201) for status, _ in results), results
    await connector.wait_count(before + len(users), timeout=30)


async def queue_notices(database: Database, users: list[User], tag: str, count: int) -> list[str]:
    clock = SystemClock()
    texts: list[str] = []
    async with unit_of_work(database) as uow, uow() as work:
        for n in range(count):
            user = users[n % len(users)]
            text = f"{tag} {n:05d}"
            added = await queue_notice(
                work,
                recipient=ConversationRef.user_key(TENANT, user.aad_object_id),
                idempotency_key=f"{tag}:{n}",
                clock=clock,
                text=text,
            )
            assert added
            texts.append(text)
        await work.commit()
    return texts


async def fanout_kill_cycle(
    bot: BotProcess,
    connector: FakeConnector,
    database: Database,
    users: list[User],
    *,
    tag: str,
    count: int = 300,
    kill_after: int | None = None,
    rng: random.Random | None = None,
    timeout: float = 60.0,
) -> FanOutResult:
    """With the bot stopped, queue `count` notices; start it, SIGKILL it once the connector
    has `kill_after` of them, restart, and wait for the rest."""
    rng = rng or random.Random()
    kill_after = kill_after or rng.randint(count // 10, count * 8 // 10)
    bot.kill()
    texts = await queue_notices(database, users, tag, count)
    await bot.start(migrate=False)
    await connector.wait_for(lambda _: sum(notices(connector, tag).values()) >= kill_after, 30)
    bot.kill()
    before_kill = sum(notices(connector, tag).values())
    assert before_kill < count, f"all {count} went out before the kill; make the fan-out bigger"
    await expire_leases(database)
    await bot.start(migrate=False)
    await connector.wait_for(lambda _: set(texts) <= set(notices(connector, tag)), timeout)
    await asyncio.sleep(0.3)  # let stragglers (duplicates) arrive before counting
    received = notices(connector, tag)
    async with unit_of_work(database) as uow, uow() as work:
        stats = await work.outbox.stats(now=datetime.now(UTC))
    assert stats.pending == 0, stats
    return FanOutResult(
        queued=count,
        before_kill=before_kill,
        delivered=len(set(texts) & set(received)),
        duplicates=sum(received.values()) - len(received),
        lost=len(set(texts) - set(received)),
    )
