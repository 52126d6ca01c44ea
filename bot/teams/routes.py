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


# Column sizes of what we store from every activity (integrations/db/tables.py).
_ID_LIMITS = {"conversation.id": 300, "from.aadObjectId": 64, "tenant": 64, "serviceUrl": 500}


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _tenant_id(channel_data: Any) -> Any:
    tenant = channel_data.get("tenant") if isinstance(channel_data, dict) else None
    return tenant.get("id") if isinstance(tenant, dict) else None


def _unfit_fields(body: dict[str, Any]) -> str | None:
    """Why an activity cannot be stored safely, or None. Checked before the SDK sees it."""
    channel_data = body.get("channelData")
    if channel_data is not None:
        if not isinstance(channel_data, dict):
            return "channelData is not an object"
        tenant = channel_data.get("tenant")
        if tenant is not None and not (
            isinstance(tenant, dict) and isinstance(tenant.get("id", ""), str)
        ):
            return "channelData.tenant is not an object"
    conversation = _object(body.get("conversation"))
    sender = _object(body.get("from"))
    values = {
        "conversation.id": conversation.get("id"),
        "from.aadObjectId": sender.get("aadObjectId"),
        "tenant": _tenant_id(channel_data),
        "serviceUrl": body.get("serviceUrl"),
    }
    for name, value in values.items():
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > _ID_LIMITS[name] or "\x00" in value:
            return f"{name} is not a valid id"
    return None


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
        # botbuilder's ConversationState raises TypeError on an activity without channelId
        # (found by the fuzz test); Teams always sends "msteams"
        if activity.conversation is None or not activity.service_url or not activity.channel_id:
            return _bad_request("activity lacks conversation, serviceUrl or channelId")
        problem = _unfit_fields(body)
        if problem:
            return _bad_request(problem)
        if allowed_tenants and tenant_id_of(activity) not in allowed_tenants:
            log.warning(
                "refused activity from tenant %r (not in ALLOWED_TENANTS)", tenant_id_of(activity)
            )
            return web.json_response({"error": {"code": "Forbidden"}}, status=403)
        if force_locale:
            activity.locale = force_locale  # e.g. the playground, which always says en-US
        elif (
            not isinstance(activity.locale, str)
            or len(activity.locale) > 20
            or "\x00" in activity.locale
        ):
            activity.locale = None  # unreadable: bokmål
        auth_header = request.headers.get("Authorization", "")
        try:
            invoke_response = await adapter.process_activity(auth_header, activity, logic)
        except PermissionError:
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        except Exception as error:
            # Turn errors are handled by on_turn_error inside process_activity, so what escapes
            # here comes from authentication: botbuilder raises IndexError for an unknown key id
            # and a bare Exception for a disallowed algorithm. A forged token is a 401, not a 500.
            if anonymous:
                raise
            log.warning("refused a request whose token failed validation: %s", type(error).__name__)
            return web.json_response({"error": {"code": "Unauthorized"}}, status=401)
        if invoke_response is None:
            return web.Response(status=201)
        return web.json_response(
            _serialize_body(invoke_response.body), status=invoke_response.status or 200
        )

    return messages
