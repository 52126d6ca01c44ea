"""Collaboration rooms end to end over HTTP: "Aksepter" on the triage card → the saga in the
worker → Graph (the fake, through the real msgraph-sdk) → the welcome card in the room's channel
and the notices, delivered by the outbox to the fake Bot Connector."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.core.domain import rooms as saga_rules
from bot.settings import GraphSettings, RoomsSettings
from tests.support.approval_driver import (
    INGRID,
    LISE,
    MARTE,
    OLA,
    PER,
    ShiftedClock,
    click,
    file_need,
    say,
    say_in_channel,
    texts,
    wait_card,
    wait_text,
)
from tests.support.builders import KARI, make_channel_message
from tests.support.fake_graph_teams import FakeTeamsGraph

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.db,
    pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
]

NOVEMBER = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
PROCUREMENT_TEAM = "team-innkjop-graph"


@pytest.fixture
async def graph() -> AsyncIterator[FakeTeamsGraph]:
    fake = FakeTeamsGraph()
    await fake.start()
    yield fake
    await fake.close()


def _rooms(**changes: Any) -> RoomsSettings:
    values: dict[str, Any] = {
        "mode": "team",
        "poll_interval_seconds": 0.05,
        "backoff_base_seconds": 0.05,
        "backoff_max_seconds": 0.2,
        "lookup_settle_seconds": 0.2,
        "scan_interval_seconds": 0.02,
        "sdk_retry_delay_seconds": 0,
        **changes,
    }
    return RoomsSettings(**values)


async def _start(start_bot: Any, graph: FakeTeamsGraph, **rooms: Any) -> Any:
    return await start_bot(
        overrides={"clock": ShiftedClock(NOVEMBER)},
        graph=GraphSettings(base_url=graph.url, teams_app_id="app-innkjop"),
        rooms=_rooms(**rooms),
    )


async def _accepted(bot: Any, connector: Any) -> str:
    """A need filed by Kari, approved by Ola and accepted by Per (Innkjøpsseksjonen)."""
    for user in (OLA, LISE, PER):
        await say(bot, connector, user, "hei")
    await say_in_channel(bot, connector, MARTE)  # the bot knows the procurement channel
    number = await file_need(bot, connector)
    await click(bot, connector, OLA, "approval.approve", {"case_id": number, "version": 1})
    accepted = await click(bot, connector, PER, "triage.accept", {"case_id": number, "version": 2})
    assert "Akseptert" in texts(accepted)
    return number


async def _saga(bot: Any, number: str) -> Any:
    async with bot.uow() as uow:
        return await uow.rooms.get(number)


async def _welcome_in(connector: Any, channel_id: str) -> dict[str, Any]:
    def cards(_: Any) -> list[dict[str, Any]]:
        return [card for r in connector.sent_to(channel_id) for card in r.cards]

    await connector.wait_for(cards, 30)
    return cards(None)[-1]


async def _done(bot: Any, connector: Any, number: str) -> Any:
    text = await wait_text(connector, KARI, "Samhandlingsrommet", timeout=60)
    assert number in text
    saga = await _saga(bot, number)
    assert saga.status == saga_rules.COMPLETED
    return saga


async def test_accepting_a_need_opens_a_team_and_posts_the_welcome(connector, start_bot, graph):
    bot = await _start(start_bot, graph)
    number = await _accepted(bot, connector)
    saga = await _done(bot, connector, number)
    (team,) = graph.teams.values()
    assert team.display_name.startswith(f"{number} – ")
    assert {m["userId"]: m["roles"] for m in team.members} == {
        PER.aad_object_id: ["owner"],
        KARI.aad_object_id: [],
        LISE.aad_object_id: [],
    }
    assert [c["displayName"] for c in team.channels][1:] == [
        "Behov og konkurransestrategi",
        "Konkurransegrunnlag",
        "Evaluering",
        "Kontrakt og oppfølging",
    ]
    assert team.apps == ["app-innkjop"]
    welcome = await _welcome_in(connector, saga.channel_id)
    body = texts(welcome)
    assert number in body and "Konkurransestrategien" in body
    for topic in (
        "Budsjett",
        "Risiko",
        "Lønns- og arbeidsvilkår",
        "Klima og miljø",
        "Livssykluskostnader",
        "Valg av prosedyre",
        "Kontraktsstrategi",
        "Oppdeling",
        "Innovasjon",
    ):
        assert topic in body, topic
    assert "Sjekkliste" in body
    link = next(a for a in welcome["actions"] if a["type"] == "Action.OpenUrl")
    assert link["url"] == team.web_url
    assert team.web_url in await wait_text(connector, KARI, "Samhandlingsrommet")
    assert team.web_url in await wait_text(connector, PER, "Samhandlingsrommet")
    assert len(graph.requests_to(r"^/v1\.0/teams$")) == 1


async def test_channel_mode_opens_a_channel_in_the_procurement_team(connector, start_bot, graph):
    team = graph.add_team(PROCUREMENT_TEAM, "Innkjøpsseksjonen", member_ids=(PER.aad_object_id,))
    bot = await _start(start_bot, graph, mode="channel", team_id=PROCUREMENT_TEAM)
    number = await _accepted(bot, connector)
    saga = await _done(bot, connector, number)
    assert len(graph.teams) == 1
    channel = next(c for c in team.channels if c["id"] == saga.channel_id)
    assert channel["displayName"].startswith(number) and channel["membershipType"] == "private"
    members = {m["userId"] for m in team.channel_members[channel["id"]]}
    assert members == {PER.aad_object_id, KARI.aad_object_id, LISE.aad_object_id}
    welcome = await _welcome_in(connector, saga.channel_id)
    assert number in texts(welcome)


async def test_a_failed_team_is_retried_from_the_advisors_card(connector, start_bot, graph):
    graph.fail_operations = 1
    bot = await _start(start_bot, graph)
    number = await _accepted(bot, connector)
    card = await wait_card(connector, PER, "room.retry", timeout=60)
    assert "Teams klarte ikke" in texts(card)
    data = {"case_id": number, "version": 1}
    # Only Innkjøpsseksjonen may retry: Lise (innkjøpskontakt, not a member) is refused.
    refused = await click(bot, connector, LISE, "room.retry", data)
    assert "Bare Innkjøpsseksjonen" in texts(refused)
    assert (await _saga(bot, number)).status == saga_rules.FAILED
    retrying = await click(bot, connector, PER, "room.retry", data)
    assert "room.retry" not in str(retrying) and "Prøver igjen" in texts(retrying)
    saga = await _done(bot, connector, number)
    provisioned = [t for t in graph.teams.values() if t.provisioned]
    assert len(provisioned) == 1 and provisioned[0].id == saga.team_id
    assert number in texts(await _welcome_in(connector, saga.channel_id))
    # a second click after the retry changes nothing
    again = await click(bot, connector, PER, "room.retry", data)
    assert "allerede" in texts(again)


async def _in_room(bot: Any, connector: Any, user: Any, channel_id: str, text: str) -> str:
    """Say `text` in the room's channel; returns the bot's reply in that thread."""

    def replies(_: Any) -> list[Any]:
        return [r for r in connector.requests if r.conversation_id.startswith(channel_id + ";")]

    before = len(replies(None))
    status, _ = await bot.post(
        make_channel_message(user, text, connector.url, team_id="19:room", channel_id=channel_id)
    )
    assert status in (200, 201)
    await connector.wait_for(lambda _: len(replies(None)) > before)
    return str(replies(None)[-1].text).replace("\u00a0", " ")


async def test_legg_til_adds_a_person_from_the_directory_and_refuses_guests(
    connector, start_bot, graph
):
    bot = await _start(start_bot, graph)
    number = await _accepted(bot, connector)
    saga = await _done(bot, connector, number)
    team = graph.teams[saga.team_id]
    room = saga.channel_id
    answer = await _in_room(
        bot, connector, PER, room, "<at>Innkjøpsboten</at> legg til Ingrid Solberg"
    )
    assert "Ingrid Solberg er lagt til" in answer and number in answer
    assert "aad-ingrid" in {m["userId"] for m in team.members}
    # by email, by the requester (a member of the room)
    answer = await _in_room(bot, connector, KARI, room, "legg til ola.hansen@lillestrom.kommune.no")
    assert "Ola Hansen er lagt til" in answer
    # guests are refused, and nothing is added
    answer = await _in_room(bot, connector, PER, room, "legg til gustav@konsulenthuset.no")
    assert "er gjest" in answer
    assert "aad-gjest" not in {m["userId"] for m in team.members}
    # someone outside the room and the procurement section may not add people
    answer = await _in_room(bot, connector, INGRID, room, "legg til Lise Johansen")
    assert "Bare Innkjøpsseksjonen" in answer
    # nobody matching
    answer = await _in_room(bot, connector, PER, room, "legg til Zacharias Ukjent")
    assert "Fant ingen" in answer
    # outside a room
    answer = await _in_room(bot, connector, PER, "19:other@thread.tacv2", "legg til Ingrid")
    assert "ikke et slikt rom" in answer
    added = [e for e in await _audit(bot, number) if e.action == "room.member_added"]
    assert [e.details["person"] for e in added] == ["aad-ingrid", "aad-ola"]


async def _audit(bot: Any, number: str) -> list[Any]:
    async with bot.uow() as uow:
        return [entry for entry in await uow.audit.all() if entry.subject == number]


async def test_one_room_whatever_faults_the_fake_injects(connector, start_bot, graph):
    graph.replication_404s = 3
    graph.lose_create_answers = 1
    graph.fail_next(r"^/v1\.0/teams$", 429, count=3, retry_after=0, method="POST")
    graph.fail_next(r"/operations/", 503, count=4)
    graph.fail_next(r"/channels$", 429, count=5, retry_after=0, method="POST")
    graph.fail_next(r"/members$", 503, count=5, method="POST")
    graph.fail_next(r"/installedApps$", 504, count=2, method="POST")
    # one SDK retry per call, so most faults reach the saga's own retries
    bot = await _start(start_bot, graph, sdk_max_retries=1)
    number = await _accepted(bot, connector)
    saga = await _done(bot, connector, number)
    assert len(graph.teams_named(number)) == 1
    team = graph.teams[saga.team_id]
    assert len(team.members) == 3 and len(team.channels) == 5
    assert number in texts(await _welcome_in(connector, saga.channel_id))
