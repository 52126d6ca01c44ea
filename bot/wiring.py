"""Small builders the composition root uses: settings → directory adapter, settings → rules."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from bot.core.domain.contracts import ReminderPolicy
from bot.core.domain.directory import Directory
from bot.core.ports import AppInstaller, UnitOfWork
from bot.core.services.contracts import ContractRegister
from bot.core.services.needs import NeedRules
from bot.core.services.reminder_context import ReminderStore
from bot.settings import Settings
from integrations.db.contracts import contract_repository
from integrations.db.reminders import reminder_repository
from integrations.db.uow import SqlUnitOfWorkFactory
from integrations.directory.yaml_directory import YamlDirectory


def need_rules(settings: Settings) -> NeedRules:
    rules = settings.rules
    return NeedRules(
        thresholds=list(rules.thresholds),
        open_ended_months=rules.open_ended_months,
        vat_percent=rules.vat_rate_percent,
        green_flag_terms=tuple(rules.green_flag_terms),
    )


def static_directory(settings: Settings) -> YamlDirectory:
    """The YAML org chart (the bundled demo when no file is configured)."""
    path = settings.directory.yaml_path
    return YamlDirectory.from_file(path) if path else YamlDirectory.demo()


def build_directory(settings: Settings) -> Directory:
    """The directory to start with. In graph mode the app swaps in GraphDirectory at startup,
    because the Graph client belongs to the running event loop (platform.md §7.2.1)."""
    return static_directory(settings)


class GraphLifecycle:
    """One Graph client for the process, built inside the running loop and closed on shutdown,
    serving what settings ask of Graph: the directory, installing the app for people."""

    def __init__(
        self,
        settings: Settings,
        *,
        directory: bool,
        installer: bool,
        on_response: Callable[[str, int], None] | None = None,
    ) -> None:
        self._settings = settings
        self._on_response = on_response
        self._want_directory = directory
        self._want_installer = installer
        self._client: Any = None
        self.directory: Directory | None = None
        self.installer: AppInstaller | None = None

    @property
    def needed(self) -> bool:
        return self._want_directory or self._want_installer

    async def start(self) -> None:
        if not self.needed:
            return
        from integrations.graph.client import build_graph_client
        from integrations.graph.directory import GraphDirectory
        from integrations.graph.installer import GraphAppInstaller

        self._client = build_graph_client(self._settings.graph, on_response=self._on_response)
        if self._want_directory:
            self.directory = GraphDirectory(
                self._client, self._settings.graph, static=static_directory(self._settings)
            )
        if self._want_installer:
            self.installer = GraphAppInstaller(self._client, self._settings.graph)

    async def stop(self) -> None:
        if self._client is not None:
            from integrations.graph.client import close_graph_client

            await close_graph_client(self._client)
            self._client = None


def contract_register_factory(
    uow: SqlUnitOfWorkFactory,
) -> Callable[[], AbstractAsyncContextManager[ContractRegister]]:
    """Read-only access to the contract register, one unit of work per use."""

    @asynccontextmanager
    async def open_register() -> AsyncIterator[ContractRegister]:
        async with uow.read() as work:
            yield contract_repository(work)

    return open_register


def reminder_tenant(settings: Settings) -> str:
    """The tenant reminder recipients are reached in (see ReminderSettings.tenant_id)."""
    return settings.reminders.tenant_id or settings.bot.app_tenant_id or settings.graph.tenant_id


def reminder_policy(settings: Settings) -> ReminderPolicy:
    reminders = settings.reminders
    return ReminderPolicy(
        expiry_lead_months=tuple(reminders.expiry_lead_months),
        option_notice_lead_months=tuple(reminders.option_notice_lead_months),
        escalation_lead_months=reminders.escalation_lead_months,
        consumption_warn_percents=tuple(reminders.consumption_warn_percents),
    )


def reminder_store(uow: UnitOfWork) -> ReminderStore:
    """The reminder store inside a unit of work (the SQL unit of work has a session)."""
    return reminder_repository(uow)  # type: ignore[arg-type]


def room_config(settings: Settings) -> Any:
    """settings.rooms → the core's RoomConfig (None when rooms are off)."""
    from bot.core.domain.rooms import RetryPolicy
    from bot.core.services.rooms import RoomConfig

    rooms = settings.rooms
    if rooms.mode == "off":
        return None
    return RoomConfig(
        mode=rooms.mode,
        private=rooms.private,
        team_id=rooms.team_id,
        channels=tuple(rooms.channels),
        teams_app_id=settings.graph.teams_app_id if rooms.mode == "team" else "",
        policy=RetryPolicy(
            poll_interval_seconds=rooms.poll_interval_seconds,
            backoff_base_seconds=rooms.backoff_base_seconds,
            backoff_max_seconds=rooms.backoff_max_seconds,
            max_transient_attempts=rooms.max_transient_attempts,
            replication_timeout_seconds=rooms.replication_timeout_seconds,
            lookup_settle_seconds=rooms.lookup_settle_seconds,
        ),
    )


class GraphRoomsLifecycle:
    """Builds the Graph rooms adapter inside the running loop and closes its client on
    shutdown; `current()` is None before `start` and after `stop`."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Any = None
        self._rooms: Any = None

    def current(self) -> Any:
        return self._rooms

    async def start(self) -> None:
        from kiota_http.middleware.options import RetryHandlerOption

        from integrations.graph.client import build_graph_client
        from integrations.graph.rooms import GraphRooms

        rooms = self._settings.rooms
        retry = RetryHandlerOption(
            delay=rooms.sdk_retry_delay_seconds, max_retries=rooms.sdk_max_retries
        )
        self._client = build_graph_client(self._settings.graph, retry=retry)
        self._rooms = GraphRooms(self._client)

    async def stop(self) -> None:
        self._rooms = None
        if self._client is not None:
            from integrations.graph.client import close_graph_client

            await close_graph_client(self._client)
            self._client = None
