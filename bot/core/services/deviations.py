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
from bot.core.domain import approval as approval_rules
from bot.core.domain import deviation as rules
from bot.core.domain.deviation_records import DeviationCase, DeviationCount
from bot.core.domain.directory import Directory
from bot.core.domain.errors import Conflict, NotFound, ValidationFailed
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
SANCTION_VIEW = "sanction"  # the avtaleeier's copy while a sanction waits for them


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
        if view == SANCTION_VIEW and case.state != rules.TIL_GODKJENNING:
            view = "readonly"  # the sanction is decided: the owner's copy shows the case
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


async def _apply(uow: UnitOfWork, case: DeviationCase, changes: dict[str, Any]) -> DeviationCase:
    """Change the case only if nobody changed it since it was read; return it as stored."""
    if not await uow.deviations.update_if_version(case.case_number, case.version, **changes):
        raise Conflict("changed meanwhile", message_key=rules.CONFLICT_DONE)
    updated = await uow.deviations.get(case.case_number)
    assert updated is not None
    return updated


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
    channel = await ctx.directory.procurement_channel()
    async with ctx.uow() as uow:
        case = await uow.deviations.get(number)
        if case is None:
            raise NotFound(f"no deviation {number}", message_key="deviation.not_found")
        rules.authorize(actor_id, manager_id=case.manager_id, is_procurement_member=member)
        target = rules.next_state(case.state, action)
        rules.check_version(version, case.version)
        checked = rules.validate(action, decision, today=today)
        if action == rules.CLOSE:
            target = rules.close_target(checked.outcome)
        changes: dict[str, Any] = {"state": target, "updated_at": now, "last_note": checked.note}
        if action == rules.ACKNOWLEDGE:
            changes.update(
                acknowledged_by=actor_id, acknowledged_by_name=actor_name, acknowledged_at=now
            )
        elif action == rules.RECLAIM:
            changes.update(reclaimed_at=now, response_deadline=checked.deadline)
        else:
            changes.update(closed_by=actor_id, closed_by_name=actor_name, outcome=checked.outcome)
            if target == rules.TIL_GODKJENNING:  # proposed: the owner decides (four-eyes)
                changes.update(
                    sanction_proposed_at=now, sanction_decided_by=None, sanction_decided_by_name=""
                )
            else:
                changes.update(closed_at=now)
        updated = await _apply(uow, case, changes)
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
        if target == rules.TIL_GODKJENNING:
            await _ask_for_sanction(uow, ctx, updated, channel.channel_id if channel else None)
            await uow.commit()
            return updated
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


# --- sanctions: the avtaleeier decides ------------------------------------------------------------


async def _ask_for_sanction(
    uow: UnitOfWork, ctx: DeviationContext, case: DeviationCase, channel_id: str | None
) -> None:
    """The card with Godkjenn / Avvis to the contract owner (to the procurement channel when no
    owner is known, where another member decides)."""
    recipient = sanction_recipient(case, channel_id)
    if recipient is None:
        log.warning("%s: a sanction waits, but there is no owner and no channel", case.case_number)
        return
    lang = await lang_of(uow, recipient)
    await post_copy(
        uow,
        ctx,
        case,
        recipient=recipient,
        view=SANCTION_VIEW,
        key=f"{case.case_number}:sanction:v{case.version}",
        lang=lang,
        text=t("deviation.sanction.asked", lang, **sanction_params(case, lang)),
    )


def sanction_recipient(case: DeviationCase, channel_id: str | None) -> str | None:
    """Who is asked to decide a proposed sanction: the contract owner, or the procurement
    channel when no owner is known (None when there is neither)."""
    if case.owner_id:
        return ConversationRef.user_key(case.tenant_id, case.owner_id)
    return channel_key(channel_id) if channel_id else None


def sanction_params(case: DeviationCase, lang: str, **more: Any) -> dict[str, Any]:
    return params_of(
        case,
        lang,
        outcome=t(f"deviation.outcome.{case.outcome}", lang) if case.outcome else "",
        proposer=case.closed_by_name or "–",
        owner=case.owner_name or t("deviation.procurement", lang),
        **more,
    )


async def sanction_deciders(ctx: DeviationContext, case: DeviationCase) -> frozenset[str]:
    """The avtaleeier and their active stand-in (empty when no owner is known)."""
    if not case.owner_id:
        return frozenset()
    stand_ins = await ctx.directory.stand_ins_for(case.owner_id)
    return frozenset(approval_rules.deciders(case.owner_id, stand_ins, ctx.today()))


async def decides_sanction(ctx: DeviationContext, case: DeviationCase, actor_id: str) -> bool:
    if case.state != rules.TIL_GODKJENNING:
        return False
    return rules.may_decide_sanction(
        actor_id,
        owner_ids=await sanction_deciders(ctx, case),
        proposer_id=case.closed_by,
        is_procurement_member=await ctx.directory.is_procurement_member(actor_id),
    )


