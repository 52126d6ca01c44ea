"""Append-only audit log with a SHA-256 hash chain (see bot.core.domain.audit)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.domain.audit import GENESIS, entry_hash
from bot.core.domain.records import AuditEntry
from integrations.db.tables import AuditRow

# Any constant will do: it names the lock that serializes appends on PostgreSQL.
_AUDIT_LOCK_ID = 7_311_001


def _to_record(row: AuditRow) -> AuditEntry:
    assert row.id is not None
    return AuditEntry(
        id=row.id,
        at=row.at,
        actor=row.actor,
        on_behalf_of=row.on_behalf_of,
        action=row.action,
        subject=row.subject,
        details=json.loads(row.details),
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


class SqlAuditRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, Any],
        on_behalf_of: str | None = None,
    ) -> AuditEntry:
        bind = self._session.get_bind()
        if bind.dialect.name == "postgresql":
            # Two appends must not both chain onto the same previous row.
            await self._session.execute(
                text("SELECT pg_advisory_xact_lock(:k)"), {"k": _AUDIT_LOCK_ID}
            )
        prev = await self._session.scalar(
            select(col(AuditRow.hash)).order_by(col(AuditRow.id).desc()).limit(1)
        )
        prev_hash = prev or GENESIS
        at = at.astimezone(UTC)
        # Round-trip through JSON so the hash covers exactly what is stored.
        stored_details = json.loads(json.dumps(details, default=str, ensure_ascii=False))
        digest = entry_hash(
            prev_hash=prev_hash,
            at=at,
            actor=actor,
            on_behalf_of=on_behalf_of,
            action=action,
            subject=subject,
            details=stored_details,
        )
        row = AuditRow(
            at=at,
            actor=actor,
            on_behalf_of=on_behalf_of,
            action=action,
            subject=subject,
            details=json.dumps(stored_details, ensure_ascii=False, sort_keys=True),
            prev_hash=prev_hash,
            hash=digest,
        )
        self._session.add(row)
        await self._session.flush()
        return _to_record(row)

    async def all(self) -> Sequence[AuditEntry]:
        rows = (await self._session.scalars(select(AuditRow).order_by(col(AuditRow.id)))).all()
        return [_to_record(row) for row in rows]
