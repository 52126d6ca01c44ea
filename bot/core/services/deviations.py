"""Use cases of deviations (avvik): follow a report up, and count them (filing:
deviation_filing.py).

Every change is one transaction: the case (optimistic version check), its audit entry, the
reporter's notice and the in-place edits of every copy of its card are committed together or not
at all. Authorization is decided here from the actor's id, never from what a card says. The
directory is asked before the transaction (who manages the contract, who owns it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.domain import deviation as rules
from bot.core.domain.deviation_records import DeviationCase, DeviationCount
from bot.core.domain.directory import Directory
from bot.core.domain.errors import Conflict, NotFound
from bot.core.domain.records import ConversationRef
from bot.core.formatting import format_date
from bot.core.i18n import t
from bot.core.ports import UnitOfWork, UnitOfWorkFactory
from bot.core.services import card_copies
from bot.core.services.approvals import lang_of
from bot.core.services.audit import record
from bot.core.services.conversations import queue_notice

log = logging.getLogger(__name__)

PURPOSE = "deviation"


class DeviationCards(Protocol):
    """Renders a deviation's card (the Teams layer implements it with cards/). `view` is
    `actor` (buttons), `readonly` or `closed`; `notice` a short text on top."""

    def deviation_card(
        self, case: DeviationCase, *, view: str, lang: str, notice: str | None = None
    ) -> dict[str, Any]: ...


@dataclass(frozen=True)
class DeviationContext:
    uow: UnitOfWorkFactory
    clock: Clock
    directory_of: Callable[[], Directory]
    cards: DeviationCards
    tz: str = "Europe/Oslo"

    @property
    def directory(self) -> Directory:
        return self.directory_of()

    def today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(self.tz)).date()


# --- helpers -------------------------------------------------------------------------------------


def params_of(case: DeviationCase, lang: str, **more: Any) -> dict[str, Any]:
    return {
        "number": case.case_number,
        "contract": case.contract_title or t("deviation.contract_unknown", lang),
        "supplier": case.supplier or "–",
        "category": t(f"deviation.category.{case.category}", lang),
        "severity": t(f"deviation.severity.{case.severity}", lang),
        "reporter": case.reporter_name,
        "manager": case.manager_name or t("deviation.procurement", lang),
        **more,
    }


async def post_copy(
    uow: UnitOfWork,
    ctx: DeviationContext,
    case: DeviationCase,
    *,
    recipient: str,
    view: str,
    key: str,
    lang: str,
    text: str,
) -> None:
    card = ctx.cards.deviation_card(case, view=view, lang=lang)
    await card_copies.post_copy(
        uow,
        ctx.clock,
        subject=case.case_number,
        purpose=PURPOSE,
        recipient=recipient,
        view=view,
        key=key,
        card=card,
        text=text,
    )


async def edit_copies(uow: UnitOfWork, ctx: DeviationContext, case: DeviationCase) -> None:
    """Queue an in-place edit of every stored copy of the case's card."""
    for copy in await uow.card_copies.list_for(case.case_number, PURPOSE):
        view = "closed" if case.state == rules.LUKKET else copy.view
        lang = case.locale if copy.view == "reporter" else await lang_of(uow, copy.recipient)
        card = ctx.cards.deviation_card(
            case, view="readonly" if view == "reporter" else view, lang=lang
        )
        await card_copies.queue_copy_edit(uow, ctx.clock, copy, card, case.version)


def channel_key(channel_id: str) -> str:
    return ConversationRef.conversation_key(channel_id)


def reporter_key(case: DeviationCase) -> str:
    return ConversationRef.user_key(case.tenant_id, case.reporter_id)


def manager_key(case: DeviationCase) -> str | None:
    return ConversationRef.user_key(case.tenant_id, case.manager_id) if case.manager_id else None


# --- follow-up -----------------------------------------------------------------------------------


async def get_case(ctx: DeviationContext, number: str) -> DeviationCase | None:
    async with ctx.uow.read() as uow:
        return await uow.deviations.get(number)


