"""The room saga loop: advance the collaboration rooms that are due (settings.rooms)."""

from __future__ import annotations

import asyncio
import logging
import uuid

from bot.core.services.rooms import RoomContext, run_due

log = logging.getLogger(__name__)


class RoomSagaLoop:
    def __init__(self, ctx: RoomContext, *, interval_seconds: float) -> None:
        self._ctx = ctx
        self._interval = interval_seconds
        self.worker_id = f"rooms-{uuid.uuid4().hex[:8]}"

    async def run_once(self) -> int:
        return await run_due(self._ctx, worker_id=self.worker_id)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Advance due sagas until `stop` is set; a failed round is logged and tried again."""
        while not stop.is_set():
            claimed = 0
            try:
                claimed = await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("room saga round failed; trying again later")
            if claimed:
                continue  # there may be more due right away
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
            except TimeoutError:
                pass
