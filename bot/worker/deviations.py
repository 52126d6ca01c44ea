"""The deviation reminder loop: escalate unacknowledged deviations and remind passed response
deadlines now and then (settings.worker `reminder_scan_interval_seconds`)."""

from __future__ import annotations

import asyncio
import logging

from bot.core.services.deviation_reminders import DeviationPolicy, DeviationScan, scan_deviations
from bot.core.services.deviations import DeviationContext

log = logging.getLogger(__name__)


class DeviationReminderLoop:
    def __init__(
        self, ctx: DeviationContext, policy: DeviationPolicy, *, interval_seconds: float
    ) -> None:
        self._ctx = ctx
        self._policy = policy
        self._interval = interval_seconds

    async def run_once(self) -> DeviationScan:
        return await scan_deviations(self._ctx, self._policy)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Scan until `stop` is set; a failed scan is logged and tried again next time."""
        while not stop.is_set():
            try:
                result = await self.run_once()
                if result.escalated or result.reminded or result.sanctions_reminded:
                    log.info(
                        "deviations: %d escalated, %d reminded, %d sanctions reminded",
                        result.escalated,
                        result.reminded,
                        result.sanctions_reminded,
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("deviation reminder scan failed; trying again later")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
            except TimeoutError:
                pass
