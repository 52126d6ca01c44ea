"""Alembic environment: async engine, URL and schema handed in by integrations.db.migrate."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection, text
from sqlmodel import SQLModel

import integrations.db.contract_tables
import integrations.db.deviation_tables
import integrations.db.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from integrations.db.engine import create_engine, is_sqlite

config = context.config
target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    url = config.attributes["url"]
    schema = config.attributes.get("schema", "")
    if not is_sqlite(url) and schema:
        bootstrap = create_engine(url)
        async with bootstrap.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        await bootstrap.dispose()
    engine = create_engine(url, schema=schema)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


def _in_fresh_loop() -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async())
        return
    # Called from inside a running loop (tests): run in a helper thread with its own loop.
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(_run_async())
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


_in_fresh_loop()
