"""The send limiter keeps inside Teams' per-conversation limits and always lets a clock move on."""

from __future__ import annotations

import pytest

from bot.worker.ratelimit import SendLimiter

pytestmark = pytest.mark.unit


def _sends_within(
    limiter: SendLimiter, conversation: str, seconds: float, start: float = 0.0
) -> int:
    now, sent = start, 0
    while now < start + seconds:
        wait = limiter.reserve(conversation, now)
        if wait == 0:
            sent += 1
        else:
            assert wait >= 0.001, "a wait too small for a microsecond clock would spin forever"
            now += wait
    return sent


def test_per_conversation_limits_of_teams_hold():
    limiter = SendLimiter(global_rate=1000, per_conversation_rate=0.49, burst=7)
    assert _sends_within(limiter, "a", 1.0) <= 7
    limiter = SendLimiter(global_rate=1000, per_conversation_rate=0.49, burst=7)
    assert _sends_within(limiter, "a", 2.0) <= 8
    limiter = SendLimiter(global_rate=1000, per_conversation_rate=0.49, burst=7)
    assert _sends_within(limiter, "a", 30.0) <= 60
    limiter = SendLimiter(global_rate=1000, per_conversation_rate=0.49, burst=7)
    assert 1700 <= _sends_within(limiter, "a", 3600.0) <= 1800


def test_global_rate_caps_fan_out_to_many_conversations():
    limiter = SendLimiter(global_rate=40, per_conversation_rate=0.49, burst=7)
    now, sent, n = 0.0, 0, 0
    while now < 10.0:
        wait = limiter.reserve(f"user-{n}", now)
        if wait == 0:
            sent += 1
            n += 1
        else:
            now += wait
    assert 380 <= sent <= 401


def test_high_rates_never_return_a_wait_a_clock_cannot_represent():
    limiter = SendLimiter(global_rate=1000, per_conversation_rate=1000, burst=1000)
    assert _sends_within(limiter, "a", 0.1) >= 90
