"""ConversationTurns: one turn at a time per conversation, others side by side, nothing kept."""

from __future__ import annotations

import asyncio

import pytest

from bot.teams.conversation_turns import ConversationTurns

pytestmark = pytest.mark.unit


async def test_turns_of_one_conversation_wait_for_each_other_and_are_forgotten() -> None:
    turns = ConversationTurns()
    order: list[str] = []

    async def turn(conversation: str, name: str, pause: float) -> None:
        async with turns.one_at_a_time(conversation):
            order.append(f"{name} start")
            await asyncio.sleep(pause)
            order.append(f"{name} end")

    await asyncio.gather(turn("a", "first", 0.05), turn("a", "second", 0), turn("b", "other", 0))
    assert order.index("first end") < order.index("second start")
    assert order.index("other start") < order.index("first end")  # another chat did not wait
    assert len(turns) == 0


async def test_a_failing_turn_releases_its_conversation() -> None:
    turns = ConversationTurns()
    with pytest.raises(RuntimeError):
        async with turns.one_at_a_time("a"):
            raise RuntimeError("boom")
    entered = False
    async with asyncio.timeout(1):  # would wait forever if the failed turn kept the lock
        async with turns.one_at_a_time("a"):
            entered = True
    assert entered and len(turns) == 0
