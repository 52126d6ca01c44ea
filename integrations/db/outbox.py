"""The outbox: proactive messages queued with their cause, claimed safely by delivery loops."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.domain.records import NewOutboxMessage, OutboxMessage, OutboxStats
from integrations.db.inserts import insert_if_absent
from integrations.db.leases import claim_due_rows
from integrations.db.tables import OutboxRow

PENDING = "pending"


def _to_record(row: OutboxRow) -> OutboxMessage:
    assert row.id is not None
    return OutboxMessage(
        id=row.id,
        idempotency_key=row.idempotency_key,
        recipient=row.recipient,
        payload=json.loads(row.payload),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        activity_id=row.activity_id,
    )


def _like_prefix(prefix: str) -> str:
    """A LIKE pattern (escape character `\\`) matching what starts with `prefix`."""
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: NewOutboxMessage, *, now: datetime) -> bool:
        row = OutboxRow(
            idempotency_key=message.idempotency_key,
            recipient=message.recipient,
            payload=json.dumps(message.payload, ensure_ascii=False),
            next_attempt_at=now,
            created_at=now,
        )
        # False when it was queued before (the idempotency key is the message's identity).
        return await insert_if_absent(self._session, row, unique=["idempotency_key"])

    async def claim_due(
        self, *, now: datetime, limit: int, worker_id: str, lease_seconds: float
    ) -> list[OutboxMessage]:
        rows = await claim_due_rows(
            self._session,
            OutboxRow,
            pending=PENDING,
            now=now,
            limit=limit,
            worker_id=worker_id,
            lease_seconds=lease_seconds,
        )
        return [_to_record(row) for row in rows]

    async def mark_sent(self, message_id: int, *, now: datetime, activity_id: str | None) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id) == message_id)
            .values(
                status="sent",
                sent_at=now,
                activity_id=activity_id,
                attempts=OutboxRow.attempts + 1,
                claimed_until=None,
                last_error="",
            )
        )

    async def reschedule(self, message_id: int, *, next_attempt_at: datetime, error: str) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id) == message_id)
            .values(
                next_attempt_at=next_attempt_at,
                attempts=OutboxRow.attempts + 1,
                claimed_until=None,
                last_error=error[:500],
            )
        )

    async def redirect(self, message_id: int, *, recipient: str, payload: dict[str, Any]) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id) == message_id)
            .values(
                recipient=recipient,
                payload=json.dumps(payload, ensure_ascii=False),
                claimed_until=None,
            )
        )

    async def defer(self, message_ids: list[int], *, until: datetime) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id).in_(message_ids))
            .values(next_attempt_at=until, claimed_until=None)
        )

    async def mark_dead(self, message_id: int, *, status: str, error: str) -> None:
        await self._session.execute(
            update(OutboxRow)
            .where(col(OutboxRow.id) == message_id)
            .values(
                status=status,
                attempts=OutboxRow.attempts + 1,
                claimed_until=None,
                last_error=error[:500],
            )
        )

    async def stats(self, *, now: datetime) -> OutboxStats:
        counts = dict(
            (
                await self._session.execute(
                    select(col(OutboxRow.status), func.count()).group_by(col(OutboxRow.status))
                )
            ).all()
        )
        oldest = await self._session.scalar(
            select(func.min(col(OutboxRow.created_at))).where(col(OutboxRow.status) == PENDING)
        )
        age = 0.0
        if oldest is not None:
            if isinstance(oldest, str):  # SQLite returns aggregates untyped
                oldest = datetime.fromisoformat(oldest)
            if oldest.tzinfo is None:
                oldest = oldest.replace(tzinfo=UTC)
            age = max(0.0, (now - oldest).total_seconds())
        return OutboxStats(
            pending=int(counts.get(PENDING, 0)),
            oldest_pending_seconds=age,
            by_status={str(k): int(v) for k, v in counts.items()},
        )

    async def wake(self, recipient: str, *, now: datetime) -> int:
        result = await self._session.execute(
            update(OutboxRow)
            .where(
                col(OutboxRow.recipient) == recipient,
                col(OutboxRow.status) == PENDING,
                col(OutboxRow.next_attempt_at) > now,
            )
            .values(next_attempt_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def get(self, message_id: int) -> OutboxMessage | None:
        row = await self._session.get(OutboxRow, message_id)
        return _to_record(row) if row else None

    async def get_by_key(self, idempotency_key: str) -> OutboxMessage | None:
        row = await self._session.scalar(
            select(OutboxRow).where(col(OutboxRow.idempotency_key) == idempotency_key)
        )
        return _to_record(row) if row else None

    async def wake_updates_of(self, idempotency_key: str, *, now: datetime) -> int:
        """Make the pending edits of this message (keys `<key>:update:…`, see card_copies) due
        now: they waited, with growing backoff, for it to be sent."""
        pattern = _like_prefix(f"{idempotency_key}:update:")
        result = await self._session.execute(
            update(OutboxRow)
            .where(
                col(OutboxRow.idempotency_key).like(pattern, escape="\\"),
                col(OutboxRow.status) == PENDING,
                col(OutboxRow.next_attempt_at) > now,
            )
            .values(next_attempt_at=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def supersede(self, key_prefix: str, *, keep: str) -> int:
        """Retire pending messages whose key starts with `key_prefix`, except `keep`: a newer
        edit of the same card replaces older ones that have not gone out yet."""
        pattern = _like_prefix(key_prefix)
        result = await self._session.execute(
            update(OutboxRow)
            .where(
                col(OutboxRow.idempotency_key).like(pattern, escape="\\"),
                col(OutboxRow.idempotency_key) != keep,
                col(OutboxRow.status) == PENDING,
            )
            .values(status="superseded", claimed_until=None)
        )
        return int(getattr(result, "rowcount", 0) or 0)
