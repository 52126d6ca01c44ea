"""Helpers for approval and triage tests: a clock at a chosen date that still ticks, filing a
need as Kari, and clicking cards (Action.Execute invokes) as anyone."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.builders import (
    KARI,
    User,
    make_card_action,
    make_channel_message,
    make_message,
)
from tests.support.need_driver import NeedDriver, draft_id_of, verbs_in

SENTENCE = "vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året, avtale på 2+1+1 år"
TEAM_ID = "19:team-innkjop"
CHANNEL_ID = "19:channel-innkjop@thread.tacv2"  # the procurement channel in demo.yaml

OLA = User("aad-ola", "Ola Hansen")  # Kari's manager
LISE = User("aad-lise", "Lise Johansen")  # Ola's stand-in in December 2026; oppvekst's contact
PER = User("aad-per", "Per Innkjøper")  # Innkjøpsseksjonen
MARTE = User("aad-marte", "Marte Kvam")  # Innkjøpsseksjonen
INGRID = User("aad-ingrid", "Ingrid Solberg")  # Ola's manager, not part of Kari's case


class ShiftedClock:
    """Real time moved to `start`: dates are fixed for the test, yet backoffs still elapse."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def jump(self, **delta: float) -> None:
        self._offset += timedelta(**delta)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


async def say(bot: Any, connector: Any, user: User, text: str) -> None:
    status, _ = await bot.post(make_message(user, text, connector.url))
    assert status in (200, 201), status


async def say_in_channel(bot: Any, connector: Any, user: User, text: str = "hei") -> None:
    status, _ = await bot.post(
        make_channel_message(user, text, connector.url, team_id=TEAM_ID, channel_id=CHANNEL_ID)
    )
    assert status in (200, 201), status


async def file_need(bot: Any, connector: Any, user: User = KARI) -> str:
    """File the standard PC need as `user`; returns the case number."""
    driver = NeedDriver(bot, connector, user)
    await driver.say(SENTENCE)
    summary = await driver.answer_until_summary()
    await driver.click({"verb": "need.submit", "draft_id": draft_id_of(summary)})
    async with bot.uow() as uow:
        (case,) = await uow.needs.list_for_requester(user.aad_object_id, limit=1)
    return str(case.case_number)


async def click(
    bot: Any, connector: Any, user: User, verb: str, data: dict[str, Any], **kw: Any
) -> dict[str, Any]:
    """An Action.Execute click; returns the card Teams would show the clicker."""
    status, body = await bot.post(make_card_action(user, verb, data, connector.url, **kw))
    assert status == 200, (status, body)
    assert body["statusCode"] == 200, body
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return dict(body["value"])


def cards_in(connector: Any, user_or_conversation: User | str, verb: str) -> list[dict[str, Any]]:
    conversation = (
        user_or_conversation.personal_conversation
        if isinstance(user_or_conversation, User)
        else user_or_conversation
    )
    return [
        card
        for record in connector.sent_to(conversation)
        for card in record.cards
        if verb in verbs_in(card)
    ]


async def wait_card(
    connector: Any, where: User | str, verb: str, timeout: float = 10.0
) -> dict[str, Any]:
    await connector.wait_for(lambda _: cards_in(connector, where, verb), timeout)
    return cards_in(connector, where, verb)[-1]


async def wait_text(connector: Any, user: User, fragment: str, timeout: float = 10.0) -> str:
    def found(_: Any) -> list[str]:
        return [
            r.text.replace("\u00a0", " ")
            for r in connector.sent_to(user.personal_conversation)
            if fragment in r.text.replace("\u00a0", " ")
        ]

    await connector.wait_for(found, timeout)
    return found(None)[-1]


async def activity_id_of(bot: Any, key: str, timeout: float = 10.0) -> str:
    """The Teams activity id of the outbox message `key`, once the worker has sent it."""
    for _ in range(int(timeout / 0.05)):
        async with bot.uow() as uow:
            message = await uow.outbox.get_by_key(key)
        if message is not None and message.activity_id:
            return str(message.activity_id)
        await asyncio.sleep(0.05)
    raise AssertionError(f"{key} was not sent")


async def wait_put(
    connector: Any, conversation: str, activity_id: str, timeout: float = 10.0
) -> Any:
    def puts(reqs: list[Any]) -> list[Any]:
        return [
            r
            for r in reqs
            if r.method == "PUT"
            and r.conversation_id == conversation
            and r.activity_id == activity_id
        ]

    await connector.wait_for(puts, timeout)
    return puts(connector.requests)[-1]


def texts(card: dict[str, Any]) -> str:
    """Every string in a card, for loose assertions."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return " ".join(found).replace("\u00a0", " ")


async def file_need_directly(
    ctx: Any,
    *,
    title: str = "Nye skolepulter",
    annual_value: int = 200_000,
    period: dict[str, Any] | None = None,
    requester_id: str = "aad-kari",
    tenant_id: str = "tenant-1",
) -> str:
    """File a complete oppvekst need for Kari (approver Ola) through the use case, without the
    chat (for tests of what comes after filing); returns the case number."""
    from bot.core.domain.needs import NeedDraft
    from bot.core.services.needs import FileNeed
    from bot.core.services.needs import file_need as file_case
    from bot.settings import Settings
    from bot.wiring import need_rules
    from tests.support.need_driver import ANSWERS

    draft = NeedDraft.from_dict(
        {
            "title": title,
            "description": ANSWERS["description"],
            "service_area": "oppvekst",
            "unit": "Skedsmo skole",
            "contract_type": "vare",
            "annual_value": annual_value,
            "period": period or {"base_months": 12, "option_months": []},
            "start_date": "2027-08-01",
            "urgency": "normal",
            "existing_agreement": "nei",
            "other_units": False,
            "climate_impact": "moderat",
            "high_risk_product": False,
            "labour_crime_risk": False,
            "personal_data": False,
            "budget_confirmed": True,
        }
    )
    case = await file_case(
        FileNeed(
            draft=draft,
            requester_id=requester_id,
            requester_name="Kari Nordmann",
            tenant_id=tenant_id,
            lang="nb",
            approver_id="aad-ola",
            approver_name="Ola Hansen",
        ),
        uow=ctx.uow(),
        clock=ctx.clock,
        rules=need_rules(Settings(_env_file=None)),  # type: ignore[call-arg]
        approvals=ctx,
    )
    return str(case.case_number)
