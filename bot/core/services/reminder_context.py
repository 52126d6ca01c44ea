"""What the contract reminder use cases need (delivery, card actions, option approvals): the
store inside a unit of work, the cards, the directory, and the tenant people are reached in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.domain.contracts import Contract, ContractReminderStore, ReminderDue, ReminderPolicy
from bot.core.domain.directory import Directory
from bot.core.domain.reminder_actions import OptionRequest, ReminderRecord
from bot.core.ports import UnitOfWork, UnitOfWorkFactory


class ReminderStore(ContractReminderStore, Protocol):
    """The register's reminder bookkeeping (SqlReminderRepository)."""

    async def get(self, number: str) -> Contract | None: ...

    async def reminder(self, reminder_id: int) -> ReminderRecord | None: ...

    async def deviation_count(self, contract_number: str) -> int:
        """Deviations ever reported on the contract (the card shows the number)."""
        ...

    async def reminder_for(self, due: ReminderDue) -> ReminderRecord | None:
        """The stored reminder of (contract, milestone, lead)."""
        ...

    async def update_reminder_if_version(
        self, reminder_id: int, expected_version: int, **changes: Any
    ) -> bool:
        """`UPDATE ... WHERE version = :v`, bumping the version; False when someone was first."""
        ...

    async def set_delivery_note(self, reminder_id: int, note: str) -> None:
        """Write down who could not be resolved (the card went to the channel instead)."""
        ...

    async def due_snoozes(self, as_of: date, limit: int) -> list[ReminderRecord]:
        """Snoozed reminders whose `snooze_until` has come (on its index)."""
        ...

    async def add_option_request(
        self,
        reminder: ReminderRecord,
        *,
        requester_id: str,
        requester_name: str,
        approver_id: str,
        approver_name: str,
        now: datetime,
    ) -> OptionRequest: ...

    async def option_request(self, request_id: int) -> OptionRequest | None: ...

    async def latest_option_request(self, reminder_id: int) -> OptionRequest | None: ...

    async def reminders_of_milestone(
        self, contract_number: str, milestone: str
    ) -> list[ReminderRecord]:
        """Every reminder of one deadline (its lead times), oldest first."""
        ...

    async def latest_milestone_option_request(
        self, contract_number: str, milestone: str
    ) -> OptionRequest | None:
        """The newest option request of this deadline, from any of its reminders (the 3-month
        card's request while the 1-month escalation comes)."""
        ...

    async def update_option_request_if_version(
        self, request_id: int, expected_version: int, **changes: Any
    ) -> bool: ...


class ReminderCards(Protocol):
    """Renders the reminder card and the option approval card (cards/ in the Teams layer).

    `show_value`: the viewer may see prices (see may_see_value); `actionable`: show the buttons;
    `notice`: a short note on top (a refused or stale click); `waiting`: the deadline's option
    already waits for the owner (asked from another reminder), so it is not offered again."""

    async def reminder_card(
        self,
        reminder: ReminderRecord,
        contract: Contract,
        *,
        lang: str,
        show_value: bool,
        actionable: bool,
        option: OptionRequest | None = None,
        notice: str | None = None,
        refresh_user_ids: Sequence[str] = (),
        deviation_count: int | None = None,
        waiting: OptionRequest | None = None,
    ) -> dict[str, Any]: ...

    async def option_card(
        self,
        request: OptionRequest,
        reminder: ReminderRecord,
        contract: Contract,
        *,
        lang: str,
        actionable: bool,
        show_value: bool,
        notice: str | None = None,
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ReminderContext:
    """Built once by the composition root (and by the CLI)."""

    uow: UnitOfWorkFactory
    clock: Clock
    directory_of: Callable[[], Directory]
    cards: ReminderCards
    store_of: Callable[[UnitOfWork], ReminderStore]
    # People are reached as ConversationRef.user_key(tenant_id, aad): a contract has no tenant,
    # so this is the configured one (reminders.tenant_id, else the bot's or Graph's tenant).
    tenant_id: str
    policy: ReminderPolicy
    snooze_days: int = 14
    tz: str = "Europe/Oslo"
    on_queued: Callable[[int], None] | None = None  # metrics: reminder cards queued

    @property
    def directory(self) -> Directory:
        return self.directory_of()

    def today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(self.tz)).date()
