"""The contract register on SQL: upsert, fuzzy search, expiry lists, reminder bookkeeping."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Literal, Protocol

from rapidfuzz import fuzz, utils
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from bot.core.domain.contracts import Contract, OptionPeriod, ReminderDue
from bot.core.domain.dates import add_months
from bot.core.domain.reminder_actions import CLOSING
from integrations.db.contract_tables import ContractReminderRow, ContractRow

UpsertOutcome = Literal["added", "changed", "unchanged"]
_CANDIDATES = 500  # rows fetched by LIKE before ranking with rapidfuzz
_MIN_SCORE = 60.0


def content_hash(contract: Contract) -> str:
    """SHA-256 of the contract's fields: equal hashes mean a re-import changes nothing."""
    data = json.dumps(asdict(contract), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _search_text(contract: Contract) -> str:
    return f"{contract.number} {contract.title} {contract.supplier}".casefold()


def _options_json(options: tuple[OptionPeriod, ...]) -> str:
    return json.dumps(
        [
            {
                "number": o.number,
                "end_date": o.end_date.isoformat(),
                "notice_deadline": o.notice_deadline.isoformat(),
                "exercised": o.exercised,
            }
            for o in options
        ]
    )


def _options_of(text: str) -> tuple[OptionPeriod, ...]:
    return tuple(
        OptionPeriod(
            number=int(o["number"]),
            end_date=date.fromisoformat(o["end_date"]),
            notice_deadline=date.fromisoformat(o["notice_deadline"]),
            exercised=bool(o.get("exercised", False)),
        )
        for o in json.loads(text)
    )


def _to_record(row: ContractRow) -> Contract:
    return Contract(
        number=row.number,
        title=row.title,
        supplier=row.supplier,
        org_number=row.org_number,
        start_date=row.start_date,
        end_date=row.end_date,
        options=_options_of(row.options),
        manager_email=row.manager_email,
        service_area=row.service_area,
        contract_type=row.contract_type,
        estimated_value=row.estimated_value,
        max_value=row.max_value,
        consumed_value=row.consumed_value,
    )


def _fields(contract: Contract) -> dict[str, Any]:
    return {
        "title": contract.title,
        "supplier": contract.supplier,
        "org_number": contract.org_number,
        "start_date": contract.start_date,
        "end_date": contract.end_date,
        "final_end_date": contract.final_end_date,
        "options": _options_json(contract.options),
        "manager_email": contract.manager_email,
        "service_area": contract.service_area,
        "contract_type": contract.contract_type,
        "estimated_value": contract.estimated_value,
        "max_value": contract.max_value,
        "consumed_value": contract.consumed_value,
        "search_text": _search_text(contract),
        "content_hash": content_hash(contract),
    }


def _like(token: str) -> str:
    escaped = re.sub(r"([\\%_])", r"\\\1", token)
    return f"%{escaped}%"


class SqlContractRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upsert(
        self, contract: Contract, now: datetime, *, next_reminder_on: date | None
    ) -> UpsertOutcome:
        """Add or update by contract number. `next_reminder_on` is stored for a new or changed
        contract (see first_scan_date); an unchanged one keeps what the scan set."""
        fields = _fields(contract)
        row = await self._session.scalar(
            select(ContractRow).where(col(ContractRow.number) == contract.number)
        )
        if row is None:
            self._session.add(
                ContractRow(
                    number=contract.number,
                    next_reminder_on=next_reminder_on,
                    created_at=now,
                    updated_at=now,
                    **fields,
                )
            )
            await self._session.flush()
            return "added"
        if row.content_hash == fields["content_hash"]:
            return "unchanged"
        for name, value in fields.items():
            setattr(row, name, value)
        row.next_reminder_on = next_reminder_on
        row.updated_at = now
        await self._session.flush()
        return "changed"

    async def get(self, number: str) -> Contract | None:
        row = await self._session.scalar(
            select(ContractRow).where(col(ContractRow.number) == number)
        )
        return _to_record(row) if row else None

    async def search(self, query: str, limit: int = 10) -> list[Contract]:
        """Fuzzy search over number, title and supplier: LIKE finds candidates (any word's first
        three letters, so a typo later in the word still matches), rapidfuzz ranks them."""
        q = " ".join(query.casefold().split())
        if not q:
            return []
        tokens = {word[:3] for word in re.findall(r"\w+", q) if word}
        if not tokens:
            return []
        rows = (
            await self._session.scalars(
                select(ContractRow)
                .where(
                    or_(*(col(ContractRow.search_text).like(_like(t), escape="\\") for t in tokens))
                )
                .order_by(col(ContractRow.number))
                .limit(_CANDIDATES)
            )
        ).all()
        scored: list[tuple[float, str, ContractRow]] = []
        for row in rows:
            if row.number.casefold() == q:
                score = 200.0
            else:
                score = max(
                    fuzz.WRatio(q, row.supplier, processor=utils.default_process),
                    fuzz.WRatio(q, row.title, processor=utils.default_process),
                    fuzz.WRatio(q, row.number, processor=utils.default_process),
                )
            if score >= _MIN_SCORE:
                scored.append((score, row.number, row))
        scored.sort(key=lambda item: (-item[0], item[1]))
        return [_to_record(row) for _, _, row in scored[:limit]]

    async def expiring(
        self, service_area: str | None, within_months: int, today: date
    ) -> list[Contract]:
        """Contracts whose final end date is between today and `within_months` from now."""
        stmt = select(ContractRow).where(
            col(ContractRow.final_end_date) >= today,
            col(ContractRow.final_end_date) <= add_months(today, within_months),
        )
        if service_area is not None:
            stmt = stmt.where(col(ContractRow.service_area) == service_area)
        stmt = stmt.order_by(col(ContractRow.final_end_date), col(ContractRow.number))
        return [_to_record(row) for row in (await self._session.scalars(stmt)).all()]

    async def due_for_reminders(self, as_of: date, limit: int) -> list[Contract]:
        """Contracts the scan must look at (`next_reminder_on <= as_of`, on its index). On
        PostgreSQL rows another scan holds are skipped; SQLite serializes writers anyway."""
        rows = (
            await self._session.scalars(
                select(ContractRow)
                .where(col(ContractRow.next_reminder_on) <= as_of)
                .order_by(col(ContractRow.next_reminder_on), col(ContractRow.number))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).all()
        return [_to_record(row) for row in rows]

    async def record_reminder(self, due: ReminderDue, now: datetime) -> bool:
        """Insert the reminder; False when it exists (UNIQUE contract, milestone, lead). A
        concurrent scan's insert waits for ours to commit and then does nothing."""
        values = {
            "contract_number": due.contract_number,
            "milestone": due.milestone,
            "lead": due.lead,
            "escalation": due.escalation,
            "due_on": due.due_on,
            "deadline": due.deadline,
            "queued_at": now,
            "status": "pending",
            "version": 1,
        }
        keys = ["contract_number", "milestone", "lead"]
        table = ContractReminderRow.__table__  # type: ignore[attr-defined]
        if self._session.get_bind().dialect.name == "postgresql":
            pg = postgresql.insert(table).values(**values)
            stmt: Any = pg.on_conflict_do_nothing(index_elements=keys)
        else:
            lite = sqlite.insert(table).values(**values)
            stmt = lite.on_conflict_do_nothing(index_elements=keys)
        inserted = await self._session.scalar(stmt.returning(table.c.id))
        return inserted is not None

    async def set_next_reminder(self, number: str, next_on: date | None) -> None:
        await self._session.execute(
            update(ContractRow)
            .where(col(ContractRow.number) == number)
            .values(next_reminder_on=next_on)
        )

    async def closed_milestones(self, number: str) -> set[str]:
        """Milestones let expire or with the option exercised: the scan skips them."""
        rows = await self._session.scalars(
            select(col(ContractReminderRow.milestone)).where(
                col(ContractReminderRow.contract_number) == number,
                col(ContractReminderRow.status).in_(sorted(CLOSING)),
            )
        )
        return set(rows.all())

    async def reminders_for(self, number: str) -> list[ReminderDue]:
        """Reminders recorded for a contract, in the order they were due."""
        rows = (
            await self._session.scalars(
                select(ContractReminderRow)
                .where(col(ContractReminderRow.contract_number) == number)
                .order_by(col(ContractReminderRow.due_on), col(ContractReminderRow.id))
            )
        ).all()
        return [
            ReminderDue(
                contract_number=row.contract_number,
                milestone=row.milestone,
                lead=row.lead,
                due_on=row.due_on,
                deadline=row.deadline,
                escalation=row.escalation,
            )
            for row in rows
        ]

    async def next_reminder_on(self, number: str) -> date | None:
        value: date | None = await self._session.scalar(
            select(col(ContractRow.next_reminder_on)).where(col(ContractRow.number) == number)
        )
        return value


class _HasSession(Protocol):
    @property
    def session(self) -> AsyncSession: ...


def contract_repository(uow: _HasSession) -> SqlContractRepository:
    """The register inside a unit of work (until SqlUnitOfWork has a `contracts` attribute)."""
    return SqlContractRepository(uow.session)
