"""Use cases of approval and triage: request, decide, answer, triage, and "mine godkjenninger".

Every change is one transaction: the case (optimistic version check), its audit entry, the
requester's notice and the in-place edits of every copy of its cards are committed together or
not at all. Authorization is decided here from the actor's id (`from.aadObjectId`), never from
what a card says. Nothing here calls Graph inside a transaction; the directory calls used on a
click (stand-ins, procurement membership, the channel) are served from YAML or a cache.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.core.clock import Clock
from bot.core.domain import approval as rules
from bot.core.domain.directory import Directory, StandIn
from bot.core.domain.errors import Conflict, NotAuthorized, NotFound
from bot.core.domain.records import ConversationRef, NeedCase
from bot.core.i18n import language_of, t
from bot.core.ports import NeedCards, UnitOfWork, UnitOfWorkFactory
from bot.core.services import card_copies
from bot.core.services.audit import record
from bot.core.services.card_copies import CopyEdit, CopyPost, PreparedMessage, TextNotice
from bot.core.services.conversations import queue_notice

log = logging.getLogger(__name__)

APPROVAL = "approval"
TRIAGE = "triage"
MAX_REFRESH_USERS = 60


@dataclass(frozen=True)
class ApprovalContext:
    """What the approval use cases need, built once by the composition root."""

    uow: UnitOfWorkFactory
    clock: Clock
    # A getter, not the directory itself: in Graph mode the app swaps the directory in at
    # startup, after the features were built.
    directory_of: Callable[[], Directory]
    cards: NeedCards
    tz: str = "Europe/Oslo"
    # Called inside the acceptance's transaction with (uow, case, advisor id, advisor name):
    # queues the collaboration room (bot/core/services/rooms.py), so it cannot be lost.
    on_accept: Callable[[UnitOfWork, NeedCase, str, str], Awaitable[None]] | None = None

    @property
    def directory(self) -> Directory:
        return self.directory_of()

    def today(self) -> date:
        return self.clock.now().astimezone(ZoneInfo(self.tz)).date()


@dataclass(frozen=True)
class Outcome:
    """The case after a successful action, and on whose behalf the actor acted."""

    case: NeedCase
    on_behalf_of: str | None = None


def request_key(number: str) -> str:
    """Outbox key of the approval card in the approver's chat (kept from the first version)."""
    return f"{number}:approval-request"


# --- helpers -------------------------------------------------------------------------------------


async def stand_ins_of(ctx: ApprovalContext, approver_id: str | None) -> list[StandIn]:
    if approver_id is None:
        return []
    return list(await ctx.directory.stand_ins_for(approver_id))


async def _mri(uow: UnitOfWork, tenant_id: str, person_id: str) -> str | None:
    ref = await uow.conversations.get(ConversationRef.user_key(tenant_id, person_id))
    if ref is None:
        return None
    user = ref.reference.get("user")
    value = user.get("id") if isinstance(user, dict) else None
    return str(value) if isinstance(value, str) and value else None


async def refresh_user_ids(uow: UnitOfWork, case: NeedCase, deciders: Sequence[str]) -> list[str]:
    """MRIs of the approver (and active stand-in) and the requester that the bot knows."""
    found: list[str] = []
    for person in [*deciders, case.requester_id]:
        mri = await _mri(uow, case.tenant_id, person)
        if mri and mri not in found:
            found.append(mri)
    return found[:MAX_REFRESH_USERS]


async def lang_of(uow: UnitOfWork, recipient: str, default: str = "nb") -> str:
    ref = await uow.conversations.get(recipient)
    return language_of(ref.locale) if ref is not None and ref.locale else default


def _requester_key(case: NeedCase) -> str:
    return ConversationRef.user_key(case.tenant_id, case.requester_id)


async def post_copy(
    uow: UnitOfWork,
    ctx: ApprovalContext,
    case: NeedCase,
    *,
    purpose: str,
    recipient: str,
    view: str,
    key: str,
    card: dict[str, Any],
    text: str,
) -> None:
    """Queue a new copy of a card and remember it, so later changes can edit it in place."""
    await card_copies.post_copy(
        uow,
        ctx.clock,
        subject=case.case_number,
        purpose=purpose,
        recipient=recipient,
        view=view,
        key=key,
        card=card,
        text=text,
    )


