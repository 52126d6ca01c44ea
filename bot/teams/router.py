"""Command router and card-action registry: text commands and card verbs → one handler each.

Feature modules register their handlers (`register(router, actions, deps)`), Bolt-style, so the
activity handler itself only dispatches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.teams.turn import Turn

Handler = Callable[[Turn, str], Awaitable[None]]
SubmitHandler = Callable[[Turn, dict[str, Any]], Awaitable[None]]
# An Action.Execute handler returns the card that replaces the clicked one (or None).
ExecuteHandler = Callable[[Turn, dict[str, Any]], Awaitable[dict[str, Any] | None]]


def normalize(text: str) -> str:
    """Lower-case, strip mentions/markup and punctuation at the ends, collapse spaces."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"<at>.*?</at>", " ", text, flags=re.IGNORECASE | re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\s+", " ", text).strip().lower()
    return text.strip(" .!?")


@dataclass(frozen=True)
class _Command:
    phrases: tuple[str, ...]
    handler: Handler
    prefix: bool  # True: "finn avtale <søk>" — the rest of the text is the argument


class CommandRouter:
    def __init__(self) -> None:
        self._commands: list[_Command] = []
        self._fallback: Handler | None = None

    def command(self, *phrases: str, prefix: bool = False) -> Callable[[Handler], Handler]:
        def decorator(handler: Handler) -> Handler:
            self._commands.append(_Command(tuple(normalize(p) for p in phrases), handler, prefix))
            return handler

        return decorator

    def fallback(self, handler: Handler) -> Handler:
        self._fallback = handler
        return handler

    def match(self, text: str) -> tuple[Handler, str] | None:
        said = normalize(text)
        for command in self._commands:
            for phrase in command.phrases:
                if said == phrase:
                    return command.handler, ""
                if command.prefix and said.startswith(phrase + " "):
                    return command.handler, said[len(phrase) + 1 :].strip()
        return None

    async def dispatch(self, turn: Turn) -> None:
        found = self.match(turn.text)
        if found is not None:
            handler, argument = found
            await handler(turn, argument)
        elif self._fallback is not None:
            await self._fallback(turn, turn.text)


class ActionRegistry:
    """Card verbs → handlers, for Action.Submit (a message with `value`) and Action.Execute."""

    def __init__(self) -> None:
        self._submit: dict[str, SubmitHandler] = {}
        self._execute: dict[str, ExecuteHandler] = {}

    def on_submit(self, *verbs: str) -> Callable[[SubmitHandler], SubmitHandler]:
        def decorator(handler: SubmitHandler) -> SubmitHandler:
            for verb in verbs:
                self._submit[verb] = handler
            return handler

        return decorator

    def on_execute(self, *verbs: str) -> Callable[[ExecuteHandler], ExecuteHandler]:
        def decorator(handler: ExecuteHandler) -> ExecuteHandler:
            for verb in verbs:
                self._execute[verb] = handler
            return handler

        return decorator

    def submit_handler(self, verb: str) -> SubmitHandler | None:
        return self._submit.get(verb)

    def execute_handler(self, verb: str) -> ExecuteHandler | None:
        return self._execute.get(verb)
