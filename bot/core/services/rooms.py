"""Use cases of the collaboration room: queue it with the acceptance, advance its saga, retry it.

`queue_room` runs inside the triage transaction, so an accepted need always has its saga (nothing
is lost between "Aksepter" and the room). The worker calls `run_due`: each saga is claimed under
a lease and advanced one step at a time; every step's result is stored before the next Graph call,
so a crash resumes at the step it interrupted, and the steps look before they create. Graph is
never called inside a transaction. The welcome card and the notices go through the outbox, in the
same transaction as the step that completes the saga.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from bot.core.clock import Clock
from bot.core.domain import rooms as saga_rules
from bot.core.domain.directory import Directory
from bot.core.domain.errors import Conflict, NotAuthorized, NotFound
from bot.core.domain.records import ConversationRef, NeedCase
from bot.core.domain.rooms import RoomError, RoomMember, RoomSaga
from bot.core.i18n import t
from bot.core.ports import Rooms, UnitOfWork
from bot.core.services import room_steps
from bot.core.services.audit import record
from bot.core.services.conversations import queue_notice
from bot.core.services.room_context import RoomCards, RoomConfig, RoomContext

__all__ = ["RoomCards", "RoomConfig", "RoomContext", "queue_room", "retry_room", "run_due"]

log = logging.getLogger(__name__)

# How long a new room's channel may answer 403/404 before the welcome card gives up on it.
NEW_ROOM_PATIENCE = timedelta(minutes=15)

REFUSED_NOT_PROCUREMENT = "rooms.refused.not_procurement"
NOT_FAILED = "rooms.conflict.not_failed"


# --- queue (inside the acceptance's transaction) ---------------------------------------------


async def queue_room(
    uow: UnitOfWork,
    *,
    config: RoomConfig,
    directory: Directory,
    clock: Clock,
    case: NeedCase,
    advisor_id: str,
    advisor_name: str,
) -> bool:
    """Queue the case's room saga; False when it has one already (accepted twice)."""
    area = await directory.service_area(case.service_area) if case.service_area else None
    members = [RoomMember(advisor_id, advisor_name, owner=True)]
    for person_id, name in (
        (case.requester_id, case.requester_name),
        (area.procurement_contact_id if area else None, ""),
    ):
        if person_id and all(m.user_id != person_id for m in members):
            members.append(RoomMember(person_id, name))
    text = str(case.answers.get("description") or case.title)
    saga = RoomSaga(
        case_number=case.case_number,
        tenant_id=case.tenant_id,
        mode=config.mode,
        display_name=saga_rules.room_name(
            case.case_number,
            case.title,
            limit=saga_rules.TEAM_NAME_MAX
            if config.mode == "team"
            else saga_rules.CHANNEL_NAME_MAX,
        ),
        description=saga_rules.description(f"{case.case_number}: {text}"),
        advisor_id=advisor_id,
        members=tuple(members),
        step=saga_rules.first_step(config.mode),
        team_id=(config.team_id or None) if config.mode == "channel" else None,
        next_attempt_at=clock.now(),
    )
    added = await uow.rooms.add(saga, now=clock.now())
    if added:
        await record(
            uow,
            clock=clock,
            actor=advisor_id,
            action="room.queued",
            subject=case.case_number,
            details={"mode": config.mode, "name": saga.display_name},
        )
    return added


# --- the saga ---------------------------------------------------------------------------------


async def run_due(ctx: RoomContext, *, worker_id: str) -> int:
    """Advance every due saga as far as it goes now; returns how many were claimed."""
    rooms = ctx.rooms_of()
    if rooms is None:
        return 0
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        claimed = await uow.rooms.claim_due(
            now=now,
            limit=ctx.config.batch_size,
            worker_id=worker_id,
            lease_seconds=ctx.config.lease_seconds,
        )
        await uow.commit()
    for saga in claimed:
        try:
            await run_saga(ctx, rooms, saga)
        except Exception:
            # the lease runs out and the saga is picked up again; its steps are idempotent
            log.exception("room saga %s stopped unexpectedly", saga.case_number)
    return len(claimed)


