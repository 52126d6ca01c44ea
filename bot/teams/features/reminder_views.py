"""The reminder card and the option approval card of a stored reminder (the `ReminderCards`
port, built on cards/). `deviation_count`: the deviations reported on the contract (no row when
not given)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bot.core.domain import reminder_actions as rules
from bot.core.domain.contracts import Contract
from bot.core.domain.directory import Directory
from bot.core.domain.reminder_actions import OptionRequest, ReminderRecord
from bot.core.formatting import format_date
from bot.core.i18n import t
from bot.core.services.reminder_delivery import describe
from cards.models.base import format_when
from cards.models.reminder import OptionApprovalCard, ReminderCard


class ReminderCardViews:
    def __init__(
        self,
        directory_of: Callable[[], Directory],
    ) -> None:
        self._directory_of = directory_of

    async def _names(self, contract: Contract) -> tuple[str, str]:
        directory = self._directory_of()
        area = (
            await directory.service_area(contract.service_area) if contract.service_area else None
        )
        manager = None
        if contract.manager_email:
            people = await directory.find_people(contract.manager_email, limit=5)
            exact = [p for p in people if p.email.casefold() == contract.manager_email.casefold()]
            manager = exact[0].name if exact else None
        return manager or contract.manager_email, area.name if area else contract.service_area

    def _outcome(
        self,
        reminder: ReminderRecord,
        option: OptionRequest | None,
        lang: str,
        waiting: OptionRequest | None = None,
    ) -> str | None:
        params: dict[str, Any] = {
            "by": reminder.decided_by_name or reminder.decided_by or "",
            "at": format_when(reminder.decided_at, lang),
            "until": format_date(reminder.snooze_until, lang) if reminder.snooze_until else "",
            "approver": option.approver_name if option else "",
            "comment": f": «{option.comment}»" if option and option.comment else "",
        }
        if reminder.status == rules.PENDING:
            if option is not None and option.status == rules.REJECTED:
                return t("reminder.outcome.option_rejected", lang, **params)
            if waiting is not None:
                return t(
                    "reminder.outcome.option_waiting",
                    lang,
                    requester=waiting.requester_name,
                    at=format_when(waiting.created_at, lang),
                    approver=waiting.approver_name,
                )
            return None
        return t(f"reminder.outcome.{reminder.status}", lang, **params)

    async def reminder_card(
        self,
        reminder: ReminderRecord,
        contract: Contract,
        *,
        lang: str,
        show_value: bool,
        actionable: bool,
        option: OptionRequest | None = None,
        notice: str | None = None,
        refresh_user_ids: Sequence[str] = (),
        deviation_count: int | None = None,
        waiting: OptionRequest | None = None,
    ) -> dict[str, Any]:
        manager, area = await self._names(contract)
        deviations = deviation_count
        return ReminderCard.build(
            lang,
            reminder_id=reminder.id,
            version=reminder.version,
            number=contract.number,
            title=contract.title,
            supplier=contract.supplier,
            what=describe(reminder, lang),
            deadline=reminder.deadline,
            lead=reminder.lead,
            escalation=reminder.escalation,
            manager=manager,
            service_area=area,
            final_end=contract.final_end_date,
            estimated_value=contract.estimated_value,
            max_value=contract.max_value,
            consumed_value=contract.consumed_value,
            show_value=show_value,
            deviation_count=deviations,
            actionable=actionable and reminder.open,
            can_option=reminder.is_option and waiting is None,
            outcome=self._outcome(reminder, option, lang, waiting),
            notice=notice,
            refresh_user_ids=refresh_user_ids,
        ).render()

    async def option_card(
        self,
        request: OptionRequest,
        reminder: ReminderRecord,
        contract: Contract,
        *,
        lang: str,
        actionable: bool,
        show_value: bool,
        notice: str | None = None,
    ) -> dict[str, Any]:
        option_end = next(
            (o.end_date for o in contract.options if str(o.number) == reminder.option_number),
            None,
        )
        outcome = None
        if request.status != rules.REQUEST_PENDING:
            outcome = t(
                f"option.outcome.{request.status}",
                lang,
                by=request.decided_by_name or request.decided_by or "",
                at=format_when(request.decided_at, lang),
            )
            if request.comment:
                outcome = f"{outcome} «{request.comment}»"
        return OptionApprovalCard.build(
            lang,
            request_id=request.id,
            version=request.version,
            number=contract.number,
            title=contract.title,
            supplier=contract.supplier,
            option_number=reminder.option_number,
            deadline=reminder.deadline,
            option_end=option_end,
            requester=request.requester_name,
            approver=request.approver_name,
            estimated_value=contract.estimated_value,
            show_value=show_value,
            actionable=actionable and request.status == rules.REQUEST_PENDING,
            outcome=outcome,
            notice=notice,
        ).render()
