"""The CloudAdapter, configured from settings, with the fixes botbuilder 4.17.1 needs.

- Outgoing replies are retried on 412/429/502/503/504 honouring `Retry-After` (msrest retries
  neither 429 nor any POST, platform.md §1.3). Proactive sends opt out: the outbox worker owns
  their retries and backoff.
- One `on_turn_error` boundary: the user gets a short apology with a reference id in their
  language, the log gets the traceback, the dialog state is cleared rather than left half-written.
"""

from __future__ import annotations

import asyncio
import logging
import random
import uuid
from collections.abc import Awaitable, Callable

from botbuilder.core import BotState, Storage, TurnContext
from botbuilder.integration.aiohttp import (
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity, ActivityTypes, ResourceResponse

from bot.core.i18n import language_of, t
from bot.settings import Settings
from bot.teams.client_cache import CachingBotFrameworkAuthentication

log = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({412, 429, 502, 503, 504})
NO_RETRY_KEY = "innkjop.no_retry"


class _AuthConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    def __init__(self, settings: Settings) -> None:
        self.APP_ID = settings.bot.app_id
        self.APP_PASSWORD = settings.bot.app_password.get_secret_value()
        self.APP_TYPE = settings.bot.app_type if settings.bot.app_id else "MultiTenant"
        self.APP_TENANTID = settings.bot.app_tenant_id


def status_and_retry_after(error: BaseException) -> tuple[int | None, float | None]:
    """Read the HTTP status and Retry-After (seconds) from a msrest/botbuilder error."""
    response = getattr(error, "response", None)
    status = getattr(response, "status_code", None)
    retry_after: float | None = None
    headers = getattr(response, "headers", None) or {}
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    if raw:
        try:
            retry_after = max(0.0, float(raw))
        except ValueError:
            retry_after = None
    return (int(status) if status is not None else None), retry_after


class InnkjopAdapter(CloudAdapter):
    def __init__(
        self,
        settings: Settings,
        *,
        max_attempts: int = 3,
        max_wait_seconds: float = 8.0,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._authentication = CachingBotFrameworkAuthentication(
            ConfigurationBotFrameworkAuthentication(_AuthConfig(settings))
        )
        super().__init__(self._authentication)
        self._max_attempts = max_attempts
        self._max_wait = max_wait_seconds
        self._sleep = sleep

    async def close(self) -> None:
        await self._authentication.close()

    async def send_activities(
        self, context: TurnContext, activities: list[Activity]
    ) -> list[ResourceResponse]:
        if context.turn_state.get(NO_RETRY_KEY):
            return await super().send_activities(context, activities)
        responses: list[ResourceResponse] = []
        for activity in activities:
            responses.extend(await self._send_one_with_retry(context, activity))
        return responses

    async def _send_one_with_retry(
        self, context: TurnContext, activity: Activity
    ) -> list[ResourceResponse]:
        attempt = 0
        while True:
            attempt += 1
            try:
                return await super().send_activities(context, [activity])
            except Exception as error:
                status, retry_after = status_and_retry_after(error)
                if status not in RETRYABLE_STATUS or attempt >= self._max_attempts:
                    raise
                wait = retry_after if retry_after is not None else (2 ** (attempt - 1))
                wait = min(self._max_wait, wait) * random.uniform(1.0, 1.2)
                log.warning("reply got %s, retrying in %.1fs (attempt %d)", status, wait, attempt)
                await self._sleep(wait)


def make_turn_error_handler(
    states: list[BotState], storage: Storage
) -> Callable[[TurnContext, Exception], Awaitable[None]]:
    async def on_turn_error(context: TurnContext, error: Exception) -> None:
        reference = uuid.uuid4().hex[:8].upper()
        activity = context.activity
        log.exception(
            "turn failed (ref %s, activity type %s)",
            reference,
            getattr(activity, "type", "?"),
            exc_info=error,
        )
        database_down = _is_database_error(error)
        if not database_down:
            for state in states:
                try:
                    # Delete by key without loading: the stored state may be what broke the turn.
                    await storage.delete([state.get_storage_key(context)])
                    context.turn_state.pop(state._context_service_key, None)
                except Exception:
                    log.exception("could not clear dialog state (ref %s)", reference)
        if activity is None or activity.type == ActivityTypes.invoke:
            return  # the invoke route answers with an error body instead
        lang = language_of(getattr(activity, "locale", None))
        try:
            # The database being away is no reason to drop a draft: keep it and say so.
            key = "error.unavailable" if database_down else "error.turn"
            await context.send_activity(t(key, lang, ref=reference))
        except Exception:
            log.exception("could not tell the user about error ref %s", reference)

    return on_turn_error


def _is_database_error(error: BaseException) -> bool:
    """True for errors from the database drivers (checked by module: no SQL imports here)."""
    seen: BaseException | None = error
    while seen is not None:
        module = type(seen).__module__
        if module.startswith(("sqlalchemy", "sqlite3", "asyncpg", "aiosqlite")):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def attach_error_handler(adapter: InnkjopAdapter, states: list[BotState], storage: Storage) -> None:
    adapter.on_turn_error = make_turn_error_handler(states, storage)
