"""Reading Teams activities safely: who sent it, from which tenant, in which language.

botbuilder 4.17.1 maps `conversation.tenant_id` to the JSON key `tenantID` while Teams sends
`tenantId`, so the tenant is always read from `channelData.tenant.id` (platform.md §0.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity, ConversationReference

from bot.core.domain.records import ConversationRef
from bot.core.i18n import language_of


@dataclass(frozen=True)
class Sender:
    aad_object_id: str
    name: str
    mri: str  # the bot-specific `29:` id, used in refresh.userIds
    tenant_id: str
    lang: str


def tenant_id_of(activity: Activity) -> str:
    """The tenant, from channelData (where Teams puts it), then from the raw conversation."""
    data = activity.channel_data
    if isinstance(data, dict):
        tenant = data.get("tenant")
        if isinstance(tenant, dict) and isinstance(tenant.get("id"), str):
            return str(tenant["id"])
    conversation = activity.conversation
    if conversation is not None:
        value = getattr(conversation, "tenant_id", None)
        if isinstance(value, str) and value:
            return value
        extra = getattr(conversation, "additional_properties", None) or {}
        if isinstance(extra.get("tenantId"), str):
            return str(extra["tenantId"])
    return ""


def sender_of(activity: Activity) -> Sender:
    account = activity.from_property
    aad = ""
    name = ""
    mri = ""
    if account is not None:
        aad = str(getattr(account, "aad_object_id", "") or "")
        name = str(getattr(account, "name", "") or "")
        mri = str(getattr(account, "id", "") or "")
    return Sender(
        aad_object_id=aad,
        name=name,
        mri=mri,
        tenant_id=tenant_id_of(activity),
        lang=language_of(activity.locale),
    )


def conversation_type_of(activity: Activity) -> str:
    conversation = activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    return str(kind or "personal")


def channel_id_of(activity: Activity) -> str | None:
    """The Teams channel id from channelData (`channel.id`), if the activity has one."""
    data = activity.channel_data
    if isinstance(data, dict):
        channel = data.get("channel")
        if isinstance(channel, dict) and isinstance(channel.get("id"), str) and channel["id"]:
            return str(channel["id"])
    return None


def reference_of(activity: Activity) -> ConversationRef | None:
    """The conversation reference to keep for proactive messages (None if there is none)."""
    if activity.conversation is None or not activity.service_url:
        return None
    reference = TurnContext.get_conversation_reference(activity)
    data: dict[str, Any] = reference.serialize()
    tenant = tenant_id_of(activity)
    # Keep the tenant where a later create/continue needs it (the SDK drops it, see module doc).
    data.setdefault("conversation", {})["tenantId"] = tenant
    data.pop("activityId", None)
    kind = conversation_type_of(activity)
    sender = sender_of(activity)
    conversation_id = str(activity.conversation.id)
    if kind == "channel":
        # A channel message arrives in its thread (`19:…@thread.tacv2;messageid=…`); keep the
        # channel itself, so proactive posts start new threads and the key is the channel's.
        conversation_id = channel_id_of(activity) or conversation_id.split(";", 1)[0]
        data["conversation"]["id"] = conversation_id
    if kind == "personal" and sender.aad_object_id:
        key = ConversationRef.user_key(tenant, sender.aad_object_id)
    else:
        key = ConversationRef.conversation_key(conversation_id)
    return ConversationRef(
        ref_key=key,
        tenant_id=tenant,
        aad_object_id=sender.aad_object_id or None,
        conversation_id=conversation_id,
        conversation_type=kind,
        service_url=str(activity.service_url),
        reference=data,
        locale=activity.locale or "",
    )


def restore_reference(data: dict[str, Any]) -> ConversationReference:
    return ConversationReference().deserialize(data)
