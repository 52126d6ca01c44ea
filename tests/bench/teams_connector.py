"""A fake Bot Connector that enforces Teams' limits and injects faults, for the fan-out.

Per conversation: 7 sends in 1 s, 8 in 2 s, 60 in 30 s, 1 800 in an hour; per app: a
configurable number per second (sliding windows). Past a limit it answers 429 with
Retry-After (seconds until the window has room) and the request does not count. Of the requests
within the limits, `fault_rate` get an injected 429 (Retry-After: 1) or 503, half each; they
count against the windows like any request Teams receives. Every accepted activity is counted
by the notice key in its text/summary, so loss and duplicates are seen from the receiving end.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import time
from collections import Counter, defaultdict, deque
from dataclasses import dataclass

from aiohttp import web

from tests.bench.servers import Site, start_site

KEY = re.compile(r"bench-notice-\d+")
PER_CONVERSATION = ((1.0, 7), (2.0, 8), (30.0, 60), (3600.0, 1800))


@dataclass(frozen=True)
class Limits:
    global_per_second: int
    fault_rate: float = 0.05
    seed: int = 9


def _room(window: deque[float], now: float, seconds: float, limit: int) -> float:
    """0 when one more request fits in the last `seconds`, else the seconds until it does."""
    inside = [t for t in window if t > now - seconds]  # windows are short or small
    if len(inside) < limit:
        return 0.0
    return inside[-limit] + seconds - now


class TeamsConnector:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._rng = random.Random(limits.seed)
        self._global: deque[float] = deque()
        self._conversations: defaultdict[str, deque[float]] = defaultdict(deque)
        self._ids = itertools.count(1)
        self._site: Site | None = None
        self.delivered: Counter[str] = Counter()
        self.delivery_times: list[float] = []
        self.request_times: list[float] = []  # every request within the limits
        self.throttled: Counter[str] = Counter()  # limit 429s by which limit
        self.injected: Counter[int] = Counter()
        self.unkeyed = 0

    @property
    def url(self) -> str:
        assert self._site is not None
        return self._site.url

    async def start(self) -> TeamsConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._activity)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._activity)
        self._site = await start_site(app)
        return self

    async def close(self) -> None:
        if self._site is not None:
            await self._site.close()

    def _throttle(self, conversation: str, now: float) -> web.Response | None:
        window = self._conversations[conversation]
        while window and window[0] <= now - 3600:
            window.popleft()
        for seconds, limit in PER_CONVERSATION:
            wait = _room(window, now, seconds, limit)
            if wait > 0:
                return self._too_many(f"conversation {limit}/{seconds:g}s", wait)
        while self._global and self._global[0] <= now - 1.0:
            self._global.popleft()
        if len(self._global) >= self.limits.global_per_second:
            return self._too_many("app per second", self._global[0] + 1.0 - now)
        window.append(now)
        self._global.append(now)
        return None

    def _too_many(self, which: str, wait: float) -> web.Response:
        self.throttled[which] += 1
        return web.json_response(
            {"error": {"code": "Throttled", "message": f"{which} limit"}},
            status=429,
            headers={"Retry-After": str(max(1, math.ceil(wait)))},
        )

    async def _activity(self, request: web.Request) -> web.Response:
        now = time.monotonic()
        body = json.loads(await request.read())
        refused = self._throttle(request.match_info["cid"], now)
        if refused is not None:
            return refused
        self.request_times.append(now)
        if self._rng.random() < self.limits.fault_rate:
            status = 429 if self._rng.random() < 0.5 else 503
            self.injected[status] += 1
            headers = {"Retry-After": "1"} if status == 429 else {}
            return web.json_response(
                {"error": {"code": "Injected", "message": "fault injected by the fake"}},
                status=status,
                headers=headers,
            )
        found = KEY.search(f"{body.get('summary') or ''} {body.get('text') or ''}")
        if found:
            self.delivered[found.group(0)] += 1
            self.delivery_times.append(now)
        else:
            self.unkeyed += 1
        return web.json_response({"id": f"act-{next(self._ids)}"}, status=201)
