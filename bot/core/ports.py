"""Ports: what the core needs from the outside world, as Protocols (adapters: integrations/)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, Self

from bot.core.domain.deviation_records import DeviationCase, DeviationCount
from bot.core.domain.records import (
    AuditEntry,
    CardCopy,
    ConversationRef,
    DigestSubscriber,
    NeedCase,
    NewOutboxMessage,
    OutboxMessage,
    OutboxStats,
)
from bot.core.domain.rooms import RoomMember, RoomSaga


class ConversationRepository(Protocol):
    async def upsert(self, ref: ConversationRef, *, now: datetime) -> None:
        """Store or refresh a reference; a new message makes an unreachable one reachable again."""
        ...

    async def get(self, ref_key: str) -> ConversationRef | None: ...

    async def mark_unreachable(self, ref_key: str, error: str, *, now: datetime) -> None: ...


class OutboxRepository(Protocol):
    async def add(self, message: NewOutboxMessage, *, now: datetime) -> bool:
        """Queue a message; False when one with the same idempotency key exists already."""
        ...

    async def claim_due(
        self, *, now: datetime, limit: int, worker_id: str, lease_seconds: float
    ) -> list[OutboxMessage]:
        """Claim due messages for this worker; safe when several workers claim at once."""
        ...

    async def mark_sent(
        self, message_id: int, *, now: datetime, activity_id: str | None
    ) -> None: ...

    async def reschedule(
        self, message_id: int, *, next_attempt_at: datetime, error: str
    ) -> None: ...

    async def wake_updates_of(self, idempotency_key: str, *, now: datetime) -> int:
        """Make the pending edits of this message due now (it has just been sent)."""
        ...

    async def redirect(self, message_id: int, *, recipient: str, payload: dict[str, Any]) -> None:
        """Send this message to `recipient` with `payload` instead (due now)."""
        ...

    async def defer(self, message_ids: list[int], *, until: datetime) -> None:
        """Hand claimed messages back unsent, due at `until`; not a failed attempt."""
        ...

    async def mark_dead(self, message_id: int, *, status: str, error: str) -> None:
        """Stop trying: `unreachable` (recipient gone) or `failed` (gave up)."""
        ...

    async def stats(self, *, now: datetime) -> OutboxStats: ...

    async def wake(self, recipient: str, *, now: datetime) -> int:
        """Make the recipient's waiting messages due now (they just became reachable)."""
        ...

    async def get(self, message_id: int) -> OutboxMessage | None: ...

    async def get_by_key(self, idempotency_key: str) -> OutboxMessage | None: ...

    async def supersede(self, key_prefix: str, *, keep: str) -> int:
        """Retire pending messages whose key starts with `key_prefix` (except `keep`)."""
        ...


class AuditRepository(Protocol):
    async def append(
        self,
        *,
        at: datetime,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, Any],
        on_behalf_of: str | None = None,
    ) -> AuditEntry: ...

    async def all(self) -> Sequence[AuditEntry]: ...


class CaseNumberRepository(Protocol):
    async def next_number(self, prefix: str, year: int) -> str:
        """`ANS-2026-0042`: unique even when many people file at once."""
        ...


class NeedRepository(Protocol):
    async def add(self, case: NeedCase) -> NeedCase: ...

    async def get(self, case_number: str) -> NeedCase | None: ...

    async def list_for_requester(self, requester_id: str, *, limit: int = 20) -> list[NeedCase]: ...

    async def count_for_requester(self, requester_id: str) -> int:
        """How many cases the person has filed ("mine saker" says how many it leaves out)."""
        ...

    async def get_by_draft(self, requester_id: str, draft_id: str) -> NeedCase | None:
        """The case filed from this chat draft, if any (filing is idempotent per draft)."""
        ...

    async def update_if_version(
        self, case_number: str, expected_version: int, **changes: Any
    ) -> bool:
        """Apply `changes` and bump the version, only if the version is still `expected_version`
        (`UPDATE ... WHERE version = :v`); False when someone else changed the case first."""
        ...

    async def list_for_approvers(
        self, approver_ids: Sequence[str], statuses: Sequence[str], *, limit: int = 20
    ) -> list[NeedCase]:
        """Cases in `statuses` waiting for one of `approver_ids` ("mine godkjenninger")."""
        ...

    async def list_by_status(
        self,
        statuses: Sequence[str],
        *,
        requester_id: str | None = None,
        updated_before: datetime | None = None,
        limit: int = 100,
    ) -> list[NeedCase]: ...


