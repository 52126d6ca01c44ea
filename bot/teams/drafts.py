"""A chat draft (needs report, deviation report) kept in the dialog state between turns.

The dialog state is stored in the database (SqlStorage), so a half-filled report survives a
restart. Each feature keeps its draft under its own name, with its draft id and when it was last
touched (a draft left for a while is offered back with "fortsette?")."""

from __future__ import annotations

from typing import Any, Protocol

from bot.core.clock import Clock
from bot.teams.turn import Turn


class Session(Protocol):
    def to_dict(self) -> dict[str, Any]: ...


class DraftState:
    def __init__(self, conversation_state: Any, name: str, clock: Clock) -> None:
        self._property = conversation_state.create_property(name)
        self._clock = clock

    async def load(self, turn: Turn) -> dict[str, Any] | None:
        """{"session", "draft_id", "updated_at"}, or None when no draft is in progress."""
        stored = await self._property.get(turn.context)
        return stored if isinstance(stored, dict) and stored.get("session") else None

    async def save(self, turn: Turn, session: Session, draft_id: str) -> None:
        await self._property.set(
            turn.context,
            {
                "session": session.to_dict(),
                "draft_id": draft_id,
                "updated_at": self._clock.now().isoformat(),
            },
        )

    async def clear(self, turn: Turn) -> None:
        await self._property.delete(turn.context)
