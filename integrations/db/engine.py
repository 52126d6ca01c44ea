"""Async engine for SQLite (WAL, busy timeout, one writer at a time) and PostgreSQL (asyncpg)."""

from __future__ import annotations

import asyncio
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine.url import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

READ_ONLY_OPTION = "innkjop_read_only"


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, *, schema: str = "", echo: bool = False) -> AsyncEngine:
    """Build the engine; on PostgreSQL `schema` becomes the search path (tests use a fresh one)."""
    kwargs: dict[str, Any] = {"echo": echo, "pool_pre_ping": not is_sqlite(url)}
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"timeout": 30}
    elif schema:
        kwargs["connect_args"] = {"server_settings": {"search_path": schema}}
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            # A reader: WAL gives it a snapshot that neither waits for nor blocks the writer.
            conn.exec_driver_sql("BEGIN")
            return
        # One writer at a time, taken up front: no lock upgrades that fail with SQLITE_BUSY, and
        # read-modify-write sequences (audit chain, outbox claims) are serialized.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def reader_of(engine: AsyncEngine) -> AsyncEngine:
    """The same engine and pool, for transactions that only read (no writer lock on SQLite)."""
    return engine.execution_options(**{READ_ONLY_OPTION: True})


class WriterGate:
    """Queues SQLite transactions inside the process.

    SQLite allows one writer; a second `BEGIN IMMEDIATE` waits in SQLite's busy handler, which
    polls with growing sleeps and turned concurrent turns into multi-second tails (make bench).
    An asyncio lock hands the database over the moment it is free. PostgreSQL needs no gate.
    """

    def __init__(self, enabled: bool) -> None:
        self._enabled = enabled
        self._lock: asyncio.Lock | None = None
        self._owner: asyncio.Task[Any] | None = None

    async def acquire(self) -> None:
        if not self._enabled:
            return
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            # A unit of work opened inside another on SQLite would wait for itself forever.
            raise RuntimeError("nested database transaction in one task (SQLite would deadlock)")
        if self._lock is None:
            self._lock = asyncio.Lock()
        await self._lock.acquire()
        self._owner = task

    def release(self) -> None:
        if not self._enabled or self._lock is None:
            return
        self._owner = None
        self._lock.release()


_GATES: weakref.WeakKeyDictionary[Any, WriterGate] = weakref.WeakKeyDictionary()


def writer_gate(engine: AsyncEngine) -> WriterGate:
    """The engine's gate (one per engine, created on first use)."""
    gate = _GATES.get(engine.sync_engine)
    if gate is None:
        gate = WriterGate(enabled=engine.dialect.name == "sqlite")
        _GATES[engine.sync_engine] = gate
    return gate
