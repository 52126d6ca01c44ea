"""Audit use cases: record a decision or state change, and verify the whole chain."""

from __future__ import annotations

from typing import Any

from bot.core.clock import Clock
from bot.core.domain.audit import verify_chain
from bot.core.ports import UnitOfWork, UnitOfWorkFactory


async def record(
    uow: UnitOfWork,
    *,
    clock: Clock,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    on_behalf_of: str | None = None,
) -> None:
    """Append inside the caller's transaction (the caller commits with its state change)."""
    await uow.audit.append(
        at=clock.now(),
        actor=actor,
        action=action,
        subject=subject,
        details=details or {},
        on_behalf_of=on_behalf_of,
    )


async def verify(uow_factory: UnitOfWorkFactory) -> tuple[int, list[str]]:
    """Return (rows checked, problems); no problems means nobody edited or deleted a row."""
    async with uow_factory.read() as uow:
        entries = list(await uow.audit.all())
    return len(entries), verify_chain(entries)
