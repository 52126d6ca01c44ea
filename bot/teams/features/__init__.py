"""Feature handlers of the Teams layer, each registering its commands and card verbs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.teams.deps import TeamsDeps
from bot.teams.features import welcome
from bot.teams.router import ActionRegistry, CommandRouter
from bot.teams.turn import Turn

WelcomeHandler = Callable[[Turn], Awaitable[None]]


def build_features(deps: TeamsDeps) -> tuple[CommandRouter, ActionRegistry, WelcomeHandler]:
    router = CommandRouter()
    actions = ActionRegistry()
    # Order matters only for the fallback: welcome registers it and must come last.
    welcome.register(router, actions, deps)
    return router, actions, welcome.make_welcome(deps)
