"""The needs report (behovsmelding) in chat: start, answer, change, form, send ("mine saker" is
in cases.py).

The conversation itself is the pure state machine in bot/core/domain/need_intake.py; this module
only loads and stores it in the dialog state, renders its prompts and calls the use cases.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from bot.core.domain.approvers import resolve_approver
from bot.core.domain.directory import Person
from bot.core.domain.errors import NotFound, ValidationFailed
from bot.core.domain.need_fields import FIELDS, IntakeContext, apply_form
from bot.core.domain.need_intake import IntakeSession, Prompt
from bot.core.domain.needs import NeedDraft
from bot.core.domain.periods import ContractPeriod
from bot.core.domain.thresholds import Tier
from bot.core.formatting import format_nok
from bot.core.i18n import t
from bot.core.services.approvals import ApprovalContext
from bot.core.services.needs import (
    FileNeed,
    assess,
    file_need,
    filed_from_draft,
)
from bot.teams.deps import TeamsDeps
from bot.teams.drafts import DraftState
from bot.teams.features.need_views import (
    question_card,
    summary_card,
    tier_texts,
)
from bot.teams.router import ActionRegistry, CommandRouter, normalize
from bot.teams.turn import Turn
from cards import verbs
from cards.models import FORM_FIELDS, NeedFormCard, ResumeDraftCard

# After this long without an answer, the next message asks before it continues the draft.
RESUME_AFTER = timedelta(minutes=30)
ACTIVE = ("active", "summary")
START_PHRASES = frozenset({"ny behovsmelding", "behovsmelding", "nytt behov", "new need"})
PASS_THROUGH = frozenset(
    {
        "mine saker",
        "my cases",
        "fyll ut skjema",
        "skjema",
        "form",
        "mine godkjenninger",
        "my approvals",
        "meld avvik",  # a deviation report pauses the needs draft, which resumes after it
        "nytt avvik",
        "report deviation",
    }
)


class NeedConversation:
    def __init__(self, deps: TeamsDeps, approvals: ApprovalContext | None = None) -> None:
        self._deps = deps
        self._approvals = approvals
        self._drafts = DraftState(deps.conversation_state, "need_intake", deps.clock)

    async def context(self, turn: Turn) -> IntakeContext:
        areas = await self._deps.directory.service_areas()
        return IntakeContext(
            today=self._deps.clock.now().date(),
            service_areas=[(area.id, area.name) for area in areas],
            vat_percent=self._deps.rules.vat_percent,
            lang=turn.lang,
        )

    # --- entry points -----------------------------------------------------------------------

    async def start(self, turn: Turn, sentence: str | None = None) -> None:
        stored = await self._drafts.load(turn)
        if stored and IntakeSession.from_dict(stored["session"]).status in ACTIVE:
            await self._offer_resume(turn, stored)
            return
        context = await self.context(turn)
        session = IntakeSession()
        prompt = session.start(context, sentence)
        await turn.say("need.flow.started")
        filled = [
            t(f"need.field.{name}.label", turn.lang)
            for name, value in vars(session.draft).items()
            if value is not None
        ]
        if sentence and filled:
            await turn.say("need.flow.prefilled", fields=", ".join(filled))
        await self._show(turn, session, prompt, context, uuid.uuid4().hex[:12])

    async def start_prefilled(self, turn: Turn, draft: NeedDraft, *, intro_key: str) -> None:
        """A needs report with fields filled in already ("Start ny anskaffelse" on a contract
        reminder); a draft in progress is offered first, as with any other start."""
        stored = await self._drafts.load(turn)
        if stored and IntakeSession.from_dict(stored["session"]).status in ACTIVE:
            await self._offer_resume(turn, stored)
            return
        context = await self.context(turn)
        session = IntakeSession()
        prompt = session.start_from(context, draft)
        filled = [
            t(f"need.field.{name}.label", turn.lang)
            for name, value in vars(session.draft).items()
            if value is not None
        ]
        await turn.say(intro_key, fields=", ".join(filled))
        await self._show(turn, session, prompt, context, uuid.uuid4().hex[:12])

    async def _offer_resume(self, turn: Turn, stored: dict[str, Any]) -> None:
        session = IntakeSession.from_dict(stored["session"])
        updated = _parse_time(stored.get("updated_at"))
        card = ResumeDraftCard.build(
            turn.lang, draft_id=stored["draft_id"], title=session.draft.title, updated=updated
        )
        await turn.send_card(card.render())

    async def intercept(self, turn: Turn) -> bool:
        """Route a message to the draft in progress; False when there is none."""
        stored = await self._drafts.load(turn)
        if not stored:
            return False
        said = normalize(turn.text)
        if said in PASS_THROUGH:
            return False  # e.g. "mine saker" mid-draft: answer it, keep the draft
        if said in START_PHRASES:
            await self._offer_resume(turn, stored)
            return True
        session = IntakeSession.from_dict(stored["session"])
        if session.status not in ACTIVE:
            await self._drafts.clear(turn)
            return False
        updated = _parse_time(stored.get("updated_at"))
        if updated and self._deps.clock.now() - updated > RESUME_AFTER:
            await self._offer_resume(turn, stored)
            await self._drafts.save(turn, session, stored["draft_id"])  # ask once, then continue
            return True
        context = await self.context(turn)
        await self._show(
            turn, session, session.answer(context, turn.text), context, stored["draft_id"]
        )
        return True

    # --- card verbs -------------------------------------------------------------------------

    async def on_answer(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._drafts.load(turn)
        if not stored:
            await turn.say("need.flow.stale_card")
            return
        session = IntakeSession.from_dict(stored["session"])
        context = await self.context(turn)
        answer = str(data.get("answer") or "")
        await self._show(
            turn, session, session.answer(context, answer), context, stored["draft_id"]
        )

    async def on_resume(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._current(turn, data)
        if stored is None:
            return
        session = IntakeSession.from_dict(stored["session"])
        context = await self.context(turn)
        await self._show(
            turn, session, session.current_prompt(context), context, stored["draft_id"]
        )

    async def on_discard(self, turn: Turn, data: dict[str, Any]) -> None:
        if await self._current(turn, data) is None:
            return
        await self._drafts.clear(turn)
        await turn.say("need.flow.discarded")

    async def on_cancel(self, turn: Turn, data: dict[str, Any]) -> None:
        if await self._current(turn, data) is None:
            return
        await self._drafts.clear(turn)
        await turn.say("need.cancelled")

    async def on_edit_field(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._current(turn, data)
        if stored is None:
            return
        session = IntakeSession.from_dict(stored["session"])
        context = await self.context(turn)
        try:
            prompt = session.change_field(context, str(data.get("field") or ""))
        except (ValidationFailed, KeyError):
            prompt = session.current_prompt(context)
        await self._show(turn, session, prompt, context, stored["draft_id"])

    async def on_form_open(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._drafts.load(turn)
        session = IntakeSession.from_dict(stored["session"]) if stored else IntakeSession()
        draft_id = stored["draft_id"] if stored else uuid.uuid4().hex[:12]
        context = await self.context(turn)
        values = {k: v for k, v in session.draft.to_dict().items() if v is not None}
        await turn.send_card(self._form(turn, context, values, {}, draft_id))

    def _form(
        self,
        turn: Turn,
        context: IntakeContext,
        values: dict[str, Any],
        errors: dict[str, str],
        draft_id: str,
    ) -> dict[str, Any]:
        texts = {name: t(key, turn.lang) for name, key in errors.items()}
        return NeedFormCard.build(
            turn.lang,
            service_areas=list(context.service_areas),
            values={k: _form_value(v) for k, v in values.items()},
            errors=texts,
            draft_id=draft_id,
        ).render()

    async def on_form_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        context = await self.context(turn)
        # only the form's own fields: a forged or stale submit may carry others (fuzz test)
        raw = {k: str(v) for k, v in data.items() if k in FORM_FIELDS and v is not None}
        draft, errors = apply_form(context, raw)
        draft_id = str(data.get("draft_id") or uuid.uuid4().hex[:12])
        if errors:
            await turn.say("need.flow.form_errors")
            await turn.send_card(self._form(turn, context, raw, errors, draft_id))
            return
        session = IntakeSession()
        session.start(context, None)
        session.draft = draft
        # A form leaves optional fields empty on purpose: don't ask for them afterwards.
        session.skipped = [
            spec.name for spec in FIELDS if spec.optional and getattr(draft, spec.name) is None
        ]
        session.current = None  # the next prompt is found from the draft (the summary)
        await self._show(turn, session, session.current_prompt(context), context, draft_id)

    async def on_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._current(turn, data)
        if stored is None:
            return
        session = IntakeSession.from_dict(stored["session"])
        if session.status != "summary":
            context = await self.context(turn)
            await self._show(
                turn, session, session.current_prompt(context), context, stored["draft_id"]
            )
            return
        filed = await filed_from_draft(
            turn.sender.aad_object_id, stored["draft_id"], uow=self._deps.uow.read()
        )
        if filed is not None:  # the bot restarted after filing, before it could say so
            await self._drafts.clear(turn)
            await turn.say("need.flow.already_filed", number=filed.case_number)
            return
        approver = await self._approver(turn.sender.aad_object_id)
        case = await file_need(
            FileNeed(
                draft=session.draft,
                requester_id=turn.sender.aad_object_id,
                requester_name=turn.sender.name,
                tenant_id=turn.sender.tenant_id,
                lang=turn.lang,
                approver_id=approver.id if approver else None,
                approver_name=approver.name if approver else "",
                draft_id=stored["draft_id"],
            ),
            uow=self._deps.uow(),
            clock=self._deps.clock,
            rules=self._deps.rules,
            approvals=self._approvals,
        )
        await self._drafts.clear(turn)
        assessment = assess(session.draft, self._deps.rules, on=case.created_at.date())
        tier_name, _ = tier_texts(assessment, turn.lang)
        params = {
            "number": case.case_number,
            "total": format_nok(case.estimated_total),
            "tier": tier_name,
        }
        if approver:
            await turn.say("need.flow.submitted", approver=approver.name, **params)
        else:
            await turn.say("need.flow.submitted_no_approver", **params)

    async def _approver(self, requester_id: str) -> Person | None:
        try:
            return await resolve_approver(requester_id, self._deps.directory)
        except NotFound:
            return None

    async def _current(self, turn: Turn, data: dict[str, Any]) -> dict[str, Any] | None:
        """The stored draft, if the clicked card belongs to it; otherwise say the card is stale."""
        stored = await self._drafts.load(turn)
        clicked = data.get("draft_id")
        if not stored or (clicked and clicked != stored.get("draft_id")):
            await turn.say("need.flow.stale_card")
            return None
        return stored

    # --- rendering --------------------------------------------------------------------------

    async def _show(
        self,
        turn: Turn,
        session: IntakeSession,
        prompt: Prompt,
        context: IntakeContext,
        draft_id: str,
    ) -> None:
        if prompt.kind == "cancelled":
            await self._drafts.clear(turn)
            await turn.say(prompt.message_key)
            return
        await self._drafts.save(turn, session, draft_id)
        if prompt.kind == "summary":
            assessment = assess(session.draft, self._deps.rules, on=context.today)
            agreement = None
            if assessment.classification.tier is Tier.BELOW_LIMIT:
                agreement = await self._matching_agreement(session.draft)
            await turn.say(prompt.message_key)
            await turn.send_card(
                summary_card(session, assessment, context, draft_id, existing_agreement=agreement)
            )
            return
        await turn.send_card(question_card(prompt, session, turn.lang))

    async def _matching_agreement(self, draft: NeedDraft) -> str | None:
        """An agreement in the register that may already cover a small purchase."""
        query = draft.title or ""
        if not query.strip():
            return None
        async with self._deps.contracts() as register_:
            found = await register_.search(query, limit=1)
        if not found:
            return None
        return f"{found[0].number} {found[0].title} ({found[0].supplier})"


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _form_value(value: Any) -> str:
    if isinstance(value, dict):  # a stored period
        return ContractPeriod.from_dict(value).describe("nb")
    if isinstance(value, bool):
        return "ja" if value else "nei"
    return str(value)


def register(
    router: CommandRouter,
    actions: ActionRegistry,
    deps: TeamsDeps,
    *,
    approvals: ApprovalContext | None = None,
) -> NeedConversation:
    conversation = NeedConversation(deps, approvals)
    deps.interceptors.append(conversation.intercept)

    @router.command(
        "ny behovsmelding", "behovsmelding", "nytt behov", "new need", "new needs report"
    )
    async def new_need(turn: Turn, _: str) -> None:
        await conversation.start(turn)

    @router.command("fyll ut skjema", "skjema", "form")
    async def form(turn: Turn, _: str) -> None:
        await conversation.on_form_open(turn, {})

    @actions.on_submit(verbs.WELCOME_NEW_NEED)
    async def start_button(turn: Turn, _: dict[str, Any]) -> None:
        await conversation.start(turn)

    actions.on_submit(verbs.NEED_ANSWER)(conversation.on_answer)
    actions.on_submit(verbs.NEED_RESUME)(conversation.on_resume)
    actions.on_submit(verbs.NEED_DISCARD)(conversation.on_discard)
    actions.on_submit(verbs.NEED_CANCEL)(conversation.on_cancel)
    actions.on_submit(verbs.NEED_EDIT_FIELD)(conversation.on_edit_field)
    actions.on_submit(verbs.NEED_FORM_OPEN)(conversation.on_form_open)
    actions.on_submit(verbs.NEED_FORM_SUBMIT)(conversation.on_form_submit)
    actions.on_submit(verbs.NEED_SUBMIT)(conversation.on_submit)
    return conversation
