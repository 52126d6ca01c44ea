"""The daily digest: people who chose it get one message a working day listing what waits for
their approval, instead of a reminder per case ("sammendrag på" / "sammendrag av" in chat)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.domain import approval as rules
from bot.core.domain.business_days import next_allowed_time
from bot.core.domain.records import ConversationRef, NeedCase
from bot.core.formatting import format_date
from bot.core.i18n import t
from bot.core.services.approval_reminders import ReminderPolicy
from bot.core.services.approvals import ApprovalContext, lang_of
from bot.core.services.conversations import queue_notice

MAX_LISTED = 20


async def set_daily_digest(
    ctx: ApprovalContext, *, person_id: str, tenant_id: str, on: bool
) -> None:
    async with ctx.uow() as uow:
        await uow.preferences.set_daily_digest(
            person_id, tenant_id=tenant_id, on=on, now=ctx.clock.now()
        )
        await uow.commit()


async def send_daily_digests(ctx: ApprovalContext, policy: ReminderPolicy) -> int:
    """Queue today's digest for each subscriber with something waiting (once a day each)."""
    now = ctx.clock.now()
    allowed = next_allowed_time(
        now, quiet_start=policy.quiet_hours_start, quiet_end=policy.quiet_hours_end, tz=ctx.tz
    )
    local = now.astimezone(ZoneInfo(ctx.tz))
    if allowed > now or local.hour < policy.digest_hour:
        return 0
    async with ctx.uow.read() as uow:
        subscribers = await uow.preferences.digest_subscribers()
    queued = 0
    for subscriber in subscribers:
        async with ctx.uow() as uow:
            waiting = await uow.needs.list_for_approvers(
                [subscriber.person_id], [rules.INNSENDT], limit=MAX_LISTED + 1
            )
            if not waiting:
                continue
            recipient = ConversationRef.user_key(subscriber.tenant_id, subscriber.person_id)
            lang = await lang_of(uow, recipient)
            if await queue_notice(
                uow,
                recipient=recipient,
                idempotency_key=f"digest:{subscriber.person_id}:{local.date().isoformat()}",
                clock=ctx.clock,
                text=digest_text(waiting, lang),
            ):
                queued += 1
            await uow.commit()
    return queued


def digest_text(waiting: list[NeedCase], lang: str) -> str:
    lines = [t("digest.heading", lang, count=min(len(waiting), MAX_LISTED))]
    for case in waiting[:MAX_LISTED]:
        lines.append(
            t(
                "digest.line",
                lang,
                number=case.case_number,
                title=case.title,
                requester=case.requester_name,
                since=format_date(case.updated_at, lang),
            )
        )
    if len(waiting) > MAX_LISTED:
        lines.append(t("digest.more", lang))
    lines.append(t("digest.how_to_act", lang))
    return "\n\n".join(lines)
