"""Use cases of "mine saker": list a person's needs reports and deviations, and open one.

Read-only. Who may see a case is decided here from the viewer's own id: only the person who
filed it (approvers, triage and the avtaleforvalter get their own cards).
"""

from __future__ import annotations

from bot.core.domain.my_cases import (
    MAX_LISTED,
    CaseItem,
    DeviationItem,
    MyCases,
    NeedItem,
    is_deviation_number,
    newest_first,
)
from bot.core.ports import UnitOfWork


async def my_cases(person_id: str, *, uow: UnitOfWork, limit: int = MAX_LISTED) -> MyCases:
    """The person's newest cases of both kinds, each need with its room (if any)."""
    async with uow:
        needs = await uow.needs.list_for_requester(person_id, limit=limit)
        deviations = await uow.deviations.list_for_reporter(person_id, limit=limit)
        total = await uow.needs.count_for_requester(
            person_id
        ) + await uow.deviations.count_for_reporter(person_id)
        need_items = [NeedItem(case, await uow.rooms.get(case.case_number)) for case in needs]
    return newest_first(
        need_items, [DeviationItem(case) for case in deviations], total=total, limit=limit
    )


async def case_of(person_id: str, number: str, *, uow: UnitOfWork) -> CaseItem | None:
    """The case `number` if `person_id` filed it; None when it does not exist or is someone
    else's (the caller says "not found" either way, so nobody learns what exists)."""
    number = number.strip().upper()
    async with uow:
        if is_deviation_number(number):
            deviation = await uow.deviations.get(number)
            if deviation is None or deviation.reporter_id != person_id:
                return None
            return DeviationItem(deviation)
        need = await uow.needs.get(number)
        if need is None or need.requester_id != person_id:
            return None
        return NeedItem(need, await uow.rooms.get(need.case_number))
