"""`finn avtale <søk>` and `avtaler som utløper [måneder]`: the contract register in chat."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.domain.contracts import Contract
from bot.core.services.contracts import value_visibility
from bot.teams.deps import TeamsDeps
from bot.teams.router import CommandRouter
from bot.teams.turn import Turn
from cards.models.contracts import ContractEntry, ContractListCard

DEFAULT_MONTHS = 12


def _entries(contracts: Sequence[Contract], visible: dict[str, bool]) -> list[ContractEntry]:
    return [
        ContractEntry(
            number=c.number,
            title=c.title,
            supplier=c.supplier,
            final_end=c.final_end_date,
            **(_values(c) if visible.get(c.number) else {}),
        )
        for c in contracts
    ]


def _values(contract: Contract) -> dict[str, int | None]:
    """The amounts of a contract, for a viewer who may see them."""
    return {
        "estimated_value": contract.estimated_value,
        "max_value": contract.max_value,
        "consumed_value": contract.consumed_value,
    }


def register(router: CommandRouter, deps: TeamsDeps) -> None:
    @router.command("finn avtale", "finn avtaler", "find agreement", "søk avtale", prefix=True)
    async def find(turn: Turn, query: str) -> None:
        if not query:
            await turn.say("contracts.chat.search_missing")
            return
        async with deps.contracts() as register_:
            found = await register_.search(query, limit=10)
        visible = await value_visibility(turn.sender.aad_object_id, found, directory=deps.directory)
        card = ContractListCard.build(
            turn.lang,
            heading=turn.t("contracts.chat.search_heading", query=query),
            contracts=_entries(found, visible),
            empty=turn.t("contracts.chat.search_empty", query=query),
        )
        await turn.send_card(card.render())

    @router.command("avtaler som utløper", "utløpende avtaler", "expiring agreements", prefix=True)
    async def expiring(turn: Turn, argument: str) -> None:
        words = argument.replace("måneder", "").replace("mnd", "").replace("months", "").split()
        if words and not words[0].isdigit():
            await turn.say("contracts.chat.months_invalid")
            return
        months = min(int(words[0]), 120) if words else DEFAULT_MONTHS
        person = await deps.directory.get_person(turn.sender.aad_object_id)
        area_id = person.service_area if person else None
        area = await deps.directory.service_area(area_id) if area_id else None
        async with deps.contracts() as register_:
            found = await register_.expiring(area_id, months, deps.clock.now().date())
        visible = await value_visibility(turn.sender.aad_object_id, found, directory=deps.directory)
        heading = (
            turn.t("contracts.chat.expiring_heading_area", area=area.name, months=months)
            if area
            else turn.t("contracts.chat.expiring_heading", months=months)
        )
        card = ContractListCard.build(
            turn.lang,
            heading=heading,
            contracts=_entries(found, visible),
            empty=turn.t("contracts.chat.expiring_empty", months=months),
        )
        await turn.send_card(card.render())