async def plan_copy_edits(
    uow: UnitOfWork, ctx: ApprovalContext, case: NeedCase, purpose: str, deciders: Sequence[str]
) -> list[CopyEdit]:
    """Render an in-place edit of every stored copy of the case's `purpose` card."""
    copies = await uow.card_copies.list_for(case.case_number, purpose)
    refresh = await refresh_user_ids(uow, case, deciders) if purpose == APPROVAL else []
    may_act = {ConversationRef.user_key(case.tenant_id, person) for person in deciders}
    edits: list[CopyEdit] = []
    for copy in copies:
        lang = case.locale if copy.view == "requester" else await lang_of(uow, copy.recipient)
        if purpose == APPROVAL:
            view = copy.view if case.status in rules.AWAITING_APPROVAL else "decided"
            if view == "approver" and copy.recipient not in may_act:
                view = "readonly"  # escalated away, or a stand-in whose period ended
            card = await ctx.cards.approval_card(
                case, view=view, lang=lang, refresh_user_ids=refresh
            )
        else:
            card = await ctx.cards.triage_card(case, lang=lang)
        edits.append(CopyEdit(copy, card, case.version))
    return edits


async def edit_copies(
    uow: UnitOfWork, ctx: ApprovalContext, case: NeedCase, purpose: str, deciders: Sequence[str]
) -> None:
    """Queue an in-place edit of every stored copy of the case's `purpose` card."""
    await card_copies.queue_prepared(
        uow, ctx.clock, await plan_copy_edits(uow, ctx, case, purpose, deciders)
    )


async def _tell(uow: UnitOfWork, ctx: ApprovalContext, recipient: str, key: str, text: str) -> None:
    await queue_notice(uow, recipient=recipient, idempotency_key=key, clock=ctx.clock, text=text)


def case_params(case: NeedCase, **more: Any) -> dict[str, Any]:
    return {
        "number": case.case_number,
        "title": case.title,
        "requester": case.requester_name,
        "approver": case.approver_name,
        **more,
    }


# --- request -------------------------------------------------------------------------------------


async def plan_request(ctx: ApprovalContext, approver_id: str) -> list[str]:
    """Who will act on a new request (approver and active stand-in); call before the transaction."""
    return rules.deciders(approver_id, await stand_ins_of(ctx, approver_id), ctx.today())


async def request_approval(
    uow: UnitOfWork, ctx: ApprovalContext, case: NeedCase, deciders: Sequence[str]
) -> None:
    """Queue the approval card to the approver (and an active stand-in) and the requester's own
    copy with Trekk tilbake, inside the caller's transaction. `deciders` from `plan_request`."""
    if case.approver_id is None:
        return
    refresh = await refresh_user_ids(uow, case, deciders)
    summary = t("need.approval_notice", "nb", **case_params(case))
    for person in deciders:
        recipient = ConversationRef.user_key(case.tenant_id, person)
        lang = await lang_of(uow, recipient)
        key = request_key(case.case_number)
        if person != case.approver_id:
            key = f"{key}:stand-in:{person}"
        card = await ctx.cards.approval_card(
            case, view="approver", lang=lang, refresh_user_ids=refresh
        )
        await post_copy(
            uow,
            ctx,
            case,
            purpose=APPROVAL,
            recipient=recipient,
            view="approver",
            key=key,
            card=card,
            text=t("need.approval_notice", lang, **case_params(case)) if lang != "nb" else summary,
        )
    card = await ctx.cards.approval_card(
        case, view="requester", lang=case.locale, refresh_user_ids=refresh
    )
    await post_copy(
        uow,
        ctx,
        case,
        purpose=APPROVAL,
        recipient=_requester_key(case),
        view="requester",
        key=f"{request_key(case.case_number)}:requester",
        card=card,
        text=t("approval.requester_copy", case.locale, **case_params(case)),
    )


# --- decide --------------------------------------------------------------------------------------


async def _apply(uow: UnitOfWork, case: NeedCase, changes: dict[str, Any]) -> NeedCase:
    """Change the case only if nobody changed it since it was read; return it as stored."""
    if not await uow.needs.update_if_version(case.case_number, case.version, **changes):
        raise rules_conflict()
    return await _load(uow, case.case_number)


async def _load(uow: UnitOfWork, number: str) -> NeedCase:
    case = await uow.needs.get(number)
    if case is None:
        raise NotFound(f"no case {number}", message_key="approval.not_found", number=number)
    return case


