"""`POST /api/messages`: validate the request, run the turn, answer like the Bot Service expects.

Invoke responses are serialized here exactly once. botbuilder 4.17.1's aiohttp CloudAdapter
serializes an already-serialized body again and answers every invoke with HTTP 500
(platform.md §2.6), so we call `process_activity` ourselves instead of `CloudAdapter.process`.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from botbuilder.core import TurnContext
from botbuilder.schema import Activity
from msrest.exceptions import DeserializationError
from msrest.serialization import Model

from bot.teams.activity import tenant_id_of
from bot.teams.adapter import InnkjopAdapter

log = logging.getLogger(__name__)

TurnLogic = Callable[[TurnContext], Awaitable[None]]


def is_loopback(remote: str | None) -> bool:
    if not remote:
        return False
    try:
        return ipaddress.ip_address(remote).is_loopback
    except ValueError:
        return False


def _serialize_body(body: Any) -> Any:
    if isinstance(body, Model):
        return body.serialize()
    return body


def _bad_request(reason: str) -> web.Response:
    return web.json_response({"error": {"code": "BadRequest", "message": reason}}, status=400)


def make_messages_handler(
    adapter: InnkjopAdapter,
    logic: TurnLogic,
    *,
    anonymous: bool,
    allowed_tenants: frozenset[str],
    force_locale: str = "",
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def messages(request: web.Request) -> web.StreamResponse:
        if anonymous and not is_loopback(request.remote):
            # Without an app id nothing authenticates the caller: serve this machine only.
            log.warning("refused anonymous request from %s", request.remote)
            return web.json_response({"error": {"code": "Forbidden"}}, status=403)
        if "application/json" not in request.headers.get("Content-Type", ""):
            return web.json_response({"error": {"code": "UnsupportedMediaType"}}, status=415)
        raw = await request.read()  # raises 413 past client_max_size
        try:
            body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _bad_request("body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("type"), str):
            return _bad_request("body is not an activity")
        try:
            activity = Activity().deserialize(body)
        except (DeserializationError, TypeError, ValueError, AttributeError):
            return _bad_request("activity could not be read")
        if activity.conversation is None or not activity.service_url:
            return _bad_request("activity lacks conversation or serviceUrl")
        if allowed_tenants and tenant_id_of(activity) not in allowed_tenants:
            log.warning(
                "refused activity from tenant %r (not in ALLOWED_TENANTS)", tenant_id_of(activity)
            )
            return web.json_response({"error": {"code": "Forbidden"}}, status=403)
        if force_locale:
            activity.locale = force_locale  # e.g. the playground, which always says en-US
        auth_header = request.headers.get("Authorization", "")
        try:
            invoke_response = await adapter.process_activity(auth_header, activity, logic)
        except PermissionError:
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        except Exception as error:
            # A malformed or forged token surfaces as a JWT error from botbuilder.
            if type(error).__module__.startswith("jwt"):
                return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
            raise
        if invoke_response is None:
            return web.Response(status=201)
        return web.json_response(
            _serialize_body(invoke_response.body), status=invoke_response.status or 200
        )

    return messages
