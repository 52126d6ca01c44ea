"""The outbox worker against the fake Bot Connector, through the real Bot Connector client."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.clock import FakeClock
from bot.core.domain.records import ConversationRef
from bot.core.services.conversations import queue_notice
from bot.settings import WorkerSettings
from bot.teams.proactive import BotConnectorSender
from bot.worker.outbox import OutboxWorker
from tests.support.builders import KARI, OLA, TENANT, make_message

pytestmark = [pytest.mark.integration, pytest.mark.db]


async def _introduce(bot, connector, *users):
    """Each user writes once, so the bot has their conversation reference."""
    for user in users:
        await bot.post(make_message(user, "hei", connector.url))
    await connector.wait_count(len(users))
    connector.requests.clear()


async def _queue(bot, clock, user, key, text="Ny sak til godkjenning"):
    async with bot.uow() as uow:
        added = await queue_notice(
            uow,
            recipient=ConversationRef.user_key(TENANT, user.aad_object_id),
            idempotency_key=key,
            clock=clock,
            text=text,
        )
        await uow.commit()
    return added


def _worker(bot, clock, **settings):
    values = {
        "backoff_base_seconds": 1.0,
        "backoff_max_seconds": 60.0,
        "global_rate_per_second": 1000,
        "conversation_rate_per_second": 1000,
        "conversation_burst": 1000,
    }
    values.update(settings)
    return OutboxWorker(
        uow=bot.uow,
        sender=BotConnectorSender(bot.adapter, ""),
        clock=clock,
        settings=WorkerSettings(**values),
        on_unreachable=bot.recent_references.forget,  # as the app wires its own worker
    )


async def _status(bot, message_id=1):
    async with bot.uow() as uow:
        return await uow.outbox.get(message_id)


async def test_queued_notice_is_delivered_proactively(start_bot, connector):
    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock()
    await _introduce(bot, connector, KARI)
    assert await _queue(bot, clock, KARI, "n1")
    assert not await _queue(bot, clock, KARI, "n1"), "same idempotency key queues nothing"
    worker = _worker(bot, clock)
    assert await worker.run_once() == 1
    assert [r.text for r in connector.sent_to(KARI.personal_conversation)] == [
        "Ny sak til godkjenning"
    ]
    message = await _status(bot)
    assert message.status == "sent" and message.activity_id


async def test_429_is_retried_after_retry_after_then_succeeds(start_bot, connector):
    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock()
    await _introduce(bot, connector, KARI)
    await _queue(bot, clock, KARI, "n1")
    connector.fail_next(1, 429, retry_after=30)
    worker = _worker(bot, clock)
    await worker.run_once()
    message = await _status(bot)
    assert message.status == "pending" and message.attempts == 1
    assert (message.next_attempt_at - clock.now()).total_seconds() >= 30
    assert await worker.run_once() == 0, "not due before Retry-After has passed"
    clock.advance(seconds=31)
    assert await worker.run_once() == 1
    assert (await _status(bot)).status == "sent"
    assert len(connector.sent_to(KARI.personal_conversation)) == 1


@pytest.mark.parametrize("status", [412, 502, 503, 504])
async def test_transient_errors_back_off_and_retry(start_bot, connector, status):
    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock()
    await _introduce(bot, connector, KARI)
    await _queue(bot, clock, KARI, "n1")
    connector.fail_next(2, status)
    worker = _worker(bot, clock)
    await worker.run_once()
    first = await _status(bot)
    clock.set(first.next_attempt_at)
    await worker.run_once()
    second = await _status(bot)
    # Exponential: the second wait is longer than the first.
    assert (second.next_attempt_at - first.next_attempt_at) > (
        first.next_attempt_at - FakeClock().now()
    ) * 0.9
    clock.set(second.next_attempt_at)
    await worker.run_once()
    assert (await _status(bot)).status == "sent"


async def test_403_marks_recipient_unreachable_and_is_not_retried(start_bot, connector):
    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock()
    await _introduce(bot, connector, KARI)
    await _queue(bot, clock, KARI, "n1")
    connector.fail_next(1, 403)
    worker = _worker(bot, clock)
    await worker.run_once()
    attempts = connector.attempts
    clock.advance(hours=2)
    assert await worker.run_once() == 0
    assert connector.attempts == attempts, "no second attempt at a bot that was removed"
    assert (await _status(bot)).status == "unreachable"
    async with bot.uow() as uow:
        ref = await uow.conversations.get(ConversationRef.user_key(TENANT, KARI.aad_object_id))
    assert ref.unreachable
    # When the user writes again, they become reachable again.
    await bot.post(make_message(KARI, "hei", connector.url))
    async with bot.uow() as uow:
        ref = await uow.conversations.get(ConversationRef.user_key(TENANT, KARI.aad_object_id))
    assert not ref.unreachable


async def test_two_delivery_loops_never_send_one_row_twice(start_bot, connector):
    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock()
    await _introduce(bot, connector, KARI, OLA)
    for n in range(40):
        await _queue(bot, clock, KARI if n % 2 else OLA, f"n{n}", text=f"melding {n}")
    first, second = _worker(bot, clock, batch_size=7), _worker(bot, clock, batch_size=7)
    for _ in range(10):
        await asyncio.gather(first.run_once(), second.run_once())
    texts = [r.text for r in connector.requests]
    assert sorted(texts) == sorted(f"melding {n}" for n in range(40))
    assert len(texts) == len(set(texts)), "a row was sent twice"
    assert first.results["sent"] > 0 and second.results["sent"] > 0


async def test_the_running_app_delivers_by_itself(bot, connector):
    await _introduce(bot, connector, KARI)
    from bot.core.clock import SystemClock

    await _queue(bot, SystemClock(), KARI, "n1", text="Hei fra arbeideren")
    await connector.wait_for(lambda reqs: any(r.text == "Hei fra arbeideren" for r in reqs))


async def test_a_recipient_without_a_conversation_is_retried_and_woken_when_they_write(
    start_bot, connector
):
    from datetime import UTC, datetime

    from bot.core.clock import SystemClock

    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock(datetime.now(UTC))
    await _queue(bot, clock, OLA, "n1", text="Venter på Ola")
    await _worker(bot, clock, backoff_base_seconds=3600, backoff_max_seconds=7200).run_once()
    waiting = await _status(bot)
    assert waiting.status == "pending"
    assert (waiting.next_attempt_at - datetime.now(UTC)).total_seconds() > 1800
    assert await _worker(bot, SystemClock()).run_once() == 0, "not due yet"
    # Ola installs the bot and says hello: the notice is due at once and delivered.
    await bot.post(make_message(OLA, "hei", connector.url))
    assert await _worker(bot, SystemClock()).run_once() == 1
    assert any(r.text == "Venter på Ola" for r in connector.sent_to(OLA.personal_conversation))


async def test_a_throttled_conversation_hands_back_its_rest_and_holds_no_one_up(
    start_bot, connector
):
    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock()
    await _introduce(bot, connector, KARI, OLA)
    for n in range(4):
        await _queue(bot, clock, KARI, f"kari-{n}", text=f"Til Kari {n}")
    await _queue(bot, clock, OLA, "ola-0", text="Til Ola")
    # Kari's conversation allows two sends now and one more every ten seconds.
    worker = _worker(bot, clock, conversation_burst=2, conversation_rate_per_second=0.1)
    assert await worker.run_once() == 5
    kari = [r.text for r in connector.sent_to(KARI.personal_conversation)]
    assert kari == ["Til Kari 0", "Til Kari 1"]
    assert [r.text for r in connector.sent_to(OLA.personal_conversation)] == ["Til Ola"]
    third, fourth = await _status(bot, 3), await _status(bot, 4)
    assert third.status == fourth.status == "pending"
    assert third.attempts == fourth.attempts == 0, "held back by a limit is not a failed attempt"
    assert await worker.run_once() == 0, "not due before Kari's bucket has room"
    for _ in range(3):
        clock.advance(seconds=10)
        await worker.run_once()
    kari = [r.text for r in connector.sent_to(KARI.personal_conversation)]
    assert kari == [f"Til Kari {n}" for n in range(4)], "in order, each once"


async def test_an_edit_follows_a_redirected_card_as_soon_as_the_card_is_sent(start_bot, connector):
    from bot.worker.unreached import UnreachedRecipients
    from integrations.directory.yaml_directory import YamlDirectory
    from tests.support.approval_driver import CHANNEL_ID, MARTE, say_in_channel

    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock()
    await say_in_channel(bot, connector, MARTE)  # the bot knows the procurement channel
    await connector.wait_count(1)
    connector.requests.clear()
    card = {"type": "AdaptiveCard", "version": "1.5", "body": []}
    ola = ConversationRef.user_key(TENANT, OLA.aad_object_id)  # Ola has no chat with the bot
    async with bot.uow() as uow:
        await queue_notice(uow, recipient=ola, idempotency_key="c1", clock=clock, card=card)
        await queue_notice(
            uow,
            recipient=ola,
            idempotency_key="c1:update:v2",
            clock=clock,
            card={**card, "body": [{"type": "TextBlock", "text": "Godkjent"}]},
            update_of_message="c1",
        )
        await uow.commit()
    directory = YamlDirectory.demo()
    worker = OutboxWorker(
        uow=bot.uow,
        sender=BotConnectorSender(bot.adapter, ""),
        clock=clock,
        settings=WorkerSettings(
            backoff_base_seconds=1.0,
            backoff_max_seconds=600.0,
            global_rate_per_second=1000,
            conversation_rate_per_second=1000,
            conversation_burst=1000,
        ),
        unreached=UnreachedRecipients(
            directory_of=lambda: directory, installer_of=lambda: None, fallback_after_attempts=1
        ),
    )
    await worker.run_once()  # no chat: both wait
    clock.advance(seconds=3)
    await worker.run_once()  # the card is redirected to the channel; the edit waits longer
    await worker.run_once()  # the card goes out in the channel
    await worker.run_once()  # and its edit right after, not after its backoff
    posts = [r for r in connector.sent_to(CHANNEL_ID) if r.method == "POST"]
    puts = [r for r in connector.sent_to(CHANNEL_ID) if r.method == "PUT"]
    assert len(posts) == 1 and "<at>Ola Hansen</at>" in posts[0].all_text()
    assert len(puts) == 1 and "Godkjent" in puts[0].all_text()
    assert puts[0].activity_id == (await _status(bot, 1)).activity_id


async def test_a_new_conversation_answering_404_is_retried_while_we_are_patient(
    start_bot, connector
):
    from datetime import timedelta

    bot = await start_bot(worker=WorkerSettings(enabled=False))
    clock = FakeClock()
    await _introduce(bot, connector, KARI)
    async with bot.uow() as uow:
        await queue_notice(
            uow,
            recipient=ConversationRef.user_key(TENANT, KARI.aad_object_id),
            idempotency_key="welcome",
            clock=clock,
            text="Velkommen til rommet",
            patient_until=clock.now() + timedelta(minutes=15),
        )
        await uow.commit()
    connector.fail_next(2, 404)  # Teams does not know the new channel yet
    worker = _worker(bot, clock)
    for _ in range(3):
        await worker.run_once()
        clock.advance(seconds=30)
    assert (await _status(bot, 1)).status == "sent"
    assert [r.text for r in connector.sent_to(KARI.personal_conversation)] == [
        "Velkommen til rommet"
    ]
    async with bot.uow() as uow:
        ref = await uow.conversations.get(ConversationRef.user_key(TENANT, KARI.aad_object_id))
    assert not ref.unreachable