class CardCopyRepository(Protocol):
    async def add(self, copy: CardCopy, *, now: datetime) -> bool:
        """Remember where a card was posted; False when that copy is known already."""
        ...

    async def list_for(self, case_number: str, purpose: str) -> list[CardCopy]: ...


class PreferenceRepository(Protocol):
    async def set_daily_digest(
        self, person_id: str, *, tenant_id: str, on: bool, now: datetime
    ) -> None: ...

    async def wants_daily_digest(self, person_id: str) -> bool: ...

    async def digest_subscribers(self) -> list[DigestSubscriber]: ...


class DeviationRepository(Protocol):
    async def add(self, case: DeviationCase) -> DeviationCase: ...

    async def get(self, case_number: str) -> DeviationCase | None: ...

    async def get_by_draft(self, reporter_id: str, draft_id: str) -> DeviationCase | None:
        """The deviation filed from this chat draft, if any (filing is idempotent per draft)."""
        ...

    async def update_if_version(
        self, case_number: str, expected_version: int, **changes: Any
    ) -> bool:
        """Like NeedRepository.update_if_version: False when someone changed it first."""
        ...

    async def mark(self, case_number: str, **marks: Any) -> None:
        """`escalated_at` / `reminded_for`, without a version bump (cards stay valid)."""
        ...

    async def list_by_state(
        self, states: Sequence[str], *, limit: int = 500
    ) -> list[DeviationCase]: ...

    async def list_for_reporter(
        self, reporter_id: str, *, limit: int = 20
    ) -> list[DeviationCase]: ...

    async def count_for_reporter(self, reporter_id: str) -> int:
        """How many deviations the person has reported (for "mine saker")."""
        ...

    async def counts_for_contracts(self, numbers: Sequence[str]) -> list[DeviationCount]: ...

    async def count_for_contract(self, contract_number: str) -> int:
        """Every deviation ever reported on the contract (open and closed)."""
        ...


class RoomRepository(Protocol):
    """The stored room sagas (one per case)."""

    async def add(self, saga: RoomSaga, *, now: datetime) -> bool:
        """Store a new saga; False when the case has one already (accepting twice is one room)."""
        ...

    async def get(self, case_number: str) -> RoomSaga | None: ...

    async def claim_due(
        self, *, now: datetime, limit: int, worker_id: str, lease_seconds: float
    ) -> list[RoomSaga]:
        """Claim due sagas for this worker (a lease), safe when several workers claim at once."""
        ...

    async def find_by_place(
        self, *, channel_id: str | None = None, team_id: str | None = None
    ) -> RoomSaga | None:
        """The saga whose room is this channel (or, in team mode, this team)."""
        ...

    async def save(self, saga: RoomSaga, *, now: datetime, release: bool = False) -> bool:
        """Store the saga if its version is still `saga.version` (bumping it); `release` ends
        this worker's lease. False when someone else changed it first."""
        ...


