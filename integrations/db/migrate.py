"""Alembic from code: `upgrade()` for `python -m bot migrate`, `is_at_head()` for /readyz."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str, schema: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    config.attributes["schema"] = schema
    return config


def upgrade(url: str, schema: str = "", revision: str = "head") -> None:
    """Apply migrations (synchronously; alembic's env runs its own event loop)."""
    command.upgrade(alembic_config(url, schema), revision)


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()


async def is_at_head(engine: AsyncEngine) -> bool:
    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        current = await connection.run_sync(_current)
    return current is not None and current == head_revision()
