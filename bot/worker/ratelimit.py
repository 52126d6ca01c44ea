"""Token buckets that keep proactive sends inside Teams' limits.

Per conversation Teams allows 7 sends in 1 s, 8 in 2 s, 60 in 30 s and 1 800 in an hour; per app
about 50 requests per second per tenant (platform.md §1.1). A bucket of `burst` tokens refilled at
`rate` per second, per conversation, plus one global bucket, stays under all of them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class TokenBucket:
    rate: float
    burst: float
    tokens: float
    updated: float

    def wait_time(self, now: float) -> float:
        """Seconds until a token is free (0 = take it now). Takes the token when free."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1 - 1e-9:  # float refill can land a hair below a whole token
            self.tokens = max(0.0, self.tokens - 1)
            return 0.0
        # At least a millisecond: a clock with microsecond resolution must be able to move.
        return max(0.001, (1 - self.tokens) / self.rate)


class SendLimiter:
    def __init__(self, *, global_rate: float, per_conversation_rate: float, burst: int) -> None:
        self._global_rate = global_rate
        self._conv_rate = per_conversation_rate
        self._burst = burst
        self._global: TokenBucket | None = None
        self._conversations: dict[str, TokenBucket] = {}

    def reserve(self, conversation: str, now: float) -> float:
        """How long to wait before sending to `conversation`; 0 means go (tokens are taken)."""
        if self._global is None:
            self._global = TokenBucket(self._global_rate, max(1.0, self._global_rate), 1.0, now)
        bucket = self._conversations.get(conversation)
        if bucket is None:
            if len(self._conversations) > 50_000:  # forget idle conversations, bounded memory
                self._conversations.clear()
            bucket = TokenBucket(self._conv_rate, float(self._burst), float(self._burst), now)
            self._conversations[conversation] = bucket
        wait = bucket.wait_time(now)
        if wait > 0:
            return wait
        global_wait = self._global.wait_time(now)
        if global_wait > 0:
            bucket.tokens += 1  # give the conversation's token back; we did not send
            return global_wait
        return 0.0
