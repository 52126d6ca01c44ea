"""Cards that are edited in place: post a copy and remember it, or queue an edit of a copy.

Every feature whose card changes after it was sent (approvals, triage, deviations, contract
reminders, option approvals) posts through `post_copy` and edits through `queue_copy_edit`, so
the outbox keys and the superseding of stale edits work the same everywhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from bot.core.clock import Clock
from bot.core.domain.records import CardCopy
from bot.core.ports import UnitOfWork
from bot.core.services.conversations import queue_notice


async def post_copy(
    uow: UnitOfWork,
    clock: Clock,
    *,
    subject: str,
    purpose: str,
    recipient: str,
    view: str,
    key: str,
    card: dict[str, Any],
    text: str | None = None,
) -> bool:
    """Queue a new copy of a card and remember it, so later changes can edit it in place.
    True when the notice was queued now (False: the same key was queued before)."""
    queued = await queue_notice(
        uow, recipient=recipient, idempotency_key=key, clock=clock, text=text, card=card
    )
    await uow.card_copies.add(
        CardCopy(
            case_number=subject,
            purpose=purpose,
            recipient=recipient,
            view=view,
            idempotency_key=key,
        ),
        now=clock.now(),
    )
    return queued


async def queue_copy_edit(
    uow: UnitOfWork, clock: Clock, copy: CardCopy, card: dict[str, Any], version: int
) -> None:
    """Queue the edit of one copy to `card` (version `version` of its subject); an older edit
    that has not gone out yet is superseded, so only the newest is sent."""
    prefix = f"{copy.idempotency_key}:update:"
    key = f"{prefix}v{version}"
    await queue_notice(
        uow,
        recipient=copy.recipient,
        idempotency_key=key,
        clock=clock,
        card=card,
        update_of_message=copy.idempotency_key,
    )
    await uow.outbox.supersede(prefix, keep=key)


# --- prepared before the transaction -------------------------------------------------------------
# Rendering cards is the costly part of a decision. On SQLite the writer's transaction is held
# by one decision at a time, so a use case can render its cards from a read snapshot first and
# queue the finished work inside a short transaction (see approvals.decide).


@dataclass(frozen=True)
class CopyPost:
    """A new copy of a card, rendered, to be queued and remembered (see `post_copy`)."""

    subject: str
    purpose: str
    recipient: str
    view: str
    key: str
    card: dict[str, Any]
    text: str | None = None


@dataclass(frozen=True)
class CopyEdit:
    """An in-place edit of a stored copy, rendered (see `queue_copy_edit`)."""

    copy: CardCopy
    card: dict[str, Any]
    version: int


@dataclass(frozen=True)
class TextNotice:
    """A plain proactive text."""

    recipient: str
    key: str
    text: str


PreparedMessage = CopyPost | CopyEdit | TextNotice


async def queue_prepared(uow: UnitOfWork, clock: Clock, work: Iterable[PreparedMessage]) -> None:
    """Queue prepared messages inside the caller's transaction, in order."""
    for item in work:
        if isinstance(item, CopyPost):
            await post_copy(
                uow,
                clock,
                subject=item.subject,
                purpose=item.purpose,
                recipient=item.recipient,
                view=item.view,
                key=item.key,
                card=item.card,
                text=item.text,
            )
        elif isinstance(item, CopyEdit):
            await queue_copy_edit(uow, clock, item.copy, item.card, item.version)
        else:
            await queue_notice(
                uow, recipient=item.recipient, idempotency_key=item.key, clock=clock, text=item.text
            )
