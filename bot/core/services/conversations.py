"""Use cases around conversation references and proactive notices."""

from __future__ import annotations

from typing import Any

from bot.core.clock import Clock
from bot.core.domain.records import ConversationRef, NewOutboxMessage
from bot.core.ports import UnitOfWork


async def remember_conversation(ref: ConversationRef, *, uow: UnitOfWork, clock: Clock) -> None:
    """Store or refresh where we can reach this person or channel later."""
    async with uow:
        await uow.conversations.upsert(ref, now=clock.now())
        await uow.outbox.wake(ref.ref_key, now=clock.now())
        await uow.commit()


async def queue_notice(
    uow: UnitOfWork,
    *,
    recipient: str,
    idempotency_key: str,
    clock: Clock,
    text: str | None = None,
    card: dict[str, Any] | None = None,
    update_of: str | None = None,
    update_of_message: str | None = None,
) -> bool:
    """Queue a proactive message inside the caller's transaction (the caller commits).

    This is the only way to send proactively: the notice is committed together with the state
    change that caused it, so neither exists without the other.

    `update_of` edits a Teams activity in place; `update_of_message` edits the activity that
    the outbox message with that idempotency key posted (the worker resolves it once that one
    is sent, and waits until then).
    """
    payload: dict[str, Any] = {"text": text, "card": card}
    if update_of:
        payload["update_of"] = update_of
    if update_of_message:
        payload["update_of_message"] = update_of_message
    return await uow.outbox.add(
        NewOutboxMessage(idempotency_key=idempotency_key, recipient=recipient, payload=payload),
        now=clock.now(),
    )
