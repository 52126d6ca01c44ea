"""Feature handlers of the Teams layer, each registering its commands and card verbs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.teams.deps import TeamsDeps
from bot.teams.features import needs, welcome
from bot.teams.router import ActionRegistry, CommandRouter
from bot.teams.turn import Turn

WelcomeHandler = Callable[[Turn], Awaitable[None]]


def build_features(deps: TeamsDeps) -> tuple[CommandRouter, ActionRegistry, WelcomeHandler]:
    router = CommandRouter()
    actions = ActionRegistry()
    # Order matters only for the fallback: welcome registers it and must come last.
    conversation = needs.register(router, actions, deps)
    welcome.register(router, actions, deps, start_need=conversation.start)
    return router, actions, welcome.make_welcome(deps)
