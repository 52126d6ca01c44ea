"""Building the msgraph-sdk client from settings, and translating Graph errors at this boundary.

We build the request adapter ourselves (platform.md §5.8): `GraphServiceClient(credentials=...)`
asks Entra for a token before the first call even when the base URL points at a local fake, and
the base URL only takes effect on `request_adapter.base_url`. `auth = "none"` is for a local fake
Graph or Microsoft's Dev Proxy.

One client per event loop (platform.md §7.2.1): build it at app startup, `close_graph_client`
on shutdown; in tests, build it inside each test.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AnonymousAuthenticationProvider,
    AuthenticationProvider,
)
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from kiota_http.middleware.options import RetryHandlerOption
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.graph_request_adapter import options as graph_default_options
from msgraph_core import GraphClientFactory  # type: ignore[import-untyped]

from bot.core.domain.errors import AppError, NotFound, Unavailable
from bot.settings import GraphSettings

log = logging.getLogger(__name__)

GRAPH_SCOPES = ["https://graph.microsoft.com/.default"]


def _credential(settings: GraphSettings) -> Any:
    from azure.identity.aio import (
        CertificateCredential,
        ClientSecretCredential,
        ManagedIdentityCredential,
    )

    if settings.auth == "client_secret":
        return ClientSecretCredential(
            settings.tenant_id, settings.client_id, settings.client_secret.get_secret_value()
        )
    if settings.auth == "certificate":
        return CertificateCredential(
            settings.tenant_id, settings.client_id, certificate_path=settings.certificate_path
        )
    # managed_identity: a user-assigned identity when a client id is given
    return ManagedIdentityCredential(client_id=settings.client_id or None)


def _auth_provider(settings: GraphSettings) -> AuthenticationProvider:
    if settings.auth == "none":
        return AnonymousAuthenticationProvider()
    host = urlsplit(settings.base_url).hostname or "graph.microsoft.com"
    return AzureIdentityAuthenticationProvider(
        _credential(settings), scopes=GRAPH_SCOPES, allowed_hosts=[host]
    )


def build_graph_client(
    settings: GraphSettings,
    *,
    retry: RetryHandlerOption | None = None,
    on_response: Callable[[str, int], None] | None = None,
) -> GraphServiceClient:
    """A GraphServiceClient for `settings` with the SDK's default middleware (retry included).

    `retry` replaces the default retry options (3 retries, 3 s base delay); tests pass a zero
    delay so a `Retry-After: 0` is retried at once. `on_response(method, status)` is called with
    each call's final answer, after the SDK's retries (for the metrics).
    """
    options = dict(graph_default_options)
    if retry is not None:
        options[RetryHandlerOption.get_key()] = retry
    http_client = GraphClientFactory.create_with_default_middleware(options=options)
    if on_response is not None:
        report = on_response

        async def count(response: httpx.Response) -> None:
            report(response.request.method, response.status_code)

        http_client.event_hooks["response"].append(count)
    adapter = GraphRequestAdapter(_auth_provider(settings), client=http_client)
    adapter.base_url = settings.base_url.rstrip("/")
    return GraphServiceClient(request_adapter=adapter)


async def close_graph_client(client: GraphServiceClient) -> None:
    """Close the httpx client under the SDK (it belongs to the event loop that used it)."""
    http_client = getattr(client.request_adapter, "_http_client", None)
    if http_client is not None:
        await http_client.aclose()


def graph_error_code(error: APIError) -> str:
    """The Graph error code (`Request_ResourceNotFound`, `Authorization_RequestDenied`...)."""
    main = getattr(error, "error", None)
    return str(getattr(main, "code", None) or "")


def translate_graph_error(error: APIError, *, action: str) -> AppError:
    """Map a Graph failure to the product's error taxonomy, logging what Graph said."""
    status = error.response_status_code
    code = graph_error_code(error)
    log.warning(
        "graph %s failed: status=%s code=%s message=%s",
        action,
        status,
        code,
        getattr(getattr(error, "error", None), "message", None) or error.message,
    )
    detail = f"graph {action}: {status} {code}".strip()
    if status == 404:
        return NotFound(detail)
    if status in (401, 403):
        # the app lacks a permission: not the user's fault, so not NotAuthorized
        return Unavailable(detail, message_key="directory.forbidden")
    return Unavailable(detail, message_key="directory.unavailable")
