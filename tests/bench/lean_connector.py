"""A lean fake Bot Connector for load: answers at once, counts, keeps each conversation's last
activity (so a driver can read the question it was asked), records nothing else."""

from __future__ import annotations

import itertools
import json
from collections import Counter
from typing import Any

from aiohttp import web

from tests.bench.servers import Site, start_site


class LeanConnector:
    def __init__(self) -> None:
        self.received = 0
        self.by_conversation: Counter[str] = Counter()
        self.last: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._site: Site | None = None

    @property
    def url(self) -> str:
        assert self._site is not None
        return self._site.url

    async def start(self) -> LeanConnector:
        app = web.Application()
        app.router.add_post("/v3/conversations/{cid}/activities", self._activity)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._activity)
        self._site = await start_site(app)
        return self

    async def close(self) -> None:
        if self._site is not None:
            await self._site.close()

    def last_card(self, conversation_id: str) -> dict[str, Any]:
        for attachment in (self.last.get(conversation_id) or {}).get("attachments") or []:
            content = attachment.get("content")
            if isinstance(content, dict):
                return content
        return {}

    async def _activity(self, request: web.Request) -> web.Response:
        conversation = request.match_info["cid"]
        self.last[conversation] = json.loads(await request.read())
        self.received += 1
        self.by_conversation[conversation] += 1
        return web.json_response({"id": f"act-{next(self._ids)}"}, status=201)
