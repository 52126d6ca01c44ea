"""An @mention of a person at the top of a card, for notices posted in a channel on their behalf.

Teams resolves `mentioned.id` given as the person's Entra object id in Adaptive Cards, so a
person the bot has never talked to can be mentioned (and notified) all the same.
"""

from __future__ import annotations

import copy
from typing import Any

from cards.text import escape_markdown


def with_mention(
    payload: dict[str, Any], *, person_id: str, name: str, lead: str
) -> dict[str, Any]:
    """`payload` ({text, card}) as a card that starts with "<at>name</at> lead"."""
    safe_name = escape_markdown(name) or person_id
    tag = f"<at>{safe_name}</at>"
    card = copy.deepcopy(payload.get("card")) or {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "body": [],
    }
    body = list(card.get("body") or [])
    lines = [f"{tag} {escape_markdown(lead)}"]
    if not payload.get("card") and payload.get("text"):
        lines.append(escape_markdown(str(payload["text"])))
    body[:0] = [{"type": "TextBlock", "text": line, "wrap": True} for line in lines]
    card["body"] = body
    msteams = dict(card.get("msteams") or {})
    entities = list(msteams.get("entities") or [])
    entities.append(
        {"type": "mention", "text": tag, "mentioned": {"id": person_id, "name": safe_name}}
    )
    msteams["entities"] = entities
    card["msteams"] = msteams
    result = {k: v for k, v in payload.items() if k not in ("card", "text")}
    result["card"] = card
    result["text"] = f"{safe_name}: {lead}"
    return result
