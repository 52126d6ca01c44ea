"""Reuse Bot Connector clients across turns instead of building two per turn.

botbuilder 4.17.1 builds a new `ConnectorClient` and a new `UserTokenClient` for every incoming
activity and every proactive send. Each one builds an msrest `Configuration`, whose retry policy
alone costs ~4 ms of CPU (a 999 × 500 list scan), so about a third of a turn's CPU went there.
The clients are stateless apart from their credentials (which cache their own tokens) and an
HTTP session, so one per (app id, service URL, audience) serves every turn, as in the C# SDK.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, TypeVar

from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import (
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

K = TypeVar("K")
V = TypeVar("V")

MAX_CLIENTS = 64  # Teams uses a handful of service URLs; the bound only guards against abuse


def _app_id(claims_identity: ClaimsIdentity) -> str:
    claims = claims_identity.claims or {}
    return str(
        claims.get(AuthenticationConstants.AUDIENCE_CLAIM)
        or claims.get(AuthenticationConstants.APP_ID_CLAIM)
        or ""
    )


class _Bounded(OrderedDict[K, V]):
    def remember(self, key: K, value: V) -> V:
        self[key] = value
        self.move_to_end(key)
        while len(self) > MAX_CLIENTS:
            self.popitem(last=False)
        return value

    def recall(self, key: K) -> V | None:
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value


class _CachingConnectorFactory(ConnectorFactory):
    def __init__(
        self,
        inner: ConnectorFactory,
        app_id: str,
        clients: _Bounded[tuple[str, str, str], ConnectorClient],
    ) -> None:
        self._inner = inner
        self._app_id = app_id
        self._clients = clients

    async def create(self, service_url: str, audience: str | None = None) -> ConnectorClient:
        key = (self._app_id, service_url, audience or "")
        client = self._clients.recall(key)
        if client is None:
            client = self._clients.remember(key, await self._inner.create(service_url, audience))
        return client


class CachingBotFrameworkAuthentication(BotFrameworkAuthentication):
    """Delegates everything to `inner`; only the clients it hands out are kept and reused."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._connectors: _Bounded[tuple[str, str, str], ConnectorClient] = _Bounded()
        self._token_clients: _Bounded[str, UserTokenClient] = _Bounded()

    def _wrap(self, factory: ConnectorFactory, claims: ClaimsIdentity) -> ConnectorFactory:
        return _CachingConnectorFactory(factory, _app_id(claims), self._connectors)

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        return self._wrap_result(await self._inner.authenticate_request(activity, auth_header))

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        return self._wrap_result(
            await self._inner.authenticate_streaming_request(auth_header, channel_id_header)
        )

    def _wrap_result(self, result: AuthenticateRequestResult) -> AuthenticateRequestResult:
        if result.connector_factory is not None:
            result.connector_factory = self._wrap(result.connector_factory, result.claims_identity)
        return result

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._wrap(self._inner.create_connector_factory(claims_identity), claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        key = _app_id(claims_identity)
        client = self._token_clients.recall(key)
        if client is None:
            client = self._token_clients.remember(
                key, await self._inner.create_user_token_client(claims_identity)
            )
        return client

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return str(self._inner.get_originating_audience())

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)

    async def close(self) -> None:
        """Close the kept clients' HTTP sessions (at shutdown)."""
        clients: list[Any] = [*self._connectors.values(), *self._token_clients.values()]
        self._connectors.clear()
        self._token_clients.clear()
        for client in clients:
            exit_ = getattr(client, "__aexit__", None)
            if exit_ is not None:
                await exit_(None, None, None)
