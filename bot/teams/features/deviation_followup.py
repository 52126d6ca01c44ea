"""Following up a deviation from its card (Action.Execute, with an Action.Submit fallback), and
"avvik for <leverandør eller avtale>".

Every click is authorized by the use case from `from.aadObjectId`; what the card says is only
which case and which version the user saw. An invoke answers with the card for the clicker;
every other copy is edited in place through the outbox.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.core.domain import deviation as rules
from bot.core.domain.deviation_records import DeviationCase
from bot.core.domain.errors import AppError, Conflict, NotAuthorized, NotFound, ValidationFailed
from bot.core.services import deviations as service
from bot.core.services.deviations import DeviationContext
from bot.teams.card_data import date_of, int_of, text_of, verb_of
from bot.teams.deps import TeamsDeps
from bot.teams.features.deviation_views import stats_card
from bot.teams.turn import Turn
from cards import verbs

log = logging.getLogger(__name__)

ACTIONS = {
    verbs.DEVIATION_ACKNOWLEDGE: (rules.ACKNOWLEDGE, None),
    verbs.DEVIATION_RECLAIM: (rules.RECLAIM, "reclaim_note"),
    verbs.DEVIATION_CLOSE: (rules.CLOSE, "close_note"),
    verbs.DEVIATION_SANCTION_APPROVE: (rules.APPROVE_SANCTION, "sanction_note"),
    verbs.DEVIATION_SANCTION_REJECT: (rules.REJECT_SANCTION, "sanction_note"),
}


class DeviationFollowUp:
    def __init__(self, deps: TeamsDeps, ctx: DeviationContext) -> None:
        self._deps = deps
        self._ctx = ctx

    def _note(self, turn: Turn, error: AppError, case: DeviationCase | None) -> str:
        params: dict[str, Any] = {"number": case.case_number if case else ""}
        if case is not None:
            params["manager"] = case.manager_name or turn.t("deviation.procurement")
            params["owner"] = case.owner_name or turn.t("deviation.procurement")
        return turn.t(error.message_key, **params, **error.params)

    async def _attempt(
        self, turn: Turn, verb: str, data: dict[str, Any]
    ) -> tuple[DeviationCase | None, AppError | None]:
        number = str(data.get("case_id") or "")
        action, note_field = ACTIONS[verb]
        try:
            if action in rules.SANCTION_DECISIONS:
                case = await service.decide_sanction(
                    self._ctx,
                    number,
                    actor_id=turn.sender.aad_object_id,
                    actor_name=turn.sender.name,
                    approve=action == rules.APPROVE_SANCTION,
                    version=int_of(data.get("version")),
                    note=text_of(data, note_field),
                )
                return case, None
            case = await service.act(
                self._ctx,
                number,
                actor_id=turn.sender.aad_object_id,
                actor_name=turn.sender.name,
                action=action,
                version=int_of(data.get("version")),
                decision=rules.Decision(
                    deadline=date_of(data.get("deadline")),
                    outcome=text_of(data, "outcome"),
                    note=text_of(data, note_field),
                ),
            )
            return case, None
        except NotFound:
            return None, None
        except (NotAuthorized, Conflict, ValidationFailed) as error:
            log.info("deviation %s on %s refused: %s", verb, number, error.detail)
            return await service.get_case(self._ctx, number), error

    async def on_execute(self, turn: Turn, data: dict[str, Any]) -> dict[str, Any] | None:
        case, error = await self._attempt(turn, verb_of(turn, data), data)
        if case is None:
            return None
        notice = self._note(turn, error, case) if error is not None else None
        return await service.card_for(
            self._ctx,
            case,
            turn.sender.aad_object_id,
            lang=turn.lang,
            notice=notice,
            refused=isinstance(error, NotAuthorized),
        )

    async def on_submit(self, turn: Turn, data: dict[str, Any]) -> None:
        verb = verb_of(turn, data)
        case, error = await self._attempt(turn, verb, data)
        if case is None:
            await turn.say("deviation.not_found", number=str(data.get("case_id") or ""))
        elif error is not None:
            await turn.send_text(self._note(turn, error, case))
        else:
            action = ACTIONS[verb][0]
            if action == rules.CLOSE and case.state == rules.TIL_GODKJENNING:
                action = "propose_sanction"  # closing waits for the avtaleeier
            await turn.say(
                f"deviation.done.{action}",
                number=case.case_number,
                owner=case.owner_name or turn.t("deviation.procurement"),
            )

    async def stats(self, turn: Turn, query: str) -> None:
        if not query:
            await turn.say("deviation.stats.missing_query")
            return
        person = await self._deps.directory.get_person(turn.sender.aad_object_id)
        if person is None or person.is_guest:
            await turn.say("deviation.stats.refused")
            return
        async with self._deps.contracts() as register:
            found = await register.search(query, limit=10)
        if not found:
            await turn.say("deviation.stats.none_found", query=query)
            return
        counts = await service.counts_for(self._ctx, [c.number for c in found])
        await turn.send_card(stats_card(query, found, counts, turn.lang))
