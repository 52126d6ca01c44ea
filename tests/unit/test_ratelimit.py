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
        slot = limiter.reserve(conversation, now)
        if slot.reserved:
            now += slot.wait
            sent += now < start + seconds
        else:
            assert slot.wait >= 0.001, "a wait too small for a microsecond clock would spin"
            now += slot.wait
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
        slot = limiter.reserve(f"user-{n}", now)
        now += slot.wait
        if slot.reserved and now < 10.0:
            sent += 1
            n += 1
    assert 380 <= sent <= 401


def test_high_rates_never_return_a_wait_a_clock_cannot_represent():
    limiter = SendLimiter(global_rate=1000, per_conversation_rate=1000, burst=1000)
    assert _sends_within(limiter, "a", 0.1) >= 90


def test_no_one_second_window_gets_more_than_the_global_rate_after_a_pause():
    limiter = SendLimiter(global_rate=49, per_conversation_rate=1000, burst=1000)
    now, sends, n = 0.0, [], 0
    while now < 5.0:
        if 2.0 < now < 3.0:
            now = 3.0  # a pause: a full bucket afterwards would let a burst through
        slot = limiter.reserve(f"user-{n}", now)
        now += slot.wait
        if slot.reserved:
            sends.append(now)
            n += 1
    worst = max(sum(1 for s in sends if start <= s < start + 1.0) for start in sends)
    assert worst <= 50


def test_conversation_wait_takes_nothing():
    limiter = SendLimiter(global_rate=1000, per_conversation_rate=0.5, burst=1)
    assert limiter.conversation_wait("a", 0.0) == 0
    assert limiter.conversation_wait("a", 0.0) == 0
    assert limiter.reserve("a", 0.0).reserved
    assert limiter.conversation_wait("a", 0.0) == pytest.approx(2.0)


def test_late_senders_never_put_more_than_the_rate_in_one_second():
    limiter = SendLimiter(global_rate=49, per_conversation_rate=1000, burst=1000)
    # 200 senders reserve slots; every third wakes 80 ms late (a busy event loop)
    slots = []
    for n in range(200):
        slot = limiter.reserve(f"user-{n}", 0.0)
        slots.append(slot.wait + (0.08 if n % 3 == 0 else 0.0))
    sent = []
    for wake in sorted(slots):
        now = wake
        while (wait := limiter.admit(now)) > 0:
            now += wait
        sent.append(now)
    worst = max(sum(1 for s in sent if start <= s < start + 1.0) for start in sent)
    assert worst <= 49
    assert len(sent) == 200 and sent[-1] < 200 / 49 + 0.2, "and hardly any slower"
