"""What the room use cases need: settings as the core sees them, the card renderer, the ports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.core.domain import rooms as saga_rules
from bot.core.domain.directory import Directory
from bot.core.domain.records import NeedCase
from bot.core.domain.rooms import RetryPolicy, RoomSaga
from bot.core.ports import Rooms, UnitOfWorkFactory


class RoomCards(Protocol):
    """Renders the room's cards (the Teams layer implements it with cards/)."""

    async def welcome_card(self, case: NeedCase, saga: RoomSaga, *, lang: str) -> dict[str, Any]:
        """The welcome card posted in the room."""
        ...

    async def failed_card(
        self,
        case: NeedCase,
        saga: RoomSaga,
        *,
        lang: str,
        retrying: bool = False,
        notice: str | None = None,
    ) -> dict[str, Any]:
        """The advisor's card when the room could not be made, with "Prøv igjen" (or, with
        `retrying`, the same saying it is being tried again)."""
        ...


@dataclass(frozen=True)
class RoomConfig:
    """settings.rooms, as the core needs it."""

    mode: saga_rules.Mode
    private: bool = True
    team_id: str = ""  # channel mode
    channels: tuple[str, ...] = ()
    teams_app_id: str = ""
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    # longer than a step can take with the SDK's retries (3 × Retry-After below 180 s)
    lease_seconds: float = 900.0
    batch_size: int = 10


@dataclass(frozen=True)
class RoomContext:
    uow: UnitOfWorkFactory
    clock: Clock
    config: RoomConfig
    cards: RoomCards
    directory_of: Callable[[], Directory]
    # None until the Graph client is built inside the running loop (platform.md §7.2.1)
    rooms_of: Callable[[], Rooms | None]

    @property
    def directory(self) -> Directory:
        return self.directory_of()
