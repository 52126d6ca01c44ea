"""The database goes away for a while (SQLite: the file is gone and a directory stands in its
place, the pool's connections are dropped), then comes back.

While it is away: /healthz stays 200 (no restart loop), /readyz answers 503 naming the database,
a user who writes gets a Norwegian apology saying to try again shortly, and nothing crashes the
worker. When it is back: /readyz is 200 again, the worker delivers what was queued by itself, and
the draft the user had started is intact.
"""

from __future__ import annotations

import asyncio
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine.url import make_url

from bot.core.clock import SystemClock
from bot.core.domain.records import ConversationRef
from bot.core.services.conversations import queue_notice
from tests.resilience.kill_scenarios import unit_of_work
from tests.support.builders import KARI, OLA, TENANT, make_message
from tests.support.harness import Database
from tests.support.need_driver import ANSWERS, NeedDriver, asked_field, card_texts

pytestmark = [pytest.mark.e2e, pytest.mark.db]

DUE_IN = 1.0  # the notices fall due this long after queueing: inside the outage


class AheadClock(SystemClock):
    def __init__(self, seconds: float) -> None:
        self._ahead = timedelta(seconds=seconds)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._ahead


class SqliteOutage:
    """Move the database file (and its WAL files) away and put a directory in its place."""

    def __init__(self, database: Database) -> None:
        self.path = Path(make_url(database.url).database or "")
        self.away = self.path.with_name(self.path.name + ".away")
        self.away.mkdir()

    def _files(self) -> list[Path]:
        return [self.path.with_name(self.path.name + suffix) for suffix in ("", "-wal", "-shm")]

    def begin(self) -> None:
        for file in self._files():
            if file.exists():
                shutil.move(file, self.away / file.name)
        self.path.mkdir()  # "unable to open database file", immediately, for every new connection

    def end(self) -> None:
        self.path.rmdir()
        for file in self._files():
            if (self.away / file.name).exists():
                shutil.move(self.away / file.name, file)


async def test_database_outage_is_reported_apologised_for_and_recovered_from(
    connector, start_bot, database: Database
) -> None:
    if database.is_postgres:
        pytest.skip("the outage is simulated on the SQLite file; PostgreSQL runs the rest")
    bot = await start_bot()
    kari = NeedDriver(bot, connector, KARI)
    await kari.say("ny behovsmelding")
    first = asked_field(kari.last_card())
    await kari.say(ANSWERS[first])  # the title
    second = asked_field(kari.last_card())
    assert second is not None and second != first
    status, _ = await bot.post(make_message(OLA, "hei", connector.url))  # Ola can be reached
    assert status in (200, 201)
    await connector.wait_for(lambda _: connector.sent_to(OLA.personal_conversation))

    # Three notices to Ola, committed just before the outage and due during it.
    async with unit_of_work(database) as uow, uow() as work:
        for n in range(3):
            await queue_notice(
                work,
                recipient=ConversationRef.user_key(TENANT, OLA.aad_object_id),
                idempotency_key=f"outage:{n}",
                clock=AheadClock(DUE_IN),
                text=f"varsel under utfall {n}",
            )
        await work.commit()

    outage = SqliteOutage(database)
    outage.begin()
    await bot.uow.engine.dispose()  # the pool's open connections die with the database
    try:
        await asyncio.sleep(DUE_IN + 0.3)  # the notices are due; the worker cannot reach them
        status, body = await bot.get("/readyz")
        assert status == 503, body
        assert body["status"] == "not ready"
        assert body["checks"]["database"].startswith("unreachable"), body
        status, _ = await bot.get("/healthz")
        assert status == 200  # alive: a restart would not help, so liveness must not fail

        before = len(kari.sent())
        status, _ = await bot.post(make_message(KARI, ANSWERS[second], connector.url))
        assert status < 500, status
        replies = kari.sent()[before:]
        apology = " ".join(r.text for r in replies).replace("\u00a0", " ")
        assert "Beklager" in apology and "prøv igjen om litt" in apology.lower(), apology
        assert not any("varsel under utfall" in r.text for r in connector.requests)
        assert bot.worker.results["sent"] == 0  # nothing marked sent while away
    finally:
        outage.end()

    status, body = await bot.get("/readyz")
    assert status == 200, body
    assert body["checks"] == {"database": "ok", "migrations": "ok"}
    # The worker comes back by itself: nobody writes, nothing is restarted.
    await connector.wait_for(
        lambda reqs: (
            {f"varsel under utfall {n}" for n in range(3)}
            <= {r.text for r in reqs if r.conversation_id == OLA.personal_conversation}
        ),
        timeout=10,
    )
    async with unit_of_work(database) as uow, uow() as work:
        for n in range(3):
            message = await work.outbox.get_by_key(f"outage:{n}")
            assert message is not None and message.status == "sent", message

    # Kari's draft survived: she is asked the same question again and can finish.
    assert asked_field(kari.last_card()) == second
    await kari.say(ANSWERS[second])
    summary = await kari.answer_until_summary()
    assert ANSWERS["title"] in " ".join(card_texts(summary)).replace("\\", "")