async def get_case(ctx: ApprovalContext, number: str) -> NeedCase | None:
    async with ctx.uow.read() as uow:
        return await uow.needs.get(number)


async def decide(
    ctx: ApprovalContext,
    case_number: str,
    *,
    actor_id: str,
    actor_name: str,
    action: str,
    version: int | None,
    comment: str | None = None,
) -> Outcome:
    """Approve, reject, ask for information, or withdraw (the requester), on `version`.

    Raises NotAuthorized (nothing changes), Conflict (decided meanwhile, or a stale card),
    ValidationFailed (a reason or question is required), NotFound.
    """
    case = await get_case(ctx, case_number)
    if case is None:
        raise NotFound(f"no case {case_number}", message_key="approval.not_found")
    stand_ins = await stand_ins_of(ctx, case.approver_id)
    today = ctx.today()
    now = ctx.clock.now()
    auth = rules.authorize_approval_action(
        action,
        actor_id,
        approver_id=case.approver_id,
        requester_id=case.requester_id,
        stand_ins=stand_ins,
        on=today,
    )
    target = rules.next_status(case.status, action)
    rules.check_version(version, case.version)
    note = rules.require_note(action, comment)
    changes: dict[str, Any] = {"status": target, "updated_at": now}
    if action == rules.ASK_INFO:
        changes.update(info_question=note, info_answer=None)
    else:
        changes.update(
            decided_by=actor_id,
            decided_by_name=actor_name,
            decided_on_behalf_of=auth.on_behalf_of,
            decided_at=now,
            decision_comment=note,
        )
    deciders = rules.deciders(case.approver_id, stand_ins, today)
    decision = _Decision(case, action, actor_name, auth.on_behalf_of, note, deciders)
    # The cards are rendered from a snapshot, outside the writer's transaction; the version
    # check in `_apply` makes sure the case is still the one they were rendered from.
    planned = replace(case, version=case.version + 1, **changes)
    async with ctx.uow.read() as uow:
        work = await _decision_messages(uow, ctx, decision, planned)
    async with ctx.uow() as uow:
        updated = await _apply(uow, case, changes)
        if updated != planned:  # the store changed a field on its way in: render what it holds
            log.info("%s: re-rendering the decision's cards from the stored case", case_number)
            work = await _decision_messages(uow, ctx, decision, updated)
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action=f"need.{action}",
            subject=case_number,
            on_behalf_of=auth.on_behalf_of,
            details={
                "from": case.status,
                "to": target,
                "version": updated.version,
                "comment": note,
                "actor_name": actor_name,
            },
        )
        await card_copies.queue_prepared(uow, ctx.clock, work)
        await uow.commit()
    return Outcome(updated, auth.on_behalf_of)


@dataclass(frozen=True)
class _Decision:
    """A decision on `before`, as its notices need it."""

    before: NeedCase
    action: str
    actor_name: str
    on_behalf_of: str | None
    note: str | None
    deciders: Sequence[str]


_REQUESTER_NOTICES = {
    rules.APPROVE: ("approval.notice.approved", None),
    rules.REJECT: ("approval.notice.rejected", "comment"),
    rules.ASK_INFO: ("approval.notice.ask_info", "question"),
}


async def _decision_messages(
    uow: UnitOfWork, ctx: ApprovalContext, decision: _Decision, after: NeedCase
) -> list[PreparedMessage]:
    """What a decision queues: the edited approval cards, the requester's notice and, once
    approved, the triage cards."""
    before = decision.before
    work: list[PreparedMessage] = [
        *await plan_copy_edits(uow, ctx, after, APPROVAL, decision.deciders)
    ]
    notice = _REQUESTER_NOTICES.get(decision.action)
    if notice is not None:
        message_key, note_param = notice
        by = (
            decision.actor_name
            if decision.on_behalf_of is None
            else t(
                "approval.on_behalf",
                before.locale,
                actor=decision.actor_name,
                approver=before.approver_name,
            )
        )
        params = case_params(after, by=by)
        if note_param:
            params[note_param] = decision.note
        work.append(
            TextNotice(
                _requester_key(before),
                f"{before.case_number}:v{after.version}:requester",
                t(message_key, before.locale, **params),
            )
        )
    if decision.action == rules.APPROVE:
        work += await _triage_posts(uow, ctx, after)
    return work


