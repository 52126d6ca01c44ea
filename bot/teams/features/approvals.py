"""Approval and triage cards in Teams: clicks (Action.Execute, with Action.Submit fallback),
per-user refresh, the requester's free-text answers, and "mine godkjenninger".

Every click is authorized by the use case from `from.aadObjectId`; what the card says is only
which case and which version the user saw. An invoke answers with the card for the clicker;
everyone else's copy is edited in place through the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.domain import approval as rules
from bot.core.domain.errors import AppError, Conflict, NotAuthorized, NotFound, ValidationFailed
from bot.core.domain.records import NeedCase
from bot.core.services import approvals as service
from bot.core.services.approval_digest import set_daily_digest
from bot.core.services.approvals import ApprovalContext
from bot.teams.card_data import int_of, text_of, verb_of
from bot.teams.deps import TeamsDeps
from bot.teams.router import ActionRegistry, CommandRouter
from bot.teams.turn import Turn
from cards import verbs

log = logging.getLogger(__name__)

APPROVAL_ACTIONS = {
    verbs.APPROVAL_APPROVE: rules.APPROVE,
    verbs.APPROVAL_REJECT: rules.REJECT,
    verbs.APPROVAL_ASK: rules.ASK_INFO,
    verbs.APPROVAL_WITHDRAW: rules.WITHDRAW,
}
TRIAGE_ACTIONS = {
    verbs.TRIAGE_ACCEPT: (rules.ACCEPT, None),
    verbs.TRIAGE_CLARIFY: (rules.CLARIFY, "clarify_question"),
    verbs.TRIAGE_EXISTING: (rules.EXISTING, "agreement_ref"),
    verbs.TRIAGE_REJECT: (rules.TRIAGE_REJECT, "reject_reason"),
}
MAX_LISTED = 10


def _note(turn: Turn, error: AppError, case: NeedCase | None) -> str:
    params: dict[str, Any] = {"number": case.case_number if case else ""}
    if case is not None:
        params.update(approver=case.approver_name, requester=case.requester_name)
    return turn.t(error.message_key, **params, **error.params)


# Cards of other features that wait for the person's decision (a deviation's proposed sanction).
MoreWaiting = Callable[[Turn], Awaitable[list[dict[str, Any]]]]


class ApprovalCards:
    def __init__(
        self,
        deps: TeamsDeps,
        ctx: ApprovalContext,
        router: CommandRouter,
        more_waiting: MoreWaiting | None = None,
    ) -> None:
        self._deps = deps
        self._ctx = ctx
        self._router = router
        self._more_waiting = more_waiting

    # --- approval card --------------------------------------------------------------------

    async def _approval_for(
        self, turn: Turn, case: NeedCase, *, notice: str | None = None, refused: bool = False
    ) -> dict[str, Any]:
        viewer = turn.sender.aad_object_id
        view = None
        if refused and case.status in rules.AWAITING_APPROVAL:
            view = "readonly"  # a refused click changes nothing and shows no buttons
        return await service.approval_card_for(
            self._ctx, case, viewer, lang=turn.lang, notice=notice, view=view
        )

    async def on_execute(self, turn: Turn, data: dict[str, Any]) -> dict[str, Any] | None:
        verb = verb_of(turn, data)
        number = str(data.get("case_id") or "")
        if verb == verbs.APPROVAL_REFRESH:
            case = await service.get_case(self._ctx, number)
            if case is None:
                return None
            return await self._approval_for(turn, case)
        case, error = await self._decide(turn, verb, data)
        if case is None:
            return None
        if error is None:
            return await self._approval_for(turn, case)
        return await self._approval_for(
            turn,
            case,
            notice=_note(turn, error, case),
            refused=isinstance(error, NotAuthorized),
        )

    async def on_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        """Action.Submit fallback: no card can be returned, so the answer is a text."""
        verb = verb_of(turn, data)
        if verb == verbs.APPROVAL_REFRESH:
            return
        case, error = await self._decide(turn, verb, data)
        if case is None:
            await turn.say("approval.not_found", number=str(data.get("case_id") or ""))
        elif error is not None:
            await turn.send_text(_note(turn, error, case))
        else:
            await turn.say(f"approval.done.{APPROVAL_ACTIONS[verb]}", number=case.case_number)

    async def _decide(
        self, turn: Turn, verb: str, data: dict[str, Any]
    ) -> tuple[NeedCase | None, AppError | None]:
        number = str(data.get("case_id") or "")
        action = APPROVAL_ACTIONS.get(verb)
        if action is None:
            return None, None
        return await self._attempt(
            "approval",
            verb,
            number,
            service.decide(
                self._ctx,
                number,
                actor_id=turn.sender.aad_object_id,
                actor_name=turn.sender.name,
                action=action,
                version=int_of(data.get("version")),
                comment=text_of(data, "comment"),
            ),
        )

    async def _attempt(
        self, kind: str, verb: str, number: str, decision: Awaitable[Any]
    ) -> tuple[NeedCase | None, AppError | None]:
        """Run one decision; a refused one returns the current case and why (nothing changed)."""
        try:
            outcome = await decision
            return outcome.case, None
        except NotFound:
            return None, None
        except (NotAuthorized, Conflict, ValidationFailed) as error:
            log.info("%s %s on %s refused: %s", kind, verb, number, error.detail)
            return await service.get_case(self._ctx, number), error

    # --- triage card ----------------------------------------------------------------------

    async def _triage(
        self, turn: Turn, verb: str, data: dict[str, Any]
    ) -> tuple[NeedCase | None, AppError | None]:
        number = str(data.get("case_id") or "")
        action, field = TRIAGE_ACTIONS[verb]
        return await self._attempt(
            "triage",
            verb,
            number,
            service.triage(
                self._ctx,
                number,
                actor_id=turn.sender.aad_object_id,
                actor_name=turn.sender.name,
                action=action,
                version=int_of(data.get("version")),
                note=text_of(data, field) if field else None,
            ),
        )

    async def on_triage_execute(self, turn: Turn, data: dict[str, Any]) -> dict[str, Any] | None:
        case, error = await self._triage(turn, verb_of(turn, data), data)
        if case is None:
            return None
        notice = _note(turn, error, case) if error is not None else None
        return await self._ctx.cards.triage_card(
            case, lang=turn.lang, notice=notice, readonly=isinstance(error, NotAuthorized)
        )

    async def on_triage_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        verb = verb_of(turn, data)
        case, error = await self._triage(turn, verb, data)
        if case is None:
            await turn.say("approval.not_found", number=str(data.get("case_id") or ""))
        elif error is not None:
            await turn.send_text(_note(turn, error, case))
        else:
            await turn.say(f"triage.done.{TRIAGE_ACTIONS[verb][0]}", number=case.case_number)

    # --- answers and lists ----------------------------------------------------------------

    async def intercept_answer(self, turn: Turn) -> bool:
        """A free-text message from a requester whose case waits for their answer is the
        answer (commands such as "mine saker" still work)."""
        text = turn.text
        if not text or turn.value or self._router.match(text) is not None:
            return False
        if (
            turn.activity.conversation is not None
            and (getattr(turn.activity.conversation, "conversation_type", None) or "personal")
            != "personal"
        ):
            return False
        case = await service.waiting_for_answer(self._ctx, turn.sender.aad_object_id)
        if case is None:
            return False
        try:
            outcome = await service.answer(
                self._ctx, case, actor_id=turn.sender.aad_object_id, text=text
            )
        except (Conflict, NotAuthorized):
            return False
        updated = outcome.case
        asker = (
            updated.approver_name
            if updated.status == rules.INNSENDT
            else (updated.triaged_by_name or turn.t("approval.procurement"))
        )
        await turn.say("approval.answer.recorded", number=updated.case_number, to=asker)
        return True

    async def my_approvals(self, turn: Turn) -> None:
        waiting = await service.pending_for(self._ctx, turn.sender.aad_object_id, limit=50)
        more = await self._more_waiting(turn) if self._more_waiting is not None else []
        total = len(waiting) + len(more)
        if not total:
            await turn.say("approval.mine.none")
            return
        await turn.say("approval.mine.count", count=total)
        for case, purpose in waiting[:MAX_LISTED]:
            if purpose == service.APPROVAL:
                card = await self._approval_for(turn, case)
            else:
                card = await self._ctx.cards.triage_card(case, lang=turn.lang)
            await turn.send_card(card)
        for card in more[: max(MAX_LISTED - len(waiting), 0)]:
            await turn.send_card(card)
        if total > MAX_LISTED:
            await turn.say("approval.mine.more", shown=MAX_LISTED, count=total)


def register(
    router: CommandRouter,
    actions: ActionRegistry,
    deps: TeamsDeps,
    ctx: ApprovalContext,
    more_waiting: MoreWaiting | None = None,
) -> ApprovalCards:
    feature = ApprovalCards(deps, ctx, router, more_waiting)
    deps.interceptors.append(feature.intercept_answer)
    approval_verbs = (*APPROVAL_ACTIONS, verbs.APPROVAL_REFRESH)
    actions.on_execute(*approval_verbs)(feature.on_execute)
    actions.on_submit(*approval_verbs)(feature.on_submit)
    actions.on_execute(*TRIAGE_ACTIONS)(feature.on_triage_execute)
    actions.on_submit(*TRIAGE_ACTIONS)(feature.on_triage_submit)

    @router.command("mine godkjenninger", "godkjenninger", "my approvals", "approvals")
    async def my_approvals(turn: Turn, _: str) -> None:
        await feature.my_approvals(turn)

    @router.command("sammendrag på", "daglig sammendrag", "digest on", "daily digest")
    async def digest_on(turn: Turn, _: str) -> None:
        await _set_digest(turn, on=True)

    @router.command("sammendrag av", "digest off")
    async def digest_off(turn: Turn, _: str) -> None:
        await _set_digest(turn, on=False)

    async def _set_digest(turn: Turn, *, on: bool) -> None:
        sender = turn.sender
        if not sender.aad_object_id:
            await turn.say("error.not_authorized")
            return
        await set_daily_digest(
            ctx, person_id=sender.aad_object_id, tenant_id=sender.tenant_id, on=on
        )
        await turn.say("digest.on" if on else "digest.off")

    return feature
