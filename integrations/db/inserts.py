"""Insert-if-absent in one statement, for rows whose unique key makes a second insert a no-op."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel


async def insert_if_absent(session: AsyncSession, row: SQLModel, *, unique: Sequence[str]) -> bool:
    """Insert `row` unless a row with the same `unique` columns exists; True when inserted.

    `INSERT ... ON CONFLICT DO NOTHING RETURNING id` replaces a look-up, a savepoint, the insert
    and the release: one round trip inside the writer's transaction instead of four.
    """
    table = type(row).__table__  # type: ignore[attr-defined]
    values = {
        column.name: getattr(row, column.key)
        for column in table.columns
        if not (column.primary_key and getattr(row, column.key) is None)
    }
    bind = session.bind
    assert bind is not None, "the session factory is bound to an engine"
    statement = _statement(table, bind.dialect.name, tuple(unique))
    return (await session.execute(statement, values)).first() is not None


@cache
def _statement(table: Table, dialect: str, unique: tuple[str, ...]) -> Any:
    # Built once per table: building a statement costs more CPU than running it on SQLite.
    dialect_insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return (
        dialect_insert(table)
        .on_conflict_do_nothing(index_elements=list(unique))
        .returning(*table.primary_key.columns)
    )
