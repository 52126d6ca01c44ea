"""The collaboration room saga through the real msgraph-sdk (its retry middleware included) against
the fake Graph: both modes, a 429 storm, a lost answer to POST /teams, a crash between creating
and polling, replication 404s, and a failed operation that is retried from the advisor's card.

The clock is a FakeClock: the saga waits by storing `next_attempt_at`, the test moves the clock
and runs the worker's round again, so nothing here sleeps for the poll interval.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from kiota_http.middleware.options import RetryHandlerOption
from sqlalchemy import select

from bot.core.clock import FakeClock
from bot.core.domain import approval as rules
from bot.core.domain import rooms as saga_rules
from bot.core.domain.errors import NotAuthorized
from bot.core.domain.records import ConversationRef
from bot.core.domain.rooms import RetryPolicy, RoomSaga
from bot.core.services import approvals
from bot.core.services import rooms as service
from bot.core.services.approvals import ApprovalContext
from bot.core.services.rooms import RoomConfig, RoomContext
from bot.settings import GraphSettings, Settings
from bot.teams.features.approval_views import CaseCards
from bot.teams.features.room_views import RoomCardViews
from bot.teams.features.rooms import queuer
from bot.wiring import need_rules
from integrations.db.engine import create_engine
from integrations.db.tables import OutboxRow
from integrations.db.uow import SqlUnitOfWorkFactory
from integrations.directory.yaml_directory import YamlDirectory
from integrations.graph.client import build_graph_client, close_graph_client
from integrations.graph.rooms import GraphRooms
from tests.support.approval_driver import file_need_directly
from tests.support.fake_graph_teams import FakeTeamsGraph
from tests.support.harness import Database

pytestmark = [
    pytest.mark.integration,
    pytest.mark.db,
    pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
]

TENANT = "tenant-lillestrom"
PER = "aad-per"  # Innkjøpsseksjonen, the advisor who accepts
KARI = "aad-kari"  # the requester
LISE = "aad-lise"  # innkjøpskontakt of oppvekst
PROCUREMENT_TEAM = "team-innkjop-graph"
POLICY = RetryPolicy(
    poll_interval_seconds=30,
    backoff_base_seconds=5,
    backoff_max_seconds=60,
    max_transient_attempts=5,
    replication_timeout_seconds=600,
    lookup_settle_seconds=60,
)


@dataclass
class Setup:
    fake: FakeTeamsGraph
    clock: FakeClock
    rooms: GraphRooms
    ctx: RoomContext
    approvals: ApprovalContext

    async def accept(self, title: str = "Nye skolepulter") -> str:
        """File, approve and accept a need through the services; returns the case number."""
        number = await _file(self.approvals, title)
        await approvals.decide(
            self.approvals,
            number,
            actor_id="aad-ola",
            actor_name="Ola",
            action=rules.APPROVE,
            version=1,
        )
        await approvals.triage(
            self.approvals,
            number,
            actor_id=PER,
            actor_name="Per Innkjøper",
            action=rules.ACCEPT,
            version=2,
        )
        return number

    async def saga(self, number: str) -> RoomSaga:
        async with self.ctx.uow() as uow:
            saga = await uow.rooms.get(number)
        assert saga is not None
        return saga

    async def run(self, number: str, *, rounds: int = 40, step_seconds: float = 31) -> RoomSaga:
        """Worker rounds, moving the clock between them, until the saga stops or `rounds` end."""
        for _ in range(rounds):
            await service.run_due(self.ctx, worker_id="test")
            saga = await self.saga(number)
            if saga.status != saga_rules.PENDING:
                return saga
            self.clock.advance(seconds=step_seconds)
        return await self.saga(number)

    async def outbox_keys(self) -> set[str]:
        async with self.ctx.uow() as uow:
            return set((await uow.session.scalars(select(OutboxRow.idempotency_key))).all())

    async def outbox_payload(self, key: str) -> dict[str, Any]:
        async with self.ctx.uow() as uow:
            message = await uow.outbox.get_by_key(key)
        assert message is not None, key
        return message.payload


async def _file(ctx: ApprovalContext, title: str) -> str:
    return await file_need_directly(
        ctx,
        title=title,
        annual_value=400_000,
        period={"base_months": 24, "option_months": [12, 12]},
        requester_id=KARI,
        tenant_id=TENANT,
    )


@pytest.fixture
async def setup(database: Database) -> AsyncIterator[Callable[..., Awaitable[Setup]]]:
    engine = create_engine(database.url, schema=database.schema)
    uow = SqlUnitOfWorkFactory(engine)
    fakes: list[FakeTeamsGraph] = []
    clients: list[Any] = []

    async def make(fake: FakeTeamsGraph | None = None, **config: Any) -> Setup:
        fake = fake or FakeTeamsGraph()
        await fake.start()
        fakes.append(fake)
        client = build_graph_client(
            GraphSettings(base_url=fake.url), retry=RetryHandlerOption(delay=0, max_retries=3)
        )
        clients.append(client)
        graph_rooms = GraphRooms(client)
        clock = FakeClock()
        directory = YamlDirectory.demo()
        room_config = RoomConfig(
            **{
                "mode": "team",
                "channels": ("Behov og konkurransestrategi", "Evaluering"),
                "teams_app_id": "app-innkjop",
                "policy": POLICY,
                **config,
            }
        )
        ctx = RoomContext(
            uow=uow,
            clock=clock,
            config=room_config,
            cards=RoomCardViews(lambda: directory, 25),
            directory_of=lambda: directory,
            rooms_of=lambda: graph_rooms,
        )
        approval_ctx = ApprovalContext(
            uow=uow,
            clock=clock,
            directory_of=lambda: directory,
            cards=CaseCards(lambda: directory, need_rules(Settings(_env_file=None))),  # type: ignore[call-arg]
            on_accept=queuer(ctx),
        )
        return Setup(fake, clock, graph_rooms, ctx, approval_ctx)

    yield make
    for client in clients:
        await close_graph_client(client)
    for fake in fakes:
        await fake.close()
    await engine.dispose()


def _member_ids(team: Any) -> dict[str, list[str]]:
    return {m["userId"]: m["roles"] for m in team.members}


async def test_team_mode_makes_one_team_with_channels_members_and_a_welcome(setup):
    s = await setup()
    number = await s.accept("Nye PC-er: Skedsmo/Kjeller #2")
    saga = await s.run(number)
    assert saga.status == saga_rules.COMPLETED, saga.last_error
    (team,) = s.fake.teams.values()
    assert team.display_name == f"{number} – Nye PC-er Skedsmo Kjeller 2"
    assert team.visibility == "private"
    assert _member_ids(team) == {PER: ["owner"], KARI: [], LISE: []}
    assert [c["displayName"] for c in team.channels] == [
        "General",
        "Behov og konkurransestrategi",
        "Evaluering",
    ]
    assert team.apps == ["app-innkjop"]
    # the operation was polled until it succeeded, no sooner than the poll interval
    (operation,) = s.fake.operations.values()
    assert operation.polls == 3
    # The welcome card goes to the first channel, through the outbox.
    assert saga.channel_id == team.channels[1]["id"]
    welcome = await s.outbox_payload(f"{number}:room:welcome")
    texts = str(welcome["card"])
    assert "Konkurransestrategien" in texts and "Livssykluskostnader" in texts
    assert "Over EØS-terskelverdi" in texts or "terskel" in texts
    keys = await s.outbox_keys()
    assert {f"{number}:room:ready:requester", f"{number}:room:ready:advisor"} <= keys
    told = await s.outbox_payload(f"{number}:room:ready:requester")
    assert team.web_url in told["text"]
    # POST /teams went out exactly once, with the SDK's retry turned off for it
    assert len(s.fake.requests_to(r"^/v1\.0/teams$")) == 1


async def test_accepting_queues_the_saga_in_the_same_transaction(setup):
    s = await setup()
    number = await s.accept()
    saga = await s.saga(number)
    assert saga.step == saga_rules.CREATE_TEAM and saga.status == saga_rules.PENDING
    assert s.fake.teams == {}  # nothing called Graph inside the transaction


async def test_a_429_storm_is_waited_out_and_makes_one_team(setup):
    s = await setup()
    number = await s.accept()
    # POST /teams: 429 five times (the saga's own handling: the SDK does not retry it)
    s.fake.fail_next(r"^/v1\.0/teams$", 429, count=5, retry_after=7, method="POST")
    # channels: more 429s than the SDK's three retries, then fine
    s.fake.fail_next(r"/channels$", 429, count=6, retry_after=0, method="POST")
    saga = await s.run(number, step_seconds=10)
    assert saga.status == saga_rules.COMPLETED, saga.last_error
    assert len(s.fake.teams) == 1
    assert len(s.fake.requests_to(r"^/v1\.0/teams$")) == 6
    assert saga.round == 1  # throttling is not a failure


async def test_a_lost_answer_to_post_teams_does_not_make_a_second_team(setup):
    fake = FakeTeamsGraph(lose_create_answers=1)
    s = await setup(fake)
    number = await s.accept()
    saga = await s.run(number, step_seconds=20)
    assert saga.status == saga_rules.COMPLETED, saga.last_error
    assert len(fake.teams_named(number)) == 1
    assert len(fake.requests_to(r"^/v1\.0/teams$")) == 1
    assert fake.requests_to(r"^/v1\.0/groups$")  # it looked before creating again


async def test_a_crash_between_create_and_poll_resumes_with_exactly_one_team(setup):
    s = await setup()
    number = await s.accept()
    await service.run_due(s.ctx, worker_id="first")
    saga = await s.saga(number)
    assert saga.step == saga_rules.POLL_OPERATION and saga.team_id and saga.operation_id
    # The first worker dies holding the lease; a new one takes over once the lease ends.
    async with s.ctx.uow() as uow:
        await uow.rooms.claim_due(now=s.clock.now(), limit=10, worker_id="dead", lease_seconds=0)
        await uow.commit()
    saga = await s.run(number)
    assert saga.status == saga_rules.COMPLETED, saga.last_error
    assert len(s.fake.teams) == 1
    assert len(s.fake.requests_to(r"^/v1\.0/teams$")) == 1


async def test_replication_404s_after_creation_are_retried(setup):
    fake = FakeTeamsGraph(replication_404s=6)
    s = await setup(fake)
    number = await s.accept()
    saga = await s.run(number)
    assert saga.status == saga_rules.COMPLETED, saga.last_error
    assert len(fake.teams) == 1


async def test_replication_404s_give_up_after_the_bound(setup):
    fake = FakeTeamsGraph(replication_404s=10_000)
    s = await setup(fake)
    number = await s.accept()
    saga = await s.run(number, rounds=60, step_seconds=60)
    assert saga.status == saga_rules.FAILED
    assert f"{number}:room:failed:1" in await s.outbox_keys()


async def test_a_failed_operation_sends_the_retry_card_and_a_retry_succeeds(setup):
    fake = FakeTeamsGraph(fail_operations=1)
    s = await setup(fake)
    number = await s.accept()
    saga = await s.run(number)
    assert saga.status == saga_rules.FAILED
    card = (await s.outbox_payload(f"{number}:room:failed:1"))["card"]
    assert "Prøv igjen" in str(card) and "Teams klarte ikke" in str(card)
    execute = next(a for a in card["actions"] if a["type"] == "Action.Execute")
    assert execute["verb"] == "room.retry" and execute["data"]["case_id"] == number
    # only Innkjøpsseksjonen may retry
    with pytest.raises(NotAuthorized):
        await service.retry_room(s.ctx, number, actor_id=KARI, actor_name="Kari")
    _, restarted = await service.retry_room(s.ctx, number, actor_id="aad-marte", actor_name="M")
    assert restarted.step == saga_rules.CREATE_TEAM and restarted.round == 2
    saga = await s.run(number)
    assert saga.status == saga_rules.COMPLETED, saga.last_error
    provisioned = [t for t in fake.teams.values() if t.provisioned]
    assert len(provisioned) == 1 and saga.team_id == provisioned[0].id


async def test_a_missing_permission_fails_at_once_in_plain_words(setup):
    s = await setup()
    number = await s.accept()
    s.fake.fail_next(r"^/v1\.0/teams$", 403, method="POST", count=1)
    saga = await s.run(number)
    assert saga.status == saga_rules.FAILED
    card = (await s.outbox_payload(f"{number}:room:failed:1"))["card"]
    assert "tillatelsene" in str(card)


async def test_channel_mode_makes_a_private_channel_in_the_procurement_team(setup):
    s = await setup(mode="channel", team_id=PROCUREMENT_TEAM, private=True, teams_app_id="")
    team = s.fake.add_team(PROCUREMENT_TEAM, "Innkjøpsseksjonen", member_ids=(PER, "aad-marte"))
    number = await s.accept("Skolemøbler")
    saga = await s.run(number)
    assert saga.status == saga_rules.COMPLETED, saga.last_error
    assert len(s.fake.teams) == 1  # no team was created
    channel = next(c for c in team.channels if c["displayName"].startswith(number))
    assert channel["membershipType"] == "private"
    assert channel["displayName"] == f"{number} – Skolemøbler"
    channel_members = {m["userId"]: m["roles"] for m in team.channel_members[channel["id"]]}
    assert channel_members == {PER: ["owner"], KARI: [], LISE: []}
    assert {KARI, LISE} <= set(_member_ids(team))
    assert saga.web_url == channel["webUrl"]
    # running the saga's steps again changes nothing
    again = replace(saga, step=saga_rules.CREATE_CHANNELS, status=saga_rules.PENDING)
    await service.run_saga(s.ctx, s.rooms, again)
    assert len([c for c in team.channels if c["displayName"].startswith(number)]) == 1


async def test_the_welcome_reaches_the_channel_through_a_reference_built_from_a_known_one(setup):
    s = await setup()
    # the bot knows the procurement channel (from demo.yaml) in this tenant
    async with s.ctx.uow() as uow:
        await uow.conversations.upsert(
            ConversationRef(
                ref_key=ConversationRef.conversation_key("19:channel-innkjop@thread.tacv2"),
                tenant_id=TENANT,
                conversation_id="19:channel-innkjop@thread.tacv2",
                service_url="https://smba.trafficmanager.net/emea/",
                reference={
                    "bot": {"id": "28:bot", "name": "Innkjøpsboten"},
                    "conversation": {"id": "19:channel-innkjop@thread.tacv2"},
                    "channelId": "msteams",
                    "serviceUrl": "https://smba.trafficmanager.net/emea/",
                },
                conversation_type="channel",
            ),
            now=s.clock.now(),
        )
        await uow.commit()
    number = await s.accept()
    saga = await s.run(number)
    assert saga.status == saga_rules.COMPLETED
    async with s.ctx.uow() as uow:
        ref = await uow.conversations.get(ConversationRef.conversation_key(saga.channel_id))
    assert ref is not None and ref.service_url == "https://smba.trafficmanager.net/emea/"
    assert ref.reference["conversation"]["id"] == saga.channel_id
    assert f"{number}:room:ready:case" in await s.outbox_keys()


async def test_the_lookup_adopts_only_this_cases_team(setup):
    s = await setup()
    s.fake.add_team("other", "ANS-2026-00011 – En annen sak")
    s.fake.add_team("mine", "ANS-2026-0001 – Nye skolepulter")
    assert await s.rooms.find_team("ANS-2026-0001") == "mine"
    assert await s.rooms.find_team("ANS-2026-0002") is None


async def test_post_teams_is_sent_once_per_attempt_the_sdk_does_not_retry_it(setup):
    s = await setup()
    number = await s.accept()
    s.fake.fail_next(r"^/v1\.0/teams$", 503, count=1, method="POST")
    s.fake.fail_next(r"^/v1\.0/groups$", 503, count=1)  # other calls: the SDK retries them
    await service.run_due(s.ctx, worker_id="test")
    # one POST (the SDK's retry handler would have sent it again at once), two lookups
    assert len(s.fake.requests_to(r"^/v1\.0/teams$")) == 1
    assert len(s.fake.requests_to(r"^/v1\.0/groups$")) == 2
    saga = await s.saga(number)
    assert saga.step == saga_rules.CREATE_TEAM and saga.uncertain_since is not None
    # it waits for the lookup to settle before it creates again, then makes one team
    saga = await s.run(number, step_seconds=20)
    assert saga.status == saga_rules.COMPLETED
    assert len(s.fake.teams) == 1 and len(s.fake.requests_to(r"^/v1\.0/teams$")) == 2