def rules_conflict() -> Conflict:
    """Someone else changed the case between our read and our write (the version moved)."""
    return Conflict("changed meanwhile", message_key=rules.CONFLICT_DECIDED)


async def _triage_posts(uow: UnitOfWork, ctx: ApprovalContext, case: NeedCase) -> list[CopyPost]:
    """The triage card to the procurement channel and the service area's innkjøpskontakt."""
    posts: list[CopyPost] = []
    rendered: dict[str, dict[str, Any]] = {}  # one render per language

    async def card_in(lang: str) -> dict[str, Any]:
        if lang not in rendered:
            rendered[lang] = await ctx.cards.triage_card(case, lang=lang)
        return rendered[lang]

    channel = await ctx.directory.procurement_channel()
    if channel is not None:
        posts.append(
            CopyPost(
                subject=case.case_number,
                purpose=TRIAGE,
                recipient=ConversationRef.conversation_key(channel.channel_id),
                view="triage",
                key=f"{case.case_number}:triage:channel",
                card=await card_in("nb"),
                text=t("triage.summary", "nb", **case_params(case)),
            )
        )
    else:
        log.warning(
            "no procurement channel configured: %s goes to the contact only", case.case_number
        )
    area = await ctx.directory.service_area(case.service_area) if case.service_area else None
    contact = area.procurement_contact_id if area else None
    if contact:
        recipient = ConversationRef.user_key(case.tenant_id, contact)
        lang = await lang_of(uow, recipient)
        posts.append(
            CopyPost(
                subject=case.case_number,
                purpose=TRIAGE,
                recipient=recipient,
                view="triage",
                key=f"{case.case_number}:triage:contact",
                card=await card_in(lang),
                text=t("triage.summary", lang, **case_params(case)),
            )
        )
    return posts


# --- triage --------------------------------------------------------------------------------------


async def triage(
    ctx: ApprovalContext,
    case_number: str,
    *,
    actor_id: str,
    actor_name: str,
    action: str,
    version: int | None,
    note: str | None = None,
) -> Outcome:
    """Aksepter / Trenger avklaring / Dekkes av eksisterende avtale / Avvis (Innkjøpsseksjonen)."""
    case = await get_case(ctx, case_number)
    if case is None:
        raise NotFound(f"no case {case_number}", message_key="approval.not_found")
    member = await ctx.directory.is_procurement_member(actor_id)
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        case = await _load(uow, case_number)
        rules.authorize_triage(
            actor_id, is_procurement_member=member, requester_id=case.requester_id
        )
        target = rules.next_status(case.status, action)
        rules.check_version(version, case.version)
        text = rules.require_note(action, note)
        changes: dict[str, Any] = {
            "status": target,
            "updated_at": now,
            "triaged_by": actor_id,
            "triaged_by_name": actor_name,
            "triaged_at": now,
            "triage_outcome": action,
            "triage_note": text,
        }
        if action == rules.CLARIFY:
            changes.update(info_question=text, info_answer=None)
        updated = await _apply(uow, case, changes)
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action=f"need.triage.{action}",
            subject=case_number,
            details={
                "from": case.status,
                "to": target,
                "version": updated.version,
                "note": text,
                "actor_name": actor_name,
            },
        )
        await edit_copies(uow, ctx, updated, TRIAGE, [])
        if action == rules.ACCEPT and ctx.on_accept is not None:
            await ctx.on_accept(uow, updated, actor_id, actor_name)
        key = f"{case_number}:v{updated.version}:requester"
        message = {
            rules.ACCEPT: "triage.notice.accepted",
            rules.CLARIFY: "triage.notice.clarify",
            rules.EXISTING: "triage.notice.existing",
            rules.TRIAGE_REJECT: "triage.notice.rejected",
        }[action]
        await _tell(
            uow,
            ctx,
            _requester_key(case),
            key,
            t(message, case.locale, **case_params(updated, note=text, by=actor_name)),
        )
        await uow.commit()
    return Outcome(updated)


# --- answers -------------------------------------------------------------------------------------


async def waiting_for_answer(ctx: ApprovalContext, requester_id: str) -> NeedCase | None:
    """The requester's case most recently sent back with a question, if any."""
    async with ctx.uow.read() as uow:
        cases = await uow.needs.list_by_status(
            sorted(rules.AWAITING_ANSWER), requester_id=requester_id, limit=1
        )
    return cases[0] if cases else None