async def may_act(ctx: DeviationContext, case: DeviationCase, actor_id: str) -> bool:
    member = await ctx.directory.is_procurement_member(actor_id)
    return rules.may_act(actor_id, manager_id=case.manager_id, is_procurement_member=member)


async def act(
    ctx: DeviationContext,
    number: str,
    *,
    actor_id: str,
    actor_name: str,
    action: str,
    version: int | None,
    decision: rules.Decision,
) -> DeviationCase:
    """Mottatt / Reklamasjon sendt (with a response deadline) / Lukk (with an outcome).

    Raises NotAuthorized (nothing changes), Conflict (done meanwhile, or a stale card),
    ValidationFailed (a deadline or an outcome is missing), NotFound.
    """
    if action not in rules.ACTIONS:
        raise ValueError(f"not a deviation action: {action}")
    member = await ctx.directory.is_procurement_member(actor_id)
    today = ctx.today()
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        case = await uow.deviations.get(number)
        if case is None:
            raise NotFound(f"no deviation {number}", message_key="deviation.not_found")
        rules.authorize(actor_id, manager_id=case.manager_id, is_procurement_member=member)
        target = rules.next_state(case.state, action)
        rules.check_version(version, case.version)
        checked = rules.validate(action, decision, today=today)
        changes: dict[str, Any] = {"state": target, "updated_at": now, "last_note": checked.note}
        if action == rules.ACKNOWLEDGE:
            changes.update(
                acknowledged_by=actor_id, acknowledged_by_name=actor_name, acknowledged_at=now
            )
        elif action == rules.RECLAIM:
            changes.update(reclaimed_at=now, response_deadline=checked.deadline)
        else:
            changes.update(
                closed_by=actor_id,
                closed_by_name=actor_name,
                closed_at=now,
                outcome=checked.outcome,
            )
        if not await uow.deviations.update_if_version(number, case.version, **changes):
            raise Conflict("changed meanwhile", message_key=rules.CONFLICT_DONE)
        updated = await uow.deviations.get(number)
        assert updated is not None
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action=f"deviation.{action}",
            subject=number,
            details={
                "from": case.state,
                "to": target,
                "version": updated.version,
                "deadline": checked.deadline.isoformat() if checked.deadline else None,
                "outcome": checked.outcome,
                "note": checked.note,
                "actor_name": actor_name,
            },
        )
        await edit_copies(uow, ctx, updated)
        lang = updated.locale
        extra = {
            "by": actor_name,
            "deadline": format_date(checked.deadline, lang) if checked.deadline else "",
            "outcome": t(f"deviation.outcome.{checked.outcome}", lang) if checked.outcome else "",
            "note": checked.note or "–",
        }
        await queue_notice(
            uow,
            recipient=reporter_key(updated),
            idempotency_key=f"{number}:v{updated.version}:reporter",
            clock=ctx.clock,
            text=t(f"deviation.notice.{action}", lang, **params_of(updated, lang, **extra)),
        )
        await uow.commit()
    return updated


# --- views and counts ----------------------------------------------------------------------------


async def card_for(
    ctx: DeviationContext,
    case: DeviationCase,
    viewer_id: str,
    *,
    lang: str,
    notice: str | None = None,
    refused: bool = False,
) -> dict[str, Any]:
    """The deviation card as `viewer_id` should see it (for an invoke)."""
    allowed = not refused and await may_act(ctx, case, viewer_id)
    view = rules.card_view(state=case.state, allowed=allowed)
    return ctx.cards.deviation_card(case, view=view, lang=lang, notice=notice)


async def counts_for(ctx: DeviationContext, numbers: Sequence[str]) -> list[DeviationCount]:
    async with ctx.uow.read() as uow:
        return await uow.deviations.counts_for_contracts(numbers)


async def count_for_contract(uow_factory: UnitOfWorkFactory, contract_number: str) -> int:
    """How many deviations were reported on a contract (the contract reminder card shows it)."""
    async with uow_factory.read() as uow:
        return await uow.deviations.count_for_contract(contract_number)
