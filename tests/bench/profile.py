"""How big each benchmark is: `--quick` for a smoke run, the default bounded to ~10 minutes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    name: str
    # 1. turns: each user runs `turn_cycles` cycles of five turns; `turn_rounds` alternations
    turn_users: int
    turn_cycles: int
    turn_rounds: int
    # 2. card clicks
    card_needs: int
    card_refreshes: int
    card_clickers: int
    # 3. proactive fan-out
    fanout_notices: int
    fanout_recipients: int
    fanout_hot_recipients: int  # each gets a burst of HOT_BURST notices in a row
    fanout_global_rate: float  # the fake connector's per-app limit (requests per second)
    # 4. reminder scan
    sqlite_sizes: tuple[int, ...]
    pg_sizes: tuple[int, ...]
    # 5. memory
    memory_conversations: int
    due_contracts: int = 100
    scan_repeats: int = 3


QUICK = Profile(
    name="quick",
    turn_users=10,
    turn_cycles=2,
    turn_rounds=1,
    card_needs=3,
    card_refreshes=100,
    card_clickers=5,
    fanout_notices=400,
    fanout_recipients=100,
    fanout_hot_recipients=4,
    fanout_global_rate=50.0,
    sqlite_sizes=(10_000, 100_000),
    pg_sizes=(),
    memory_conversations=30,
)

FULL = Profile(
    name="full",
    turn_users=20,
    turn_cycles=10,
    turn_rounds=2,
    card_needs=20,
    card_refreshes=1_000,
    card_clickers=10,
    fanout_notices=10_000,
    fanout_recipients=2_000,
    fanout_hot_recipients=20,
    fanout_global_rate=50.0,
    sqlite_sizes=(10_000, 100_000),
    pg_sizes=(10_000, 100_000, 1_000_000),
    memory_conversations=200,
)
