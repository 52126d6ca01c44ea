"""Drive the needs conversation over HTTP like a user would, answering whatever is asked."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bot.core.domain.need_fields import FIELDS
from bot.core.i18n import t
from tests.support.builders import User, make_message, make_submit

# A plausible answer for every question (Norwegian, as a user would type it).
ANSWERS: dict[str, str] = {
    "title": "30 nye PC-er til Skedsmo skole",
    "description": "Elevene trenger bærbare PC-er til undervisning og nasjonale prøver.",
    "service_area": "Oppvekst og utdanning",
    "unit": "Skedsmo skole, ansvar 2100",
    "contract_type": "vare",
    "annual_value": "450 000",
    "period": "2+1+1",
    "start_date": "1. mars 2027",
    "urgency": "normal",
    "existing_agreement": "vet ikke",
    "other_units": "ja",
    "climate_impact": "betydelig",
    "high_risk_product": "ja",
    "labour_crime_risk": "nei",
    "personal_data": "ja",
    "budget_confirmed": "ja",
}


def question_texts(lang: str = "nb") -> dict[str, str]:
    return {t(spec.question_key, lang): spec.name for spec in FIELDS}


def _nodes(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card, depth first."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _nodes(value)
    elif isinstance(node, list):
        for value in node:
            yield from _nodes(value)


def card_texts(card: dict[str, Any]) -> list[str]:
    return [
        n["text"]
        for n in _nodes(card)
        if n.get("type") == "TextBlock" and isinstance(n.get("text"), str)
    ]


def asked_field(card: dict[str, Any], lang: str = "nb") -> str | None:
    questions = question_texts(lang)
    for text in card_texts(card):
        for question, field in questions.items():
            if text.replace("\\", "").startswith(question.replace("\\", "")[:40]):
                return field
    return None


def verbs_in(card: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    for node in _nodes(card):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("verb"), str):
            found.add(data["verb"])
        if isinstance(node.get("verb"), str):
            found.add(node["verb"])
    return found


def draft_id_of(card: dict[str, Any]) -> str | None:
    for node in _nodes(card):
        data = node.get("data")
        if isinstance(data, dict) and isinstance(data.get("draft_id"), str):
            return str(data["draft_id"])
    return None


class ChatDriver:
    """One user chatting with the bot over HTTP in their personal chat, reading what came back
    from the fake Bot Connector."""

    def __init__(self, bot: Any, connector: Any, user: User) -> None:
        self.bot = bot
        self.connector = connector
        self.user = user
        self.asked: list[str] = []
        self.sent_ids: list[str] = []  # the ids of the messages and clicks sent, in order

    def sent(self) -> list[Any]:
        return self.connector.sent_to(self.user.personal_conversation)

    def last_card(self) -> dict[str, Any]:
        """The card the bot answered the latest turn with (or the turn before, when the latest
        answered in text). A reply names the activity it answers; a proactive notice, such as
        the reporter's own copy of a filed case, names the older one in the stored conversation
        reference and may arrive at any time, so the turns are matched newest first."""
        sent = self.sent()
        for activity_id in reversed(self.sent_ids):
            for record in reversed(sent):
                if record.cards and record.method == "POST" and record.activity_id == activity_id:
                    return record.cards[-1]
        raise AssertionError("the bot sent no card")

    def texts(self) -> list[str]:
        return [r.text.replace("\u00a0", " ") for r in self.sent() if r.text]

    async def say(self, text: str, **kw: Any) -> list[Any]:
        before = len(self.sent())
        activity = make_message(self.user, text, self.connector.url)
        activity.update(kw)
        self.sent_ids.append(str(activity["id"]))
        status, _ = await self.bot.post(activity)
        assert status in (200, 201), status
        return self.sent()[before:]

    async def click(self, value: dict[str, Any]) -> list[Any]:
        before = len(self.sent())
        activity = make_submit(self.user, value, self.connector.url)
        self.sent_ids.append(str(activity["id"]))
        status, _ = await self.bot.post(activity)
        assert status in (200, 201), status
        return self.sent()[before:]


class NeedDriver(ChatDriver):
    async def answer_until_summary(
        self, answers: dict[str, str] | None = None, limit: int = 25
    ) -> dict[str, Any]:
        answers = {**ANSWERS, **(answers or {})}
        for _ in range(limit):
            card = self.last_card()
            if "need.submit" in verbs_in(card):
                return card
            field = asked_field(
                card, self.user.locale[:2] if self.user.locale.startswith("en") else "nb"
            )
            assert field is not None, f"no known question in {card_texts(card)}"
            self.asked.append(field)
            await self.say(answers[field])
        raise AssertionError(f"no summary after {limit} answers; asked {self.asked}")
