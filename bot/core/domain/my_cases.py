""" "Mine saker": the needs reports and deviations of one person, newest first, and what their
collaboration room shows.

Pure: the service (bot/core/services/cases.py) reads the records, this decides the order, the cut
and the room's state as the requester should see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final, Literal

from bot.core.domain import rooms as saga_rules
from bot.core.domain.deviation import PREFIX as DEVIATION_PREFIX
from bot.core.domain.deviation_records import DeviationCase
from bot.core.domain.records import NeedCase
from bot.core.domain.rooms import RoomSaga

MAX_LISTED: Final = 15
"""Cases shown at most (cards/models/cases.py shows no more rows than this either)."""

RoomState = Literal["ready", "creating", "failed"]


def room_state(saga: RoomSaga | None) -> RoomState | None:
    """`ready` once the saga is done (the room exists and its people are in it), `failed` while
    it waits for "Prøv igjen", `creating` otherwise; None when the need has no room."""
    if saga is None:
        return None
    if saga.status == saga_rules.COMPLETED:
        return "ready"
    if saga.status == saga_rules.FAILED:
        return "failed"
    return "creating"


def room_link(saga: RoomSaga | None) -> str:
    """The room's Teams link, only when it is a web link (a card button opens it)."""
    url = saga.web_url if saga is not None else ""
    return url if url.startswith("https://") else ""


@dataclass(frozen=True)
class NeedItem:
    case: NeedCase
    room: RoomSaga | None = None

    @property
    def created_at(self) -> datetime:
        return self.case.created_at


@dataclass(frozen=True)
class DeviationItem:
    case: DeviationCase

    @property
    def created_at(self) -> datetime:
        return self.case.created_at


CaseItem = NeedItem | DeviationItem


@dataclass(frozen=True)
class MyCases:
    """What "mine saker" shows: at most MAX_LISTED items newest first, and how many exist."""

    items: tuple[CaseItem, ...]
    total: int

    @property
    def more(self) -> int:
        return max(self.total - len(self.items), 0)


def _sort_key(item: CaseItem) -> tuple[datetime, str]:
    when = item.created_at
    if when.tzinfo is None:  # SQLite hands back naive UTC
        when = when.replace(tzinfo=UTC)
    return when, item.case.case_number


def newest_first(
    needs: Sequence[NeedItem],
    deviations: Sequence[DeviationItem],
    *,
    total: int,
    limit: int = MAX_LISTED,
) -> MyCases:
    """Both kinds in one list, newest first (the case number breaks ties), cut at `limit`.

    Each input must hold that kind's newest `limit` cases: then the merged first `limit` are the
    person's newest overall."""
    merged: list[CaseItem] = [*needs, *deviations]
    merged.sort(key=_sort_key, reverse=True)
    shown = tuple(merged[:limit])
    return MyCases(items=shown, total=max(total, len(merged), len(shown)))


def is_deviation_number(number: str) -> bool:
    """`AVV-2026-0001` is a deviation; everything else is looked up as a needs case."""
    return number.upper().startswith(f"{DEVIATION_PREFIX}-")
