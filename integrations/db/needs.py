"""Needs reports (behovsmelding) and case numbers."""

from __future__ import annotations

import json

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.domain.records import NeedCase
from integrations.db.tables import NeedRow


def _to_record(row: NeedRow) -> NeedCase:
    assert row.id is not None
    return NeedCase(
        id=row.id,
        case_number=row.case_number,
        requester_id=row.requester_id,
        requester_name=row.requester_name,
        tenant_id=row.tenant_id,
        title=row.title,
        service_area=row.service_area,
        answers=json.loads(row.answers),
        estimated_total=row.estimated_total,
        tier=row.tier,
        checklist=json.loads(row.checklist),
        status=row.status,
        version=row.version,
        locale=row.locale,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class SqlCaseNumberRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def next_number(self, prefix: str, year: int) -> str:
        # One atomic upsert on both SQLite (≥ 3.35) and PostgreSQL: concurrent filers each get
        # their own value because the row lock is held until the transaction ends.
        value = await self._session.scalar(
            text(
                "INSERT INTO case_counter (prefix, year, value) VALUES (:p, :y, 1) "
                "ON CONFLICT (prefix, year) DO UPDATE SET value = case_counter.value + 1 "
                "RETURNING value"
            ),
            {"p": prefix, "y": year},
        )
        return f"{prefix}-{year}-{int(value or 0):04d}"


class SqlNeedRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: NeedCase) -> NeedCase:
        row = NeedRow(
            case_number=case.case_number,
            tenant_id=case.tenant_id,
            requester_id=case.requester_id,
            requester_name=case.requester_name,
            title=case.title,
            service_area=case.service_area,
            answers=json.dumps(case.answers, ensure_ascii=False, default=str),
            estimated_total=case.estimated_total,
            tier=case.tier,
            checklist=json.dumps(case.checklist, ensure_ascii=False),
            status=case.status,
            version=case.version,
            locale=case.locale,
            created_at=case.created_at,
            updated_at=case.updated_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _to_record(row)

    async def get(self, case_number: str) -> NeedCase | None:
        row = await self._session.scalar(
            select(NeedRow).where(col(NeedRow.case_number) == case_number)
        )
        return _to_record(row) if row else None

    async def list_for_requester(self, requester_id: str, *, limit: int = 20) -> list[NeedCase]:
        rows = (
            await self._session.scalars(
                select(NeedRow)
                .where(col(NeedRow.requester_id) == requester_id)
                .order_by(col(NeedRow.created_at).desc(), col(NeedRow.id).desc())
                .limit(limit)
            )
        ).all()
        return [_to_record(row) for row in rows]
