"""Notification preferences (daily digest or single reminders) per person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.domain.records import DigestSubscriber
from integrations.db.tables import NotificationPreferenceRow


class SqlPreferenceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def set_daily_digest(
        self, person_id: str, *, tenant_id: str, on: bool, now: datetime
    ) -> None:
        row = await self._session.get(NotificationPreferenceRow, person_id)
        if row is None:
            row = NotificationPreferenceRow(
                person_id=person_id, tenant_id=tenant_id, updated_at=now
            )
            self._session.add(row)
        row.tenant_id = tenant_id
        row.daily_digest = on
        row.updated_at = now

    async def wants_daily_digest(self, person_id: str) -> bool:
        row = await self._session.get(NotificationPreferenceRow, person_id)
        return bool(row and row.daily_digest)

    async def digest_subscribers(self) -> list[DigestSubscriber]:
        rows = await self._session.scalars(
            select(NotificationPreferenceRow)
            .where(col(NotificationPreferenceRow.daily_digest).is_(True))
            .order_by(col(NotificationPreferenceRow.person_id))
        )
        return [DigestSubscriber(row.person_id, row.tenant_id) for row in rows]
