"""Proactive delivery through the Bot Connector (`continue_conversation`), for the outbox worker."""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.core.domain.errors import DeliveryFailed
from bot.core.domain.records import ConversationRef
from bot.teams.activity import restore_reference
from bot.teams.adapter import NO_RETRY_KEY, RETRYABLE_STATUS, InnkjopAdapter, status_and_retry_after

UNREACHABLE_STATUS = frozenset({403, 404})


def build_activity(payload: dict[str, Any]) -> Activity:
    card = payload.get("card")
    text = payload.get("text")
    if card:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        if text:
            activity.summary = text  # shown in notifications; text+card would be split by Teams
        return activity
    return MessageFactory.text(str(text or ""))


def classify(error: BaseException) -> DeliveryFailed:
    status, retry_after = status_and_retry_after(error)
    detail = str(error)[:300] or type(error).__name__
    if status in UNREACHABLE_STATUS:
        return DeliveryFailed(detail, status=status, permanent=True, unreachable=True)
    if status is not None and status not in RETRYABLE_STATUS and 400 <= status < 500:
        return DeliveryFailed(detail, status=status, permanent=True)
    return DeliveryFailed(detail, status=status, retry_after=retry_after)


class BotConnectorSender:
    def __init__(self, adapter: InnkjopAdapter, bot_app_id: str) -> None:
        self._adapter = adapter
        self._app_id = bot_app_id

    async def send(self, ref: ConversationRef, payload: dict[str, Any]) -> str | None:
        reference = restore_reference(ref.reference)
        outcome: dict[str, Any] = {}

        async def callback(context: TurnContext) -> None:
            # Errors are carried out of the pipeline ourselves: otherwise botbuilder hands them
            # to on_turn_error, which would post an apology into the recipient's chat.
            context.turn_state[NO_RETRY_KEY] = True
            try:
                activity = build_activity(payload)
                update_of = payload.get("update_of")
                if update_of:
                    activity.id = update_of
                    activity.conversation = context.activity.conversation
                    await context.update_activity(activity)
                    outcome["id"] = update_of
                else:
                    response = await context.send_activity(activity)
                    outcome["id"] = response.id if response else None
            except Exception as error:
                outcome["error"] = error

        try:
            await self._adapter.continue_conversation(reference, callback, self._app_id)
        except Exception as error:
            raise classify(error) from error
        if "error" in outcome:
            raise classify(outcome["error"]) from outcome["error"]
        result = outcome.get("id")
        return str(result) if result else None
