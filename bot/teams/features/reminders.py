"""Clicks on the contract reminder card and on the option approval card (Action.Execute, with an
Action.Submit fallback), and the per-user refresh of the reminder card.

The use cases authorize from `from.aadObjectId`; the card only says which reminder and which
version the user saw. "Start ny anskaffelse" continues in the clicker's chat: the needs report
opens there, prefilled from the contract.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.domain import reminder_actions as rules
from bot.core.domain.errors import AppError, Conflict, NotAuthorized, NotFound
from bot.core.domain.needs import NeedDraft
from bot.core.formatting import format_date
from bot.core.services import option_approvals as options
from bot.core.services import reminder_actions as service
from bot.core.services.reminder_context import ReminderContext
from bot.teams.card_data import int_of, verb_of
from bot.teams.router import ActionRegistry
from bot.teams.turn import Turn
from cards import verbs

log = logging.getLogger(__name__)

StartNeed = Callable[[Turn, NeedDraft], Awaitable[None]]

REMINDER_ACTIONS = {
    verbs.REMINDER_START: rules.START,
    verbs.REMINDER_OPTION: rules.OPTION,
    verbs.REMINDER_LET_EXPIRE: rules.LET_EXPIRE,
    verbs.REMINDER_SNOOZE: rules.SNOOZE,
}
OPTION_ACTIONS = {verbs.OPTION_APPROVE: rules.APPROVE, verbs.OPTION_REJECT: rules.REJECT}


def _personal(turn: Turn) -> bool:
    conversation = turn.activity.conversation
    kind = getattr(conversation, "conversation_type", None) if conversation else None
    return (kind or "personal") == "personal"


class ReminderFeature:
    def __init__(self, ctx: ReminderContext, start_need: StartNeed) -> None:
        self._ctx = ctx
        self._start_need = start_need

    # --- the reminder card ----------------------------------------------------------------

    async def _act(
        self, turn: Turn, verb: str, data: dict[str, Any]
    ) -> tuple[service.ReminderView | None, AppError | None]:
        reminder_id = int_of(data.get("reminder_id"))
        action = REMINDER_ACTIONS.get(verb)
        if reminder_id is None or action is None:
            return None, None
        if action == rules.START and not _personal(turn):
            # The needs report is a conversation of its own: in a channel everyone would share
            # the draft. Nothing is recorded; the button works in the person's own chat.
            return await service.get_view(self._ctx, reminder_id), Conflict(
                "start in a channel", message_key="reminder.refused.start_in_channel"
            )
        try:
            view = await service.act(
                self._ctx,
                reminder_id,
                actor_id=turn.sender.aad_object_id,
                actor_name=turn.sender.name,
                action=action,
                version=int_of(data.get("version")),
            )
        except NotFound:
            return None, None
        except (NotAuthorized, Conflict) as error:
            log.info("reminder %s %s refused: %s", verb, reminder_id, error.detail)
            return await service.get_view(self._ctx, reminder_id), error
        if action == rules.START:
            await turn.say("reminder.done.start", number=view.contract.number)
            draft = service.draft_from_contract(view.contract, turn.lang)
            await self._start_need(turn, draft)
        return view, None

    async def on_execute(self, turn: Turn, data: dict[str, Any]) -> dict[str, Any] | None:
        verb = verb_of(turn, data)
        if verb == verbs.REMINDER_REFRESH:
            reminder_id = int_of(data.get("reminder_id"))
            current = await service.get_view(self._ctx, reminder_id) if reminder_id else None
            if current is None:
                return None
            return await service.reminder_card_for(
                self._ctx, current, turn.sender.aad_object_id, lang=turn.lang
            )
        view, error = await self._act(turn, verb, data)
        if view is None:
            return None
        return await service.reminder_card_for(
            self._ctx,
            view,
            turn.sender.aad_object_id,
            lang=turn.lang,
            notice=turn.t(error.message_key, **error.params) if error else None,
            refused=isinstance(error, NotAuthorized),
        )

    async def on_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        verb = verb_of(turn, data)
        if verb == verbs.REMINDER_REFRESH:
            return
        view, error = await self._act(turn, verb, data)
        if view is None:
            await turn.say("reminder.not_found")
        elif error is not None:
            await turn.send_text(turn.t(error.message_key, **error.params))
        elif verb != verbs.REMINDER_START:
            await turn.say(
                f"reminder.done.{REMINDER_ACTIONS[verb]}",
                number=view.contract.number,
                approver=view.option.approver_name if view.option else "",
                until=format_date(view.reminder.snooze_until, turn.lang)
                if view.reminder.snooze_until
                else "",
            )

    # --- the option approval card ---------------------------------------------------------

    async def _decide(
        self, turn: Turn, verb: str, data: dict[str, Any]
    ) -> tuple[tuple[rules.OptionRequest, service.ReminderView] | None, AppError | None]:
        request_id = int_of(data.get("request_id"))
        action = OPTION_ACTIONS.get(verb)
        if request_id is None or action is None:
            return None, None
        comment = data.get("comment")
        try:
            found = await options.decide_option(
                self._ctx,
                request_id,
                actor_id=turn.sender.aad_object_id,
                actor_name=turn.sender.name,
                action=action,
                version=int_of(data.get("version")),
                comment=comment if isinstance(comment, str) else None,
            )
        except NotFound:
            return None, None
        except (NotAuthorized, Conflict) as error:
            log.info("option %s %s refused: %s", verb, request_id, error.detail)
            return await options.get_option(self._ctx, request_id), error
        return found, None

    def _note(self, turn: Turn, error: AppError, option: rules.OptionRequest) -> str:
        return turn.t(error.message_key, approver=option.approver_name, **error.params)

    async def on_option_execute(self, turn: Turn, data: dict[str, Any]) -> dict[str, Any] | None:
        found, error = await self._decide(turn, verb_of(turn, data), data)
        if found is None:
            return None
        option, view = found
        return await options.option_card_for(
            self._ctx,
            option,
            view,
            turn.sender.aad_object_id,
            lang=turn.lang,
            notice=self._note(turn, error, option) if error else None,
        )

    async def on_option_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        verb = verb_of(turn, data)
        found, error = await self._decide(turn, verb, data)
        if found is None:
            await turn.say("reminder.not_found")
            return
        option, view = found
        if error is not None:
            await turn.send_text(self._note(turn, error, option))
            return
        await turn.say(
            f"option.done.{OPTION_ACTIONS[verb]}",
            number=view.contract.number,
            n=view.reminder.option_number,
        )


def register(actions: ActionRegistry, ctx: ReminderContext, start_need: StartNeed) -> None:
    feature = ReminderFeature(ctx, start_need)
    reminder_verbs = (*REMINDER_ACTIONS, verbs.REMINDER_REFRESH)
    actions.on_execute(*reminder_verbs)(feature.on_execute)
    actions.on_submit(*reminder_verbs)(feature.on_submit)
    actions.on_execute(*OPTION_ACTIONS)(feature.on_option_execute)
    actions.on_submit(*OPTION_ACTIONS)(feature.on_option_submit)
