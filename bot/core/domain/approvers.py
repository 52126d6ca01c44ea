"""Who decides on a need: the requester's manager, a stand-in within dates, never the requester."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from bot.core.domain.directory import Directory, Person, StandIn
from bot.core.domain.errors import NotFound

NO_APPROVER = "approval.no_approver"
_MAX_LEVELS = 50  # deeper than any real org chart; a longer chain is a loop we did not see


async def resolve_approver(requester_id: str, directory: Directory) -> Person:
    """The person who approves `requester_id`'s needs.

    The requester's manager. When the directory names no manager, or names the requester as
    their own manager (some HR systems do so for the head of a unit filing their own need), we
    go one level up: the director of the requester's service area. A guest (a supplier's
    consultant) never approves; we walk past one to the next level. Never the requester
    themself (four-eyes). Raises `NotFound("approval.no_approver")` when no one is left, and
    when the chain comes back to someone already visited (a loop in the org chart).
    """
    seen = {requester_id}
    current = requester_id
    for _ in range(_MAX_LEVELS):
        candidate = await directory.manager_of(current)
        if candidate is None or candidate.id == current:
            candidate = await _director_of(current, directory)
        if candidate is None or candidate.id in seen:
            break
        if not candidate.is_guest:
            return candidate
        seen.add(candidate.id)
        current = candidate.id
    raise NotFound(f"no approver for {requester_id}", message_key=NO_APPROVER)


async def _director_of(person_id: str, directory: Directory) -> Person | None:
    person = await directory.get_person(person_id)
    if person is None or person.service_area is None:
        return None
    area = await directory.service_area(person.service_area)
    if area is None or area.director_id is None or area.director_id == person_id:
        return None
    return await directory.get_person(area.director_id)


def active_stand_in(approver_id: str, stand_ins: Iterable[StandIn], on: date) -> str | None:
    """The stand-in acting for `approver_id` on `on`; the most recently started one wins."""
    active = [s for s in stand_ins if s.person_id == approver_id and s.active_on(on)]
    if not active:
        return None
    return max(active, key=lambda s: (s.start, s.stand_in_id)).stand_in_id


def may_decide(
    actor_id: str,
    *,
    approver_id: str,
    requester_id: str,
    stand_ins: Iterable[StandIn],
    on: date,
) -> tuple[bool, str | None]:
    """Whether `actor_id` may approve or reject, and on whose behalf.

    (True, None) for the designated approver; (True, approver_id) for a stand-in active on `on`
    (any of them, when periods overlap); (False, None) for everyone else, and always for the
    requester, even when they are listed as a stand-in (four-eyes).
    """
    if actor_id == requester_id:
        return False, None
    if actor_id == approver_id:
        return True, None
    if any(
        s.person_id == approver_id and s.stand_in_id == actor_id and s.active_on(on)
        for s in stand_ins
    ):
        return True, approver_id
    return False, None
