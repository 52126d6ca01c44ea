""" "Mine saker" (a list with an open button per case) and one case in detail."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict

from bot.core.formatting import format_nok
from cards.models.base import CardModel, Fact, Line, as_lang, facts, format_when, label, lines
from cards.text import PlainText, UserText

MAX_ROWS = 15
"""Rows shown at most: keeps the card well under the size limit and readable on a phone."""


class CaseEntry(NamedTuple):
    """What the caller gives per case (status, kind and room text already as localized labels;
    `status` may be several parts joined, e.g. a deviation's category, severity and state).
    `room_url` is the collaboration room's link: a button opens it (https only)."""

    case_id: str
    number: str
    title: str
    status: str
    when: date | datetime | None = None
    kind: str = ""
    room_text: str = ""
    room_url: str = ""


def _web_link(url: str) -> str:
    return url if url.startswith("https://") else ""


class CaseRow(BaseModel):
    model_config = ConfigDict(frozen=True)
    case_id: PlainText
    number: UserText
    tag: UserText  # "number · kind"
    title: UserText
    meta: UserText  # "status · date"
    room_text: UserText = ""
    has_room_text: bool = False
    room_url: PlainText = ""
    has_room_url: bool = False


class CaseListCard(CardModel):
    """Rows of number, title, status and date, each with an "Åpne" button (`case.open`,
    `case_id`); an empty-state text when there are none."""

    template: ClassVar[str] = "case_list"
    cases: list[CaseRow]
    is_empty: bool
    more: str | None = None
    has_more: bool = False

    @classmethod
    def build(
        cls, lang: str, *, cases: Sequence[CaseEntry], total: int | None = None
    ) -> CaseListCard:
        """`cases` newest first; `total` is how many exist when more than are passed."""
        lang_ = as_lang(lang)
        shown = list(cases)[:MAX_ROWS]
        total = max(total or 0, len(cases))
        more = (
            label("case_list", "more", lang_, shown=len(shown), total=total)
            if total > len(shown)
            else None
        )
        rows = [
            CaseRow(
                case_id=entry.case_id,
                number=entry.number,
                tag=" · ".join(part for part in (entry.number, entry.kind) if part),
                title=entry.title,
                meta=" · ".join(
                    part for part in (entry.status, format_when(entry.when, lang_)) if part
                ),
                room_text=entry.room_text,
                has_room_text=bool(entry.room_text),
                room_url=_web_link(entry.room_url),
                has_room_url=bool(_web_link(entry.room_url)),
            )
            for entry in shown
        ]
        return cls(lang=lang_, cases=rows, is_empty=not rows, more=more, has_more=more is not None)


class CaseDetailCard(CardModel):
    """One needs case: number, title, status, details, total, tier and checklist, and its
    collaboration room's state and link when it has one."""

    template: ClassVar[str] = "case_detail"
    case_id: PlainText
    number: UserText
    title: UserText
    status: UserText
    facts: list[Fact]
    total: str
    tier_name: UserText
    tier_lines: list[Line]
    checklist: list[Line]
    has_checklist: bool
    room_text: UserText = ""
    has_room_text: bool = False
    room_url: PlainText = ""
    has_room_url: bool = False

    @classmethod
    def build(
        cls,
        lang: str,
        *,
        case_id: str,
        number: str,
        title: str,
        status: str,
        rows: Sequence[tuple[str, str]],
        total: int | Decimal | None,
        tier_name: str,
        tier_lines: Sequence[str] = (),
        checklist: Sequence[str] = (),
        room_text: str = "",
        room_url: str = "",
    ) -> CaseDetailCard:
        """`rows` are `(label, value)`; `status` and `room_text` are localized labels."""
        lang_ = as_lang(lang)
        url = _web_link(room_url)
        return cls(
            lang=lang_,
            case_id=case_id,
            number=number,
            title=title,
            status=status,
            facts=facts(rows),
            total=format_nok(total, lang_),
            tier_name=tier_name,
            tier_lines=lines(tier_lines),
            checklist=lines(checklist),
            has_checklist=bool(checklist),
            room_text=room_text,
            has_room_text=bool(room_text),
            room_url=url,
            has_room_url=bool(url),
        )
