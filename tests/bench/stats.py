"""Latency summaries: nearest-rank percentiles in milliseconds."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of `values`; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Latency:
    count: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        ms = [s * 1000 for s in seconds]
        return cls(
            count=len(ms),
            p50_ms=round(percentile(ms, 50), 2),
            p90_ms=round(percentile(ms, 90), 2),
            p99_ms=round(percentile(ms, 99), 2),
            mean_ms=round(statistics.fmean(ms), 2) if ms else 0.0,
            max_ms=round(max(ms), 2) if ms else 0.0,
        )

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