async def answer(ctx: ApprovalContext, case: NeedCase, *, actor_id: str, text: str) -> Outcome:
    """Record the requester's free-text answer; the asker gets an updated card and a notice."""
    if actor_id != case.requester_id:
        raise NotAuthorized("only the requester answers", message_key=rules.REFUSED_NOT_REQUESTER)
    stand_ins = await stand_ins_of(ctx, case.approver_id)
    today = ctx.today()
    now = ctx.clock.now()
    async with ctx.uow() as uow:
        current = await _load(uow, case.case_number)
        target = rules.next_status(current.status, rules.ANSWER)
        if not await uow.needs.update_if_version(
            current.case_number,
            current.version,
            status=target,
            info_answer=text.strip(),
            updated_at=now,
        ):
            raise rules_conflict()
        updated = await _load(uow, current.case_number)
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action="need.answered",
            subject=current.case_number,
            details={
                "from": current.status,
                "to": target,
                "version": updated.version,
                "answer": text.strip(),
            },
        )
        purpose = APPROVAL if target == rules.INNSENDT else TRIAGE
        deciders = rules.deciders(current.approver_id, stand_ins, today)
        await edit_copies(uow, ctx, updated, purpose, deciders)
        asker = current.approver_id if purpose == APPROVAL else current.triaged_by
        if asker:
            recipient = ConversationRef.user_key(current.tenant_id, asker)
            lang = await lang_of(uow, recipient)
            await _tell(
                uow,
                ctx,
                recipient,
                f"{current.case_number}:v{updated.version}:answer",
                t("approval.notice.answered", lang, **case_params(updated, answer=text.strip())),
            )
        await uow.commit()
    return Outcome(updated)


# --- views ---------------------------------------------------------------------------------------


async def approval_card_for(
    ctx: ApprovalContext,
    case: NeedCase,
    viewer_id: str,
    *,
    lang: str,
    notice: str | None = None,
    view: str | None = None,
) -> dict[str, Any]:
    """The approval card as `viewer_id` should see it (for an invoke or a refresh)."""
    stand_ins = await stand_ins_of(ctx, case.approver_id)
    deciders = rules.deciders(case.approver_id, stand_ins, ctx.today())
    if view is None:
        view = rules.approval_view(
            viewer_id,
            status=case.status,
            requester_id=case.requester_id,
            may_act=viewer_id in deciders and viewer_id != case.requester_id,
        )
    async with ctx.uow.read() as uow:
        refresh = await refresh_user_ids(uow, case, deciders)
    return await ctx.cards.approval_card(
        case, view=view, lang=lang, refresh_user_ids=refresh, notice=notice
    )


async def pending_for(
    ctx: ApprovalContext, actor_id: str, *, limit: int = 10
) -> list[tuple[NeedCase, str]]:
    """What waits for `actor_id`: approvals as the approver or active stand-in, and, for members
    of Innkjøpsseksjonen, approved needs waiting for triage. `(case, purpose)` pairs."""
    today = ctx.today()
    found: list[tuple[NeedCase, str]] = []
    async with ctx.uow.read() as uow:
        own = await uow.needs.list_for_approvers(
            [actor_id], sorted(rules.AWAITING_APPROVAL), limit=limit
        )
        others = await uow.needs.list_by_status(sorted(rules.AWAITING_APPROVAL), limit=500)
    found += [(case, APPROVAL) for case in own if case.requester_id != actor_id]
    stand_in_cache: dict[str, list[StandIn]] = {}
    for case in others:
        if case.approver_id in (None, actor_id) or case.requester_id == actor_id:
            continue
        approver = case.approver_id
        assert approver is not None
        if approver not in stand_in_cache:
            stand_in_cache[approver] = await stand_ins_of(ctx, approver)
        if actor_id in rules.deciders(approver, stand_in_cache[approver], today)[1:]:
            found.append((case, APPROVAL))
    if await ctx.directory.is_procurement_member(actor_id):
        async with ctx.uow.read() as uow:
            waiting = await uow.needs.list_by_status(sorted(rules.AWAITING_TRIAGE), limit=limit)
        found += [(case, TRIAGE) for case in waiting if case.requester_id != actor_id]
    found.sort(key=lambda item: item[0].created_at)
    return found[:limit]
