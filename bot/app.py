"""Composition root: `create_app(settings, *, overrides=None)` wires everything. Nothing is built
at import time, so tests build as many apps as they like with their own settings and fakes."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from aiohttp import web
from botbuilder.core import ConversationState
from prometheus_client import generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bot.core.clock import Clock, SystemClock
from bot.core.ports import MessageSender
from bot.core.services.approval_reminders import ReminderPolicy
from bot.core.services.conversations import RecentReferences
from bot.core.services.deviation_reminders import DeviationPolicy
from bot.observability import Metrics, correlation_id
from bot.settings import Settings
from bot.teams.adapter import InnkjopAdapter, attach_error_handler
from bot.teams.bot import InnkjopBot
from bot.teams.deps import TeamsDeps
from bot.teams.features import (
    approval_context_of,
    build_features,
    deviation_context_of,
    reminder_context_of,
)
from bot.teams.proactive import BotConnectorSender
from bot.teams.routes import make_messages_handler
from bot.teams.storage import SqlStorage
from bot.wiring import (
    GraphLifecycle,
    GraphRoomsLifecycle,
    build_directory,
    contract_register_factory,
    need_rules,
    room_config,
)
from bot.worker.approvals import ApprovalReminderLoop
from bot.worker.contract_reminders import ContractReminderLoop
from bot.worker.deviations import DeviationReminderLoop
from bot.worker.outbox import OutboxWorker
from bot.worker.rooms import RoomSagaLoop
from bot.worker.unreached import UnreachedRecipients
from cards import verbs
from integrations.db.dialog_state import SqlDialogStateStore
from integrations.db.engine import create_engine
from integrations.db.migrate import is_at_head
from integrations.db.uow import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)

SETTINGS_KEY = web.AppKey("settings", Settings)
WORKER_KEY = web.AppKey("outbox_worker", OutboxWorker)
DEVIATION_REMINDERS_KEY = web.AppKey("deviation_reminders", DeviationReminderLoop)
UOW_KEY = web.AppKey("uow", SqlUnitOfWorkFactory)
METRICS_KEY = web.AppKey("metrics", Metrics)
ADAPTER_KEY = web.AppKey("adapter", InnkjopAdapter)
RECENT_REFERENCES_KEY = web.AppKey("recent_references", RecentReferences)


def create_app(settings: Settings, *, overrides: dict[str, Any] | None = None) -> web.Application:
    """Build the aiohttp application. `overrides` may replace `clock` and `sender` (tests)."""
    overrides = overrides or {}
    clock: Clock = overrides.get("clock") or SystemClock()
    engine = create_engine(settings.db.url, schema=settings.db.schema_name, echo=settings.db.echo)
    uow = SqlUnitOfWorkFactory(engine)
    storage = SqlStorage(SqlDialogStateStore(engine))
    conversation_state = ConversationState(storage)
    adapter = InnkjopAdapter(settings)
    attach_error_handler(adapter, [conversation_state], storage)
    deps = TeamsDeps(
        settings=settings,
        uow=uow,
        clock=clock,
        conversation_state=conversation_state,
        directory=overrides.get("directory") or build_directory(settings),
        rules=need_rules(settings),
        contracts=contract_register_factory(uow),
    )
    graph_rooms = GraphRoomsLifecycle(settings)
    room_saga = _rooms(deps, graph_rooms, overrides)
    router, actions, welcome = build_features(deps)
    reminders = ApprovalReminderLoop(
        approval_context_of(deps),
        ReminderPolicy(
            remind_after_business_days=settings.approvals.remind_after_business_days,
            escalate_after_business_days=settings.approvals.escalate_after_business_days,
            quiet_hours_start=settings.approvals.quiet_hours_start,
            quiet_hours_end=settings.approvals.quiet_hours_end,
            digest_hour=settings.approvals.digest_hour,
        ),
        interval_seconds=settings.worker.reminder_scan_interval_seconds,
    )
    deviation_reminders = DeviationReminderLoop(
        deviation_context_of(deps),
        DeviationPolicy(
            escalate_after_business_days=settings.deviations.escalate_after_business_days,
            quiet_hours_start=settings.approvals.quiet_hours_start,
            quiet_hours_end=settings.approvals.quiet_hours_end,
        ),
        interval_seconds=settings.worker.reminder_scan_interval_seconds,
    )
    bot = InnkjopBot(deps, router, actions, welcome)
    sender: MessageSender = overrides.get("sender") or BotConnectorSender(
        adapter, settings.bot.app_id
    )
    metrics = Metrics()
    graph = GraphLifecycle(
        settings,
        directory=settings.directory.source == "graph" and "directory" not in overrides,
        installer=bool(settings.graph.teams_app_id) and "installer" not in overrides,
        on_response=lambda method, status: metrics.graph_calls.labels(
            method=method, status=str(status)
        ).inc(),
    )
    unreached = UnreachedRecipients(
        directory_of=lambda: deps.directory,
        installer_of=lambda: overrides.get("installer") or graph.installer,
        fallback_after_attempts=settings.worker.channel_fallback_after_attempts,
    )
    contract_reminders = ContractReminderLoop(
        reminder_context_of(deps, on_queued=metrics.reminders_queued.inc),
        interval_seconds=settings.reminders.scan_interval_seconds,
    )
    worker = OutboxWorker(
        uow=uow,
        sender=sender,
        clock=clock,
        settings=settings.worker,
        on_result=lambda result: metrics.deliveries.labels(result=result).inc(),
        unreached=unreached,
        on_unreachable=deps.recent_references.forget,
    )

    if settings.anonymous:
        log.warning(
            "BOT__APP_ID is empty: running anonymous, without authentication, and accepting "
            "traffic from this machine (loopback) only. Set BOT__APP_ID for a real tenant."
        )

    app = web.Application(
        client_max_size=settings.bot.max_body_bytes,
        middlewares=[_correlation_middleware, _json_errors_middleware],
    )
    app[SETTINGS_KEY] = settings
    app[WORKER_KEY] = worker
    app[DEVIATION_REMINDERS_KEY] = deviation_reminders
    app[UOW_KEY] = uow
    app[RECENT_REFERENCES_KEY] = deps.recent_references
    app[METRICS_KEY] = metrics
    app[ADAPTER_KEY] = adapter

    async def counted_turn(context: Any) -> None:
        activity = context.activity
        metrics.turns.labels(type=str(activity.type)).inc()
        if activity.type == "invoke":
            metrics.invokes.labels(verb=_invoke_verb(activity.value), status="received").inc()
        await bot.on_turn(context)

    app.router.add_post(
        "/api/messages",
        make_messages_handler(
            adapter,
            counted_turn,
            anonymous=settings.anonymous,
            allowed_tenants=frozenset(settings.allowed_tenants),
            force_locale=settings.force_locale,
        ),
    )

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def readyz(_: web.Request) -> web.Response:
        checks: dict[str, str] = {}
        try:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
            checks["migrations"] = "ok" if await is_at_head(engine) else "not at head"
        except Exception as error:
            checks["database"] = f"unreachable: {type(error).__name__}"
        ready = all(value == "ok" for value in checks.values()) and "migrations" in checks
        return web.json_response(
            {"status": "ready" if ready else "not ready", "checks": checks},
            status=200 if ready else 503,
        )

    async def metrics_endpoint(_: web.Request) -> web.Response:
        try:
            async with uow.read() as work:
                stats = await work.outbox.stats(now=clock.now())
            metrics.outbox_depth.set(stats.pending)
            metrics.outbox_age.set(stats.oldest_pending_seconds)
        except Exception:
            log.warning("metrics: outbox stats unavailable", exc_info=True)
        return web.Response(
            body=generate_latest(metrics.registry),
            headers={"Content-Type": CONTENT_TYPE_LATEST},
        )

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_endpoint)

    async def lifecycle(_: web.Application) -> AsyncIterator[None]:
        await graph.start()
        if graph.directory is not None:
            deps.directory = graph.directory
        if room_saga is not None:
            await graph_rooms.start()  # also used by "legg til" in a turn
        stop = asyncio.Event()
        tasks = []
        if settings.worker.enabled:
            tasks.append(asyncio.create_task(worker.run_forever(stop), name="outbox-worker"))
            tasks.append(
                asyncio.create_task(reminders.run_forever(stop), name="approval-reminders")
            )
            tasks.append(
                asyncio.create_task(contract_reminders.run_forever(stop), name="contract-reminders")
            )
            tasks.append(
                asyncio.create_task(
                    deviation_reminders.run_forever(stop), name="deviation-reminders"
                )
            )
            if room_saga is not None:
                tasks.append(asyncio.create_task(room_saga.run_forever(stop), name="room-sagas"))
        try:
            yield
        finally:
            stop.set()
            for task in tasks:
                try:
                    await asyncio.wait_for(task, timeout=10)
                except TimeoutError:
                    task.cancel()
            await graph.stop()
            await graph_rooms.stop()
            await adapter.close()
            await engine.dispose()

    app.cleanup_ctx.append(lifecycle)
    return app


def _rooms(
    deps: TeamsDeps, graph_rooms: GraphRoomsLifecycle, overrides: dict[str, Any]
) -> RoomSagaLoop | None:
    """The collaboration rooms' context on `deps` and their saga loop (None when off).
    `overrides["rooms"]` replaces the Graph adapter (a Rooms port)."""
    config = room_config(deps.settings)
    if config is None:
        return None
    from bot.core.services.rooms import RoomContext
    from bot.teams.features.room_views import RoomCardViews

    def directory() -> Any:
        return deps.directory

    override = overrides.get("rooms")
    deps.rooms = RoomContext(
        uow=deps.uow,
        clock=deps.clock,
        config=config,
        cards=RoomCardViews(directory, deps.rules.vat_percent),
        directory_of=directory,
        rooms_of=(lambda: override) if override is not None else graph_rooms.current,
    )
    return RoomSagaLoop(deps.rooms, interval_seconds=deps.settings.rooms.scan_interval_seconds)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _invoke_verb(value: Any) -> str:
    """The card verb of an invoke, for metrics; unknown verbs are one label (bounded)."""
    action = value.get("action") if isinstance(value, dict) else None
    verb = action.get("verb") if isinstance(action, dict) else None
    return verb if isinstance(verb, str) and verb in verbs.ALL else "other"


@web.middleware
async def _correlation_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = correlation_id.set(request.headers.get("x-correlation-id") or uuid.uuid4().hex[:12])
    try:
        return await handler(request)
    finally:
        correlation_id.reset(token)


@web.middleware
async def _json_errors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return web.json_response({"error": {"code": "InternalError"}}, status=500)
