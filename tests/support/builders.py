"""Builders for Teams-shaped activities (the JSON Teams posts to /api/messages)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

TENANT = "9f3c2a1e-0000-4000-8000-lillestrom01"
BOT_ID = "28:innkjopsboten"
_ids = itertools.count(1)


@dataclass(frozen=True)
class User:
    aad_object_id: str
    name: str
    locale: str = "nb-NO"
    tenant: str = TENANT

    @property
    def mri(self) -> str:
        return f"29:{self.aad_object_id}"

    @property
    def personal_conversation(self) -> str:
        return f"a:personal-{self.aad_object_id}"


def _base(
    kind: str,
    user: User,
    service_url: str,
    *,
    conversation_id: str | None = None,
    conversation_type: str = "personal",
    channel_data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {"tenant": {"id": user.tenant}}
    data.update(channel_data or {})
    return {
        "type": kind,
        "id": f"f:{next(_ids)}",
        "timestamp": "2026-12-01T09:00:00.000Z",
        "localTimestamp": "2026-12-01T10:00:00.000+01:00",
        "serviceUrl": service_url.rstrip("/") + "/",
        "channelId": "msteams",
        "from": {"id": user.mri, "name": user.name, "aadObjectId": user.aad_object_id},
        "conversation": {
            "id": conversation_id or user.personal_conversation,
            "conversationType": conversation_type,
            "tenantId": user.tenant,
        },
        "recipient": {"id": BOT_ID, "name": "Innkjøpsboten"},
        "entities": [
            {"type": "clientInfo", "locale": user.locale, "country": "NO", "platform": "Web"}
        ],
        "channelData": data,
        "locale": user.locale,
    }


def make_message(user: User, text: str, service_url: str, **kw: Any) -> dict[str, Any]:
    activity = _base("message", user, service_url, **kw)
    activity["text"] = text
    activity["textFormat"] = "plain"
    return activity


def make_submit(
    user: User, value: dict[str, Any], service_url: str, *, reply_to: str = "act-1", **kw: Any
) -> dict[str, Any]:
    """An Action.Submit click: a message with `value` and no text."""
    activity = _base("message", user, service_url, **kw)
    activity["value"] = value
    activity["replyToId"] = reply_to
    return activity


def make_install(user: User, service_url: str, action: str = "add") -> dict[str, Any]:
    activity = _base("installationUpdate", user, service_url)
    activity["action"] = action
    return activity


def make_bot_added(user: User, service_url: str, **kw: Any) -> dict[str, Any]:
    activity = _base("conversationUpdate", user, service_url, **kw)
    activity["membersAdded"] = [{"id": BOT_ID}]
    return activity


def make_card_action(
    user: User,
    verb: str,
    data: dict[str, Any],
    service_url: str,
    *,
    reply_to: str = "act-1",
    trigger: str = "manual",
    **kw: Any,
) -> dict[str, Any]:
    """An Action.Execute click (invoke `adaptiveCard/action`)."""
    activity = _base("invoke", user, service_url, **kw)
    activity["name"] = "adaptiveCard/action"
    activity["replyToId"] = reply_to
    activity["value"] = {
        "action": {"type": "Action.Execute", "id": f"btn-{verb}", "verb": verb, "data": data},
        "trigger": trigger,
    }
    return activity


def make_channel_message(
    user: User, text: str, service_url: str, *, team_id: str, channel_id: str
) -> dict[str, Any]:
    return make_message(
        user,
        text,
        service_url,
        conversation_id=f"{channel_id};messageid=1",
        conversation_type="channel",
        channel_data={"team": {"id": team_id}, "channel": {"id": channel_id}},
    )


def make_group_message(user: User, text: str, service_url: str, *, chat_id: str) -> dict[str, Any]:
    return make_message(
        user, text, service_url, conversation_id=chat_id, conversation_type="groupChat"
    )


KARI = User("aad-kari", "Kari Nordmann")  # requester, oppvekst
OLA = User("aad-ola", "Ola Hansen")  # Kari's manager
EMMA = User("aad-emma", "Emma Smith", locale="en-US")
