"""An approver the bot has no chat with: the app is installed for them through Graph (through
the real msgraph-sdk, against the fake Graph), or the card goes to the procurement channel with
an @mention; edits of a redirected card follow it there."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.services.approvals import request_key
from bot.settings import GraphSettings, WorkerSettings
from tests.support.approval_driver import (
    CHANNEL_ID,
    MARTE,
    OLA,
    ShiftedClock,
    activity_id_of,
    click,
    file_need,
    say_in_channel,
    wait_card,
    wait_put,
)
from tests.support.builders import KARI, make_install
from tests.support.fake_graph_teams import FakeTeamsGraph
from tests.support.need_driver import verbs_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.db,
    # msgraph-sdk / kiota warn about their own deprecated generated classes on import
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
]

# Monday 16 November 2026, 09:00 in Oslo: inside working hours, no stand-in for Ola.
NOVEMBER = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
APP_CATALOG_ID = "0f1e2d3c-app-catalog-id"
APPROVE = "approval.approve"
CHANNEL = CHANNEL_ID


async def _until(found: Any, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if found():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


@pytest.fixture
async def graph() -> AsyncIterator[list[FakeTeamsGraph]]:
    fakes: list[FakeTeamsGraph] = []
    yield fakes
    for fake in fakes:
        await fake.close()


async def _start(start_bot, graph, *, install_status: int | None, fallback_after: int = 6):
    overrides: dict[str, Any] = {"clock": ShiftedClock(NOVEMBER)}
    settings: dict[str, Any] = {}
    if install_status is not None:
        fake = FakeTeamsGraph()
        if install_status != 201:
            fake.fail_next(r"/teamwork/installedApps$", install_status, method="POST")
        await fake.start()
        graph.append(fake)
        settings["graph"] = GraphSettings(base_url=fake.url, teams_app_id=APP_CATALOG_ID)
    settings["worker"] = WorkerSettings(
        poll_interval_seconds=0.02,
        backoff_base_seconds=0.02,
        backoff_max_seconds=0.05,
        global_rate_per_second=1000,
        conversation_rate_per_second=1000,
        conversation_burst=1000,
        channel_fallback_after_attempts=fallback_after,
    )
    bot = await start_bot(overrides=overrides, **settings)
    return bot


async def test_the_app_is_installed_for_an_approver_without_a_chat(connector, start_bot, graph):
    # Teams opens the chat within seconds of an installation: no channel fallback meanwhile.
    bot = await _start(start_bot, graph, install_status=201, fallback_after=10_000)
    await file_need(bot, connector)  # Ola has never written to the bot

    await _until(lambda: graph[0].user_installs)
    ((person, (body,)),) = graph[0].user_installs.items()
    assert person == OLA.aad_object_id
    assert body["teamsApp@odata.bind"].endswith(f"/appCatalogs/teamsApps/{APP_CATALOG_ID}")
    assert not connector.sent_to(OLA.personal_conversation)
    _, metrics = await bot.get("/metrics")
    assert 'innkjop_graph_calls_total{method="POST",status="201"} 1.0' in metrics

    # Teams opens the chat and tells the bot; the waiting card goes out at once.
    status, _ = await bot.post(make_install(OLA, connector.url))
    assert status in (200, 201)
    card = await wait_card(connector, OLA, APPROVE)
    assert APPROVE in verbs_in(card)
    assert not connector.sent_to(CHANNEL), "nothing was posted in the channel"


async def test_refused_installation_posts_the_card_in_the_channel_with_a_mention(
    connector, start_bot, graph
):
    bot = await _start(start_bot, graph, install_status=403)
    await say_in_channel(bot, connector, MARTE)  # the bot knows the procurement channel
    connector.requests.clear()
    number = await file_need(bot, connector)

    card = await wait_card(connector, CHANNEL, APPROVE)
    mentions = card["msteams"]["entities"]
    assert mentions[-1]["mentioned"]["id"] == OLA.aad_object_id
    assert "<at>Ola Hansen</at>" in card["body"][0]["text"]
    assert not connector.sent_to(OLA.personal_conversation)

    # Ola approves from the channel; the edit of his copy replaces the channel post in place.
    data = {"case_id": number, "version": 1}
    await click(bot, connector, OLA, APPROVE, data)
    posted = await activity_id_of(bot, request_key(number))
    put = await wait_put(connector, CHANNEL, posted)
    assert APPROVE not in verbs_in(put.cards[0])


async def test_without_graph_the_card_goes_to_the_channel_after_some_tries(
    connector, start_bot, graph
):
    bot = await _start(start_bot, graph, install_status=None, fallback_after=2)
    await say_in_channel(bot, connector, MARTE)
    connector.requests.clear()
    await file_need(bot, connector, KARI)

    card = await wait_card(connector, CHANNEL, APPROVE)
    assert card["msteams"]["entities"][-1]["mentioned"]["id"] == OLA.aad_object_id
    async with bot.uow() as uow:
        stats = await uow.outbox.stats(now=bot.worker._clock.now())
    assert stats.by_status.get("unreachable", 0) == 0
