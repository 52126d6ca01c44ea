"""A thin wrapper around TurnContext so feature handlers stay short and free of SDK details."""

from __future__ import annotations

from typing import Any

from botbuilder.core import CardFactory, MessageFactory, TurnContext
from botbuilder.schema import Activity

from bot.core.i18n import t
from bot.teams.activity import Sender, sender_of


class Turn:
    def __init__(self, context: TurnContext) -> None:
        self.context = context
        self.activity: Activity = context.activity
        self.sender: Sender = sender_of(context.activity)

    @property
    def lang(self) -> str:
        return self.sender.lang

    @property
    def text(self) -> str:
        return (self.activity.text or "").strip()

    @property
    def value(self) -> dict[str, Any]:
        value = self.activity.value
        return value if isinstance(value, dict) else {}

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.lang, **params)

    async def say(self, key: str, **params: Any) -> str | None:
        """Send a localized text; returns the new activity's id."""
        return await self.send_text(self.t(key, **params))

    async def send_text(self, text: str) -> str | None:
        response = await self.context.send_activity(MessageFactory.text(text))
        return response.id if response else None

    async def send_card(self, card: dict[str, Any]) -> str | None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        response = await self.context.send_activity(activity)
        return response.id if response else None

    async def update_card(self, activity_id: str, card: dict[str, Any]) -> None:
        activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
        activity.id = activity_id
        activity.conversation = self.activity.conversation
        await self.context.update_activity(activity)
