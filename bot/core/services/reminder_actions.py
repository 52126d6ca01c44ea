"""Use cases of the reminder card: Start ny anskaffelse, Utløs opsjon, La avtalen utløpe, Minn
meg på om 14 dager; and the contract owner's Godkjenn / Avvis of an option.

Each click is one transaction: the reminder (optimistic version), its audit entry, the notices
and the in-place edits of every copy of its cards. Authorization is decided here from the
actor's id; the directory is read before the transaction (YAML or Graph's cache).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bot.core.domain import reminder_actions as rules
from bot.core.domain.approvers import may_decide
from bot.core.domain.contracts import Contract
from bot.core.domain.directory import Person
from bot.core.domain.errors import Conflict, NotAuthorized, NotFound
from bot.core.domain.needs import NeedDraft
from bot.core.domain.periods import ContractPeriod
from bot.core.domain.records import CardCopy, ConversationRef
from bot.core.domain.reminder_actions import OptionRequest, ReminderRecord
from bot.core.domain.thresholds import ContractType
from bot.core.i18n import t
from bot.core.ports import UnitOfWork
from bot.core.services.audit import record
from bot.core.services.conversations import queue_notice
from bot.core.services.reminder_context import ReminderContext, ReminderStore
from bot.core.services.reminder_delivery import (
    CHANNEL_VIEW,
    REMINDER,
    copy_subject,
    describe,
    show_value_to,
)

log = logging.getLogger(__name__)

OPTION = "option"


def option_subject(request_id: int) -> str:
    return f"OPS-{request_id}"


@dataclass(frozen=True)
class ReminderView:
    reminder: ReminderRecord
    contract: Contract
    option: OptionRequest | None = None


# --- loading and views ---------------------------------------------------------------------


async def _view(store: ReminderStore, reminder_id: int) -> ReminderView:
    reminder = await store.reminder(reminder_id)
    contract = await store.get(reminder.contract_number) if reminder else None
    if reminder is None or contract is None:
        raise NotFound(f"no reminder {reminder_id}", message_key="reminder.not_found")
    option = await store.latest_option_request(reminder.id) if reminder.is_option else None
    return ReminderView(reminder, contract, option)


async def get_view(ctx: ReminderContext, reminder_id: int) -> ReminderView | None:
    async with ctx.uow() as uow:
        try:
            return await _view(ctx.store_of(uow), reminder_id)
        except NotFound:
            return None


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
        notice=notice,
    )


# --- editing every copy --------------------------------------------------------------------


async def edit_reminder_copies(uow: UnitOfWork, ctx: ReminderContext, view: ReminderView) -> None:
    """Queue an in-place edit of every copy of the reminder card, of every delivery."""
    reminder = view.reminder
    for send in range(1, reminder.sends + 1):
        for copy in await uow.card_copies.list_for(copy_subject(reminder.id, send), REMINDER):
            viewer = _person_of(copy.recipient) if copy.view != CHANNEL_VIEW else None
            person = await ctx.directory.get_person(viewer) if viewer else None
            lang = "nb" if person is None or not person.locale.startswith("en") else "en"
            actionable = reminder.open and send == reminder.sends
            card = await ctx.cards.reminder_card(
                reminder,
                view.contract,
                lang=lang,
                show_value=await show_value_to(ctx, person, view.contract),
                actionable=actionable,
                option=view.option,
            )
            await _queue_edit(uow, ctx, copy, card, reminder.version)


async def _queue_edit(
    uow: UnitOfWork, ctx: ReminderContext, copy: CardCopy, card: dict[str, Any], version: int
) -> None:
    prefix = f"{copy.idempotency_key}:update:"
    key = f"{prefix}v{version}"
    await queue_notice(
        uow,
        recipient=copy.recipient,
        idempotency_key=key,
        clock=ctx.clock,
        card=card,
        update_of_message=copy.idempotency_key,
    )
    await uow.outbox.supersede(prefix, keep=key)


def _person_of(ref_key: str) -> str | None:
    """`user:<tenant>:<aad>` → the aad object id."""
    parts = ref_key.split(":", 2)
    return parts[2] if len(parts) == 3 and parts[0] == "user" else None


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
        current = await _view(store, reminder_id)
        reminder = current.reminder
        rules.check_version(version, reminder.version)  # a double click lands here
        target = rules.next_status(reminder, action)
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
        updated = await _view(store, reminder_id)
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
        if option is not None and approver is not None:
            await _request_option_approval(uow, ctx, option, updated, approver)
        await uow.commit()
    return updated


async def _option_approver(ctx: ReminderContext, requester_id: str, contract: Contract) -> Person:
    directory = ctx.directory
    area = await directory.service_area(contract.service_area) if contract.service_area else None
    director = await directory.get_person(area.director_id) if area and area.director_id else None
    above = await directory.manager_of(director.id) if director is not None else None
    return rules.option_approver(requester_id, director, above)


async def _request_option_approval(
    uow: UnitOfWork,
    ctx: ReminderContext,
    option: OptionRequest,
    view: ReminderView,
    approver: Person,
) -> None:
    recipient = ConversationRef.user_key(ctx.tenant_id, approver.id)
    lang = "en" if approver.locale.startswith("en") else "nb"
    card = await ctx.cards.option_card(
        option,
        view.reminder,
        view.contract,
        lang=lang,
        actionable=True,
        show_value=await show_value_to(ctx, approver, view.contract),
    )
    key = f"option:{option.id}:approver"
    await queue_notice(
        uow,
        recipient=recipient,
        idempotency_key=key,
        clock=ctx.clock,
        card=card,
        text=t("option.notice", lang, **_option_params(option, view, lang)),
    )
    await uow.card_copies.add(
        CardCopy(
            case_number=option_subject(option.id),
            purpose=OPTION,
            recipient=recipient,
            view="approver",
            idempotency_key=key,
        ),
        now=ctx.clock.now(),
    )


def _option_params(option: OptionRequest, view: ReminderView, lang: str) -> dict[str, Any]:
    return {
        "number": view.contract.number,
        "title": view.contract.title,
        "n": view.reminder.option_number,
        "requester": option.requester_name,
        "approver": option.approver_name,
        "what": describe(view.reminder, lang),
    }


# --- the contract owner's decision ---------------------------------------------------------


async def get_option(
    ctx: ReminderContext, request_id: int
) -> tuple[OptionRequest, ReminderView] | None:
    async with ctx.uow() as uow:
        store = ctx.store_of(uow)
        option = await store.option_request(request_id)
        if option is None:
            return None
        return option, await _view(store, option.reminder_id)


async def decide_option(
    ctx: ReminderContext,
    request_id: int,
    *,
    actor_id: str,
    actor_name: str,
    action: str,
    version: int | None,
    comment: str | None = None,
) -> tuple[OptionRequest, ReminderView]:
    """Godkjenn / Avvis by the contract owner (or an active stand-in), never the requester."""
    found = await get_option(ctx, request_id)
    if found is None:
        raise NotFound(f"no option request {request_id}", message_key="reminder.not_found")
    option, _ = found
    stand_ins = list(await ctx.directory.stand_ins_for(option.approver_id))
    if actor_id == option.requester_id:
        raise NotAuthorized("four-eyes", message_key=rules.REFUSED_OWN_REQUEST)
    allowed, on_behalf_of = may_decide(
        actor_id,
        approver_id=option.approver_id,
        requester_id=option.requester_id,
        stand_ins=stand_ins,
        on=ctx.today(),
    )
    if not allowed:
        raise NotAuthorized("not the contract owner", message_key=rules.REFUSED_NOT_OWNER)
    approver = await ctx.directory.get_person(option.approver_id)
    now = ctx.clock.now()
    note = (comment or "").strip() or None
    async with ctx.uow() as uow:
        store = ctx.store_of(uow)
        current = await store.option_request(request_id)
        assert current is not None
        rules.check_version(version, current.version)  # a double click lands here
        target = rules.next_request_status(current, action)
        if not await store.update_option_request_if_version(
            current.id,
            current.version,
            status=target,
            decided_by=actor_id,
            decided_by_name=actor_name,
            decided_on_behalf_of=on_behalf_of,
            decided_at=now,
            comment=note,
        ):
            raise Conflict("changed meanwhile", message_key=rules.CONFLICT_DECIDED)
        view = await _view(store, current.reminder_id)
        reminder_status = rules.OPTION_EXERCISED if target == rules.APPROVED else rules.PENDING
        if view.reminder.status == rules.OPTION_REQUESTED:
            await store.update_reminder_if_version(
                view.reminder.id, view.reminder.version, status=reminder_status
            )
        view = await _view(store, current.reminder_id)
        updated = await store.option_request(request_id)
        assert updated is not None
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action=f"contract.option.{action}",
            subject=current.contract_number,
            on_behalf_of=on_behalf_of,
            details={
                "option_request": current.id,
                "reminder": current.reminder_id,
                "milestone": current.milestone,
                "requester": current.requester_id,
                "version": updated.version,
                "comment": note,
                "actor_name": actor_name,
            },
        )
        show_value = await show_value_to(ctx, approver, view.contract)
        for copy in await uow.card_copies.list_for(option_subject(current.id), OPTION):
            card = await ctx.cards.option_card(
                updated,
                view.reminder,
                view.contract,
                lang="nb",
                actionable=False,
                show_value=show_value,
            )
            await _queue_edit(uow, ctx, copy, card, updated.version)
        await edit_reminder_copies(uow, ctx, view)
        requester = ConversationRef.user_key(ctx.tenant_id, current.requester_id)
        message = "option.notice.approved" if target == rules.APPROVED else "option.notice.rejected"
        await queue_notice(
            uow,
            recipient=requester,
            idempotency_key=f"option:{current.id}:v{updated.version}:requester",
            clock=ctx.clock,
            text=t(
                message,
                "nb",
                **_option_params(updated, view, "nb"),
                by=actor_name,
                comment=note or "",
            ),
        )
        await uow.commit()
    return updated, view


async def option_card_for(
    ctx: ReminderContext,
    option: OptionRequest,
    view: ReminderView,
    viewer_id: str,
    *,
    lang: str,
    notice: str | None = None,
) -> dict[str, Any]:
    viewer = await ctx.directory.get_person(viewer_id)
    stand_ins = list(await ctx.directory.stand_ins_for(option.approver_id))
    allowed, _ = may_decide(
        viewer_id,
        approver_id=option.approver_id,
        requester_id=option.requester_id,
        stand_ins=stand_ins,
        on=ctx.today(),
    )
    return await ctx.cards.option_card(
        option,
        view.reminder,
        view.contract,
        lang=lang,
        actionable=allowed and option.status == rules.REQUEST_PENDING,
        show_value=await show_value_to(ctx, viewer, view.contract),
        notice=notice,
    )


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
