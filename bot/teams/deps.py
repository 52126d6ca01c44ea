"""What feature handlers in the Teams layer may use, built once by the composition root."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field

from botbuilder.core import ConversationState

from bot.core.clock import Clock
from bot.core.domain.directory import Directory
from bot.core.ports import UnitOfWorkFactory
from bot.core.services.contracts import ContractRegister
from bot.core.services.conversations import RecentReferences
from bot.core.services.needs import NeedRules
from bot.core.services.rooms import RoomContext
from bot.settings import Settings
from bot.teams.turn import Turn

# An interceptor sees a message before the command router (e.g. an active dialog); True = handled.
Interceptor = Callable[[Turn], Awaitable[bool]]


@dataclass
class TeamsDeps:
    settings: Settings
    uow: UnitOfWorkFactory
    clock: Clock
    conversation_state: ConversationState
    directory: Directory
    rules: NeedRules
    # Opens the contract register in its own short transaction: `async with deps.contracts() as r`.
    contracts: Callable[[], AbstractAsyncContextManager[ContractRegister]]
    interceptors: list[Interceptor] = field(default_factory=list)
    # References stored lately, so an unchanged one is not written on every message.
    recent_references: RecentReferences = field(default_factory=RecentReferences)
    # Collaboration rooms; None when settings.rooms.mode is off.
    rooms: RoomContext | None = None
