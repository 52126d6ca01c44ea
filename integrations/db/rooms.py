"""Room sagas: one row per accepted case, advanced step by step by the worker under a lease."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.domain.rooms import PENDING, RoomMember, RoomSaga
from integrations.db.inserts import insert_if_absent
from integrations.db.leases import claim_due_rows
from integrations.db.tables import RoomSagaRow

# What `save` writes; identity and the lease columns are not in it.
_STATE = (
    "step",
    "status",
    "team_id",
    "operation_id",
    "channel_id",
    "web_url",
    "attempts",
    "round",
    "uncertain_since",
    "not_found_since",
    "last_error",
)


def _members(text: str) -> tuple[RoomMember, ...]:
    return tuple(RoomMember(**item) for item in json.loads(text))


def _to_record(row: RoomSagaRow) -> RoomSaga:
    return RoomSaga(
        case_number=row.case_number,
        tenant_id=row.tenant_id,
        mode="channel" if row.mode == "channel" else "team",
        display_name=row.display_name,
        description=row.description,
        advisor_id=row.advisor_id,
        members=_members(row.members),
        step=row.step,
        status=row.status,
        version=row.version,
        team_id=row.team_id,
        operation_id=row.operation_id,
        channel_id=row.channel_id,
        web_url=row.web_url,
        attempts=row.attempts,
        round=row.round,
        uncertain_since=row.uncertain_since,
        not_found_since=row.not_found_since,
        last_error=row.last_error,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlRoomRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, saga: RoomSaga, *, now: datetime) -> bool:
        row = RoomSagaRow(
            case_number=saga.case_number,
            tenant_id=saga.tenant_id,
            mode=saga.mode,
            display_name=saga.display_name,
            description=saga.description,
            advisor_id=saga.advisor_id,
            members=json.dumps(
                [{"user_id": m.user_id, "name": m.name, "owner": m.owner} for m in saga.members],
                ensure_ascii=False,
            ),
            step=saga.step,
            status=saga.status,
            team_id=saga.team_id,
            next_attempt_at=saga.next_attempt_at or now,
            created_at=now,
            updated_at=now,
        )
        return await insert_if_absent(self._session, row, unique=["case_number"])

    async def get(self, case_number: str) -> RoomSaga | None:
        row = await self._session.scalar(
            select(RoomSagaRow).where(col(RoomSagaRow.case_number) == case_number)
        )
        return _to_record(row) if row else None

    async def find_by_place(
        self, *, channel_id: str | None = None, team_id: str | None = None
    ) -> RoomSaga | None:
        if channel_id:
            row = await self._session.scalar(
                select(RoomSagaRow).where(col(RoomSagaRow.channel_id) == channel_id)
            )
            if row is not None:
                return _to_record(row)
        if team_id:
            row = await self._session.scalar(
                select(RoomSagaRow).where(
                    col(RoomSagaRow.team_id) == team_id, col(RoomSagaRow.mode) == "team"
                )
            )
            if row is not None:
                return _to_record(row)
        return None

    async def claim_due(
        self, *, now: datetime, limit: int, worker_id: str, lease_seconds: float
    ) -> list[RoomSaga]:
        rows = await claim_due_rows(
            self._session,
            RoomSagaRow,
            pending=PENDING,
            now=now,
            limit=limit,
            worker_id=worker_id,
            lease_seconds=lease_seconds,
        )
        return [_to_record(row) for row in rows]

    async def save(self, saga: RoomSaga, *, now: datetime, release: bool = False) -> bool:
        values: dict[str, Any] = {name: getattr(saga, name) for name in _STATE}
        values.update(
            version=saga.version + 1,
            updated_at=now,
            next_attempt_at=saga.next_attempt_at or now,
        )
        if release:
            values.update(claimed_by=None, claimed_until=None)
        result = await self._session.execute(
            update(RoomSagaRow)
            .where(
                col(RoomSagaRow.case_number) == saga.case_number,
                col(RoomSagaRow.version) == saga.version,
            )
            .values(**values)
        )
        return bool(getattr(result, "rowcount", 0))
