"""Claiming due rows with a lease: the outbox and the room sagas share it.

A lease instead of a status flip: a worker that dies mid-step leaves its rows to the next one
when the lease ends (at-least-once; the work must be idempotent). SKIP LOCKED lets PostgreSQL
replicas claim disjoint rows; SQLite ignores it and serializes writers (BEGIN IMMEDIATE).
The table needs `id`, `status`, `next_attempt_at`, `claimed_by` and `claimed_until`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

Row = TypeVar("Row")


async def claim_due_rows(
    session: AsyncSession,
    table: type[Row],
    *,
    pending: str,
    now: datetime,
    limit: int,
    worker_id: str,
    lease_seconds: float,
) -> Sequence[Row]:
    """Lease up to `limit` rows that are due, oldest first, to `worker_id`; returns them."""
    t: Any = table
    due = (
        select(col(t.id))
        .where(col(t.status) == pending, col(t.next_attempt_at) <= now)
        .where((col(t.claimed_until).is_(None)) | (col(t.claimed_until) < now))
        .order_by(col(t.next_attempt_at), col(t.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = list((await session.scalars(due)).all())
    if not ids:
        return []
    await session.execute(
        update(t)
        .where(col(t.id).in_(ids))
        .values(claimed_by=worker_id, claimed_until=now + timedelta(seconds=lease_seconds))
    )
    rows = (await session.scalars(select(t).where(col(t.id).in_(ids)).order_by(col(t.id)))).all()
    return list(rows)
