"""A fake Bot Connector: an aiohttp server the activities' serviceUrl points to.

It records every POST/PUT under /v3/conversations/... and can be told to answer 429 (with
Retry-After), 5xx or 403 for the next requests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer


@dataclass
class Recorded:
    method: str
    path: str
    conversation_id: str
    activity_id: str | None
    body: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.body.get("text") or "")

    @property
    def cards(self) -> list[dict[str, Any]]:
        return [
            a.get("content") or {}
            for a in self.body.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    def all_text(self) -> str:
        """Every string in the activity (text and card), for loose assertions."""
        return " ".join(_strings(self.body)).replace("\u00a0", " ")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@dataclass
class _Failure:
    status: int
    retry_after: str | None
    code: str


@dataclass
class FakeConnector:
    requests: list[Recorded] = field(default_factory=list)
    failures: list[_Failure] = field(default_factory=list)
    attempts: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: TestServer | None = None
    _changed: asyncio.Condition | None = None

    def fail_next(self, count: int, status: int, *, retry_after: float | None = None) -> None:
        code = {403: "BotNotInConversationRoster", 404: "ConversationNotFound", 429: "Throttled"}
        for _ in range(count):
            self.failures.append(
                _Failure(
                    status,
                    None if retry_after is None else str(retry_after),
                    code.get(status, "ServiceError"),
                )
            )

    @property
    def url(self) -> str:
        assert self._server is not None
        return str(self._server.make_url("")).rstrip("/")

    def sent_to(self, conversation_id: str) -> list[Recorded]:
        return [r for r in self.requests if r.conversation_id == conversation_id]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> list[Recorded]:
        """Wait until `predicate(requests)` is truthy; returns the requests."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: bool(predicate(self.requests))), timeout
            )
        return self.requests

    async def wait_count(self, count: int, timeout: float = 10.0) -> list[Recorded]:
        return await self.wait_for(lambda reqs: len(reqs) >= count, timeout)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v3/conversations", self._create_conversation)
        app.router.add_post("/v3/conversations/{cid}/activities", self._activity)
        app.router.add_post("/v3/conversations/{cid}/activities/{aid}", self._activity)
        app.router.add_put("/v3/conversations/{cid}/activities/{aid}", self._activity)
        self._changed = asyncio.Condition()
        self._server = TestServer(app, host="127.0.0.1")
        await self._server.start_server()

    async def close(self) -> None:
        if self._server is not None:
            await self._server.close()

    async def _create_conversation(self, request: web.Request) -> web.Response:
        body = await request.json()
        return (
            web.json_response(
                {"id": f"a:created-{next(self._ids)}", "activityId": None}, status=201
            )
            if body is not None
            else web.json_response({}, status=400)
        )

    async def _activity(self, request: web.Request) -> web.Response:
        self.attempts += 1
        if self.failures:
            failure = self.failures.pop(0)
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else {}
            return web.json_response(
                {"error": {"code": failure.code, "message": "injected by the fake connector"}},
                status=failure.status,
                headers=headers,
            )
        body = json.loads(await request.read())
        activity_id = request.match_info.get("aid")
        new_id = (
            activity_id if request.method == "PUT" and activity_id else f"act-{next(self._ids)}"
        )
        record = Recorded(
            method=request.method,
            path=request.path,
            conversation_id=request.match_info["cid"],
            activity_id=activity_id,
            body=body,
        )
        assert self._changed is not None
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()
        return web.json_response({"id": new_id}, status=200 if request.method == "PUT" else 201)
