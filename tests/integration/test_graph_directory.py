"""GraphDirectory through the real msgraph-sdk (its retry middleware included) against the fake
Graph: throttling, a tenant that refuses manager lookups, paging, caching, errors."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import pytest
from kiota_http.middleware.options import RetryHandlerOption

from bot.core.domain.errors import Unavailable
from bot.settings import GraphSettings
from integrations.directory.yaml_directory import YamlDirectory
from integrations.graph.client import build_graph_client, close_graph_client
from integrations.graph.directory import GraphDirectory
from tests.support.fake_graph import PROCUREMENT_GROUP_ID, FakeGraph

pytestmark = [
    pytest.mark.integration,
    # msgraph-sdk 1.65 / kiota 1.16 warn about their own deprecated generated classes on import
    pytest.mark.filterwarnings("ignore:This class is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:GetQueryParameters is deprecated:DeprecationWarning"),
]


class Ticker:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Setup:
    fake: FakeGraph
    directory: GraphDirectory
    ticker: Ticker


@pytest.fixture
async def graph() -> AsyncIterator[Callable[..., Awaitable[Setup]]]:
    """Builds a fake Graph and a GraphDirectory in the test's own event loop; closes both."""
    fakes: list[FakeGraph] = []
    clients = []

    async def make(fake: FakeGraph | None = None, **settings: str) -> Setup:
        fake = fake or FakeGraph()
        await fake.start()
        fakes.append(fake)
        graph_settings = GraphSettings(
            **{"base_url": fake.url, "procurement_group_id": PROCUREMENT_GROUP_ID, **settings}
        )
        # zero base delay: a Retry-After: 0 is retried after the SDK's short backoff only
        client = build_graph_client(graph_settings, retry=RetryHandlerOption(delay=0))
        clients.append(client)
        ticker = Ticker()
        directory = GraphDirectory(client, graph_settings, static=YamlDirectory.demo(), now=ticker)
        return Setup(fake, directory, ticker)

    yield make
    for client in clients:
        await close_graph_client(client)
    for fake in fakes:
        await fake.close()


async def test_a_429_with_retry_after_is_retried_by_the_sdk(graph) -> None:
    setup = await graph()
    setup.fake.fail_next(r"^/v1\.0/users/aad-kari$", 429, retry_after=0)
    kari = await setup.directory.get_person("aad-kari")
    assert kari is not None and kari.name == "Kari Nordmann"
    assert len(setup.fake.requests_to(r"^/v1\.0/users/aad-kari$")) == 2


async def test_throttling_beyond_the_retries_is_unavailable(graph) -> None:
    setup = await graph()
    # 200 s is over the SDK's 180 s limit: it gives up at once instead of sleeping
    setup.fake.fail_next(r"/users/aad-kari$", 429, retry_after=200)
    with pytest.raises(Unavailable) as caught:
        await setup.directory.get_person("aad-kari")
    assert caught.value.message_key == "directory.unavailable"
    assert len(setup.fake.requests_to(r"/users/aad-kari$")) == 1


async def test_a_403_on_manager_is_a_clear_unavailable(
    graph, caplog: pytest.LogCaptureFixture
) -> None:
    setup = await graph()
    setup.fake.forbid_manager()
    with caplog.at_level(logging.ERROR), pytest.raises(Unavailable) as caught:
        await setup.directory.manager_of("aad-kari")
    assert caught.value.message_key == "directory.manager_forbidden"
    assert "DIRECTORY__SOURCE=yaml" in caplog.text
    assert "Authorization_RequestDenied" in caplog.text
    # the person is still readable: only the manager lookup is refused
    assert await setup.directory.get_person("aad-kari") is not None


async def test_a_server_error_is_unavailable(graph) -> None:
    setup = await graph()
    setup.fake.fail_next(r"/users/aad-ola/manager$", 500)
    with pytest.raises(Unavailable):
        await setup.directory.manager_of("aad-ola")


async def test_an_unreachable_graph_is_unavailable(graph) -> None:
    setup = await graph()
    await setup.fake.close()
    with pytest.raises(Unavailable):
        await setup.directory.get_person("aad-kari")


async def test_group_members_are_read_across_pages(graph) -> None:
    setup = await graph(FakeGraph(members_page_size=1))
    assert await setup.directory.is_procurement_member("aad-per")
    assert await setup.directory.is_procurement_member("aad-marte")
    pages = setup.fake.requests_to(r"/groups/grp-innkjop/members$")
    assert len(pages) == 2
    assert pages[1].query.get("$skiptoken") == "1"


async def test_without_a_group_id_membership_comes_from_the_yaml(graph) -> None:
    setup = await graph(procurement_group_id="")
    assert await setup.directory.is_procurement_member("aad-per")
    assert setup.fake.requests_to(r"/groups/") == []


async def test_people_and_managers_are_cached_for_five_minutes(graph) -> None:
    setup = await graph()
    for _ in range(3):
        await setup.directory.get_person("aad-kari")
        await setup.directory.manager_of("aad-kari")
        await setup.directory.get_person("aad-nobody")
    assert len(setup.fake.requests_to(r"^/v1\.0/users/aad-kari$")) == 1
    assert len(setup.fake.requests_to(r"/users/aad-kari/manager$")) == 1
    assert len(setup.fake.requests_to(r"/users/aad-nobody$")) == 1
    setup.ticker.now += 301
    await setup.directory.get_person("aad-kari")
    assert len(setup.fake.requests_to(r"^/v1\.0/users/aad-kari$")) == 2


async def test_requests_select_the_fields_we_map(graph) -> None:
    setup = await graph()
    await setup.directory.get_person("aad-gjest")
    [request] = setup.fake.requests_to(r"/users/aad-gjest$")
    assert request.query["$select"].split(",") == [
        "id", "displayName", "mail", "userPrincipalName", "userType", "department",
        "preferredLanguage",
    ]  # fmt: skip
    assert "Authorization" not in request.headers  # auth = none


async def test_search_escapes_quotes_in_the_filter(graph) -> None:
    setup = await graph()
    await setup.directory.find_people("O'Brien")
    [request] = setup.fake.requests_to(r"^/v1\.0/users$")
    assert "startswith(displayName,'O''Brien')" in request.query["$filter"]


async def test_a_person_only_in_entra_gets_the_area_of_their_department(graph) -> None:
    fake = FakeGraph()
    fake.add_user(
        {
            "id": "aad-ny",
            "displayName": "Nils Ny",
            "mail": "nils.ny@lillestrom.kommune.no",
            "userPrincipalName": "nils.ny@lillestrom.kommune.no",
            "userType": "Member",
            "department": "Helse og velferd",
            "preferredLanguage": None,
        },
        manager_id="aad-bjorn",
    )
    setup = await graph(fake)
    nils = await setup.directory.get_person("aad-ny")
    assert nils is not None
    assert (nils.service_area, nils.unit, nils.locale) == ("helse", "Helse og velferd", "nb-NO")
    manager = await setup.directory.manager_of("aad-ny")
    assert manager is not None and manager.id == "aad-bjorn"
