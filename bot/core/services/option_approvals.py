"""The contract owner's Godkjenn / Avvis of "Utløs opsjon" (four-eyes: never the requester;
an active stand-in decides on the owner's behalf). One transaction: the request (optimistic
version), the reminder, the audit entry, the requester's notice and every card copy's edit."""

from __future__ import annotations

from typing import Any

from bot.core.domain import reminder_actions as rules
from bot.core.domain.approvers import may_decide
from bot.core.domain.errors import Conflict, NotAuthorized, NotFound
from bot.core.domain.records import ConversationRef
from bot.core.domain.reminder_actions import OptionRequest
from bot.core.i18n import t
from bot.core.services.audit import record
from bot.core.services.conversations import queue_notice
from bot.core.services.reminder_context import ReminderContext
from bot.core.services.reminder_copies import (
    OPTION,
    ReminderView,
    edit_reminder_copies,
    load_view,
    option_params,
    option_subject,
    queue_edit,
    settle_siblings,
)
from bot.core.services.reminder_delivery import show_value_to


async def get_option(
    ctx: ReminderContext, request_id: int
) -> tuple[OptionRequest, ReminderView] | None:
    async with ctx.uow.read() as uow:
        store = ctx.store_of(uow)
        option = await store.option_request(request_id)
        if option is None:
            return None
        return option, await load_view(store, option.reminder_id)


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
        view = await load_view(store, current.reminder_id)
        reminder_status = rules.OPTION_EXERCISED if target == rules.APPROVED else rules.PENDING
        if view.reminder.status == rules.OPTION_REQUESTED:
            await store.update_reminder_if_version(
                view.reminder.id, view.reminder.version, status=reminder_status
            )
        view = await load_view(store, current.reminder_id)
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
            await queue_edit(uow, ctx, copy, card, updated.version)
        await edit_reminder_copies(uow, ctx, view)
        await settle_siblings(
            uow,
            ctx,
            view.reminder,
            close_as=rules.OPTION_EXERCISED if target == rules.APPROVED else None,
        )
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
                **option_params(updated, view, "nb"),
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
