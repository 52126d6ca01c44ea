"""The collaboration room in Teams: "Prøv igjen" on the advisor's card when a room failed.

The click is authorized by the use case from `from.aadObjectId` (members of Innkjøpsseksjonen);
the card only says which case. The saga itself runs in the worker (bot/worker/rooms.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.domain.errors import Conflict, NotAuthorized, NotFound
from bot.core.domain.records import NeedCase
from bot.core.ports import UnitOfWork
from bot.core.services import room_members
from bot.core.services import rooms as service
from bot.core.services.rooms import RoomCards, RoomContext
from bot.teams.activity import channel_id_of
from bot.teams.router import ActionRegistry, CommandRouter
from bot.teams.turn import Turn
from cards import verbs

log = logging.getLogger(__name__)

OnAccept = Callable[[UnitOfWork, NeedCase, str, str], Awaitable[None]]


class RoomRetry:
    def __init__(self, ctx: RoomContext, views: RoomCards) -> None:
        self._ctx = ctx
        self._views = views

    async def _retry(self, turn: Turn, number: str) -> tuple[dict[str, Any] | None, str]:
        try:
            case, saga = await service.retry_room(
                self._ctx,
                number,
                actor_id=turn.sender.aad_object_id,
                actor_name=turn.sender.name,
            )
        except NotFound:
            return None, turn.t("approval.not_found", number=number)
        except (NotAuthorized, Conflict) as error:
            log.info("room retry on %s refused: %s", number, error.detail)
            case_, saga_ = await service.room_of(self._ctx, number)
            note = turn.t(error.message_key, number=number)
            if case_ is None or saga_ is None:
                return None, note
            card = await self._views.failed_card(
                case_,
                saga_,
                lang=turn.lang,
                retrying=isinstance(error, Conflict),
                notice=note,
            )
            return card, note
        note = turn.t("rooms.retry.started", number=number)
        card = await self._views.failed_card(case, saga, lang=turn.lang, retrying=True)
        return card, note

    async def on_execute(self, turn: Turn, data: dict[str, Any]) -> dict[str, Any] | None:
        card, _ = await self._retry(turn, str(data.get("case_id") or ""))
        return card

    async def on_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        _, note = await self._retry(turn, str(data.get("case_id") or ""))
        await turn.send_text(note)


def queuer(ctx: RoomContext) -> OnAccept:
    """What triage calls inside the acceptance's transaction: queue the case's room."""

    async def on_accept(uow: UnitOfWork, case: NeedCase, advisor_id: str, name: str) -> None:
        await service.queue_room(
            uow,
            config=ctx.config,
            directory=ctx.directory,
            clock=ctx.clock,
            case=case,
            advisor_id=advisor_id,
            advisor_name=name,
        )

    return on_accept


def _team_of(turn: Turn) -> tuple[str | None, str | None]:
    """(channel id, team's Entra group id) of a channel message; Teams sends the group id as
    `channelData.team.aadGroupId` where it has it."""
    data = turn.activity.channel_data
    team = data.get("team") if isinstance(data, dict) else None
    group = team.get("aadGroupId") if isinstance(team, dict) else None
    return channel_id_of(turn.activity), str(group) if isinstance(group, str) and group else None


async def add_person(turn: Turn, ctx: RoomContext, query: str, *, allow_guests: bool) -> None:
    """ "legg til <navn eller e-post>" in a case's room."""
    channel_id, team_id = _team_of(turn)
    result = await room_members.add_person(
        ctx,
        query=query,
        actor_id=turn.sender.aad_object_id,
        channel_id=channel_id,
        team_id=team_id,
        allow_guests=allow_guests,
    )
    number = result.saga.case_number if result.saga else ""
    name = result.person.name if result.person else ""
    names = ", ".join(f"{p.name} ({p.email})" if p.email else p.name for p in result.candidates)
    await turn.say(
        f"rooms.add.{result.outcome}", number=number, name=name, query=query, names=names
    )


def register(
    router: CommandRouter, actions: ActionRegistry, ctx: RoomContext, *, allow_guests: bool
) -> RoomRetry:
    feature = RoomRetry(ctx, ctx.cards)
    actions.on_execute(verbs.ROOM_RETRY)(feature.on_execute)
    actions.on_submit(verbs.ROOM_RETRY)(feature.on_submit)

    @router.command("legg til", "add", prefix=True)
    async def add(turn: Turn, argument: str) -> None:
        await add_person(turn, ctx, argument, allow_guests=allow_guests)

    return feature