async def run_saga(ctx: RoomContext, rooms: Rooms, saga: RoomSaga) -> RoomSaga:
    """Run steps until the saga is done, failed, or has to wait; store each step."""
    while saga.status == saga_rules.PENDING and not _waiting(ctx, saga):
        if saga.step == saga_rules.WELCOME:
            saga = await _welcome(ctx, saga)
            continue
        before = saga
        try:
            saga = await room_steps.run_step(ctx, rooms, saga)
        except RoomError as error:
            saga = await _failed_step(ctx, before, error)
            continue
        saga = await _store(ctx, saga)
    return saga


def _waiting(ctx: RoomContext, saga: RoomSaga) -> bool:
    return saga.next_attempt_at is not None and saga.next_attempt_at > ctx.clock.now()


async def _store(ctx: RoomContext, saga: RoomSaga) -> RoomSaga:
    # The lease is kept while this worker goes straight on to the next step, and given back
    # when the saga has to wait or has stopped, so any worker may take it up when it is due.
    release = saga.status != saga_rules.PENDING or _waiting(ctx, saga)
    async with ctx.uow() as uow:
        stored = await _save(uow, ctx, saga, release=release)
        await uow.commit()
    return stored


async def _save(uow: UnitOfWork, ctx: RoomContext, saga: RoomSaga, *, release: bool) -> RoomSaga:
    if not await uow.rooms.save(saga, now=ctx.clock.now(), release=release):
        raise Conflict(f"room saga {saga.case_number} changed meanwhile")
    return replace(saga, version=saga.version + 1)


async def _failed_step(ctx: RoomContext, saga: RoomSaga, error: RoomError) -> RoomSaga:
    decision = saga_rules.on_error(saga, error, policy=ctx.config.policy, now=ctx.clock.now())
    if decision.delay is not None:
        log.info(
            "room %s: %s failed (%s), again in %.1f s",
            saga.case_number,
            saga.step,
            error.kind,
            decision.delay,
        )
        return await _store(ctx, room_steps.wait(decision.saga, ctx, decision.delay))
    log.warning("room %s: %s failed for good: %s", saga.case_number, saga.step, error.detail)
    failed = replace(decision.saga, status=saga_rules.FAILED)
    async with ctx.uow() as uow:
        stored = await _save(uow, ctx, failed, release=True)
        case = await uow.needs.get(saga.case_number)
        if case is not None:
            recipient = ConversationRef.user_key(saga.tenant_id, saga.advisor_id)
            lang = await _lang(uow, recipient)
            await queue_notice(
                uow,
                recipient=recipient,
                idempotency_key=f"{saga.case_number}:room:failed:{saga.round}",
                clock=ctx.clock,
                text=t("rooms.failed.summary", lang, number=saga.case_number),
                card=await ctx.cards.failed_card(case, stored, lang=lang),
            )
        await record(
            uow,
            clock=ctx.clock,
            actor="system",
            action="room.failed",
            subject=saga.case_number,
            details={"step": saga.step, "error": error.detail[:500], "round": saga.round},
        )
        await uow.commit()
    return stored


async def _lang(uow: UnitOfWork, recipient: str) -> str:
    ref = await uow.conversations.get(recipient)
    return "en" if ref is not None and ref.locale.lower().startswith("en") else "nb"


def channel_reference(
    template: ConversationRef, channel_id: str, tenant_id: str
) -> ConversationRef:
    """A reference to post in a channel of a team where the bot is installed, built from one we
    have in the same tenant (same service URL and bot)."""
    data = {key: value for key, value in template.reference.items() if key != "user"}
    data["conversation"] = {
        "id": channel_id,
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": tenant_id,
    }
    return ConversationRef(
        ref_key=ConversationRef.conversation_key(channel_id),
        tenant_id=tenant_id,
        conversation_id=channel_id,
        service_url=template.service_url,
        reference=data,
        conversation_type="channel",
    )


