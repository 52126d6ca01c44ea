"""SqlStorage behaves like botbuilder's MemoryStorage (the cases of botbuilder-testing's
StorageBaseTests), and adds the strict eTag check those tests leave out."""

from __future__ import annotations

import pytest
from botbuilder.core import ConversationState, MemoryStorage

from bot.teams.storage import SqlStorage
from integrations.db.dialog_state import SqlDialogStateStore
from integrations.db.engine import create_engine

pytestmark = [pytest.mark.integration, pytest.mark.db]


@pytest.fixture
async def storage(database):
    engine = create_engine(database.url, schema=database.schema)
    yield SqlStorage(SqlDialogStateStore(engine))
    await engine.dispose()


async def test_unknown_keys_read_as_nothing(storage):
    assert await storage.read(["nope"]) == {}
    assert await storage.read([]) == {}


async def test_writing_nothing_does_not_raise(storage):
    await storage.write({})


async def test_create_object(storage):
    await storage.write({"createPoco": {"id": 1}, "createPocoStoreItem": {"id": 2, "e_tag": "*"}})
    read = await storage.read(["createPoco", "createPocoStoreItem"])
    assert read["createPoco"]["id"] == 1
    assert read["createPocoStoreItem"]["id"] == 2
    assert read["createPocoStoreItem"]["e_tag"]


async def test_crazy_keys(storage):
    key = '!@#$%^&*()_+??><":QASD~`'
    await storage.write({key: {"id": 1}})
    assert (await storage.read([key]))[key]["id"] == 1


async def test_update_object_and_etag_rules(storage):
    await storage.write(
        {"pocoItem": {"id": 1, "count": 1}, "pocoStoreItem": {"id": 1, "count": 1, "e_tag": "*"}}
    )
    loaded = await storage.read(["pocoItem", "pocoStoreItem"])
    loaded["pocoItem"]["e_tag"] = None
    loaded["pocoItem"]["count"] += 1
    loaded["pocoStoreItem"]["count"] += 1
    await storage.write(loaded)
    reloaded = await storage.read(["pocoItem", "pocoStoreItem"])
    assert reloaded["pocoItem"]["count"] == 2
    assert reloaded["pocoStoreItem"]["count"] == 2

    stale = dict(loaded["pocoStoreItem"])  # carries the eTag of the first read
    stale["count"] = 123
    stale["e_tag"] = (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["e_tag"] + "-old"
    with pytest.raises(KeyError):
        await storage.write({"pocoStoreItem": stale})
    assert (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["count"] == 2

    wildcard = (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]
    wildcard["e_tag"] = "*"
    wildcard["count"] = 100
    await storage.write({"pocoStoreItem": wildcard})
    assert (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["count"] == 100

    empty = (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]
    empty["e_tag"] = ""
    with pytest.raises(ValueError):
        await storage.write({"pocoStoreItem": empty})
    assert (await storage.read(["pocoStoreItem"]))["pocoStoreItem"]["count"] == 100


async def test_two_writers_with_the_same_etag_one_wins(storage):
    await storage.write({"k": {"n": 0}})
    first = (await storage.read(["k"]))["k"]
    second = dict(first)
    first["n"] = 1
    second["n"] = 2
    await storage.write({"k": first})
    with pytest.raises(KeyError):
        await storage.write({"k": second})
    assert (await storage.read(["k"]))["k"]["n"] == 1


async def test_a_conflict_in_a_batch_writes_nothing(storage):
    await storage.write({"a": {"n": 0}, "b": {"n": 0}})
    current = await storage.read(["a", "b"])
    current["a"]["n"] = 1
    current["b"]["n"] = 1
    current["b"]["e_tag"] = "stale"
    with pytest.raises(KeyError):
        await storage.write(current)
    assert (await storage.read(["a"]))["a"]["n"] == 0


async def test_delete_and_delete_unknown(storage):
    await storage.write({"delete1": {"id": 1, "count": 1, "e_tag": "*"}})
    await storage.delete(["delete1"])
    assert "delete1" not in await storage.read(["delete1"])
    await storage.delete(["unknown_key"])


async def test_batch_operations(storage):
    await storage.write({"batch1": {"count": 10}, "batch2": {"count": 20}, "batch3": {"count": 30}})
    result = await storage.read(["batch1", "batch2", "batch3"])
    assert [result[k]["count"] for k in ("batch1", "batch2", "batch3")] == [10, 20, 30]
    await storage.delete(["batch1", "batch2", "batch3"])
    assert await storage.read(["batch1", "batch2", "batch3"]) == {}


@pytest.mark.parametrize("make", ["sql", "memory"])
async def test_conversation_state_round_trip_like_memory_storage(storage, make):
    """The same BotState usage works on SqlStorage as on MemoryStorage."""
    from botbuilder.core import TurnContext
    from botbuilder.schema import Activity, ChannelAccount, ConversationAccount

    backend = storage if make == "sql" else MemoryStorage()
    state = ConversationState(backend)
    prop = state.create_property("draft")
    activity = Activity(
        type="message",
        channel_id="msteams",
        conversation=ConversationAccount(id="conv-1"),
        from_property=ChannelAccount(id="29:u"),
        recipient=ChannelAccount(id="28:b"),
    )
    context = TurnContext(_NoAdapter(), activity)
    await prop.set(context, {"step": "amount", "title": "PC-er"})
    await state.save_changes(context)
    fresh = TurnContext(_NoAdapter(), activity)
    assert await ConversationState(backend).create_property("draft").get(fresh) == {
        "step": "amount",
        "title": "PC-er",
    }


class _NoAdapter:
    """TurnContext needs an adapter object; state tests never send anything."""

    async def send_activities(self, *_):  # pragma: no cover - never called
        raise AssertionError("no sends in storage tests")
