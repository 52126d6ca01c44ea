"""Use cases of the reminder card: Start ny anskaffelse, Utløs opsjon, La avtalen utløpe, Minn
meg på om 14 dager (the contract owner's decision on an option: option_approvals.py).

Each click is one transaction: the reminder (optimistic version), its audit entry, the notices
and the in-place edits of every copy of its cards. Authorization is decided here from the
actor's id; the directory is read before the transaction (YAML or Graph's cache).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.core.domain import reminder_actions as rules
from bot.core.domain.contracts import Contract
from bot.core.domain.directory import Person
from bot.core.domain.errors import Conflict, NotAuthorized, NotFound
from bot.core.domain.needs import NeedDraft
from bot.core.domain.periods import ContractPeriod
from bot.core.domain.thresholds import ContractType
from bot.core.i18n import t
from bot.core.services.audit import record
from bot.core.services.reminder_context import ReminderContext
from bot.core.services.reminder_copies import (
    ReminderView,
    edit_reminder_copies,
    get_view,
    load_view,
    request_option_approval,
    settle_siblings,
)
from bot.core.services.reminder_delivery import show_value_to

__all__ = ["ReminderView", "act", "draft_from_contract", "get_view", "reminder_card_for"]


async def may_act(ctx: ReminderContext, actor_id: str, contract: Contract) -> bool:
    try:
        await _authorize(ctx, actor_id, contract)
    except NotAuthorized:
        return False
    return True


async def _authorize(ctx: ReminderContext, actor_id: str, contract: Contract) -> Person:
    directory = ctx.directory
    actor = await directory.get_person(actor_id)
    area = await directory.service_area(contract.service_area) if contract.service_area else None
    member = actor is not None and not actor.is_guest
    member = member and await directory.is_procurement_member(actor_id)
    rules.authorize_reminder_action(
        actor,
        contract,
        procurement_contact_id=area.procurement_contact_id if area else None,
        is_procurement_member=member,
    )
    assert actor is not None
    return actor


async def reminder_card_for(
    ctx: ReminderContext,
    view: ReminderView,
    viewer_id: str,
    *,
    lang: str,
    notice: str | None = None,
    refused: bool = False,
) -> dict[str, Any]:
    """The reminder card as `viewer_id` should see it: values only for those allowed, buttons
    only while it waits and for those who may act."""
    viewer = await ctx.directory.get_person(viewer_id)
    actionable = view.reminder.open and not refused and await may_act(ctx, viewer_id, view.contract)
    return await ctx.cards.reminder_card(
        view.reminder,
        view.contract,
        lang=lang,
        show_value=await show_value_to(ctx, viewer, view.contract),
        actionable=actionable,
        option=view.option,
        waiting=view.waiting,
        notice=notice,
        deviation_count=view.deviations,
    )


# --- the four actions ----------------------------------------------------------------------


async def act(
    ctx: ReminderContext,
    reminder_id: int,
    *,
    actor_id: str,
    actor_name: str,
    action: str,
    version: int | None,
) -> ReminderView:
    """One of the four buttons, on `version`. Raises NotAuthorized, Conflict, NotFound."""
    before = await get_view(ctx, reminder_id)
    if before is None:
        raise NotFound(f"no reminder {reminder_id}", message_key="reminder.not_found")
    actor = await _authorize(ctx, actor_id, before.contract)
    approver: Person | None = None
    if action == rules.OPTION and before.reminder.is_option:
        approver = await _option_approver(ctx, actor_id, before.contract)
    now = ctx.clock.now()
    today = ctx.today()
    async with ctx.uow() as uow:
        store = ctx.store_of(uow)
        current = await load_view(store, reminder_id)
        reminder = current.reminder
        rules.check_version(version, reminder.version)  # a double click lands here
        target = rules.next_status(reminder, action)
        if action == rules.OPTION and current.waiting is not None:
            raise Conflict(
                "the option is already asked for",
                message_key=rules.REFUSED_OPTION_WAITING,
                approver=current.waiting.approver_name,
                requester=current.waiting.requester_name,
            )
        changes: dict[str, Any] = {
            "status": target,
            "decided_by": actor_id,
            "decided_by_name": actor_name,
            "decided_at": now,
        }
        if action == rules.SNOOZE:
            changes["snooze_until"] = today + timedelta(days=ctx.snooze_days)
        if not await store.update_reminder_if_version(reminder.id, reminder.version, **changes):
            raise Conflict("changed meanwhile", message_key=rules.CONFLICT_DECIDED)
        option = None
        if approver is not None:
            option = await store.add_option_request(
                reminder,
                requester_id=actor_id,
                requester_name=actor_name or actor.name,
                approver_id=approver.id,
                approver_name=approver.name,
                now=now,
            )
        updated = await load_view(store, reminder_id)
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action=f"contract.reminder.{action}",
            subject=reminder.contract_number,
            details={
                "reminder": reminder.id,
                "milestone": reminder.milestone,
                "lead": reminder.lead,
                "from": reminder.status,
                "to": target,
                "version": updated.reminder.version,
                "snooze_until": str(changes.get("snooze_until") or ""),
                "option_request": option.id if option else None,
                "approver": approver.id if approver else None,
                "actor_name": actor_name,
            },
        )
        await edit_reminder_copies(uow, ctx, updated)
        if action in (rules.LET_EXPIRE, rules.OPTION):  # the deadline is decided, or asked for
            await settle_siblings(
                uow,
                ctx,
                reminder,
                close_as=rules.LET_EXPIRE if action == rules.LET_EXPIRE else None,
            )
        if option is not None and approver is not None:
            await request_option_approval(uow, ctx, option, updated, approver)
        await uow.commit()
    return updated


async def _option_approver(ctx: ReminderContext, requester_id: str, contract: Contract) -> Person:
    directory = ctx.directory
    area = await directory.service_area(contract.service_area) if contract.service_area else None
    director = await directory.get_person(area.director_id) if area and area.director_id else None
    above = await directory.manager_of(director.id) if director is not None else None
    return rules.option_approver(requester_id, director, above)


# --- "Start ny anskaffelse": the needs report, prefilled -----------------------------------


def _months_between(start: date, end: date) -> int:
    """Whole months from the first day to the last, both included (01.01–31.12 is 12)."""
    months = (end.year - start.year) * 12 + end.month - start.month + (end.day >= start.day)
    return max(months, 1)


def _contract_type(text: str) -> ContractType | None:
    folded = text.casefold()
    for kind, words in (
        (ContractType.BYGG_ANLEGG, ("bygg", "anlegg")),
        (ContractType.TJENESTE, ("tjeneste",)),
        (ContractType.VARE, ("vare", "varer")),
    ):
        if any(word in folded for word in words):
            return kind
    return None


def draft_from_contract(contract: Contract, lang: str = "nb") -> NeedDraft:
    """A needs report for the contract's successor: title, type, service area, the same period
    structure and the yearly value (the estimate spread over the contract's whole period)."""
    base = _months_between(contract.start_date, contract.end_date)
    options: list[int] = []
    previous = contract.end_date
    for option in contract.options:
        # an option starts the day after the period before it ends
        options.append(_months_between(previous + timedelta(days=1), option.end_date))
        previous = option.end_date
    total_months = base + sum(options)
    annual = None
    if contract.estimated_value is not None:
        annual = round(contract.estimated_value * 12 / total_months)
    return NeedDraft(
        title=contract.title,
        description=t(
            "reminder.need.description",
            lang,
            number=contract.number,
            title=contract.title,
            supplier=contract.supplier,
        ),
        service_area=contract.service_area or None,
        contract_type=_contract_type(contract.contract_type),
        annual_value=annual,
        period=ContractPeriod(base_months=base, option_months=tuple(options)),
        existing_agreement=contract.number,
    )
