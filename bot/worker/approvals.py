"""The approval reminder loop: scan waiting approvals now and then (settings.worker
`reminder_scan_interval_seconds`), remind after N business days and escalate after M."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.core.services.approval_digest import send_daily_digests
from bot.core.services.approval_reminders import ReminderPolicy, ReminderScan, scan_approvals
from bot.core.services.approvals import ApprovalContext

log = logging.getLogger(__name__)


class ApprovalReminderLoop:
    def __init__(
        self, ctx: ApprovalContext, policy: ReminderPolicy, *, interval_seconds: float
    ) -> None:
        self._ctx = ctx
        self._policy = policy
        self._interval = interval_seconds

    async def run_once(self) -> ReminderScan:
        scan = await scan_approvals(self._ctx, self._policy)
        digests = await send_daily_digests(self._ctx, self._policy)
        return replace(scan, digests=digests)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Scan until `stop` is set; a failed scan is logged and tried again next time."""
        while not stop.is_set():
            try:
                result = await self.run_once()
                if result.reminded or result.escalated or result.digests:
                    log.info(
                        "approvals: %d reminded, %d escalated, %d digests",
                        result.reminded,
                        result.escalated,
                        result.digests,
                    )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("approval reminder scan failed; trying again later")
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._interval)
            except TimeoutError:
                pass
