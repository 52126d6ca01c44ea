"""Reading what a card click sends: its verb and the values in its data, defensively (the data
comes from the client and may be stale, forged or of the wrong type)."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.teams.turn import Turn


def verb_of(turn: Turn, data: dict[str, Any]) -> str:
    """The verb of an Action.Execute invoke (from the action), else of a submit (from data)."""
    action = turn.value.get("action")
    if isinstance(action, dict) and isinstance(action.get("verb"), str):
        return str(action["verb"])
    return str(data.get("verb") or "")


def int_of(value: Any) -> int | None:
    """A whole number (a card's `version`, a record id), or None."""
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


def text_of(data: dict[str, Any], key: str | None) -> str | None:
    """The trimmed text of an input, or None when it is missing, empty or not text-like."""
    value = data.get(key) if key else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return str(value).strip() or None


def date_of(value: Any) -> date | None:
    """An Input.Date value (`YYYY-MM-DD`), or None."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
