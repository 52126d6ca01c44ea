""" "legg til <navn eller e-post>" in a case's room: add a person from the directory to the room.

Who may: members of Innkjøpsseksjonen and the room's own members (requester, innkjøpskontakt,
advisor), checked from the sender's id. Guests are refused unless settings allow them
(`ROOMS__ALLOW_GUESTS`): a supplier's consultant must never see the case's internal data. The
Graph call happens outside any transaction; the audit entry is written after it succeeded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot.core.domain import rooms as saga_rules
from bot.core.domain.directory import Person
from bot.core.domain.rooms import RoomError, RoomMember, RoomSaga
from bot.core.services.audit import record
from bot.core.services.rooms import RoomContext

log = logging.getLogger(__name__)


# Every outcome has a message `rooms.add.<outcome>` (a test checks the catalog).
OUTCOMES = (
    "done",
    "not_room",
    "refused",
    "not_ready",
    "usage",
    "not_found",
    "ambiguous",
    "guest",
    "failed",
)


@dataclass(frozen=True)
class AddResult:
    """`outcome` names the message (rooms.add.<outcome>); `saga`/`person` when known."""

    outcome: str
    saga: RoomSaga | None = None
    person: Person | None = None
    candidates: tuple[Person, ...] = ()


def _pick(query: str, found: list[Person]) -> Person | list[Person]:
    wanted = query.strip().casefold()
    exact = [p for p in found if p.email.casefold() == wanted or p.name.casefold() == wanted]
    if len(exact) == 1:
        return exact[0]
    return found[0] if len(found) == 1 else found


async def add_person(
    ctx: RoomContext,
    *,
    query: str,
    actor_id: str,
    channel_id: str | None,
    team_id: str | None,
    allow_guests: bool,
) -> AddResult:
    async with ctx.uow.read() as uow:
        saga = await uow.rooms.find_by_place(channel_id=channel_id, team_id=team_id)
    if saga is None:
        return AddResult("not_room")
    in_room = any(member.user_id == actor_id for member in saga.members)
    if not in_room and not await ctx.directory.is_procurement_member(actor_id):
        return AddResult("refused", saga)
    if saga.status != saga_rules.COMPLETED or saga.team_id is None:
        return AddResult("not_ready", saga)
    if not query.strip():
        return AddResult("usage", saga)
    found = await ctx.directory.find_people(query, limit=5)
    if not found:
        return AddResult("not_found", saga)
    picked = _pick(query, found)
    if isinstance(picked, list):
        return AddResult("ambiguous", saga, candidates=tuple(picked))
    if picked.is_guest and not allow_guests:
        return AddResult("guest", saga, picked)
    rooms = ctx.rooms_of()
    if rooms is None:
        return AddResult("failed", saga, picked)
    member = RoomMember(picked.id, picked.name)
    try:
        await rooms.add_member(saga.team_id, member)
        if saga.mode == "channel" and ctx.config.private and saga.channel_id:
            await rooms.add_member(saga.team_id, replace(member), saga.channel_id)
    except RoomError as error:
        log.warning("room %s: adding %s failed: %s", saga.case_number, picked.id, error.detail)
        return AddResult("failed", saga, picked)
    async with ctx.uow() as uow:
        await record(
            uow,
            clock=ctx.clock,
            actor=actor_id,
            action="room.member_added",
            subject=saga.case_number,
            details={"person": picked.id, "name": picked.name, "guest": picked.is_guest},
        )
        await uow.commit()
    return AddResult("done", saga, picked)
