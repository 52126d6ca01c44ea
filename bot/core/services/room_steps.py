"""The saga's Graph steps: each looks before it creates, calls Graph only (never inside a
transaction), and returns the saga as it should be stored. `RoomError`s go to the caller."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from bot.core.domain import rooms as saga_rules
from bot.core.domain.rooms import RoomError, RoomSaga
from bot.core.ports import Rooms
from bot.core.services.room_context import RoomContext

log = logging.getLogger(__name__)


def wait(saga: RoomSaga, ctx: RoomContext, seconds: float) -> RoomSaga:
    """The saga, due again in `seconds`."""
    return replace(saga, next_attempt_at=ctx.clock.now() + timedelta(seconds=seconds))


async def run_step(ctx: RoomContext, rooms: Rooms, saga: RoomSaga) -> RoomSaga:
    """One step: Graph calls only, no transaction. Returns the saga as it should be stored."""
    policy = ctx.config.policy
    now = ctx.clock.now()
    advance = saga_rules.advanced
    if saga.step == saga_rules.CREATE_TEAM:
        # Look before creating: a POST whose answer was lost may have made the team already.
        # After a POST whose answer was lost, a group still being provisioned is ours too;
        # after a failed operation ("Prøv igjen") it is the failed one, and is left alone.
        found = await rooms.find_team(
            saga.case_number, unprovisioned=saga.uncertain_since is not None
        )
        if found is not None:
            log.info("room %s: team %s exists already, adopting it", saga.case_number, found)
            return replace(
                advance(saga, team_id=found, operation_id=None), step=saga_rules.WAIT_TEAM
            )
        if saga_rules.settling(saga, policy=policy, now=now):
            return wait(saga, ctx, policy.poll_interval_seconds)
        created = await rooms.create_team(
            name=saga.display_name,
            description=saga.description,
            owner_id=saga.advisor_id,
            private=ctx.config.private,
        )
        log.info("room %s: team %s requested", saga.case_number, created.team_id)
        moved = advance(
            saga, team_id=created.team_id, operation_id=created.operation_id, uncertain_since=None
        )
        if created.operation_id is None:
            moved = replace(moved, step=saga_rules.WAIT_TEAM)
        # Graph asks for > 30 s before the first check of the operation
        return wait(moved, ctx, policy.poll_interval_seconds)
    team_id = saga.team_id
    if team_id is None:
        raise RoomError("permanent", f"{saga.step}: no team id", code="no_team")
    if saga.step == saga_rules.POLL_OPERATION:
        assert saga.operation_id is not None
        state = await rooms.operation(team_id, saga.operation_id)
        if state.status == "succeeded":
            return advance(saga, team_id=state.team_id or team_id)
        if state.status == "failed":
            raise RoomError(
                "permanent", f"team operation failed: {state.error}", code="operation_failed"
            )
        return wait(saga, ctx, policy.poll_interval_seconds)
    if saga.step == saga_rules.WAIT_TEAM:
        url = await rooms.team_web_url(team_id)
        return advance(saga, web_url=url)
    if saga.step == saga_rules.CREATE_CHANNELS:
        return await _channels(ctx, rooms, saga, team_id)
    if saga.step == saga_rules.ADD_MEMBERS:
        await _members(ctx, rooms, saga, team_id)
        return advance(saga)
    if saga.step == saga_rules.INSTALL_APP:
        if ctx.config.teams_app_id:
            await rooms.install_app(team_id, ctx.config.teams_app_id)
        return advance(saga)
    raise RoomError("permanent", f"unknown step {saga.step}", code="unknown_step")


async def _channels(ctx: RoomContext, rooms: Rooms, saga: RoomSaga, team_id: str) -> RoomSaga:
    existing = {channel.name: channel for channel in await rooms.channels(team_id)}
    if saga.mode == "channel":
        names = [saga.display_name]
        private = ctx.config.private
    else:
        names = [saga_rules.channel_name(name) for name in ctx.config.channels]
        private = False  # the team itself is private; its channels are for all its members
    first = None
    for name in names:
        channel = existing.get(name)
        if channel is None:
            channel = await rooms.create_channel(
                team_id,
                name=name,
                description=saga.description,
                private=private,
                owner_id=saga.advisor_id,
            )
        first = first or channel
    if first is None:  # no channels configured: the team's General channel
        general = next(iter(existing.values()), None)
        if general is None:
            raise RoomError("not_found", "the team has no channel yet")
        first = general
    url = saga.web_url if saga.mode == "team" and saga.web_url else first.web_url
    return saga_rules.advanced(saga, channel_id=first.id, web_url=url)


async def _members(ctx: RoomContext, rooms: Rooms, saga: RoomSaga, team_id: str) -> None:
    in_team = await rooms.member_ids(team_id)
    for member in saga.members:
        if member.user_id not in in_team:
            # in channel mode everyone joins the procurement team as a member (an owner of the
            # case's channel need not own the whole team)
            await rooms.add_member(
                team_id, replace(member, owner=member.owner and saga.mode == "team")
            )
    if saga.mode == "channel" and ctx.config.private and saga.channel_id:
        in_channel = await rooms.member_ids(team_id, saga.channel_id)
        for member in saga.members:
            if member.user_id not in in_channel:
                await rooms.add_member(team_id, member, saga.channel_id)
