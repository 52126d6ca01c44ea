"""Welcome on install, help, and a helpful answer to anything the bot does not understand."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.core.domain.deviation_intent import intent_of
from bot.teams.deps import TeamsDeps
from bot.teams.router import ActionRegistry, CommandRouter
from bot.teams.turn import Turn
from cards import verbs
from cards.models import HelpCard, WelcomeCard

# Teams sends both installationUpdate and conversationUpdate on a personal install.
_WELCOME_DEDUP = timedelta(minutes=2)


def make_welcome(deps: TeamsDeps) -> Any:
    welcomed = deps.conversation_state.create_property("welcomed_at")
    # Teams (and the Agents Playground) send the two install events at the same moment, so the
    # dedup check runs under a per-conversation lock on freshly read state: otherwise both turns
    # read "not welcomed yet", both welcome, and one fails on the state's eTag.
    locks: dict[str, asyncio.Lock] = {}
    users: Counter[str] = Counter()

    async def claim(turn: Turn) -> bool:
        now = deps.clock.now()
        await deps.conversation_state.load(turn.context, force=True)
        last = await welcomed.get(turn.context)
        if isinstance(last, str) and now.fromisoformat(last) > now - _WELCOME_DEDUP:
            return False
        await welcomed.set(turn.context, now.isoformat())
        await deps.conversation_state.save_changes(turn.context)
        return True

    async def welcome(turn: Turn) -> None:
        conversation = turn.context.activity.conversation
        key = str(conversation.id) if conversation is not None else ""
        lock = locks.setdefault(key, asyncio.Lock())
        users[key] += 1
        try:
            async with lock:
                claimed = await claim(turn)
        finally:
            users[key] -= 1
            if users[key] == 0:
                del users[key], locks[key]
        if claimed:
            await turn.send_card(WelcomeCard.build(turn.lang, user_name=turn.sender.name).render())

    return welcome


def register(
    router: CommandRouter,
    actions: ActionRegistry,
    deps: TeamsDeps,
    *,
    start_need: Callable[[Turn, str | None], Awaitable[None]],
    start_deviation: Callable[[Turn, str | None], Awaitable[None]] | None = None,
) -> None:
    @router.command("hjelp", "help", "?", "meny", "menu")
    async def help_command(turn: Turn, _: str) -> None:
        await turn.send_card(HelpCard.build(turn.lang).render())

    @actions.on_submit(verbs.WELCOME_HELP)
    async def help_button(turn: Turn, _: dict[str, Any]) -> None:
        await turn.send_card(HelpCard.build(turn.lang).render())

    @router.command("hei", "hallo", "heisann", "god morgen", "hi", "hello", "start")
    async def greeting(turn: Turn, _: str) -> None:
        await turn.send_card(WelcomeCard.build(turn.lang, user_name=turn.sender.name).render())

    @router.fallback
    async def not_understood(turn: Turn, text: str) -> None:
        if not text and not turn.value:
            return  # e.g. a bare attachment or a reaction: nothing to answer
        intent = intent_of(text)
        if intent == "deviation" and start_deviation is not None:
            await start_deviation(turn, text)
            return
        if intent == "need":
            await start_need(turn, text)
            return
        await turn.say("common.not_understood")
        await turn.send_card(HelpCard.build(turn.lang).render())
