"""The collaboration room's cards: the welcome card posted in the room, and the advisor's card
when the room could not be made (with "Prøv igjen", `room.retry`, data `{case_id, version}`)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar

from bot.core.formatting import format_nok
from cards.models.base import CardModel, Fact, Line, as_lang, facts, lines
from cards.text import PlainText, UserText


class RoomWelcomeCard(CardModel):
    """Posted in the new room: the need, its tier and checklist, and what to settle."""

    template: ClassVar[str] = "room_welcome"
    number: UserText
    title: UserText
    description: UserText
    facts: list[Fact]
    total: str
    tier_name: UserText
    checklist: list[Line]
    has_checklist: bool
    topics: list[Line]
    url: PlainText = ""
    has_url: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        number: str,
        title: str,
        description: str,
        rows: Sequence[tuple[str, str]],
        total: int | Decimal | None,
        tier_name: str,
        checklist: Sequence[str],
        topics: Sequence[str],
        url: str = "",
    ) -> RoomWelcomeCard:
        lang_ = as_lang(lang)
        return cls.model_validate(
            {
                "lang": lang_,
                "number": number,
                "title": title,
                "description": description or "–",
                "facts": facts(rows),
                "total": format_nok(total, lang_),
                "tier_name": tier_name,
                "checklist": lines(checklist),
                "has_checklist": bool(checklist),
                "topics": lines(topics),
                "url": url if url.startswith("https://") else "",
                "has_url": url.startswith("https://"),
            }
        )


class RoomFailedCard(CardModel):
    """To the advisor: the room could not be made, why, and "Prøv igjen" (unless `retrying`)."""

    template: ClassVar[str] = "room_failed"
    case_id: PlainText
    version: int
    number: UserText
    title: UserText
    reason: UserText
    detail: UserText
    retrying: bool = False
    notice: UserText = ""
    has_notice: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        case_id: str,
        version: int,
        number: str,
        title: str,
        reason: str,
        detail: str,
        retrying: bool = False,
        notice: str | None = None,
    ) -> RoomFailedCard:
        return cls.model_validate(
            {
                "lang": as_lang(lang),
                "case_id": case_id,
                "version": version,
                "number": number,
                "title": title,
                "reason": reason,
                "detail": detail[:500] or "–",
                "retrying": retrying,
                "notice": notice or "",
                "has_notice": bool(notice),
            }
        )
