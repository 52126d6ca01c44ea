"""The contract register and its reminders (domain.md, "Contracts and reminders").

A contract has a current end date and, after it, zero or more options; each option has its own
end date and a notice deadline (by when the municipality must say whether it exercises it).

Milestones and lead times (a design choice, not law; lead times come from ReminderSettings):

- `expiry`: the final end date (the last option's end, or the end date). Reminders 12 and 9
  months before: start the new procurement.
- `option-<n>`: the notice deadline of each option not yet exercised. Reminders 6 and 3 months
  before: decide to exercise, re-tender or let expire.
- escalation: 1 month before either deadline, to the contract owner and the procurement section.
  It is one more lead time of the same milestone (`lead="1m"`, `escalation=True`).
- `max-value`: what has been bought on the agreement (the export's "Forbruk") nearing its maximum
  value. Reminded when it reaches each share in `consumption_warn_percents` (80 % and 95 %), the
  last one as an escalation: buying past the maximum is a new, unannounced contract. Its due day
  is the day it was found (shares only change with an import); its deadline the final end.

Each (contract, milestone, lead) is reminded once, ever (the database enforces it). A reminder is
due from its `due_on` until its deadline. When a scan finds several leads of one milestone due at
once (a contract imported late, a scan that did not run for a while) only the most urgent one is
sent: nobody needs "12 months left" and "9 months left" in the same minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from bot.core.domain.dates import add_months

_ORG_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


@dataclass(frozen=True)
class OptionPeriod:
    """One option: the period it adds ends on `end_date`; notice must be given by the deadline."""

    number: int
    end_date: date
    notice_deadline: date
    exercised: bool = False


@dataclass(frozen=True)
class Contract:
    """A contract in the register, as exported from the contract system (KAV)."""

    number: str
    title: str
    supplier: str
    org_number: str  # 9 digits, or "" for a supplier without a Norwegian one
    start_date: date
    end_date: date  # the current end, before any remaining option
    options: tuple[OptionPeriod, ...] = ()
    manager_email: str = ""  # avtaleforvalter
    service_area: str = ""
    contract_type: str = ""
    estimated_value: int | None = None  # NOK excl. VAT
    max_value: int | None = None  # NOK excl. VAT
    consumed_value: int | None = None  # NOK excl. VAT bought so far ("Forbruk")

    @property
    def final_end_date(self) -> date:
        """The end if every option is used: the last option's end, else the end date."""
        return self.options[-1].end_date if self.options else self.end_date

    @property
    def consumed_percent(self) -> int | None:
        """How much of the maximum value is used, in whole percent rounded down (None when
        either is not known)."""
        if self.consumed_value is None or not self.max_value:
            return None
        return self.consumed_value * 100 // self.max_value


def valid_org_number(s: str) -> bool:
    """A Norwegian organisation number: 9 digits starting with 8 or 9 (as all Brønnøysund
    issues), the last a mod-11 check digit (weights 3,2,7,6,5,4,3,2). Remainder 0 gives check
    digit 0; remainder 1 can never be valid."""
    if len(s) != 9 or not s.isascii() or not s.isdigit() or s[0] not in "89":
        return False
    total = sum(int(d) * w for d, w in zip(s[:8], _ORG_WEIGHTS, strict=True))
    remainder = total % 11
    if remainder == 1:
        return False
    check = 0 if remainder == 0 else 11 - remainder
    return check == int(s[8])


class MilestoneKind(StrEnum):
    EXPIRY = "expiry"
    OPTION_NOTICE = "option_notice"
    ESCALATION = "escalation"
    CONSUMPTION = "consumption"


CONSUMPTION_MILESTONE = "max-value"


@dataclass(frozen=True)
class Milestone:
    """A deadline someone must act before: `key` is "expiry" or "option-<n>"."""

    kind: MilestoneKind
    key: str
    deadline: date


@dataclass(frozen=True)
class ReminderPolicy:
    """Lead times in months before each kind of deadline (from ReminderSettings)."""

    expiry_lead_months: tuple[int, ...] = (12, 9)
    option_notice_lead_months: tuple[int, ...] = (6, 3)
    escalation_lead_months: int = 1
    # Shares of the maximum value that are reminded; the highest one escalates.
    consumption_warn_percents: tuple[int, ...] = (80, 95)


@dataclass(frozen=True)
class ReminderDue:
    """One reminder: `milestone` "expiry"/"option-2", `lead` "12m"; due from due_on to deadline."""

    contract_number: str
    milestone: str
    lead: str
    due_on: date
    deadline: date
    escalation: bool = False

    @property
    def kind(self) -> MilestoneKind:
        if self.milestone == CONSUMPTION_MILESTONE:
            return MilestoneKind.CONSUMPTION
        if self.escalation:
            return MilestoneKind.ESCALATION
        if self.milestone == MilestoneKind.EXPIRY.value:
            return MilestoneKind.EXPIRY
        return MilestoneKind.OPTION_NOTICE


