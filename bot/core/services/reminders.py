"""The contract reminder scan: queue each due reminder exactly once, then look again later.

Run it daily (or more often; it is cheap): it reads only contracts whose `next_reminder_on` has
come, so its cost grows with what is due, not with the size of the register. Two replicas may
scan at once: `record_reminder` inserts under a unique (contract, milestone, lead) constraint, and
only the scan whose insert succeeds queues the notice, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime

from bot.core.domain.contracts import (
    Contract,
    ContractReminderStore,
    ReminderDue,
    ReminderPolicy,
    due_reminders,
    next_due_date,
)

QueueReminder = Callable[[ReminderDue, Contract], Awaitable[None]]


@dataclass(frozen=True)
class ScanResult:
    queued: int
    already_sent: int
    contracts_checked: int = 0


async def scan_reminders(
    *,
    contracts: ContractReminderStore,
    policy: ReminderPolicy,
    as_of: date,
    now: datetime,
    queue: QueueReminder,
    batch_size: int = 200,
    commit: Callable[[], Awaitable[None]] | None = None,
) -> ScanResult:
    """Queue every reminder due on `as_of` that nobody has queued before.

    Everything happens in the caller's transaction, so a reminder is recorded if and only if its
    notice is queued; `commit`, when given, is awaited after each batch (large first runs).
    """
    queued = already_sent = checked = 0
    seen: set[str] = set()
    while True:
        batch = await contracts.due_for_reminders(as_of, batch_size)
        fresh = [c for c in batch if c.number not in seen]
        if not fresh:
            break  # nothing due, or only rows this scan has just handled (guards a loop)
        for contract in fresh:
            seen.add(contract.number)
            checked += 1
            closed = await contracts.closed_milestones(contract.number)
            for due in due_reminders(contract, policy, as_of=as_of):
                if due.milestone in closed:
                    continue  # let expire, or the option exercised: nothing left to remind
                if await contracts.record_reminder(due, now):
                    await queue(due, contract)
                    queued += 1
                else:
                    already_sent += 1
            # Everything due up to as_of is handled (sent now, before, or superseded by a more
            # urgent lead), so the next look is at the first reminder date after it.
            await contracts.set_next_reminder(
                contract.number, next_due_date(contract, policy, after=as_of)
            )
        if commit is not None:
            await commit()
    return ScanResult(queued=queued, already_sent=already_sent, contracts_checked=checked)
