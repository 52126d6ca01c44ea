"""What people do with a contract reminder, and with the option approval it may start.

```
pending ──start──────▶ started            (a needs report is opened, prefilled from the contract)
        ──let_expire─▶ let_expire         (no more reminders for that milestone)
        ──snooze─────▶ snoozed ──(14 days later, once)──▶ pending (the card comes again)
        ──option─────▶ option_requested ──approve──▶ option_exercised (no more reminders)
                                         ──reject───▶ pending
```

Who may act on a reminder: the contract's avtaleforvalter, the service area's innkjøpskontakt and
members of Innkjøpsseksjonen; never a guest. The option is approved by the contract owner (the
service area's director), never by the person who asked (four-eyes). Pure rules only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from bot.core.domain.contracts import CONSUMPTION_MILESTONE, Contract
from bot.core.domain.directory import Person
from bot.core.domain.errors import Conflict, NotAuthorized

PENDING: Final = "pending"
SNOOZED: Final = "snoozed"
LET_EXPIRE: Final = "let_expire"
STARTED: Final = "started"
OPTION_REQUESTED: Final = "option_requested"
OPTION_EXERCISED: Final = "option_exercised"

START: Final = "start"
OPTION: Final = "option"
SNOOZE: Final = "snooze"
ACTIONS: Final = frozenset({START, OPTION, LET_EXPIRE, SNOOZE})

_MOVES: Final = {START: STARTED, OPTION: OPTION_REQUESTED, LET_EXPIRE: LET_EXPIRE, SNOOZE: SNOOZED}
# A milestone in one of these states gets no more reminders, at any lead time.
CLOSING: Final = frozenset({LET_EXPIRE, OPTION_EXERCISED})

# Option requests.
REQUEST_PENDING: Final = "pending"
APPROVED: Final = "approved"
REJECTED: Final = "rejected"
APPROVE: Final = "approve"
REJECT: Final = "reject"

# Message keys (bot/core/locales/*/reminders.yaml).
REFUSED_NOT_RESPONSIBLE: Final = "reminder.refused.not_responsible"
REFUSED_NOT_OWNER: Final = "reminder.refused.not_owner"
REFUSED_OWN_REQUEST: Final = "reminder.refused.own_request"
REFUSED_NO_OWNER: Final = "reminder.refused.no_owner"
REFUSED_NOT_OPTION: Final = "reminder.refused.not_option"
REFUSED_NOT_EXPIRY: Final = "reminder.refused.not_expiry"
REFUSED_OPTION_WAITING: Final = "reminder.refused.option_waiting"
CONFLICT_DECIDED: Final = "reminder.conflict.decided"
CONFLICT_STALE: Final = "reminder.conflict.stale"


@dataclass(frozen=True)
class ReminderRecord:
    """A reminder as stored: one per (contract, milestone, lead); `sends` counts deliveries
    (1, then 2 after a snooze came back, ...)."""

    id: int
    contract_number: str
    milestone: str
    lead: str
    escalation: bool
    due_on: date
    deadline: date
    status: str
    version: int
    sends: int = 1
    snooze_until: date | None = None
    decided_by: str | None = None
    decided_by_name: str = ""
    decided_at: datetime | None = None
    delivery_note: str | None = None

    @property
    def is_option(self) -> bool:
        return self.milestone.startswith("option-")

    @property
    def is_consumption(self) -> bool:
        """About the maximum value nearing, not a date: it cannot be let expire."""
        return self.milestone == CONSUMPTION_MILESTONE

    @property
    def option_number(self) -> str:
        return self.milestone.removeprefix("option-")

    @property
    def open(self) -> bool:
        return self.status == PENDING


@dataclass(frozen=True)
class OptionRequest:
    """ "Utløs opsjon": the contract owner's approval of exercising one option."""

    id: int
    reminder_id: int
    contract_number: str
    milestone: str
    requester_id: str
    requester_name: str
    approver_id: str
    approver_name: str
    status: str
    version: int
    created_at: datetime
    decided_by: str | None = None
    decided_by_name: str = ""
    decided_on_behalf_of: str | None = None
    decided_at: datetime | None = None
    comment: str | None = None


def next_status(reminder: ReminderRecord, action: str) -> str:
    """The reminder's status after `action`; Conflict when it was decided meanwhile."""
    if action not in ACTIONS:
        raise ValueError(f"not a reminder action: {action}")
    if action == OPTION and not reminder.is_option:
        raise Conflict("no option to exercise", message_key=REFUSED_NOT_OPTION)
    if action == LET_EXPIRE and reminder.is_consumption:
        raise Conflict("a value nearing its maximum cannot expire", message_key=REFUSED_NOT_EXPIRY)
    if reminder.status != PENDING:
        raise Conflict(f"{action} in {reminder.status}", message_key=CONFLICT_DECIDED)
    return _MOVES[action]


def check_version(card_version: int | None, current: int) -> None:
    """A click on an older card is refused (a double click, or someone was quicker)."""
    if card_version != current:
        raise Conflict(f"card version {card_version}, now {current}", message_key=CONFLICT_STALE)


def is_manager(person: Person | None, contract: Contract) -> bool:
    """The contract's avtaleforvalter (the register names them by email)."""
    return (
        person is not None
        and bool(person.email)
        and person.email.casefold() == contract.manager_email.casefold()
    )


def authorize_reminder_action(
    actor: Person | None,
    contract: Contract,
    *,
    procurement_contact_id: str | None,
    is_procurement_member: bool,
) -> None:
    """The avtaleforvalter, the area's innkjøpskontakt or Innkjøpsseksjonen; never a guest."""
    if actor is None or actor.is_guest:
        raise NotAuthorized("unknown person or a guest", message_key=REFUSED_NOT_RESPONSIBLE)
    if is_procurement_member or actor.id == procurement_contact_id or is_manager(actor, contract):
        return
    raise NotAuthorized("not responsible for the contract", message_key=REFUSED_NOT_RESPONSIBLE)


def option_approver(requester_id: str, director: Person | None, above: Person | None) -> Person:
    """Who approves exercising the option: the contract owner (the service area's director);
    when the director asks, the director's own manager (`above`). Four-eyes either way."""
    chosen = director if director is not None and director.id != requester_id else above
    if chosen is None or chosen.id == requester_id:
        raise NotAuthorized("no contract owner to approve", message_key=REFUSED_NO_OWNER)
    return chosen


def next_request_status(request: OptionRequest, action: str) -> str:
    if action not in (APPROVE, REJECT):
        raise ValueError(f"not an option decision: {action}")
    if request.status != REQUEST_PENDING:
        raise Conflict(f"{action} in {request.status}", message_key=CONFLICT_DECIDED)
    return APPROVED if action == APPROVE else REJECTED
