"""Key/value documents with eTags: the SQL side of bot/teams/storage.py's botbuilder Storage."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlmodel import col

from bot.core.domain.errors import Conflict
from integrations.db.engine import reader_of, writer_gate
from integrations.db.tables import DialogStateRow


class SqlDialogStateStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(reader_of(engine), expire_on_commit=False)
        self._gate = writer_gate(engine)

    @asynccontextmanager
    async def _gated(self) -> AsyncIterator[AsyncSession]:
        await self._gate.acquire()
        try:
            async with self._sessions() as session:
                yield session
        finally:
            self._gate.release()

    async def read(self, keys: Iterable[str]) -> dict[str, tuple[dict[str, Any], str]]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        async with self._read_sessions() as session:  # a snapshot: no need to wait for writers
            rows = (
                await session.scalars(
                    select(DialogStateRow).where(col(DialogStateRow.key).in_(wanted))
                )
            ).all()
            found = {row.key: (json.loads(row.data), row.etag) for row in rows}
            await session.rollback()
        return found

    async def write(self, items: dict[str, tuple[dict[str, Any], str | None]]) -> dict[str, str]:
        """Write documents; an expected eTag other than None/`*` must match the stored one.

        All items are written in one transaction: a conflict on one leaves every key unchanged.
        """
        new_etags: dict[str, str] = {}
        now = datetime.now(UTC)
        async with self._gated() as session:
            for key, (data, expected) in items.items():
                etag = uuid.uuid4().hex
                body = json.dumps(data, ensure_ascii=False, default=str)
                if expected in (None, "*"):
                    await _upsert(session, key, body, etag, now)
                else:
                    result = await session.execute(
                        update(DialogStateRow)
                        .where(col(DialogStateRow.key) == key, col(DialogStateRow.etag) == expected)
                        .values(data=body, etag=etag, updated_at=now)
                    )
                    if getattr(result, "rowcount", 0) == 0:
                        exists = await session.get(DialogStateRow, key)
                        if exists is not None:
                            await session.rollback()
                            raise Conflict(f"eTag conflict on {key!r}")
                        await _upsert(session, key, body, etag, now)
                new_etags[key] = etag
            await session.commit()
        return new_etags

    async def delete(self, keys: Iterable[str]) -> None:
        wanted = list(keys)
        if not wanted:
            return
        async with self._gated() as session:
            await session.execute(delete(DialogStateRow).where(col(DialogStateRow.key).in_(wanted)))
            await session.commit()


async def _upsert(session: AsyncSession, key: str, body: str, etag: str, now: datetime) -> None:
    row = await session.get(DialogStateRow, key)
    if row is None:
        try:
            async with session.begin_nested():
                session.add(DialogStateRow(key=key, data=body, etag=etag, updated_at=now))
            return
        except IntegrityError:
            row = await session.get(DialogStateRow, key)
            assert row is not None
    row.data = body
    row.etag = etag
    row.updated_at = now
