"""Reminder decisions and option requests on SQL (the register's `ReminderStore`)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlmodel import col

from bot.core.domain.contracts import ReminderDue
from bot.core.domain.reminder_actions import (
    REQUEST_PENDING,
    SNOOZED,
    OptionRequest,
    ReminderRecord,
)
from integrations.db.contract_tables import ContractReminderRow, OptionRequestRow
from integrations.db.contracts import SqlContractRepository, _HasSession
from integrations.db.deviations import SqlDeviationRepository


def _reminder(row: ContractReminderRow) -> ReminderRecord:
    assert row.id is not None
    return ReminderRecord(
        id=row.id,
        contract_number=row.contract_number,
        milestone=row.milestone,
        lead=row.lead,
        escalation=row.escalation,
        due_on=row.due_on,
        deadline=row.deadline,
        status=row.status,
        version=row.version,
        sends=row.sends,
        snooze_until=row.snooze_until,
        decided_by=row.decided_by,
        decided_by_name=row.decided_by_name,
        decided_at=row.decided_at,
        delivery_note=row.delivery_note,
    )


def _request(row: OptionRequestRow) -> OptionRequest:
    assert row.id is not None
    return OptionRequest(
        id=row.id,
        reminder_id=row.reminder_id,
        contract_number=row.contract_number,
        milestone=row.milestone,
        requester_id=row.requester_id,
        requester_name=row.requester_name,
        approver_id=row.approver_id,
        approver_name=row.approver_name,
        status=row.status,
        version=row.version,
        created_at=row.created_at,
        decided_by=row.decided_by,
        decided_by_name=row.decided_by_name,
        decided_on_behalf_of=row.decided_on_behalf_of,
        decided_at=row.decided_at,
        comment=row.comment,
    )


class SqlReminderRepository(SqlContractRepository):
    """The contract register plus what the reminder cards decide."""

    async def deviation_count(self, contract_number: str) -> int:
        return await SqlDeviationRepository(self._session).count_for_contract(contract_number)

    async def reminder(self, reminder_id: int) -> ReminderRecord | None:
        row = await self._session.get(ContractReminderRow, reminder_id, populate_existing=True)
        return _reminder(row) if row is not None else None

    async def reminder_for(self, due: ReminderDue) -> ReminderRecord | None:
        row = await self._session.scalar(
            select(ContractReminderRow).where(
                col(ContractReminderRow.contract_number) == due.contract_number,
                col(ContractReminderRow.milestone) == due.milestone,
                col(ContractReminderRow.lead) == due.lead,
            )
        )
        return _reminder(row) if row is not None else None

    async def update_reminder_if_version(
        self, reminder_id: int, expected_version: int, **changes: Any
    ) -> bool:
        result = await self._session.execute(
            update(ContractReminderRow)
            .where(
                col(ContractReminderRow.id) == reminder_id,
                col(ContractReminderRow.version) == expected_version,
            )
            .values(version=expected_version + 1, **changes)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    async def set_delivery_note(self, reminder_id: int, note: str) -> None:
        await self._session.execute(
            update(ContractReminderRow)
            .where(col(ContractReminderRow.id) == reminder_id)
            .values(delivery_note=note[:2000])
            .execution_options(synchronize_session=False)
        )

    async def due_snoozes(self, as_of: date, limit: int) -> list[ReminderRecord]:
        rows = await self._session.scalars(
            select(ContractReminderRow)
            .where(
                col(ContractReminderRow.snooze_until) <= as_of,
                col(ContractReminderRow.status) == SNOOZED,
            )
            .order_by(col(ContractReminderRow.snooze_until), col(ContractReminderRow.id))
            .limit(limit)
        )
        return [_reminder(row) for row in rows.all()]

    async def add_option_request(
        self,
        reminder: ReminderRecord,
        *,
        requester_id: str,
        requester_name: str,
        approver_id: str,
        approver_name: str,
        now: datetime,
    ) -> OptionRequest:
        row = OptionRequestRow(
            reminder_id=reminder.id,
            contract_number=reminder.contract_number,
            milestone=reminder.milestone,
            requester_id=requester_id,
            requester_name=requester_name,
            approver_id=approver_id,
            approver_name=approver_name,
            status=REQUEST_PENDING,
            created_at=now,
        )
        self._session.add(row)
        await self._session.flush()
        return _request(row)

    async def option_request(self, request_id: int) -> OptionRequest | None:
        row = await self._session.get(OptionRequestRow, request_id, populate_existing=True)
        return _request(row) if row is not None else None

    async def latest_option_request(self, reminder_id: int) -> OptionRequest | None:
        row = await self._session.scalar(
            select(OptionRequestRow)
            .where(col(OptionRequestRow.reminder_id) == reminder_id)
            .order_by(col(OptionRequestRow.id).desc())
            .limit(1)
        )
        return _request(row) if row is not None else None

    async def reminders_of_milestone(
        self, contract_number: str, milestone: str
    ) -> list[ReminderRecord]:
        rows = await self._session.scalars(
            select(ContractReminderRow)
            .where(
                col(ContractReminderRow.contract_number) == contract_number,
                col(ContractReminderRow.milestone) == milestone,
            )
            .order_by(col(ContractReminderRow.id))
            .execution_options(populate_existing=True)
        )
        return [_reminder(row) for row in rows.all()]

    async def latest_milestone_option_request(
        self, contract_number: str, milestone: str
    ) -> OptionRequest | None:
        row = await self._session.scalar(
            select(OptionRequestRow)
            .where(
                col(OptionRequestRow.contract_number) == contract_number,
                col(OptionRequestRow.milestone) == milestone,
            )
            .order_by(col(OptionRequestRow.id).desc())
            .limit(1)
        )
        return _request(row) if row is not None else None

    async def update_option_request_if_version(
        self, request_id: int, expected_version: int, **changes: Any
    ) -> bool:
        result = await self._session.execute(
            update(OptionRequestRow)
            .where(
                col(OptionRequestRow.id) == request_id,
                col(OptionRequestRow.version) == expected_version,
            )
            .values(version=expected_version + 1, **changes)
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))


def reminder_repository(uow: _HasSession) -> SqlReminderRepository:
    """The reminder store inside a unit of work."""
    return SqlReminderRepository(uow.session)
