"""Finding contracts in chat, and who may see their prices.

Contract prices and values are exempt from public disclosure (offentleglova § 13, FOA § 7-4):
only internal members of the procurement section and the contract's own manager see them, and a
guest never does, whatever else is true.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from bot.core.domain.contracts import Contract
from bot.core.domain.directory import Directory, Person


class ContractRegister(Protocol):
    async def search(self, query: str, limit: int = 10) -> list[Contract]: ...

    async def get(self, number: str) -> Contract | None: ...

    async def expiring(
        self, service_area: str | None, within_months: int, today: date
    ) -> list[Contract]: ...


def may_see_value(viewer: Person | None, contract: Contract, *, in_procurement: bool) -> bool:
    """Internal procurement staff and the contract's manager; never a guest or a stranger."""
    if viewer is None or viewer.is_guest:
        return False
    if in_procurement:
        return True
    return bool(viewer.email) and viewer.email.casefold() == contract.manager_email.casefold()


async def value_visibility(
    viewer_id: str, contracts: Sequence[Contract], *, directory: Directory
) -> dict[str, bool]:
    """For each contract number: may `viewer_id` see its values?"""
    viewer = await directory.get_person(viewer_id)
    member = False
    if viewer is not None and not viewer.is_guest:
        member = await directory.is_procurement_member(viewer_id)
    return {c.number: may_see_value(viewer, c, in_procurement=member) for c in contracts}
