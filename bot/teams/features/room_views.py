"""The collaboration room's cards for a stored case (the `RoomCards` port, built on cards/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.domain.directory import Directory
from bot.core.domain.need_fields import IntakeContext, summary_rows
from bot.core.domain.needs import NeedDraft
from bot.core.domain.records import NeedCase
from bot.core.domain.rooms import RoomSaga
from bot.core.i18n import t
from bot.core.services.rooms import failure_reason, topics
from cards.models import RoomFailedCard, RoomWelcomeCard

# The welcome card names the case and describes it above the facts already.
_HIDDEN = frozenset({"need.field.title.label", "need.field.description.label"})


class RoomCardViews:
    def __init__(self, directory_of: Callable[[], Directory], vat_percent: int) -> None:
        self._directory_of = directory_of
        self._vat_percent = vat_percent

    async def welcome_card(self, case: NeedCase, saga: RoomSaga, *, lang: str) -> dict[str, Any]:
        areas = await self._directory_of().service_areas()
        context = IntakeContext(
            today=case.created_at.date(),
            service_areas=[(area.id, area.name) for area in areas],
            vat_percent=self._vat_percent,
            lang=lang,
        )
        draft = NeedDraft.from_dict(case.answers)
        rows = [
            (t(key, lang), value)
            for key, value in summary_rows(draft, context)
            if key not in _HIDDEN
        ]
        return RoomWelcomeCard.build(
            lang,
            number=case.case_number,
            title=case.title,
            description=draft.description or "",
            rows=rows,
            total=case.estimated_total,
            tier_name=t(f"need.tier.{case.tier}", lang),
            checklist=[t(key, lang) for key in case.checklist],
            topics=topics(lang),
            url=saga.web_url,
        ).render()

    async def failed_card(
        self,
        case: NeedCase,
        saga: RoomSaga,
        *,
        lang: str,
        retrying: bool = False,
        notice: str | None = None,
    ) -> dict[str, Any]:
        return RoomFailedCard.build(
            lang,
            case_id=case.case_number,
            version=saga.round,
            number=case.case_number,
            title=case.title,
            reason=failure_reason(saga, lang),
            detail=saga.last_error,
            retrying=retrying,
            notice=notice,
        ).render()
