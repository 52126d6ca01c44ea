"""Feature handlers of the Teams layer, each registering its commands and card verbs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.domain.directory import Directory
from bot.core.services.approvals import ApprovalContext
from bot.teams.deps import TeamsDeps
from bot.teams.features import approvals, contracts, needs, rooms, welcome
from bot.teams.features.approval_views import CaseCards
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


def build_features(deps: TeamsDeps) -> tuple[CommandRouter, ActionRegistry, WelcomeHandler]:
    router = CommandRouter()
    actions = ActionRegistry()
    approval_context = approval_context_of(deps)
    # Order matters for the fallback (welcome registers it and must come last) and for the
    # interceptors: a draft in progress first, then an answer to an approver's question.
    conversation = needs.register(router, actions, deps, approvals=approval_context)
    approvals.register(router, actions, deps, approval_context)
    contracts.register(router, deps)
    if deps.rooms is not None:
        rooms.register(router, actions, deps.rooms, allow_guests=deps.settings.rooms.allow_guests)
    welcome.register(router, actions, deps, start_need=conversation.start)
    return router, actions, welcome.make_welcome(deps)
