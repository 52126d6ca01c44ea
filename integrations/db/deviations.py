"""Deviations (avvik) on SQL: filing, the optimistic update, the reminder loop's marks, counts."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.domain.deviation_records import DeviationCase, DeviationCount
from integrations.db.deviation_tables import DeviationRow

# What `update_if_version` may change: the follow-up, never what the reporter said.
_MUTABLE = frozenset(
    {
        "state",
        "updated_at",
        "acknowledged_by",
        "acknowledged_by_name",
        "acknowledged_at",
        "reclaimed_at",
        "response_deadline",
        "closed_by",
        "closed_by_name",
        "closed_at",
        "outcome",
        "last_note",
        "sanction_proposed_at",
        "sanction_decided_by",
        "sanction_decided_by_name",
        "contract_number",
        "contract_title",
        "supplier",
        "manager_id",
        "manager_name",
    }
)
_MARKS = frozenset({"escalated_at", "reminded_for"})
_NAMES = [f.name for f in fields(DeviationCase)]


def _to_record(row: DeviationRow) -> DeviationCase:
    values: dict[str, Any] = {name: getattr(row, name) for name in _NAMES}
    values["attachments"] = json.loads(row.attachments or "[]")
    return DeviationCase(**values)


class SqlDeviationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, case: DeviationCase) -> DeviationCase:
        values = {name: getattr(case, name) for name in _NAMES if name != "id"}
        values["attachments"] = json.dumps(case.attachments, ensure_ascii=False)
        row = DeviationRow(**values)
        self._session.add(row)
        await self._session.flush()
        return _to_record(row)

    async def get(self, case_number: str) -> DeviationCase | None:
        row = await self._session.scalar(
            select(DeviationRow).where(col(DeviationRow.case_number) == case_number)
        )
        return _to_record(row) if row else None

    async def get_by_draft(self, reporter_id: str, draft_id: str) -> DeviationCase | None:
        row = await self._session.scalar(
            select(DeviationRow).where(
                col(DeviationRow.reporter_id) == reporter_id,
                col(DeviationRow.draft_id) == draft_id,
            )
        )
        return _to_record(row) if row else None

    async def update_if_version(
        self, case_number: str, expected_version: int, **changes: Any
    ) -> bool:
        """`UPDATE ... SET version = version + 1 WHERE case_number = :n AND version = :v`."""
        unknown = set(changes) - _MUTABLE
        if unknown:
            raise ValueError(f"not changeable: {sorted(unknown)}")
        result = await self._session.execute(
            update(DeviationRow)
            .where(
                col(DeviationRow.case_number) == case_number,
                col(DeviationRow.version) == expected_version,
            )
            .values(version=DeviationRow.version + 1, **changes)
            .execution_options(synchronize_session=False)
        )
        self._session.expire_all()
        return int(getattr(result, "rowcount", 0) or 0) == 1

    async def mark(self, case_number: str, **marks: Any) -> None:
        """Bookkeeping of the reminder loop; the version (and so every card) stays valid."""
        unknown = set(marks) - _MARKS
        if unknown:
            raise ValueError(f"not a mark: {sorted(unknown)}")
        await self._session.execute(
            update(DeviationRow)
            .where(col(DeviationRow.case_number) == case_number)
            .values(**marks)
            .execution_options(synchronize_session=False)
        )
        self._session.expire_all()

    async def list_by_state(
        self, states: Sequence[str], *, limit: int = 500
    ) -> list[DeviationCase]:
        rows = (
            await self._session.scalars(
                select(DeviationRow)
                .where(col(DeviationRow.state).in_(list(states)))
                .order_by(col(DeviationRow.created_at), col(DeviationRow.id))
                .limit(limit)
            )
        ).all()
        return [_to_record(row) for row in rows]

    async def list_for_reporter(self, reporter_id: str, *, limit: int = 20) -> list[DeviationCase]:
        rows = (
            await self._session.scalars(
                select(DeviationRow)
                .where(col(DeviationRow.reporter_id) == reporter_id)
                .order_by(col(DeviationRow.created_at).desc(), col(DeviationRow.id).desc())
                .limit(limit)
            )
        ).all()
        return [_to_record(row) for row in rows]

    async def count_for_reporter(self, reporter_id: str) -> int:
        value = await self._session.scalar(
            select(func.count())
            .select_from(DeviationRow)
            .where(col(DeviationRow.reporter_id) == reporter_id)
        )
        return int(value or 0)

    async def counts_for_contracts(self, numbers: Sequence[str]) -> list[DeviationCount]:
        """Deviations of these contracts by category and state."""
        if not numbers:
            return []
        rows = (
            await self._session.execute(
                select(col(DeviationRow.category), col(DeviationRow.state), func.count())
                .where(col(DeviationRow.contract_number).in_(list(numbers)))
                .group_by(col(DeviationRow.category), col(DeviationRow.state))
            )
        ).all()
        return [DeviationCount(str(c), str(s), int(n)) for c, s, n in rows]

    async def count_for_contract(self, contract_number: str) -> int:
        """Every deviation ever reported on the contract, open and closed (its reminder card
        shows it)."""
        value = await self._session.scalar(
            select(func.count())
            .select_from(DeviationRow)
            .where(col(DeviationRow.contract_number) == contract_number)
        )
        return int(value or 0)
