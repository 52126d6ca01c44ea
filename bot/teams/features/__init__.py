"""Feature handlers of the Teams layer, each registering its commands and card verbs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.domain.directory import Directory
from bot.core.domain.needs import NeedDraft
from bot.core.services.approvals import ApprovalContext
from bot.core.services.deviations import DeviationContext
from bot.core.services.reminder_context import ReminderContext
from bot.teams.deps import TeamsDeps
from bot.teams.features import (
    approvals,
    cases,
    contracts,
    deviations,
    needs,
    reminders,
    rooms,
    welcome,
)
from bot.teams.features.approval_views import CaseCards
from bot.teams.features.deviation_views import DeviationCardRenderer
from bot.teams.features.reminder_views import ReminderCardViews
from bot.teams.router import ActionRegistry, CommandRouter
from bot.teams.turn import Turn

WelcomeHandler = Callable[[Turn], Awaitable[None]]


def approval_context_of(deps: TeamsDeps) -> ApprovalContext:
    """The approval use cases' dependencies; reads `deps.directory` at each use (Graph mode
    swaps it in at startup)."""

    def directory() -> Directory:
        return deps.directory

    return ApprovalContext(
        uow=deps.uow,
        clock=deps.clock,
        directory_of=directory,
        cards=CaseCards(directory, deps.rules),
        tz=deps.settings.timezone,
        on_accept=rooms.queuer(deps.rooms) if deps.rooms is not None else None,
    )


def reminder_context_of(
    deps: TeamsDeps, on_queued: Callable[[int], None] | None = None
) -> ReminderContext:
    """The contract reminder use cases' dependencies (the card actions, the worker's scan)."""
    from bot.wiring import reminder_policy, reminder_store, reminder_tenant

    def directory() -> Directory:
        return deps.directory

    settings = deps.settings
    return ReminderContext(
        uow=deps.uow,
        clock=deps.clock,
        directory_of=directory,
        cards=ReminderCardViews(directory),
        store_of=reminder_store,
        tenant_id=reminder_tenant(settings),
        policy=reminder_policy(settings),
        snooze_days=settings.reminders.snooze_days,
        tz=settings.timezone,
        on_queued=on_queued,
    )


def deviation_context_of(deps: TeamsDeps) -> DeviationContext:
    """The deviation use cases' dependencies (the directory read at each use, as above)."""

    def directory() -> Directory:
        return deps.directory

    tz = deps.settings.timezone
    return DeviationContext(
        uow=deps.uow,
        clock=deps.clock,
        directory_of=directory,
        cards=DeviationCardRenderer(deps.clock, tz),
        tz=tz,
    )


def build_features(deps: TeamsDeps) -> tuple[CommandRouter, ActionRegistry, WelcomeHandler]:
    router = CommandRouter()
    actions = ActionRegistry()
    approval_context = approval_context_of(deps)
    # Order matters for the fallback (welcome registers it and must come last) and for the
    # interceptors: a draft in progress first, then an answer to an approver's question.
    conversation = needs.register(router, actions, deps, approvals=approval_context)
    deviation_context = deviation_context_of(deps)
    approvals.register(
        router, actions, deps, approval_context, deviations.sanction_cards(deviation_context)
    )
    deviation = deviations.register(router, actions, deps, deviation_context)
    cases.register(router, actions, deps, deviation_context, conversation.context)
    contracts.register(router, deps)

    async def start_need(turn: Turn, draft: NeedDraft) -> None:
        await conversation.start_prefilled(turn, draft, intro_key="reminder.need.prefilled")

    reminders.register(actions, reminder_context_of(deps), start_need)
    if deps.rooms is not None:
        rooms.register(router, actions, deps.rooms, allow_guests=deps.settings.rooms.allow_guests)
    welcome.register(
        router, actions, deps, start_need=conversation.start, start_deviation=deviation.start
    )
    return router, actions, welcome.make_welcome(deps)