class UnitOfWork(Protocol):
    """One transaction: `async with uow: ...; await uow.commit()`; no commit means rollback."""

    # Read-only properties, so adapters may expose their own (more specific) repository types.
    @property
    def conversations(self) -> ConversationRepository: ...
    @property
    def outbox(self) -> OutboxRepository: ...
    @property
    def audit(self) -> AuditRepository: ...
    @property
    def case_numbers(self) -> CaseNumberRepository: ...
    @property
    def needs(self) -> NeedRepository: ...
    @property
    def card_copies(self) -> CardCopyRepository: ...
    @property
    def preferences(self) -> PreferenceRepository: ...
    @property
    def deviations(self) -> DeviationRepository: ...
    @property
    def rooms(self) -> RoomRepository: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork:
        """A transaction that may write (on SQLite: one at a time)."""
        ...

    def read(self) -> UnitOfWork:
        """A transaction that only reads: a consistent snapshot that never waits for a writer.
        It cannot commit; use it where nothing is written (views, lookups before a decision)."""
        ...


class AppInstaller(Protocol):
    async def install_for(self, person_id: str) -> bool:
        """Install our Teams app for this person, so the bot gets a chat with them. True when
        it is installed (now or before); False when it cannot be (no permission, no user)."""
        ...


class MessageSender(Protocol):
    """Delivers one proactive message to a stored conversation (Bot Connector in production)."""

    async def send(self, ref: ConversationRef, payload: dict[str, Any]) -> str | None:
        """Send or update; returns the activity id. Raises DeliveryFailed."""
        ...


class NeedCards(Protocol):
    """Renders a case's approval and triage cards (the Teams layer implements it with cards/).

    `view` of the approval card: `approver`, `requester`, `readonly` or `decided` (chosen by
    the caller); `notice` is a short text shown on top (a refused or stale click).
    """

    async def approval_card(
        self,
        case: NeedCase,
        *,
        view: str,
        lang: str,
        refresh_user_ids: Sequence[str] = (),
        notice: str | None = None,
    ) -> dict[str, Any]: ...

    async def triage_card(
        self, case: NeedCase, *, lang: str, notice: str | None = None, readonly: bool = False
    ) -> dict[str, Any]:
        """The triage card; `readonly` leaves out the buttons (a refused click)."""
        ...


@dataclass(frozen=True)
class CreatedTeam:
    """What `POST /teams` answered (202): the new team's id and its async operation's id."""

    team_id: str
    operation_id: str | None


@dataclass(frozen=True)
class OperationState:
    """A `teamsAsyncOperation`: `notStarted`, `inProgress`, `succeeded` or `failed`."""

    status: str
    team_id: str | None = None
    error: str = ""


@dataclass(frozen=True)
class RoomChannel:
    id: str
    name: str
    web_url: str = ""


class Rooms(Protocol):
    """Teams and channels for collaboration rooms (Microsoft Graph in production).

    Every method raises `bot.core.domain.rooms.RoomError` when Graph fails, classified
    (throttled, transient, uncertain, not_found, permanent).
    """

    async def find_team(self, name_prefix: str, *, unprovisioned: bool = False) -> str | None:
        """The id of a provisioned team whose name starts with `name_prefix`, if any;
        `unprovisioned`: also a group whose team is still being provisioned."""
        ...

    async def create_team(
        self, *, name: str, description: str, owner_id: str, private: bool
    ) -> CreatedTeam:
        """Start creating a team (one attempt, never retried inside: a retried POST can make
        two teams)."""
        ...

    async def operation(self, team_id: str, operation_id: str) -> OperationState: ...

    async def team_web_url(self, team_id: str) -> str:
        """The team's link; `not_found` while a new team has not replicated."""
        ...

    async def channels(self, team_id: str) -> list[RoomChannel]: ...

    async def create_channel(
        self, team_id: str, *, name: str, description: str, private: bool, owner_id: str
    ) -> RoomChannel: ...

    async def member_ids(self, team_id: str, channel_id: str | None = None) -> set[str]:
        """Entra ids of the team's members (or the private channel's, with `channel_id`)."""
        ...

    async def add_member(
        self, team_id: str, member: RoomMember, channel_id: str | None = None
    ) -> None: ...

    async def install_app(self, team_id: str, app_id: str) -> None:
        """Install our Teams app in the team (so the bot can post there); installed = fine."""
        ...
