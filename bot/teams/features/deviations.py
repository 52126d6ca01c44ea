"""The deviation report (avvik) in chat: start, answer, find the contract, form, send.

The conversation is the pure state machine in bot/core/domain/deviation_intake.py; this module
loads and stores it in the dialog state (so a half-filled report survives a restart), searches
the contract register for the `search` prompts, renders, and calls the use cases.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from bot.core.domain.deviation_form import apply_form
from bot.core.domain.deviation_intake import DeviationSession, Prompt
from bot.core.domain.errors import ValidationFailed
from bot.core.i18n import t
from bot.core.services import deviations as service
from bot.core.services.deviation_filing import FileDeviation, file_deviation, filed_from_draft
from bot.core.services.deviations import DeviationContext
from bot.teams.deps import TeamsDeps
from bot.teams.drafts import DraftState
from bot.teams.features.deviation_followup import ACTIONS, DeviationFollowUp
from bot.teams.features.deviation_views import MAX_MATCHES, form_card, question_card, summary_card
from bot.teams.router import ActionRegistry, CommandRouter, normalize
from bot.teams.turn import Turn
from cards import verbs
from cards.models import QuestionCard
from cards.models.deviation import FORM_FIELDS

RESUME_AFTER = timedelta(minutes=30)
ACTIVE = ("active", "summary")
START_PHRASES = frozenset(
    {"meld avvik", "nytt avvik", "avvik", "report deviation", "new deviation", "report a deviation"}
)
NEED_START_PHRASES = frozenset({"ny behovsmelding", "behovsmelding", "nytt behov", "new need"})
PASS_THROUGH = frozenset({"mine saker", "my cases", "mine godkjenninger", "my approvals"})
_FILE_TYPES = ("application/vnd.microsoft.teams.file.download.info", "image/")


def files_of(turn: Turn) -> list[dict[str, str]]:
    """Files and pictures sent with the message: their name and a link (not inline cards)."""
    found: list[dict[str, str]] = []
    for attachment in turn.activity.attachments or []:
        kind = str(getattr(attachment, "content_type", "") or "")
        if not kind.startswith(_FILE_TYPES):
            continue
        content = getattr(attachment, "content", None)
        url = str(getattr(attachment, "content_url", "") or "")
        if not url and isinstance(content, dict):
            url = str(content.get("downloadUrl") or "")
        name = str(getattr(attachment, "name", "") or "") or url.rsplit("/", 1)[-1]
        if url:
            found.append({"name": name[:200], "url": url[:1000]})
    return found


class DeviationConversation:
    def __init__(self, deps: TeamsDeps, ctx: DeviationContext) -> None:
        self._deps = deps
        self._ctx = ctx
        self._drafts = DraftState(deps.conversation_state, "deviation_intake", deps.clock)

    def _today(self) -> Any:
        return self._ctx.today()

    # --- entry points -----------------------------------------------------------------------

    async def start(self, turn: Turn, sentence: str | None = None) -> None:
        stored = await self._drafts.load(turn)
        if stored and DeviationSession.from_dict(stored["session"]).status in ACTIVE:
            await self._offer_resume(turn)
            return
        person = await self._deps.directory.get_person(turn.sender.aad_object_id)
        session = DeviationSession(default_unit=person.unit if person and person.unit else None)
        prompt = session.start(self._today(), sentence)
        session.add_attachments(files_of(turn))
        await turn.say("deviation.flow.started")
        filled = [
            t(f"deviation.field.{name}.label", turn.lang)
            for name in ("category", "description", "observed_on", "severity")
            if session.draft.has(name)
        ]
        if sentence and filled:
            await turn.say("deviation.flow.prefilled", fields=", ".join(filled))
        await self._show(turn, session, prompt, uuid.uuid4().hex[:12])

    async def _offer_resume(self, turn: Turn) -> None:
        card = QuestionCard.build(
            turn.lang,
            text=turn.t("deviation.flow.resume"),
            options=[
                ("resume", turn.t("deviation.flow.resume_choice")),
                ("discard", turn.t("deviation.flow.discard_choice")),
            ],
            verb=verbs.DEVIATION_RESUME,
        )
        await turn.send_card(card.render())

    async def intercept(self, turn: Turn) -> bool:
        """Route a message to the report in progress; False when there is none."""
        stored = await self._drafts.load(turn)
        if not stored:
            return False
        session = DeviationSession.from_dict(stored["session"])
        if session.status not in ACTIVE:
            await self._drafts.clear(turn)
            return False
        files = files_of(turn)
        if files:
            added = session.add_attachments(files)
            await self._drafts.save(turn, session, stored["draft_id"])
            await turn.say("deviation.flow.attachments_added", count=added)
            if not turn.text:
                if session.status == "summary":  # show the summary with the new file
                    await turn.send_card(summary_card(session, turn.lang, stored["draft_id"]))
                return True
        said = normalize(turn.text)
        if said in PASS_THROUGH:
            return False
        if said in NEED_START_PHRASES:
            await turn.say("deviation.flow.busy")
            return True
        if said in START_PHRASES:
            await self._offer_resume(turn)
            return True
        updated = _parse_time(stored.get("updated_at"))
        if updated and self._deps.clock.now() - updated > RESUME_AFTER:
            await self._offer_resume(turn)
            await self._drafts.save(turn, session, stored["draft_id"])  # ask once, then continue
            return True
        prompt = session.answer(self._today(), turn.text)
        await self._show(turn, session, prompt, stored["draft_id"])
        return True

    # --- card verbs -------------------------------------------------------------------------

    async def _current(self, turn: Turn, data: dict[str, Any]) -> dict[str, Any] | None:
        stored = await self._drafts.load(turn)
        clicked = data.get("draft_id")
        if not stored or (clicked and clicked != stored.get("draft_id")):
            await turn.say("deviation.flow.stale_card")
            return None
        return stored

    async def on_answer(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._current(turn, data)
        if stored is None:
            return
        session = DeviationSession.from_dict(stored["session"])
        prompt = session.answer(self._today(), str(data.get("answer") or ""))
        await self._show(turn, session, prompt, stored["draft_id"])

    async def on_resume(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._current(turn, data)
        if stored is None:
            return
        if data.get("answer") == "discard":
            await self._drafts.clear(turn)
            await turn.say("deviation.flow.discarded")
            return
        session = DeviationSession.from_dict(stored["session"])
        await self._show(turn, session, session.current_prompt(), stored["draft_id"])

    async def on_cancel(self, turn: Turn, data: dict[str, Any]) -> None:
        if await self._current(turn, data) is None:
            return
        await self._drafts.clear(turn)
        await turn.say("deviation.cancelled")

    async def on_edit_field(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._current(turn, data)
        if stored is None:
            return
        session = DeviationSession.from_dict(stored["session"])
        try:
            prompt = session.change_field(str(data.get("field") or ""))
        except ValidationFailed:
            prompt = session.current_prompt()
        await self._show(turn, session, prompt, stored["draft_id"])

    async def on_form_open(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._drafts.load(turn)
        session = DeviationSession.from_dict(stored["session"]) if stored else DeviationSession()
        draft_id = stored["draft_id"] if stored else uuid.uuid4().hex[:12]
        draft = session.draft
        values: dict[str, Any] = {
            "contract": "vet ikke" if draft.contract_unknown else draft.contract_number,
            "category": draft.category,
            "description": draft.description,
            "observed_on": draft.observed_on,
            "severity": draft.severity,
            "unit": draft.unit or session.default_unit,
        }
        if not stored:
            person = await self._deps.directory.get_person(turn.sender.aad_object_id)
            values["unit"] = person.unit if person else None
        await turn.send_card(form_card(turn.lang, values, {}, draft_id))

    async def on_form_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        # only the form's own fields: a forged or stale submit may carry others (fuzz test)
        raw = {k: str(v).strip() for k, v in data.items() if k in FORM_FIELDS and v is not None}
        draft_id = str(data.get("draft_id") or uuid.uuid4().hex[:12])
        stored = await self._drafts.load(turn)
        session = DeviationSession.from_dict(stored["session"]) if stored else DeviationSession()
        result = apply_form(session, raw, self._today())
        if result.prompt is None:
            await turn.say("deviation.flow.form_errors")
            await turn.send_card(form_card(turn.lang, raw, result.errors, draft_id))
            return
        contract_text = raw.get("contract", "")
        prompt = result.prompt
        await self._show(turn, session, prompt, draft_id, search_fallback=contract_text)

    async def on_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        stored = await self._current(turn, data)
        if stored is None:
            return
        session = DeviationSession.from_dict(stored["session"])
        if session.status != "summary":
            await self._show(turn, session, session.current_prompt(), stored["draft_id"])
            return
        sender = turn.sender
        filed = await filed_from_draft(self._ctx, sender.aad_object_id, stored["draft_id"])
        if filed is not None:
            await self._drafts.clear(turn)
            await turn.say("deviation.flow.already_filed", number=filed.case_number)
            return
        contract = None
        if session.draft.contract_number:
            async with self._deps.contracts() as register:
                contract = await register.get(session.draft.contract_number)
        case = await file_deviation(
            self._ctx,
            FileDeviation(
                draft=session.draft,
                reporter_id=sender.aad_object_id,
                reporter_name=sender.name,
                tenant_id=sender.tenant_id,
                lang=turn.lang,
                draft_id=stored["draft_id"],
                contract=contract,
            ),
        )
        await self._drafts.clear(turn)
        if case.manager_name:
            await turn.say(
                "deviation.flow.submitted", number=case.case_number, manager=case.manager_name
            )
        elif case.contract_number:  # a known contract whose manager the directory lacks
            await turn.say("deviation.flow.submitted_procurement", number=case.case_number)
        else:
            await turn.say("deviation.flow.submitted_unknown", number=case.case_number)

    # --- rendering --------------------------------------------------------------------------

    async def _show(
        self,
        turn: Turn,
        session: DeviationSession,
        prompt: Prompt,
        draft_id: str,
        *,
        search_fallback: str | None = None,
    ) -> None:
        if prompt.kind == "cancelled":
            await self._drafts.clear(turn)
            await turn.say(prompt.message_key)
            return
        if prompt.kind == "pick":
            number = str(prompt.params.get("number") or "")
            async with self._deps.contracts() as register:
                contract = await register.get(number)
            if contract is not None:
                prompt = session.choose_contract(contract.number, contract.title, contract.supplier)
            elif search_fallback:
                prompt = session.answer(self._ctx.today(), search_fallback)
            else:
                await turn.say("deviation.flow.pick_unknown", number=number)
                prompt = session.current_prompt()
        await self._drafts.save(turn, session, draft_id)
        if prompt.kind == "summary":
            await turn.say(prompt.message_key)
            await turn.send_card(summary_card(session, turn.lang, draft_id))
            return
        matches = []
        if prompt.kind == "search":
            async with self._deps.contracts() as register:
                matches = await register.search(
                    str(prompt.params.get("query") or ""), limit=MAX_MATCHES
                )
        await turn.send_card(question_card(prompt, turn.lang, matches=matches))


def _parse_time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def sanction_cards(ctx: DeviationContext) -> Callable[[Turn], Awaitable[list[dict[str, Any]]]]:
    """For "mine godkjenninger": the cards of proposed sanctions the person decides."""

    async def cards(turn: Turn) -> list[dict[str, Any]]:
        viewer = turn.sender.aad_object_id
        return [
            await service.card_for(ctx, case, viewer, lang=turn.lang)
            for case in await service.sanctions_waiting_for(ctx, viewer)
        ]

    return cards


def register(
    router: CommandRouter, actions: ActionRegistry, deps: TeamsDeps, ctx: DeviationContext
) -> DeviationConversation:
    conversation = DeviationConversation(deps, ctx)
    # First: a report in progress answers before a needs draft or an approver's question.
    deps.interceptors.insert(0, conversation.intercept)
    follow_up = DeviationFollowUp(deps, ctx)

    @router.command(*START_PHRASES)
    async def start(turn: Turn, _: str) -> None:
        await conversation.start(turn)

    @router.command("avvik for", "deviations for", prefix=True)
    async def stats(turn: Turn, query: str) -> None:
        await follow_up.stats(turn, query)

    @router.command("avviksskjema", "deviation form")
    async def form(turn: Turn, _: str) -> None:
        await conversation.on_form_open(turn, {})

    @actions.on_submit(verbs.WELCOME_NEW_DEVIATION)
    async def start_button(turn: Turn, _: dict[str, Any]) -> None:
        await conversation.start(turn)

    actions.on_submit(verbs.DEVIATION_ANSWER)(conversation.on_answer)
    actions.on_submit(verbs.DEVIATION_RESUME)(conversation.on_resume)
    actions.on_submit(verbs.DEVIATION_CANCEL)(conversation.on_cancel)
    actions.on_submit(verbs.DEVIATION_EDIT_FIELD)(conversation.on_edit_field)
    actions.on_submit(verbs.DEVIATION_FORM_OPEN)(conversation.on_form_open)
    actions.on_submit(verbs.DEVIATION_FORM_SUBMIT)(conversation.on_form_submit)
    actions.on_submit(verbs.DEVIATION_SUBMIT)(conversation.on_submit)
    actions.on_execute(*ACTIONS)(follow_up.on_execute)
    actions.on_submit(*ACTIONS)(follow_up.on_submit)
    return conversation
