""" "Mine saker": the sender's needs reports and deviations in one list, and each one opened.

A needs case opens as its detail card (with the collaboration room's link once it exists); a
deviation opens as its follow-up card the way the reporter is allowed to see it: read-only,
unless they may act on it themselves (the contract's avtaleforvalter, or Innkjøpsseksjonen).
Who may open a case is decided by the use case from `from.aadObjectId`, never from the card.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.domain.my_cases import NeedItem
from bot.core.domain.need_fields import IntakeContext
from bot.core.domain.needs import NeedDraft
from bot.core.services import deviations as deviation_service
from bot.core.services.cases import case_of, my_cases
from bot.core.services.deviations import DeviationContext
from bot.core.services.needs import assess
from bot.teams.deps import TeamsDeps
from bot.teams.features.case_views import case_list_card, need_detail_card
from bot.teams.router import ActionRegistry, CommandRouter
from bot.teams.turn import Turn
from cards import verbs

IntakeContextOf = Callable[[Turn], Awaitable[IntakeContext]]


class MyCasesView:
    def __init__(
        self, deps: TeamsDeps, deviations: DeviationContext, need_context: IntakeContextOf
    ) -> None:
        self._deps = deps
        self._deviations = deviations
        self._need_context = need_context

    async def show_list(self, turn: Turn) -> None:
        cases = await my_cases(turn.sender.aad_object_id, uow=self._deps.uow.read())
        await turn.send_card(case_list_card(cases, turn.lang))

    async def open_case(self, turn: Turn, data: dict[str, Any]) -> None:
        number = str(data.get("case_id") or "")[:40]
        viewer = turn.sender.aad_object_id
        item = await case_of(viewer, number, uow=self._deps.uow.read())
        if item is None:
            await turn.say("cases.not_found", number=number)
            return
        if isinstance(item, NeedItem):
            context = await self._need_context(turn)
            draft = NeedDraft.from_dict(item.case.answers)
            assessment = assess(draft, self._deps.rules, on=item.case.created_at.date())
            await turn.send_card(need_detail_card(item, assessment, context))
            return
        card = await deviation_service.card_for(self._deviations, item.case, viewer, lang=turn.lang)
        await turn.send_card(card)


def register(
    router: CommandRouter,
    actions: ActionRegistry,
    deps: TeamsDeps,
    deviations: DeviationContext,
    need_context: IntakeContextOf,
) -> MyCasesView:
    view = MyCasesView(deps, deviations, need_context)

    @router.command("mine saker", "my cases")
    async def my_cases_command(turn: Turn, _: str) -> None:
        await view.show_list(turn)

    @actions.on_submit(verbs.WELCOME_MY_CASES)
    async def my_cases_button(turn: Turn, _: dict[str, Any]) -> None:
        await view.show_list(turn)

    actions.on_submit(verbs.CASE_OPEN)(view.open_case)
    return view
