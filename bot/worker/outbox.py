"""Outbox delivery: claim due messages, send them within Teams' limits, retry, never drop.

- 412/429/5xx and network errors: retried with exponential backoff and jitter, honouring
  `Retry-After`; there is no last attempt, a notice waits as long as it must (capped backoff).
- 403/404 (bot removed, conversation gone): the recipient is marked unreachable and the message
  is parked as `unreachable` instead of being retried forever.
- Claims are leases, so a worker killed mid-send leaves its rows to the next one (at-least-once).
- An edit of an earlier message (`payload["update_of_message"]` = that message's idempotency
  key) waits until the earlier one is sent, then goes out as an update of its activity id; when
  the earlier one can never be sent, the edit is parked as `skipped`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.core.domain.errors import DeliveryFailed
from bot.core.domain.records import OutboxMessage
from bot.core.ports import MessageSender, UnitOfWorkFactory
from bot.settings import WorkerSettings
from bot.worker.ratelimit import SendLimiter
from bot.worker.unreached import UnreachedRecipients

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0
# A conversation held back longer than this by its own Teams limit hands the rest of its messages
# back to the queue instead of holding up the batch (the other conversations' sends).
DEFER_AFTER_SECONDS = 0.5
BATCHES_IN_FLIGHT = 2
_NEVER_SENT = frozenset({"unreachable", "failed", "skipped", "superseded"})


class OutboxWorker:
    def __init__(
        self,
        *,
        uow: UnitOfWorkFactory,
        sender: MessageSender,
        clock: Clock,
        settings: WorkerSettings,
        worker_id: str | None = None,
        rng: random.Random | None = None,
        on_result: Callable[[str], None] | None = None,
        unreached: UnreachedRecipients | None = None,
        on_unreachable: Callable[[str], None] | None = None,
    ) -> None:
        self._uow = uow
        self._sender = sender
        self._clock = clock
        self._settings = settings
        self.worker_id = worker_id or uuid.uuid4().hex[:12]
        self._rng = rng or random.Random()
        self._limiter = SendLimiter(
            global_rate=settings.global_rate_per_second,
            per_conversation_rate=settings.conversation_rate_per_second,
            burst=settings.conversation_burst,
        )
        self.results: Counter[str] = Counter()
        self._unreached = unreached
        self._on_unreachable = on_unreachable
        self._lanes: dict[str, asyncio.Lock] = {}
        self._lane_users: Counter[str] = Counter()
        self._on_result = on_result

    def _count(self, result: str) -> None:
        self.results[result] += 1
        if self._on_result is not None:
            self._on_result(result)

    def backoff(self, attempts: int, retry_after: float | None) -> float:
        base = self._settings.backoff_base_seconds * (2 ** max(0, attempts))
        delay = float(min(self._settings.backoff_max_seconds, base) * self._rng.uniform(0.8, 1.2))
        if retry_after is not None:
            delay = max(delay, retry_after) if attempts > 0 else max(retry_after, 0.0)
        return delay

    async def run_once(self) -> int:
        """Claim one batch and deliver it; returns how many messages were handled."""
        batch = await self._claim()
        if batch:
            await self._deliver_batch(batch)
        return len(batch)

    async def _claim(self) -> list[OutboxMessage]:
        async with self._uow() as uow:
            batch = await uow.outbox.claim_due(
                now=self._clock.now(),
                limit=self._settings.batch_size,
                worker_id=self.worker_id,
                lease_seconds=LEASE_SECONDS,
            )
            await uow.commit()
        return batch

    async def _deliver_batch(self, batch: list[OutboxMessage]) -> None:
        # Different conversations in parallel; one conversation in order.
        by_recipient: dict[str, list[OutboxMessage]] = {}
        for message in batch:
            by_recipient.setdefault(message.recipient, []).append(message)
        await asyncio.gather(*(self._lane(r, msgs) for r, msgs in by_recipient.items()))

    async def _lane(self, recipient: str, messages: list[OutboxMessage]) -> None:
        """One conversation's messages, never two at once for it, even across batches in flight
        (asyncio locks are FIFO, and batches are claimed in queue order)."""
        lock = self._lanes.setdefault(recipient, asyncio.Lock())
        self._lane_users[recipient] += 1
        try:
            async with lock:
                await self._deliver_all(messages)
        finally:
            self._lane_users[recipient] -= 1
            if self._lane_users[recipient] == 0:
                del self._lane_users[recipient], self._lanes[recipient]

    async def _deliver_all(self, messages: list[OutboxMessage]) -> None:
        for index, message in enumerate(messages):
            now = self._clock.now()
            wait = self._limiter.conversation_wait(message.recipient, now.timestamp())
            if wait > DEFER_AFTER_SECONDS:
                # Same due time for all of them (rounded up to 10 ms, so a later batch's
                # deferral lands on the same instant): claim_due orders by (due, id).
                until = now + timedelta(seconds=math.ceil(wait * 100) / 100)
                async with self._uow() as uow:
                    await uow.outbox.defer([m.id for m in messages[index:]], until=until)
                    await uow.commit()
                return
            await self._deliver(message)

    async def _deliver(self, message: OutboxMessage) -> None:
        resolved = await self._resolve_update(message)
        if resolved is None:
            return
        payload, target = resolved
        async with self._uow.read() as uow:
            ref = await uow.conversations.get(target)
        if ref is None:
            await self._unreached_recipient(message)
            return
        if ref.unreachable:
            await self._park(message, "unreachable", ref.last_error or "recipient unreachable")
            return
        await self._wait_for_slot(target)
        try:
            activity_id = await self._sender.send(ref, payload)
        except DeliveryFailed as error:
            await self._handle_failure(message, error)
            return
        except Exception as error:  # network trouble and the unexpected: retry, never drop
            log.exception("unexpected error delivering outbox %s", message.id)
            await self._handle_failure(message, DeliveryFailed(repr(error)[:300]))
            return
        async with self._uow() as uow:
            now = self._clock.now()
            await uow.outbox.mark_sent(message.id, now=now, activity_id=activity_id)
            # Edits of this card that came while it waited (a person without a chat, a card
            # redirected to the channel) go now instead of after their backoff.
            await uow.outbox.wake_updates_of(message.idempotency_key, now=now)
            await uow.commit()
        self._count("sent")

    async def _unreached_recipient(self, message: OutboxMessage) -> None:
        """Nobody to send to yet (the person has not installed the bot): get them a chat, or
        post in the channel with an @mention; meanwhile keep trying, and deliver at once when
        they first write (see remember_conversation)."""
        redirect = await self._unreached.plan(message) if self._unreached else None
        if redirect is None:
            await self._handle_failure(
                message, DeliveryFailed("no conversation with recipient yet")
            )
            return
        async with self._uow() as uow:
            await uow.outbox.redirect(
                message.id, recipient=redirect.recipient, payload=redirect.payload
            )
            await uow.commit()
        self._count("redirected")

    async def _resolve_update(self, message: OutboxMessage) -> tuple[dict[str, Any], str] | None:
        """The payload to send and where, with `update_of_message` resolved to the original's
        activity id (an edit goes where the original went, which may have been redirected);
        None when the message was rescheduled or parked instead."""
        original_key = message.payload.get("update_of_message")
        if not original_key:
            return message.payload, message.recipient
        async with self._uow.read() as uow:
            original = await uow.outbox.get_by_key(str(original_key))
        if original is None or original.status in _NEVER_SENT:
            await self._park(message, "skipped", f"original {original_key} was never delivered")
            return None
        if original.status != "sent" or not original.activity_id:
            await self._handle_failure(
                message, DeliveryFailed(f"original {original_key} not sent yet")
            )
            return None
        payload = {k: v for k, v in message.payload.items() if k != "update_of_message"}
        payload["update_of"] = original.activity_id
        return payload, original.recipient

    async def _wait_for_slot(self, recipient: str) -> None:
        while True:
            slot = self._limiter.reserve(recipient, self._clock.now().timestamp())
            if slot.wait > 0:
                await self._clock.sleep(slot.wait)
            if slot.reserved:
                break
        while (wait := self._limiter.admit(self._clock.now().timestamp())) > 0:
            await self._clock.sleep(wait)

    async def _handle_failure(self, message: OutboxMessage, error: DeliveryFailed) -> None:
        if error.unreachable and self._still_patient(message):
            error = DeliveryFailed(error.detail, status=error.status)  # not ready yet: retry
        if error.unreachable:
            async with self._uow() as uow:
                await uow.conversations.mark_unreachable(
                    message.recipient, error.detail, now=self._clock.now()
                )
                await uow.outbox.mark_dead(message.id, status="unreachable", error=error.detail)
                await uow.commit()
            self._count("unreachable")
            if self._on_unreachable is not None:
                self._on_unreachable(message.recipient)
            log.warning("recipient %s unreachable (%s)", message.recipient, error.status)
            return
        if error.permanent:
            await self._park(message, "failed", error.detail)
            return
        delay = self.backoff(message.attempts, error.retry_after)
        async with self._uow() as uow:
            await uow.outbox.reschedule(
                message.id,
                next_attempt_at=self._clock.now() + timedelta(seconds=delay),
                error=f"{error.status or ''} {error.detail}".strip(),
            )
            await uow.commit()
        self._count("retried")
        if message.attempts + 1 >= self._settings.max_attempts:
            log.error("outbox %s still undelivered after %d attempts", message.id, message.attempts)

    def _still_patient(self, message: OutboxMessage) -> bool:
        raw = message.payload.get("patient_until")
        try:
            until = datetime.fromisoformat(str(raw)) if raw else None
        except ValueError:
            return False
        return until is not None and self._clock.now() < until

    async def _park(self, message: OutboxMessage, status: str, reason: str) -> None:
        async with self._uow() as uow:
            await uow.outbox.mark_dead(message.id, status=status, error=reason)
            await uow.commit()
        self._count(status)

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Poll until `stop` is set; database trouble pauses the loop, it never ends it.

        Up to BATCHES_IN_FLIGHT batches are delivered at once, so the next batch is under way
        while the last sends of the previous one finish, and the send rate stays at the limit.
        """
        in_flight: set[asyncio.Task[None]] = set()
        while not stop.is_set():
            try:
                while len(in_flight) < BATCHES_IN_FLIGHT:
                    batch = await self._claim()
                    if not batch:
                        break
                    in_flight.add(asyncio.create_task(self._deliver_batch(batch)))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox loop error; retrying shortly")
            if in_flight:
                done, in_flight = await asyncio.wait(
                    in_flight,
                    timeout=self._settings.poll_interval_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in done:
                    if task.exception() is not None:
                        log.error("outbox batch failed", exc_info=task.exception())
                continue
            try:
                await asyncio.wait_for(stop.wait(), timeout=self._settings.poll_interval_seconds)
            except TimeoutError:
                pass
        if in_flight:
            await asyncio.gather(*in_flight, return_exceptions=True)
