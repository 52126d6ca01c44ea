"""Unit of work over one AsyncSession: rollback unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from integrations.db.audit import SqlAuditRepository
from integrations.db.conversations import SqlConversationRepository
from integrations.db.deviations import SqlDeviationRepository
from integrations.db.engine import WriterGate, reader_of, writer_gate
from integrations.db.needs import (
    SqlCardCopyRepository,
    SqlCaseNumberRepository,
    SqlNeedRepository,
)
from integrations.db.outbox import SqlOutboxRepository
from integrations.db.preferences import SqlPreferenceRepository
from integrations.db.rooms import SqlRoomRepository


class SqlUnitOfWork:
    conversations: SqlConversationRepository
    outbox: SqlOutboxRepository
    audit: SqlAuditRepository
    case_numbers: SqlCaseNumberRepository
    needs: SqlNeedRepository
    card_copies: SqlCardCopyRepository
    preferences: SqlPreferenceRepository
    deviations: SqlDeviationRepository
    rooms: SqlRoomRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        gate: WriterGate,
        *,
        read_only: bool = False,
    ) -> None:
        self._sessions = sessions
        self._gate = gate
        self._read_only = read_only
        self._session: AsyncSession | None = None

    async def __aenter__(self) -> Self:
        await self._gate.acquire()
        session = self._sessions()
        self._session = session
        self.conversations = SqlConversationRepository(session)
        self.outbox = SqlOutboxRepository(session)
        self.audit = SqlAuditRepository(session)
        self.case_numbers = SqlCaseNumberRepository(session)
        self.needs = SqlNeedRepository(session)
        self.card_copies = SqlCardCopyRepository(session)
        self.preferences = SqlPreferenceRepository(session)
        self.deviations = SqlDeviationRepository(session)
        self.rooms = SqlRoomRepository(session)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._session is not None
        try:
            await self._session.rollback()
        finally:
            try:
                await self._session.close()
            finally:
                self._session = None
                self._gate.release()

    @property
    def session(self) -> AsyncSession:
        assert self._session is not None, "use the unit of work inside `async with`"
        return self._session

    async def commit(self) -> None:
        if self._read_only:
            raise RuntimeError("a read-only unit of work cannot commit: use uow(), not uow.read()")
        await self.session.commit()

    async def rollback(self) -> None:
        await self.session.rollback()


class SqlUnitOfWorkFactory:
    """Makes a fresh unit of work per use; owns nothing but the session factories."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = async_sessionmaker(reader_of(engine), expire_on_commit=False)
        self._gate = writer_gate(engine)

    def __call__(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self._sessions, self._gate)

    def read(self) -> SqlUnitOfWork:
        # Readers skip the writer gate: on SQLite (WAL) they read a snapshot while one writer
        # works, so a card refresh never queues behind the approvals being written.
        return SqlUnitOfWork(self._read_sessions, _NO_GATE, read_only=True)


_NO_GATE = WriterGate(enabled=False)
