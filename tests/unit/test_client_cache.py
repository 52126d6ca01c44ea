"""Bot Connector clients are built once per (app, service URL, audience) and reused."""

from __future__ import annotations

import pytest
from botbuilder.integration.aiohttp import ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import AuthenticationConstants, ClaimsIdentity

from bot.settings import Environment, Settings
from bot.teams.adapter import _AuthConfig
from bot.teams.client_cache import MAX_CLIENTS, CachingBotFrameworkAuthentication

pytestmark = pytest.mark.unit


def _auth() -> CachingBotFrameworkAuthentication:
    settings = Settings(_env_file=None, env=Environment.TEST)  # type: ignore[call-arg]
    return CachingBotFrameworkAuthentication(
        ConfigurationBotFrameworkAuthentication(_AuthConfig(settings))
    )


def _claims(app_id: str) -> ClaimsIdentity:
    return ClaimsIdentity({AuthenticationConstants.AUDIENCE_CLAIM: app_id}, True)


async def test_the_same_service_url_gets_the_same_client() -> None:
    auth = _auth()
    first = await auth.create_connector_factory(_claims("app")).create("https://smba.test/emea/")
    again = await auth.create_connector_factory(_claims("app")).create("https://smba.test/emea/")
    other = await auth.create_connector_factory(_claims("app")).create("https://smba.test/amer/")
    other_app = await auth.create_connector_factory(_claims("b")).create("https://smba.test/emea/")
    assert first is again
    assert other is not first
    assert other_app is not first
    assert other.config.base_url == "https://smba.test/amer/"
    await auth.close()


async def test_user_token_clients_are_reused_per_app() -> None:
    auth = _auth()
    first = await auth.create_user_token_client(_claims("app"))
    assert await auth.create_user_token_client(_claims("app")) is first
    assert await auth.create_user_token_client(_claims("other")) is not first
    await auth.close()


async def test_the_cache_is_bounded_and_forgets_the_oldest() -> None:
    auth = _auth()
    factory = auth.create_connector_factory(_claims("app"))
    oldest = await factory.create("https://smba.test/0/")
    for n in range(1, MAX_CLIENTS + 1):
        await factory.create(f"https://smba.test/{n}/")
    assert await factory.create("https://smba.test/0/") is not oldest
    assert await factory.create(f"https://smba.test/{MAX_CLIENTS}/") is not None
    await auth.close()
