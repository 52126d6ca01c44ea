"""Contract register rows for the reminder scan, bulk-inserted (executemany on SQLite, COPY on
PostgreSQL). A fixed set of contracts is due on the scan date; every other row is not due yet
or never again, so what is due stays constant while the register grows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.domain.contracts import Contract
from bot.core.domain.dates import add_months
from integrations.db.contract_tables import ContractRow

AS_OF = date(2027, 1, 4)
NOW = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
COLUMNS = (
    "number",
    "title",
    "supplier",
    "org_number",
    "start_date",
    "end_date",
    "final_end_date",
    "options",
    "manager_email",
    "service_area",
    "contract_type",
    "estimated_value",
    "max_value",
    "search_text",
    "content_hash",
    "next_reminder_on",
    "created_at",
    "updated_at",
)
_AREAS = ("Oppvekst og utdanning", "Helse og mestring", "Samfunnsutvikling", "Kultur")


def due_number(index: int) -> str:
    return f"AV-DUE-{index:04d}"


def row(number: str, end: date, next_on: date | None, n: int) -> tuple[Any, ...]:
    title = f"Rammeavtale {n % 977} for {_AREAS[n % 4].lower()}"
    supplier = f"Leverandør {n % 5003} AS"
    return (
        number,
        title,
        supplier,
        "974760673",
        date(2023, 1, 1),
        end,
        end,
        "[]",
        "avtaleforvalter@kommune.no",
        _AREAS[n % 4],
        "tjeneste",
        100_000 + n % 9_000_000,
        None,
        f"{number} {title} {supplier}".casefold(),
        f"{n:064x}",
        next_on,
        NOW,
        NOW,
    )


def due_rows(count: int) -> list[tuple[Any, ...]]:
    """Expiring in exactly 12 months: the 12-month expiry reminder is due on AS_OF."""
    end = add_months(AS_OF, 12)
    return [row(due_number(i), end, AS_OF, i) for i in range(count)]


def other_rows(start: int, count: int) -> Iterator[tuple[Any, ...]]:
    """A fifth already expired (nothing left to remind), the rest due from tomorrow on."""
    for n in range(start, start + count):
        if n % 5 == 0:
            yield row(f"AV-{n:07d}", date(2025, 6, 30), None, n)
        else:
            next_on = AS_OF + timedelta(days=1 + n % 1500)
            yield row(f"AV-{n:07d}", add_months(next_on, 12), next_on, n)


def due_contract(index: int) -> Contract:
    return Contract(
        number=due_number(index),
        title="",
        supplier="",
        org_number="",
        start_date=date(2023, 1, 1),
        end_date=add_months(AS_OF, 12),
    )


async def insert_rows(
    engine: AsyncEngine, rows: Iterator[tuple[Any, ...]] | list[tuple[Any, ...]], schema: str
) -> None:
    """Bulk insert: COPY through asyncpg on PostgreSQL, executemany in chunks on SQLite."""
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver: Any = raw.driver_connection
            await driver.copy_records_to_table(
                "contract", records=list(rows), columns=list(COLUMNS), schema_name=schema
            )
            await conn.commit()
        return
    table = ContractRow.__table__  # type: ignore[attr-defined]
    chunk: list[dict[str, Any]] = []
    async with engine.begin() as conn:
        for values in rows:
            chunk.append(dict(zip(COLUMNS, values, strict=True)))
            if len(chunk) == 20_000:
                await conn.execute(insert(table), chunk)
                chunk = []
        if chunk:
            await conn.execute(insert(table), chunk)
