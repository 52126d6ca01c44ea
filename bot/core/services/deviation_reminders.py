"""Escalation and reminders of deviations that wait too long.

A deviation nobody has acknowledged (still `registrert`) N business days after it was reported
is escalated to Innkjøpsseksjonen (the procurement channel), once. A reklamasjon whose response
deadline has passed reminds the avtaleforvalter (the channel when there is none), once per
deadline. A sanction the contract owner has not decided N business days after it was proposed
reminds the owner (the channel when no owner is known), once per proposal. Nothing goes out in
quiet hours; the next scan in working hours sends what is due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from bot.core.domain import deviation as rules
from bot.core.domain.business_days import add_business_days, next_allowed_time
from bot.core.domain.deviation_records import DeviationCase
from bot.core.formatting import format_date
from bot.core.i18n import t
from bot.core.services.approvals import lang_of
from bot.core.services.audit import record
from bot.core.services.conversations import queue_notice
from bot.core.services.deviations import (
    DeviationContext,
    channel_key,
    manager_key,
    params_of,
    sanction_params,
    sanction_recipient,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviationPolicy:
    escalate_after_business_days: int = 3
    quiet_hours_start: int = 17
    quiet_hours_end: int = 7


@dataclass(frozen=True)
class DeviationScan:
    escalated: int = 0
    reminded: int = 0
    quiet: bool = False
    sanctions_reminded: int = 0


async def scan_deviations(
    ctx: DeviationContext, policy: DeviationPolicy, *, limit: int = 500
) -> DeviationScan:
    now = ctx.clock.now()
    allowed = next_allowed_time(
        now, quiet_start=policy.quiet_hours_start, quiet_end=policy.quiet_hours_end, tz=ctx.tz
    )
    if allowed > now:
        return DeviationScan(quiet=True)
    today = ctx.today()
    async with ctx.uow.read() as uow:
        waiting = await uow.deviations.list_by_state(
            [rules.REGISTRERT, rules.UNDER_OPPFOLGING, rules.TIL_GODKJENNING], limit=limit
        )
    escalated = reminded = sanctions = 0
    for case in waiting:
        if case.state == rules.TIL_GODKJENNING:
            proposed = case.sanction_proposed_at or case.updated_at
            due = add_business_days(proposed, policy.escalate_after_business_days, tz=ctx.tz)
            if now >= due:
                sanctions += await _remind_owner(ctx, case)
            continue
        if rules.escalation_due(
            case.state,
            case.created_at,
            now,
            business_days=policy.escalate_after_business_days,
            escalated=case.escalated_at is not None,
            tz=ctx.tz,
        ):
            escalated += await _escalate(ctx, case)
        elif rules.reminder_due(
            case.state, case.response_deadline, today, reminded_for=case.reminded_for
        ):
            reminded += await _remind(ctx, case)
    return DeviationScan(escalated=escalated, reminded=reminded, sanctions_reminded=sanctions)


async def _remind_owner(ctx: DeviationContext, case: DeviationCase) -> int:
    """Once per proposal: the outbox key is the proposal's version, so a later scan queues
    nothing, and a new proposal after a rejection is reminded again."""
    channel = await ctx.directory.procurement_channel()
    recipient = sanction_recipient(case, channel.channel_id if channel else None)
    if recipient is None:
        return 0
    async with ctx.uow() as uow:
        current = await uow.deviations.get(case.case_number)
        if current is None or current.state != rules.TIL_GODKJENNING:
            return 0
        lang = await lang_of(uow, recipient)
        queued = await queue_notice(
            uow,
            recipient=recipient,
            idempotency_key=f"{current.case_number}:sanction:v{current.version}:reminder",
            clock=ctx.clock,
            text=t("deviation.sanction.reminder", lang, **sanction_params(current, lang)),
        )
        if not queued:
            return 0
        await record(
            uow,
            clock=ctx.clock,
            actor="system",
            action="deviation.sanction_reminded",
            subject=current.case_number,
            details={"to": recipient, "version": current.version},
        )
        await uow.commit()
    return 1


async def _escalate(ctx: DeviationContext, case: DeviationCase) -> int:
    channel = await ctx.directory.procurement_channel()
    if channel is None:
        log.warning("%s is overdue but there is no procurement channel", case.case_number)
        return 0
    async with ctx.uow() as uow:
        current = await uow.deviations.get(case.case_number)
        if current is None or current.escalated_at is not None or current.state != rules.REGISTRERT:
            return 0
        since = format_date(current.created_at, "nb")
        await queue_notice(
            uow,
            recipient=channel_key(channel.channel_id),
            idempotency_key=f"{current.case_number}:deviation:escalated",
            clock=ctx.clock,
            text=t("deviation.escalated", "nb", **params_of(current, "nb", since=since)),
            card=ctx.cards.deviation_card(current, view="actor", lang="nb"),
        )
        await uow.deviations.mark(current.case_number, escalated_at=ctx.clock.now())
        await record(
            uow,
            clock=ctx.clock,
            actor="system",
            action="deviation.escalated",
            subject=current.case_number,
            details={"since": current.created_at.isoformat(), "to": "procurement"},
        )
        await uow.commit()
    return 1


async def _remind(ctx: DeviationContext, case: DeviationCase) -> int:
    channel = await ctx.directory.procurement_channel()
    async with ctx.uow() as uow:
        current = await uow.deviations.get(case.case_number)
        deadline = current.response_deadline if current else None
        if (
            current is None
            or deadline is None
            or not rules.reminder_due(
                current.state, deadline, ctx.today(), reminded_for=current.reminded_for
            )
        ):
            return 0
        recipient = manager_key(current) or (channel_key(channel.channel_id) if channel else None)
        if recipient is None:
            return 0
        lang = await lang_of(uow, recipient)
        await queue_notice(
            uow,
            recipient=recipient,
            idempotency_key=f"{current.case_number}:deviation:deadline:{deadline.isoformat()}",
            clock=ctx.clock,
            text=t(
                "deviation.deadline_passed",
                lang,
                **params_of(current, lang, deadline=format_date(deadline, lang)),
            ),
        )
        await uow.deviations.mark(current.case_number, reminded_for=deadline)
        await record(
            uow,
            clock=ctx.clock,
            actor="system",
            action="deviation.deadline_reminded",
            subject=current.case_number,
            details={"deadline": deadline.isoformat(), "to": recipient},
        )
        await uow.commit()
    return 1
