"""Start the real app on a free port against a real database, and talk to it like Teams does."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp.test_utils import TestServer
from sqlalchemy import text

from bot.app import ADAPTER_KEY, RECENT_REFERENCES_KEY, UOW_KEY, WORKER_KEY, create_app
from bot.settings import DatabaseSettings, Environment, Settings, WorkerSettings
from integrations.db.engine import create_engine
from integrations.db.migrate import upgrade


@dataclass(frozen=True)
class Database:
    url: str
    schema: str = ""

    @property
    def is_postgres(self) -> bool:
        return self.url.startswith("postgresql")


def postgres_url() -> str | None:
    return os.environ.get("TEST_DATABASE_URL") or None


async def create_database(tmp_path: Any) -> Database:
    """A migrated, empty database: SQLite in tmp_path, or a fresh PostgreSQL schema."""
    pg = postgres_url()
    if pg:
        database = Database(pg, f"t_{uuid.uuid4().hex[:12]}")
    else:
        database = Database(f"sqlite+aiosqlite:///{tmp_path}/innkjop-test.db")
    upgrade(database.url, database.schema)
    return database


async def drop_database(database: Database) -> None:
    if database.is_postgres and database.schema:
        engine = create_engine(database.url)
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{database.schema}" CASCADE'))
        await engine.dispose()


def make_settings(database: Database, **changes: Any) -> Settings:
    worker = WorkerSettings(
        poll_interval_seconds=0.02,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.5,
        global_rate_per_second=1000,
        conversation_rate_per_second=1000,
        conversation_burst=1000,
    )
    values: dict[str, Any] = {
        "env": Environment.TEST,
        "db": DatabaseSettings(url=database.url, schema_name=database.schema),
        "worker": worker,
    }
    values.update(changes)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


class BotHttpClient:
    """Talks to a running bot like Teams does: activities in, JSON out."""

    url: str
    session: aiohttp.ClientSession | None

    async def post(
        self, activity: dict[str, Any] | bytes | str, *, headers: dict[str, str] | None = None
    ) -> tuple[int, Any]:
        assert self.session is not None
        send_headers = {"Content-Type": "application/json"}
        send_headers.update(headers or {})
        data = activity if isinstance(activity, bytes | str) else None
        async with self.session.post(
            f"{self.url}/api/messages",
            json=None if data is not None else activity,
            data=data,
            headers=send_headers,
        ) as response:
            try:
                body = await response.json(content_type=None)
            except (aiohttp.ContentTypeError, ValueError):
                body = await response.text()
            return response.status, body

    async def get(self, path: str) -> tuple[int, Any]:
        assert self.session is not None
        async with self.session.get(
            f"{self.url}{path}", timeout=aiohttp.ClientTimeout(total=10)
        ) as response:
            if response.content_type == "application/json":
                return response.status, await response.json()
            return response.status, await response.text()


class BotHarness(BotHttpClient):
    """One running app instance. `restart()` builds a new instance on the same database."""

    def __init__(self, settings: Settings, overrides: dict[str, Any] | None = None) -> None:
        self.settings = settings
        self.overrides = overrides or {}
        self.server: TestServer | None = None
        self.session: aiohttp.ClientSession | None = None

    async def start(self) -> BotHarness:
        self.app = create_app(self.settings, overrides=self.overrides)
        self.server = TestServer(self.app, host="127.0.0.1")
        await self.server.start_server()
        self.session = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
        if self.server is not None:
            await self.server.close()
            self.server = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    @property
    def worker(self) -> Any:
        return self.app[WORKER_KEY]

    @property
    def adapter(self) -> Any:
        return self.app[ADAPTER_KEY]

    @property
    def recent_references(self) -> Any:
        """What the app's own outbox worker tells when a conversation is gone."""
        return self.app[RECENT_REFERENCES_KEY]

    @property
    def uow(self) -> Any:
        return self.app[UOW_KEY]
