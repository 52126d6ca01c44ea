"""Reminders and escalation of approvals that wait too long.

A need waiting for its approver (status `innsendt`) is reminded after N business days and
escalated to the next level of management after M (settings.approvals), counted from the last
change of the case, on the Norwegian calendar (weekends and public holidays do not count).
Nothing goes out in quiet hours: a scan then does nothing, and the next scan in working hours
sends what is due. Each reminder and escalation happens once per waiting period: the outbox
key carries the case's version, and an escalation bumps the version (a new period starts).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.domain import approval as rules
from bot.core.domain.approvers import resolve_approver
from bot.core.domain.business_days import add_business_days, next_allowed_time
from bot.core.domain.errors import NotFound
from bot.core.domain.records import ConversationRef, NeedCase
from bot.core.formatting import format_date
from bot.core.i18n import t
from bot.core.services.approvals import (
    APPROVAL,
    ApprovalContext,
    case_params,
    edit_copies,
    lang_of,
    post_copy,
    refresh_user_ids,
    request_key,
    stand_ins_of,
)
from bot.core.services.audit import record
from bot.core.services.conversations import queue_notice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReminderPolicy:
    remind_after_business_days: int = 2
    escalate_after_business_days: int = 5
    quiet_hours_start: int = 17
    quiet_hours_end: int = 7
    digest_hour: int = 8  # local time; the daily digest goes out at the first scan after it


@dataclass(frozen=True)
class ReminderScan:
    reminded: int = 0
    escalated: int = 0
    quiet: bool = False
    digests: int = 0


async def scan_approvals(
    ctx: ApprovalContext, policy: ReminderPolicy, *, limit: int = 500
) -> ReminderScan:
    """Remind or escalate every approval that has waited long enough (once each)."""
    now = ctx.clock.now()
    allowed = next_allowed_time(
        now, quiet_start=policy.quiet_hours_start, quiet_end=policy.quiet_hours_end, tz=ctx.tz
    )
    if allowed > now:
        return ReminderScan(quiet=True)  # evenings, weekends, holidays: wait for the morning
    async with ctx.uow.read() as uow:
        waiting = await uow.needs.list_by_status([rules.INNSENDT], limit=limit)
    reminded = escalated = 0
    for case in waiting:
        since = case.updated_at
        escalate_at = add_business_days(since, policy.escalate_after_business_days, tz=ctx.tz)
        remind_at = add_business_days(since, policy.remind_after_business_days, tz=ctx.tz)
        if now >= escalate_at:
            escalated += await _escalate(ctx, case)
        elif now >= remind_at:
            reminded += await _remind(ctx, case)
    return ReminderScan(reminded=reminded, escalated=escalated)


async def _remind(ctx: ApprovalContext, case: NeedCase) -> int:
    deciders = rules.deciders(
        case.approver_id, await stand_ins_of(ctx, case.approver_id), ctx.today()
    )
    queued = 0
    async with ctx.uow() as uow:
        for person in deciders:
            if await uow.preferences.wants_daily_digest(person):
                continue  # they get it in their daily digest instead
            recipient = ConversationRef.user_key(case.tenant_id, person)
            lang = await lang_of(uow, recipient)
            text = t(
                "approval.reminder",
                lang,
                **case_params(case, since=format_date(case.updated_at, lang)),
            )
            text = f"{text} {t('digest.hint', lang)}"
            if await queue_notice(
                uow,
                recipient=recipient,
                idempotency_key=f"{case.case_number}:v{case.version}:reminder:{person}",
                clock=ctx.clock,
                text=text,
            ):
                queued += 1
        await uow.commit()
    return 1 if queued else 0


async def _escalate(ctx: ApprovalContext, case: NeedCase) -> int:
    if case.approver_id is None:
        return 0
    try:
        upper = await resolve_approver(case.approver_id, ctx.directory)
    except NotFound:
        log.warning("%s: no level above %s to escalate to", case.case_number, case.approver_id)
        return await _remind(ctx, case)
    if upper.id == case.requester_id:
        return await _remind(ctx, case)  # four-eyes: never to the requester
    now = ctx.clock.now()
    stand_ins = await stand_ins_of(ctx, upper.id)
    deciders = rules.deciders(upper.id, stand_ins, ctx.today())
    async with ctx.uow() as uow:
        if not await uow.needs.update_if_version(
            case.case_number,
            case.version,
            approver_id=upper.id,
            approver_name=upper.name,
            updated_at=now,
        ):
            return 0  # decided or changed meanwhile
        updated = await uow.needs.get(case.case_number)
        assert updated is not None
        await record(
            uow,
            clock=ctx.clock,
            actor="system",
            action="need.escalated",
            subject=case.case_number,
            details={
                "from": case.approver_id,
                "to": upper.id,
                "waiting_since": case.updated_at.isoformat(),
                "version": updated.version,
            },
        )
        await edit_copies(uow, ctx, updated, APPROVAL, deciders)
        refresh = await refresh_user_ids(uow, updated, deciders)
        recipient = ConversationRef.user_key(case.tenant_id, upper.id)
        lang = await lang_of(uow, recipient)
        await post_copy(
            uow,
            ctx,
            updated,
            purpose=APPROVAL,
            recipient=recipient,
            view="approver",
            key=f"{request_key(case.case_number)}:escalated:{upper.id}",
            card=await ctx.cards.approval_card(
                updated, view="approver", lang=lang, refresh_user_ids=refresh
            ),
            text=t(
                "approval.escalated",
                lang,
                **case_params(
                    updated,
                    approver=case.approver_name,
                    since=format_date(case.updated_at, lang),
                ),
            ),
        )
        await uow.commit()
    return 1
