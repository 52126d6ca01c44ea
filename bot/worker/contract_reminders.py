"""The contract reminder loop: scan the register on a schedule (settings.reminders
`scan_interval_seconds`, hourly by default) and queue the reminder cards that have come due."""

from __future__ import annotations

import asyncio
import logging

from bot.core.services.reminder_context import ReminderContext
from bot.core.services.reminder_delivery import scan_and_deliver
from bot.core.services.reminders import ScanResult

log = logging.getLogger(__name__)


class ContractReminderLoop:
    def __init__(self, ctx: ReminderContext, *, interval_seconds: float) -> None:
        self._ctx = ctx
        self._interval = interval_seconds

    async def run_once(self) -> ScanResult:
        return await scan_and_deliver(self._ctx)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Scan until `stop` is set; a failed scan is logged and tried again next time."""
        if not self._ctx.tenant_id:
            log.warning(
                "no tenant for contract reminders (REMINDERS__TENANT_ID, BOT__APP_TENANT_ID or "
                "GRAPH__TENANT_ID): their cards wait in the outbox until recipients are reachable"
            )
        while not stop.is_set():
            try:
                result = await self.run_once()
                if result.queued:
                    log.info("contract reminders: %d queued", result.queued)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("contract reminder scan failed; trying again later")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
            except TimeoutError:
                pass
