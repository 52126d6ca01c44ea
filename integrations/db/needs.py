"""Needs reports (behovsmelding) and case numbers."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.domain.records import CardCopy, NeedCase
from integrations.db.inserts import insert_if_absent
from integrations.db.tables import CardCopyRow, NeedRow

# Fields `update_if_version` may change (everything but identity and what filing fixed).
_MUTABLE = frozenset(
    {
        "status",
        "updated_at",
        "approver_id",
        "approver_name",
        "decided_by",
        "decided_by_name",
        "decided_on_behalf_of",
        "decided_at",
        "decision_comment",
        "info_question",
        "info_answer",
        "triaged_by",
        "triaged_by_name",
        "triaged_at",
        "triage_outcome",
        "triage_note",
    }
)


def _to_record(row: NeedRow) -> NeedCase:
    assert row.id is not None
    return NeedCase(
        id=row.id,
        draft_id=row.draft_id,
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
        approver_id=row.approver_id,
        approver_name=row.approver_name,
        decided_by=row.decided_by,
        decided_by_name=row.decided_by_name,
        decided_on_behalf_of=row.decided_on_behalf_of,
        decided_at=row.decided_at,
        decision_comment=row.decision_comment,
        info_question=row.info_question,
        info_answer=row.info_answer,
        triaged_by=row.triaged_by,
        triaged_by_name=row.triaged_by_name,
        triaged_at=row.triaged_at,
        triage_outcome=row.triage_outcome,
        triage_note=row.triage_note,
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

    async def get_by_draft(self, requester_id: str, draft_id: str) -> NeedCase | None:
        row = await self._session.scalar(
            select(NeedRow).where(
                col(NeedRow.requester_id) == requester_id, col(NeedRow.draft_id) == draft_id
            )
        )
        return _to_record(row) if row else None

    async def add(self, case: NeedCase) -> NeedCase:
        row = NeedRow(
            draft_id=case.draft_id,
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
            approver_id=case.approver_id,
            approver_name=case.approver_name,
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

    async def count_for_requester(self, requester_id: str) -> int:
        value = await self._session.scalar(
            select(func.count())
            .select_from(NeedRow)
            .where(col(NeedRow.requester_id) == requester_id)
        )
        return int(value or 0)

    async def update_if_version(
        self, case_number: str, expected_version: int, **changes: Any
    ) -> bool:
        """`UPDATE need SET ..., version = version + 1 WHERE case_number = :n AND version = :v`.

        False when someone changed the case first (the optimistic check): exactly one of two
        concurrent decisions on the same version succeeds, on SQLite and on PostgreSQL.
        """
        unknown = set(changes) - _MUTABLE
        if unknown:
            raise ValueError(f"not changeable: {sorted(unknown)}")
        result = await self._session.execute(
            update(NeedRow)
            .where(
                col(NeedRow.case_number) == case_number,
                col(NeedRow.version) == expected_version,
            )
            .values(version=NeedRow.version + 1, **changes)
            .execution_options(synchronize_session=False)
        )
        self._session.expire_all()
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def list_for_approvers(
        self, approver_ids: Sequence[str], statuses: Sequence[str], *, limit: int = 20
    ) -> list[NeedCase]:
        """Cases in `statuses` whose designated approver is one of `approver_ids`, oldest first."""
        if not approver_ids:
            return []
        rows = (
            await self._session.scalars(
                select(NeedRow)
                .where(
                    col(NeedRow.approver_id).in_(list(approver_ids)),
                    col(NeedRow.status).in_(list(statuses)),
                )
                .order_by(col(NeedRow.created_at), col(NeedRow.id))
                .limit(limit)
            )
        ).all()
        return [_to_record(row) for row in rows]

    async def list_by_status(
        self,
        statuses: Sequence[str],
        *,
        requester_id: str | None = None,
        updated_before: datetime | None = None,
        limit: int = 100,
    ) -> list[NeedCase]:
        """Cases in `statuses` (optionally one requester's, or unchanged since a moment)."""
        query = select(NeedRow).where(col(NeedRow.status).in_(list(statuses)))
        if requester_id is not None:
            query = query.where(col(NeedRow.requester_id) == requester_id)
        if updated_before is not None:
            query = query.where(col(NeedRow.updated_at) < updated_before)
        rows = (
            await self._session.scalars(
                query.order_by(col(NeedRow.updated_at).desc(), col(NeedRow.id).desc()).limit(limit)
            )
        ).all()
        return [_to_record(row) for row in rows]


class SqlCardCopyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, copy: CardCopy, *, now: datetime) -> bool:
        """Remember a copy; False when this case already has one for that purpose and recipient."""
        row = CardCopyRow(
            case_number=copy.case_number,
            purpose=copy.purpose,
            recipient=copy.recipient,
            view=copy.view,
            idempotency_key=copy.idempotency_key,
            created_at=now,
        )
        return await insert_if_absent(
            self._session, row, unique=["case_number", "purpose", "recipient"]
        )

    async def list_for(self, case_number: str, purpose: str) -> list[CardCopy]:
        rows = (
            await self._session.scalars(
                select(CardCopyRow)
                .where(
                    col(CardCopyRow.case_number) == case_number,
                    col(CardCopyRow.purpose) == purpose,
                )
                .order_by(col(CardCopyRow.id))
            )
        ).all()
        return [
            CardCopy(
                case_number=row.case_number,
                purpose=row.purpose,
                recipient=row.recipient,
                view=row.view,
                idempotency_key=row.idempotency_key,
            )
            for row in rows
        ]
