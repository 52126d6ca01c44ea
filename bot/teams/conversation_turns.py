"""One message turn at a time per conversation, inside this process.

A turn reads the conversation's dialog state, answers, and writes the state back with its eTag.
A second message in the same chat that arrives before the first turn has written (a quick answer
to a question just shown, a double click on Action.Submit) read the same state: its write lost
the eTag race and the turn failed. Messages of one conversation now wait for each other; other
conversations and invokes (which do not change dialog state) run as before. Across replicas the
eTag still decides.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


class ConversationTurns:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    @asynccontextmanager
    async def one_at_a_time(self, conversation_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(conversation_id, asyncio.Lock())
        self._waiting[conversation_id] = self._waiting.get(conversation_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[conversation_id] -= 1
            if not self._waiting[conversation_id]:  # nobody else holds or waits: forget it
                del self._waiting[conversation_id]
                del self._locks[conversation_id]

    def __len__(self) -> int:
        return len(self._locks)
