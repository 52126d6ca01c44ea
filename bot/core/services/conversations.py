"""Use cases around conversation references and proactive notices."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.domain.records import ConversationRef, NewOutboxMessage
from bot.core.ports import UnitOfWork


class RecentReferences:
    """The references this process stored lately, so an unchanged one is not written again on
    every message (one database transaction less per turn). An entry lasts `ttl`; the outbox
    forgets one when Teams says the conversation is gone, so the next message stores it again."""

    def __init__(self, ttl: timedelta = timedelta(minutes=5), max_entries: int = 10_000) -> None:
        self._ttl = ttl
        self._max = max_entries
        self._seen: dict[str, tuple[str, datetime]] = {}

    @staticmethod
    def _fingerprint(ref: ConversationRef) -> str:
        return json.dumps([ref.reference, ref.locale, ref.aad_object_id], sort_keys=True)

    def unchanged(self, ref: ConversationRef, now: datetime) -> bool:
        seen = self._seen.get(ref.ref_key)
        return seen is not None and seen[1] > now - self._ttl and seen[0] == self._fingerprint(ref)

    def note(self, ref: ConversationRef, now: datetime) -> None:
        if len(self._seen) >= self._max:
            self._seen.clear()  # bounded memory; the cost is one write per person again
        self._seen[ref.ref_key] = (self._fingerprint(ref), now)

    def forget(self, ref_key: str) -> None:
        self._seen.pop(ref_key, None)


async def remember_conversation(
    ref: ConversationRef,
    *,
    uow: UnitOfWork,
    clock: Clock,
    recent: RecentReferences | None = None,
) -> None:
    """Store or refresh where we can reach this person or channel later (and deliver what waits
    for them). With `recent`, a reference this process stored unchanged a moment ago is skipped."""
    now = clock.now()
    if recent is not None and recent.unchanged(ref, now):
        return
    async with uow:
        await uow.conversations.upsert(ref, now=now)
        await uow.outbox.wake(ref.ref_key, now=now)
        await uow.commit()
    if recent is not None:
        recent.note(ref, now)


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
    patient_until: datetime | None = None,
) -> bool:
    """Queue a proactive message inside the caller's transaction (the caller commits).

    This is the only way to send proactively: the notice is committed together with the state
    change that caused it, so neither exists without the other.

    `update_of` edits a Teams activity in place; `update_of_message` edits the activity that
    the outbox message with that idempotency key posted (the worker resolves it once that one
    is sent, and waits until then).

    `patient_until`: for a conversation that has only just been made (a new team's channel),
    Teams may answer 403/404 for a while; until then those are retried like a 503 instead of
    marking the conversation unreachable.
    """
    payload: dict[str, Any] = {"text": text, "card": card}
    if update_of:
        payload["update_of"] = update_of
    if update_of_message:
        payload["update_of_message"] = update_of_message
    if patient_until is not None:
        payload["patient_until"] = patient_until.isoformat()
    return await uow.outbox.add(
        NewOutboxMessage(idempotency_key=idempotency_key, recipient=recipient, payload=payload),
        now=clock.now(),
    )
