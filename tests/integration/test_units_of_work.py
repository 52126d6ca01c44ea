"""Units of work on a real database (SQLite, and PostgreSQL with TEST_DATABASE_URL): readers
never queue behind a writer, cannot commit, and see only what was committed; inserts keyed by a
unique column are idempotent in one statement."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.core.domain.records import CardCopy, NewOutboxMessage
from integrations.db.uow import SqlUnitOfWorkFactory

pytestmark = [pytest.mark.integration, pytest.mark.db]

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def _message(key: str) -> NewOutboxMessage:
    return NewOutboxMessage(idempotency_key=key, recipient="user:t:aad-ola", payload={"text": key})


async def _keys(uow_factory: SqlUnitOfWorkFactory, *keys: str) -> set[str]:
    async with uow_factory.read() as uow:
        return {key for key in keys if await uow.outbox.get_by_key(key) is not None}


async def test_a_reader_does_not_wait_for_an_open_writer(uow_factory):
    async with uow_factory() as writer:
        await writer.outbox.add(_message("committed-later"), now=NOW)
        # On SQLite the writer holds the write lock (and our in-process gate) until it ends;
        # a reader still answers at once, from the last committed state.
        seen = await asyncio.wait_for(_keys(uow_factory, "committed-later"), timeout=5)
        assert seen == set()
        await writer.commit()
    assert await _keys(uow_factory, "committed-later") == {"committed-later"}


async def test_a_reader_cannot_commit(uow_factory):
    async with uow_factory.read() as reader:
        await reader.outbox.add(_message("never"), now=NOW)
        with pytest.raises(RuntimeError, match="read-only"):
            await reader.commit()
    assert await _keys(uow_factory, "never") == set()


async def test_queuing_the_same_key_twice_keeps_the_first(uow_factory):
    async with uow_factory() as uow:
        assert await uow.outbox.add(_message("k1"), now=NOW)
        assert not await uow.outbox.add(_message("k1"), now=NOW), "same transaction"
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.outbox.add(_message("k1"), now=NOW), "a later transaction"
        assert await uow.outbox.add(_message("k2"), now=NOW)
        await uow.commit()
    async with uow_factory.read() as uow:
        first = await uow.outbox.get_by_key("k1")
        assert first is not None and first.payload == {"text": "k1"} and first.status == "pending"
    assert await _keys(uow_factory, "k1", "k2") == {"k1", "k2"}


async def test_a_card_copy_is_remembered_once_per_recipient(uow_factory):
    copy = CardCopy("ANS-2026-0001", "approval", "user:t:aad-ola", "approver", "k-approval")
    async with uow_factory() as uow:
        assert await uow.card_copies.add(copy, now=NOW)
        assert not await uow.card_copies.add(copy, now=NOW)
        other = CardCopy("ANS-2026-0001", "approval", "user:t:aad-kari", "requester", "k-own")
        assert await uow.card_copies.add(other, now=NOW)
        await uow.commit()
    async with uow_factory.read() as uow:
        stored = await uow.card_copies.list_for("ANS-2026-0001", "approval")
    assert sorted(c.recipient for c in stored) == ["user:t:aad-kari", "user:t:aad-ola"]
