"""The activity handler: remembers who wrote, then hands the turn to a dialog, command or verb."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.core.teams import TeamsActivityHandler
from botbuilder.schema import ActivityTypes, ChannelAccount

from bot.core.services.conversations import remember_conversation
from bot.teams.activity import reference_of
from bot.teams.conversation_turns import ConversationTurns
from bot.teams.deps import TeamsDeps
from bot.teams.router import ActionRegistry, CommandRouter
from bot.teams.turn import Turn

log = logging.getLogger(__name__)

CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"


def invoke_card(card: dict[str, Any]) -> InvokeResponse:
    return InvokeResponse(
        status=200, body={"statusCode": 200, "type": CARD_CONTENT_TYPE, "value": card}
    )


def invoke_error(status: int, code: str, message: str) -> InvokeResponse:
    # Teams wants HTTP 200 with the real status inside the body (platform.md §2.2).
    return InvokeResponse(
        status=200,
        body={
            "statusCode": status,
            "type": ERROR_CONTENT_TYPE,
            "value": {"code": code, "message": message},
        },
    )


class InnkjopBot(TeamsActivityHandler):
    def __init__(
        self,
        deps: TeamsDeps,
        router: CommandRouter,
        actions: ActionRegistry,
        welcome: Any,
    ) -> None:
        super().__init__()
        self._deps = deps
        self._router = router
        self._actions = actions
        self._welcome = welcome  # async (Turn) -> None
        self._turns = ConversationTurns()

    async def on_turn(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        conversation = getattr(activity.conversation, "id", None)
        if activity.type == ActivityTypes.message and conversation:
            async with self._turns.one_at_a_time(str(conversation)):
                await self._turn(turn_context)
        else:
            await self._turn(turn_context)

    async def _turn(self, turn_context: TurnContext) -> None:
        await self._remember(turn_context)
        await super().on_turn(turn_context)
        await self._deps.conversation_state.save_changes(turn_context)

    async def _remember(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        ref = reference_of(activity)
        if ref is None:
            return
        # Installs and membership changes are always stored; messages and clicks only when the
        # reference changed (or this process has not stored it lately).
        routine = activity.type in (ActivityTypes.message, ActivityTypes.invoke)
        await remember_conversation(
            ref,
            uow=self._deps.uow(),
            clock=self._deps.clock,
            recent=self._deps.recent_references if routine else None,
        )

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        turn = Turn(turn_context)
        verb = turn.value.get("verb")
        if isinstance(verb, str):
            handler = self._actions.submit_handler(verb)
            if handler is not None:
                await handler(turn, turn.value)
                return
        for interceptor in self._deps.interceptors:
            if await interceptor(turn):
                return
        await self._router.dispatch(turn)

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._welcome(Turn(turn_context))

    async def on_members_added_activity(
        self, members_added: list[ChannelAccount], turn_context: TurnContext
    ) -> None:
        bot_id = turn_context.activity.recipient.id if turn_context.activity.recipient else None
        if any(member.id == bot_id for member in members_added):
            await self._welcome(Turn(turn_context))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        if turn_context.activity.name != "adaptiveCard/action":
            response = await super().on_invoke_activity(turn_context)
            if response is None or response.status == HTTPStatus.NOT_IMPLEMENTED:
                # task/fetch, message extensions, ...: not ours. Say so instead of a 501.
                return invoke_error(HTTPStatus.BAD_REQUEST, "NotSupported", "Unknown invoke")
            return response
        turn = Turn(turn_context)
        action = turn.value.get("action")
        if not isinstance(action, dict) or action.get("type") != "Action.Execute":
            return invoke_error(HTTPStatus.BAD_REQUEST, "BadRequest", "Missing Action.Execute")
        verb = action.get("verb")
        data = action.get("data")
        handler = self._actions.execute_handler(verb) if isinstance(verb, str) else None
        if handler is None:
            return invoke_error(HTTPStatus.BAD_REQUEST, "NotSupported", "Unknown verb")
        card = await handler(turn, data if isinstance(data, dict) else {})
        if card is None:
            return InvokeResponse(status=200, body={"statusCode": 200})
        return invoke_card(card)