async def sanctions_waiting_for(
    ctx: DeviationContext, actor_id: str, *, limit: int = 10
) -> list[DeviationCase]:
    """Proposed sanctions `actor_id` may decide (as the avtaleeier, their active stand-in, or
    a member of Innkjøpsseksjonen when no owner is known), oldest first ("mine godkjenninger")."""
    async with ctx.uow.read() as uow:
        waiting = await uow.deviations.list_by_state([rules.TIL_GODKJENNING], limit=500)
    found = [case for case in waiting if await decides_sanction(ctx, case, actor_id)]
    return found[:limit]


async def decide_sanction(
    ctx: DeviationContext,
    number: str,
    *,
    actor_id: str,
    actor_name: str,
    approve: bool,
    version: int | None,
    note: str | None = None,
) -> DeviationCase:
    """Godkjenn (the case closes with the sanction) or Avvis (with a reason: it goes back to
    where it was, and the one who proposed it is told). Raises NotAuthorized, Conflict,
    ValidationFailed, NotFound."""
    before = await get_case(ctx, number)
    if before is None:
        raise NotFound(f"no deviation {number}", message_key="deviation.not_found")
    owners = await sanction_deciders(ctx, before)
    member = await ctx.directory.is_procurement_member(actor_id)
    reason = (note or "").strip() or None
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        case = await uow.deviations.get(number)
        assert case is not None
        if case.state != rules.TIL_GODKJENNING:
            raise Conflict(f"no sanction waits in {case.state}", message_key=rules.CONFLICT_DONE)
        rules.authorize_sanction(
            actor_id, owner_ids=owners, proposer_id=case.closed_by, is_procurement_member=member
        )
        rules.check_version(version, case.version)
        changes: dict[str, Any] = {
            "updated_at": now,
            "sanction_decided_by": actor_id,
            "sanction_decided_by_name": actor_name,
        }
        if approve:
            changes.update(state=rules.LUKKET, closed_at=now)
            if reason:
                changes["last_note"] = reason
        else:
            if reason is None:
                raise ValidationFailed("reject without reason", message_key=rules.REASON_MISSING)
            changes.update(
                state=rules.state_before_sanction(
                    acknowledged=case.acknowledged_at is not None,
                    reclaimed=case.reclaimed_at is not None,
                ),
                outcome=None,
                last_note=reason,
            )
        updated = await _apply(uow, case, changes)
        action = rules.APPROVE_SANCTION if approve else rules.REJECT_SANCTION
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action=f"deviation.{action}",
            subject=number,
            details={
                "from": case.state,
                "to": updated.state,
                "version": updated.version,
                "outcome": case.outcome,
                "proposed_by": case.closed_by,
                "note": reason,
                "actor_name": actor_name,
            },
        )
        await edit_copies(uow, ctx, updated)
        proposer = (
            ConversationRef.user_key(case.tenant_id, case.closed_by) if case.closed_by else None
        )
        if proposer:
            lang = await lang_of(uow, proposer)
            key = "deviation.sanction.approved" if approve else "deviation.sanction.rejected"
            await queue_notice(
                uow,
                recipient=proposer,
                idempotency_key=f"{number}:v{updated.version}:proposer",
                clock=ctx.clock,
                text=t(key, lang, **sanction_params(case, lang, by=actor_name, note=reason or "–")),
            )
        if approve:  # the reporter hears of the closing, as for any other outcome
            lang = updated.locale
            await queue_notice(
                uow,
                recipient=reporter_key(updated),
                idempotency_key=f"{number}:v{updated.version}:reporter",
                clock=ctx.clock,
                text=t(
                    "deviation.notice.close",
                    lang,
                    **params_of(
                        updated,
                        lang,
                        by=case.closed_by_name,
                        deadline="",
                        outcome=t(f"deviation.outcome.{case.outcome}", lang),
                        note=updated.last_note or "–",
                    ),
                ),
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
    decides = not refused and await decides_sanction(ctx, case, viewer_id)
    view = rules.card_view(state=case.state, allowed=allowed, decides_sanction=decides)
    return ctx.cards.deviation_card(case, view=view, lang=lang, notice=notice)


async def counts_for(ctx: DeviationContext, numbers: Sequence[str]) -> list[DeviationCount]:
    async with ctx.uow.read() as uow:
        return await uow.deviations.counts_for_contracts(numbers)


async def count_for_contract(uow_factory: UnitOfWorkFactory, contract_number: str) -> int:
    """How many deviations were reported on a contract (the contract reminder card shows it)."""
    async with uow_factory.read() as uow:
        return await uow.deviations.count_for_contract(contract_number)
