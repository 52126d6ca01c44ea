"""Posting activities to a bot over HTTP, timed; `post()` has the shape NeedDriver expects."""

from __future__ import annotations

import json
import time
from typing import Any

import aiohttp


class BotClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str) -> None:
        self.session = session
        self.url = base_url.rstrip("/")

    async def post(self, activity: dict[str, Any]) -> tuple[int, Any]:
        status, body, _ = await self.timed_post(activity)
        return status, body

    async def timed_post(self, activity: dict[str, Any]) -> tuple[int, Any, float]:
        """(status, body, seconds from sending the request to reading the whole answer)."""
        started = time.perf_counter()
        async with self.session.post(
            f"{self.url}/api/messages",
            json=activity,
            headers={"Content-Type": "application/json"},
        ) as response:
            raw = await response.read()
        elapsed = time.perf_counter() - started
        body: Any = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body = raw.decode("utf-8", "replace")
        return response.status, body, elapsed


def new_session(connections: int = 100) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=120),
    )
