"""Conversation references: where the bot can reach a person or a channel proactively."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.domain.records import ConversationRef
from integrations.db.tables import ConversationRefRow


def _apply(row: ConversationRefRow, ref: ConversationRef, now: datetime) -> None:
    row.tenant_id = ref.tenant_id
    row.aad_object_id = ref.aad_object_id
    row.conversation_id = ref.conversation_id
    row.conversation_type = ref.conversation_type
    row.service_url = ref.service_url
    row.reference = json.dumps(ref.reference, sort_keys=True)
    row.locale = ref.locale or row.locale
    row.unreachable = False
    row.last_error = ""
    row.updated_at = now


class SqlConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(self, ref: ConversationRef, *, now: datetime) -> None:
        row = await self._session.get(ConversationRefRow, ref.ref_key)
        if row is None:
            fresh = ConversationRefRow(
                ref_key=ref.ref_key,
                conversation_id=ref.conversation_id,
                service_url=ref.service_url,
                reference="{}",
            )
            _apply(fresh, ref, now)
            try:
                # A savepoint: two first messages from the same person at once (a double
                # click) both find no row; the second insert loses and updates instead.
                async with self._session.begin_nested():
                    self._session.add(fresh)
                return
            except IntegrityError:
                row = await self._session.get(
                    ConversationRefRow, ref.ref_key, populate_existing=True
                )
                if row is None:
                    raise
        _apply(row, ref, now)

    async def get(self, ref_key: str) -> ConversationRef | None:
        row = await self._session.get(ConversationRefRow, ref_key)
        if row is None:
            return None
        return ConversationRef(
            ref_key=row.ref_key,
            tenant_id=row.tenant_id,
            aad_object_id=row.aad_object_id,
            conversation_id=row.conversation_id,
            conversation_type=row.conversation_type,
            service_url=row.service_url,
            reference=json.loads(row.reference),
            locale=row.locale,
            unreachable=row.unreachable,
            last_error=row.last_error,
        )

    async def mark_unreachable(self, ref_key: str, error: str, *, now: datetime) -> None:
        row = await self._session.get(ConversationRefRow, ref_key)
        if row is not None:
            row.unreachable = True
            row.last_error = error[:500]
            row.updated_at = now
