"""Token buckets that keep proactive sends inside Teams' limits.

Per conversation Teams allows 7 sends in 1 s, 8 in 2 s, 60 in 30 s and 1 800 in an hour; per app
about 50 requests per second per tenant (platform.md §1.1). A bucket of `burst` tokens refilled at
`rate` per second, per conversation, plus one global bucket, stays under all of them.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass


@dataclass
class TokenBucket:
    rate: float
    burst: float
    tokens: float
    updated: float

    def wait_time(self, now: float) -> float:
        """Seconds until a token is free (0 = take it now). Takes the token when free."""
        self._refill(now)
        if self.tokens >= 1 - 1e-9:  # float refill can land a hair below a whole token
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        # At least a millisecond: a clock with microsecond resolution must be able to move.
        return max(0.001, (1 - self.tokens) / self.rate)

    def peek(self, now: float) -> float:
        """Seconds until a token is free, taking nothing."""
        self._refill(now)
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate

    def _refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now


@dataclass(frozen=True)
class SendSlot:
    """`reserved`: the send may go in `wait` seconds (its tokens are taken). Otherwise the
    conversation's own limit holds it: ask again in `wait` seconds (nothing taken)."""

    reserved: bool
    wait: float


class SendLimiter:
    def __init__(self, *, global_rate: float, per_conversation_rate: float, burst: int) -> None:
        self._global_rate = global_rate
        self._conv_rate = per_conversation_rate
        self._burst = burst
        self._next_global_slot: float | None = None
        self._conversations: dict[str, TokenBucket] = {}
        # when the last sends actually went out (one second's worth), see `admit`
        self._sent: deque[float] = deque()
        self._per_second = max(1, math.floor(global_rate))

    def reserve(self, conversation: str, now: float) -> SendSlot:
        """Reserve the next send to `conversation`.

        The per-app limit hands out evenly spaced slots in time order (1/rate apart, never
        bunched after a pause), so every one-second window stays within the rate however late
        the senders wake up, and no capacity is lost to the race of waiting senders.
        """
        bucket = self._bucket(conversation, now)
        wait = bucket.wait_time(now)
        if wait > 0:
            return SendSlot(reserved=False, wait=wait)
        slot = max(now, self._next_global_slot if self._next_global_slot is not None else now)
        self._next_global_slot = slot + 1.0 / self._global_rate
        return SendSlot(reserved=True, wait=slot - now)

    def admit(self, now: float) -> float:
        """The last check before a send goes out: 0 (and the send is counted) when fewer than
        `rate` sends went out in the last second, else how long until one drops out.

        Slots are evenly spaced, but senders wake late by different amounts on a busy machine;
        without this, a late one and an on-time one could land in the same second as a full
        second's worth of others (Teams answers 429 to the extra)."""
        while self._sent and self._sent[0] <= now - 1.0:
            self._sent.popleft()
        if len(self._sent) >= self._per_second:
            return max(0.001, self._sent[0] + 1.0 - now)
        self._sent.append(now)
        return 0.0

    def conversation_wait(self, conversation: str, now: float) -> float:
        """How long this conversation's own limit holds the next send back (takes nothing)."""
        return self._bucket(conversation, now).peek(now)

    def _bucket(self, conversation: str, now: float) -> TokenBucket:
        bucket = self._conversations.get(conversation)
        if bucket is None:
            if len(self._conversations) > 50_000:  # forget idle conversations, bounded memory
                self._conversations.clear()
            bucket = TokenBucket(self._conv_rate, float(self._burst), float(self._burst), now)
            self._conversations[conversation] = bucket
        return bucket