async def _welcome(ctx: RoomContext, saga: RoomSaga) -> RoomSaga:
    """The last step, in one transaction: the welcome card in the room, the requester, the
    advisor and the case told where the room is, the saga done."""
    assert saga.channel_id is not None
    procurement = await ctx.directory.procurement_channel()
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        case = await uow.needs.get(saga.case_number)
        if case is None:
            raise NotFound(f"no case {saga.case_number}")
        room_key = ConversationRef.conversation_key(saga.channel_id)
        if await uow.conversations.get(room_key) is None:
            template = None
            for key in (
                ConversationRef.conversation_key(procurement.channel_id) if procurement else None,
                ConversationRef.user_key(saga.tenant_id, saga.advisor_id),
                ConversationRef.user_key(case.tenant_id, case.requester_id),
            ):
                template = await uow.conversations.get(key) if key else None
                if template is not None:
                    break
            if template is not None:
                await uow.conversations.upsert(
                    channel_reference(template, saga.channel_id, saga.tenant_id), now=now
                )
        await queue_notice(
            uow,
            recipient=room_key,
            idempotency_key=f"{saga.case_number}:room:welcome",
            clock=ctx.clock,
            # the bot was installed in the new team a moment ago: Teams may not know it yet
            patient_until=now + NEW_ROOM_PATIENCE,
            text=t("rooms.welcome.summary", case.locale, number=case.case_number),
            card=await ctx.cards.welcome_card(case, saga, lang=case.locale),
        )
        params = {
            "number": case.case_number,
            "title": case.title,
            "name": saga.display_name,
            "url": saga.web_url,
        }
        told = [
            ("requester", ConversationRef.user_key(case.tenant_id, case.requester_id)),
            ("advisor", ConversationRef.user_key(saga.tenant_id, saga.advisor_id)),
        ]
        if procurement is not None:
            told.append(("case", ConversationRef.conversation_key(procurement.channel_id)))
        for who, recipient in told:
            lang = case.locale if who == "requester" else await _lang(uow, recipient)
            await queue_notice(
                uow,
                recipient=recipient,
                idempotency_key=f"{saga.case_number}:room:ready:{who}",
                clock=ctx.clock,
                text=t("rooms.ready", lang, **params),
            )
        done = saga_rules.advanced(saga)
        stored = await _save(uow, ctx, done, release=True)
        await record(
            uow,
            clock=ctx.clock,
            actor="system",
            action="room.created",
            subject=case.case_number,
            details={"team_id": saga.team_id, "channel_id": saga.channel_id, "url": saga.web_url},
        )
        await uow.commit()
    return stored


# --- "Prøv igjen" -----------------------------------------------------------------------------


async def retry_room(
    ctx: RoomContext, case_number: str, *, actor_id: str, actor_name: str
) -> tuple[NeedCase, RoomSaga]:
    """Restart a failed saga; for members of Innkjøpsseksjonen only (checked from the actor's
    id). Conflict when it is not failed (someone retried already, or it is running)."""
    if not await ctx.directory.is_procurement_member(actor_id):
        raise NotAuthorized("not in the procurement section", message_key=REFUSED_NOT_PROCUREMENT)
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        saga = await uow.rooms.get(case_number)
        case = await uow.needs.get(case_number)
        if saga is None or case is None:
            raise NotFound(f"no room for {case_number}", message_key="approval.not_found")
        if not saga_rules.may_retry(saga):
            raise Conflict(f"room {case_number} is {saga.status}", message_key=NOT_FAILED)
        restarted = saga_rules.restarted(saga, now=now)
        stored = await _save(uow, ctx, restarted, release=True)
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action="room.retry",
            subject=case_number,
            details={"step": stored.step, "round": stored.round, "actor_name": actor_name},
        )
        await uow.commit()
    return case, stored


async def room_of(ctx: RoomContext, case_number: str) -> tuple[NeedCase | None, RoomSaga | None]:
    async with ctx.uow.read() as uow:
        return await uow.needs.get(case_number), await uow.rooms.get(case_number)


def topics(lang: str) -> Sequence[str]:
    """The konkurransestrategi topics the welcome card asks the room to settle."""
    return [t(f"rooms.topic.{name}", lang) for name in TOPICS]


TOPICS = (
    "budget",
    "risk",
    "pay",
    "environment",
    "economy",
    "lifecycle",
    "procedure",
    "contract",
    "lots",
    "innovation",
)


def failure_reason(saga: RoomSaga, lang: str) -> str:
    """The advisor's card says what went wrong in plain words, then Graph's own words."""
    text = saga.last_error.lower()
    if "operation failed" in text:
        key = "operation"
    elif " 403 " in text or " 401 " in text or "authorization" in text:
        key = "forbidden"
    elif " 404 " in text or "not_found" in text:
        key = "not_found"
    elif " 400 " in text:
        key = "refused"
    else:
        key = "unavailable"
    return t(f"rooms.failed.reason.{key}", lang)
