""" "Mine saker" end to end over HTTP: needs reports and deviations in one list (bokmål and
English), each opened as its card; the collaboration room's state and link; the newest first with
a limit; nobody sees another person's cases; guests see no contract values."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.core.domain import rooms as saga_rules
from bot.core.domain.records import NeedCase
from bot.core.domain.rooms import RoomSaga
from bot.core.services.approvals import request_key
from bot.settings import GraphSettings, RoomsSettings
from tests.support.approval_driver import (
    LISE,
    MARTE,
    OLA,
    PER,
    ShiftedClock,
    activity_id_of,
    click,
    file_need,
    say,
    say_in_channel,
    texts,
    wait_text,
)
from tests.support.builders import KARI, User, make_message, make_submit
from tests.support.deviation_driver import DeviationDriver, deviation_case, import_demo_contracts
from tests.support.fake_graph_teams import FakeTeamsGraph
from tests.support.need_driver import verbs_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.db,
    pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
]

MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
KARI_EN = replace(KARI, locale="en-US")  # Kari with Teams set to English: the same person
GUEST = User("aad-gjest", "Gustav Gjest (Konsulenthuset AS)")
NOSY = User("aad-nosy", "Nysgjerrig Per")
# AV-2024-001 Kontorrekvisita's estimated and maximum value in the test register
CONTRACT_VALUES = ("1 250 000", "1250000", "2 000 000", "2000000")


def _shown(card: dict[str, Any]) -> str:
    """Every string of a card as a reader sees it (markdown escapes and no-break spaces gone)."""
    return texts(card).replace("\\", "").replace("\u00a0", " ")


def _only_card(records: list[Any]) -> dict[str, Any]:
    cards = [card for record in records for card in record.cards]
    assert len(cards) == 1, [r.text for r in records]
    return cards[0]


def _opened(card: dict[str, Any]) -> list[str]:
    """The case numbers the list's "Åpne" buttons open, top to bottom."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and data.get("verb") == "case.open":
                found.append(str(data["case_id"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


def _links(card: dict[str, Any]) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.OpenUrl":
                found.append(str(node["url"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def _start(start_bot: Any, **settings: Any) -> Any:
    bot = await start_bot(overrides={"clock": ShiftedClock(MONDAY)}, **settings)
    await import_demo_contracts(bot)
    return bot


async def _file_need(bot: Any, connector: Any, user: User = KARI) -> str:
    """File a need, and wait until the requester's copy of its card is delivered: a card
    arriving in the middle of the next dialog would be taken for its question."""
    number = await file_need(bot, connector, user)
    await activity_id_of(bot, f"{request_key(number)}:requester")
    return number


async def _report(bot: Any, connector: Any, user: User) -> str:
    """Report a deviation on AV-2024-001, and wait for the reporter's copy (as above); Lise
    manages that contract, so hers is the avtaleforvalter's card."""
    number = await DeviationDriver(bot, connector, user).report()
    copy = "manager" if user == LISE else "reporter"
    await activity_id_of(bot, f"{number}:deviation:{copy}")
    return number


async def _replies(bot: Any, connector: Any, activity: dict[str, Any]) -> list[Any]:
    """The bot's answers to `activity` (not the outbox's deliveries meanwhile, such as the
    reporter's own copy of a deviation card)."""
    status, _ = await bot.post(activity)
    assert status in (200, 201), status
    conversation = activity["conversation"]["id"]
    return [r for r in connector.sent_to(conversation) if r.activity_id == activity["id"]]


async def _my_cases(bot: Any, connector: Any, user: User, text: str = "mine saker") -> Any:
    replies = await _replies(bot, connector, make_message(user, text, connector.url))
    # someone's very first message is greeted with the welcome card before the answer
    cards = [c for r in replies for c in r.cards]
    (listed,) = [c for c in cards if c["body"][0]["text"] in ("Mine saker", "My cases")]
    return listed


async def _open(bot: Any, connector: Any, user: User, number: str) -> list[Any]:
    value = {"verb": "case.open", "case_id": number}
    return await _replies(bot, connector, make_submit(user, value, connector.url))


async def test_needs_and_deviations_together_newest_first_in_bokmal_and_english(
    connector, start_bot
):
    bot = await _start(start_bot)
    need = await _file_need(bot, connector, KARI)
    deviation = await _report(bot, connector, KARI)
    assert (need, deviation) == ("ANS-2026-0001", "AVV-2026-0001")

    card = await _my_cases(bot, connector, KARI)
    assert _opened(card) == [deviation, need]  # the deviation came last: it is on top
    shown = _shown(card)
    assert f"{deviation} · Avvik" in shown and f"{need} · Behovsmelding" in shown
    assert "Kontorrekvisita (AV-2024-001)" in shown
    assert "Forsinkelse / leveringspresisjon · Høy · Registrert · 16.11.2026" in shown
    assert "Sendt til godkjenning · 16.11.2026" in shown

    card = await _my_cases(bot, connector, KARI_EN, "my cases")
    assert _opened(card) == [deviation, need]
    shown = _shown(card)
    assert f"{deviation} · Deviation" in shown and f"{need} · Needs report" in shown
    assert "Delay / delivery precision · High · Registered · 16.11.2026" in shown
    assert "Avvik" not in shown and "Forsinkelse" not in shown

    # The welcome card's "Mine saker" button gives the same list.
    button = make_submit(KARI, {"verb": "cases.mine"}, connector.url)
    records = await _replies(bot, connector, button)
    assert _opened(_only_card(records)) == [deviation, need]


async def test_a_deviation_opens_read_only_for_the_reporter_and_with_buttons_for_a_manager(
    connector, start_bot
):
    bot = await _start(start_bot)
    number = await _report(bot, connector, KARI)
    card = _only_card(await _open(bot, connector, KARI, number))
    shown = _shown(card)
    assert number in shown and "Kontorrekvisita" in shown and "Registrert" in shown
    assert "Forsinkelse" in shown and "Høy" in shown
    assert not verbs_in(card) & {"deviation.acknowledge", "deviation.reclaim", "deviation.close"}

    # in English when Teams is in English
    card = _only_card(await _open(bot, connector, KARI_EN, number.lower()))
    assert "Delay" in _shown(card) and "Registered" in _shown(card)

    # Lise manages AV-2024-001: a deviation she reported herself opens with her buttons. (She
    # writes first, so Kari's deviation reaches her before her own report starts.)
    await say(bot, connector, LISE, "hei")
    await activity_id_of(bot, f"{number}:deviation:manager")
    own = await _report(bot, connector, LISE)
    card = _only_card(await _open(bot, connector, LISE, own))
    assert "deviation.acknowledge" in verbs_in(card)
    # and the buttons work from that card (authorized on the server as always)
    acknowledged = await click(bot, connector, LISE, "deviation.acknowledge", _data_of(card))
    assert "Mottatt" in _shown(acknowledged)


def _data_of(card: dict[str, Any]) -> dict[str, Any]:
    def walk(node: Any) -> dict[str, Any] | None:
        if isinstance(node, dict):
            if node.get("verb") == "deviation.acknowledge":
                return dict(node["data"])
            for value in node.values():
                if (found := walk(value)) is not None:
                    return found
        elif isinstance(node, list):
            for value in node:
                if (found := walk(value)) is not None:
                    return found
        return None

    data = walk(card)
    assert data is not None
    return data


async def test_nobody_sees_another_persons_cases(connector, start_bot):
    bot = await _start(start_bot)
    need = await _file_need(bot, connector, KARI)
    deviation = await _report(bot, connector, KARI)

    card = await _my_cases(bot, connector, NOSY)
    assert _opened(card) == []
    assert "Du har ingen saker ennå" in _shown(card)
    for number in (need, deviation):
        replies = await _open(bot, connector, NOSY, number)
        said = " ".join(r.text for r in replies)
        assert "Fant ikke saken" in said and not any(r.cards for r in replies)
    # Lise manages the contract (she gets the deviation's own card), Ola approves the need:
    # neither has them in their own "mine saker", nor opens them from there.
    for other in (LISE, OLA):
        assert _opened(await _my_cases(bot, connector, other)) == []
        for number in (need, deviation):
            replies = await _open(bot, connector, other, number)
            # (their own cards of these cases may arrive through the outbox meanwhile)
            assert f"Fant ikke saken {number}" in " ".join(r.text for r in replies)


async def test_guests_see_no_contract_values(connector, start_bot):
    bot = await _start(start_bot)
    number = await _report(bot, connector, GUEST)
    listed = await _my_cases(bot, connector, GUEST)
    opened = _only_card(await _open(bot, connector, GUEST, number))
    for card in (listed, opened):
        shown = _shown(card)
        assert number in shown and "Kontorrekvisita" in shown
        for value in CONTRACT_VALUES:
            assert value not in shown, value


async def test_the_newest_first_across_both_kinds_with_a_limit(connector, start_bot):
    bot = await _start(start_bot)
    async with bot.uow() as uow:
        for n in range(1, 11):  # needs on even hours, deviations on odd hours
            when = MONDAY + timedelta(hours=2 * n)
            await uow.needs.add(_need_case(f"ANS-2026-{n:04d}", when))
        for n in range(1, 9):
            when = MONDAY + timedelta(hours=2 * n + 1)
            await uow.deviations.add(
                deviation_case(f"AVV-2026-{n:04d}", created_at=when, updated_at=when)
            )
        await uow.commit()
    card = await _my_cases(bot, connector, KARI)
    opened = _opened(card)
    assert opened[:4] == ["ANS-2026-0010", "ANS-2026-0009", "AVV-2026-0008", "ANS-2026-0008"]
    assert len(opened) == 15 and opened[-1] == "AVV-2026-0002"
    assert "Viser de 15 nyeste av 18 sakene dine." in _shown(card)
    card = await _my_cases(bot, connector, KARI_EN, "my cases")
    assert "Showing your 15 most recent of 18 cases." in _shown(card)


def _need_case(number: str, when: datetime) -> NeedCase:
    return NeedCase(
        id=0,
        case_number=number,
        requester_id=KARI.aad_object_id,
        requester_name=KARI.name,
        tenant_id=KARI.tenant,
        title=f"Behov {number}",
        service_area="oppvekst",
        answers={"title": f"Behov {number}"},
        estimated_total=200_000,
        tier="protocol",
        checklist=[],
        status="innsendt",
        version=1,
        locale="nb",
        created_at=when,
        updated_at=when,
    )


# --- the collaboration room -------------------------------------------------------------------


def _saga(number: str, status: str) -> RoomSaga:
    return RoomSaga(
        case_number=number,
        tenant_id=KARI.tenant,
        mode="team",
        display_name=f"{number} – Nye PC-er",
        description="",
        advisor_id=PER.aad_object_id,
        members=(),
        step=saga_rules.CREATE_TEAM,
        status=status,
        next_attempt_at=MONDAY + timedelta(days=365),  # no worker runs it in this test anyway
    )


async def test_the_room_state_while_it_is_created_and_when_it_failed(connector, start_bot):
    bot = await _start(start_bot)
    creating = await _file_need(bot, connector, KARI)
    failed = await _file_need(bot, connector, KARI)
    plain = await _file_need(bot, connector, KARI)
    async with bot.uow() as uow:
        await uow.rooms.add(_saga(creating, saga_rules.PENDING), now=MONDAY)
        await uow.rooms.add(_saga(failed, saga_rules.FAILED), now=MONDAY)
        await uow.commit()
    card = await _my_cases(bot, connector, KARI)
    shown = _shown(card)
    assert shown.count("Samhandlingsrommet opprettes …") == 1
    assert shown.count("Samhandlingsrommet kunne ikke opprettes ennå") == 1
    assert _links(card) == []
    detail = _only_card(await _open(bot, connector, KARI, creating))
    assert "Samhandlingsrommet opprettes …" in _shown(detail) and _links(detail) == []
    detail = _only_card(await _open(bot, connector, KARI_EN, failed))
    assert "The collaboration room could not be created yet" in _shown(detail)
    detail = _only_card(await _open(bot, connector, KARI, plain))
    assert "Samhandlingsrommet" not in _shown(detail)


@pytest.fixture
async def graph() -> AsyncIterator[FakeTeamsGraph]:
    fake = FakeTeamsGraph()
    await fake.start()
    yield fake
    await fake.close()


def _rooms() -> RoomsSettings:
    return RoomsSettings(
        mode="team",
        poll_interval_seconds=0.05,
        backoff_base_seconds=0.05,
        backoff_max_seconds=0.2,
        lookup_settle_seconds=0.2,
        scan_interval_seconds=0.02,
        sdk_retry_delay_seconds=0,
    )


async def test_a_need_with_a_room_shows_the_link(connector, start_bot, graph):
    bot = await _start(
        start_bot,
        graph=GraphSettings(base_url=graph.url, teams_app_id="app-innkjop"),
        rooms=_rooms(),
    )
    for user in (OLA, LISE, PER):
        await say(bot, connector, user, "hei")
    await say_in_channel(bot, connector, MARTE)  # the bot knows the procurement channel
    number = await _file_need(bot, connector, KARI)
    await click(bot, connector, OLA, "approval.approve", {"case_id": number, "version": 1})
    await click(bot, connector, PER, "triage.accept", {"case_id": number, "version": 2})
    await wait_text(connector, KARI, "Samhandlingsrommet", timeout=60)
    (team,) = graph.teams.values()
    assert team.web_url.startswith("https://")

    card = await _my_cases(bot, connector, KARI)
    assert _links(card) == [team.web_url]
    assert "Åpne samhandlingsrommet" in _shown(card)
    assert "Samhandlingsrommet er klart i Teams." in _shown(card)
    detail = _only_card(await _open(bot, connector, KARI_EN, number))
    assert detail["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Open the collaboration room",
        "url": team.web_url,
    }
    # Per is in the room, but it is Kari's case: not in his "mine saker"
    assert _links(await _my_cases(bot, connector, PER)) == []