def milestones(contract: Contract) -> list[Milestone]:
    """The final expiry, and the notice deadline of every option not yet exercised."""
    found = [
        Milestone(MilestoneKind.OPTION_NOTICE, f"option-{option.number}", option.notice_deadline)
        for option in contract.options
        if not option.exercised
    ]
    found.append(Milestone(MilestoneKind.EXPIRY, "expiry", contract.final_end_date))
    return found


def _leads(milestone: Milestone, policy: ReminderPolicy) -> list[tuple[int, bool]]:
    regular = (
        policy.expiry_lead_months
        if milestone.kind is MilestoneKind.EXPIRY
        else policy.option_notice_lead_months
    )
    leads = {months: False for months in regular if months > 0}
    if policy.escalation_lead_months > 0:
        leads[policy.escalation_lead_months] = True  # same lead twice: it is the escalation
    return sorted(leads.items(), reverse=True)


def schedule(contract: Contract, policy: ReminderPolicy) -> list[ReminderDue]:
    """Every reminder the contract will ever get, earliest first."""
    reminders = [
        ReminderDue(
            contract_number=contract.number,
            milestone=milestone.key,
            lead=f"{months}m",
            due_on=add_months(milestone.deadline, -months),
            deadline=milestone.deadline,
            escalation=escalation,
        )
        for milestone in milestones(contract)
        for months, escalation in _leads(milestone, policy)
    ]
    return sorted(reminders, key=lambda r: (r.due_on, r.deadline, r.milestone))


def due_reminders(contract: Contract, policy: ReminderPolicy, *, as_of: date) -> list[ReminderDue]:
    """Reminders due on `as_of`: at most one per milestone, the most urgent lead that has come.

    A reminder is due from its due date up to and including its deadline; after the deadline
    there is nothing left to decide, so nothing is sent.
    """
    latest: dict[str, ReminderDue] = {}
    for reminder in schedule(contract, policy):
        if reminder.due_on <= as_of <= reminder.deadline:
            current = latest.get(reminder.milestone)
            if current is None or reminder.due_on > current.due_on:
                latest[reminder.milestone] = reminder
    consumption = consumption_due(contract, policy, as_of=as_of)
    if consumption is not None:
        latest[consumption.milestone] = consumption
    return sorted(latest.values(), key=lambda r: (r.deadline, r.milestone))


def consumption_due(
    contract: Contract, policy: ReminderPolicy, *, as_of: date
) -> ReminderDue | None:
    """The consumption reminder for the highest share of the maximum value reached, if any
    (`lead` "80%"); none after the final end, when nothing more can be bought."""
    used = contract.consumed_percent
    shares = sorted(p for p in policy.consumption_warn_percents if p > 0)
    reached = [share for share in shares if used is not None and used >= share]
    if not reached or as_of > contract.final_end_date:
        return None
    return ReminderDue(
        contract_number=contract.number,
        milestone=CONSUMPTION_MILESTONE,
        lead=f"{reached[-1]}%",
        due_on=as_of,
        deadline=contract.final_end_date,
        escalation=reached[-1] == shares[-1],
    )


def next_due_date(
    contract: Contract, policy: ReminderPolicy, *, after: date | None = None
) -> date | None:
    """The earliest reminder date still ahead: after `after` (the day just scanned), or of all
    reminders when None. Stored as `next_reminder_on`, so a scan reads only what is due."""
    dates = [r.due_on for r in schedule(contract, policy) if after is None or r.due_on > after]
    return min(dates) if dates else None


def first_scan_date(contract: Contract, policy: ReminderPolicy, *, today: date) -> date | None:
    """When a scan should first look at a contract added or changed today: today when something
    is due already, else the next reminder date, or None when nothing is left to remind."""
    if due_reminders(contract, policy, as_of=today):
        return today
    return next_due_date(contract, policy, after=today)


class ContractReminderStore(Protocol):
    """What the reminder scan needs from the contract register (SqlContractRepository)."""

    async def due_for_reminders(self, as_of: date, limit: int) -> list[Contract]:
        """Contracts whose `next_reminder_on` is on or before `as_of`, oldest first."""
        ...

    async def record_reminder(self, due: ReminderDue, now: datetime) -> bool:
        """Record that a reminder is sent; False when it was recorded before (by anyone)."""
        ...

    async def set_next_reminder(self, number: str, next_on: date | None) -> None:
        """When the scan should look at the contract again (None: never)."""
        ...

    async def closed_milestones(self, number: str) -> set[str]:
        """Milestones decided for good (let expire, option exercised): no more reminders."""
        ...
