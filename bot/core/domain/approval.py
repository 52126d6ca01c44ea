"""The life of a filed need: approval by the manager (forankring), then triage by Innkjøpsseksjonen.

```
innsendt ──approve──▶ godkjent ──accept────▶ akseptert
   │  ▲    ──reject───▶ avvist      ──clarify───▶ avklaring ──answer──▶ godkjent
   │  │    ──withdraw─▶ trukket     ──existing──▶ dekket_av_avtale
   │  └answer─┐                     ──reject────▶ avvist_av_innkjop
   └ask_info──▶ trenger_info (approve / reject / withdraw / ask_info again also allowed)
```

Pure rules: who may do what (four-eyes, stand-ins within dates, the procurement section), which
transitions exist, and which texts are required. Persistence and notices are the services' job.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from bot.core.domain.approvers import active_stand_in, may_decide
from bot.core.domain.directory import StandIn
from bot.core.domain.errors import Conflict, NotAuthorized, ValidationFailed

INNSENDT: Final = "innsendt"
TRENGER_INFO: Final = "trenger_info"
GODKJENT: Final = "godkjent"
AVVIST: Final = "avvist"
TRUKKET: Final = "trukket"
AKSEPTERT: Final = "akseptert"
AVKLARING: Final = "avklaring"
DEKKET_AV_AVTALE: Final = "dekket_av_avtale"
AVVIST_AV_INNKJOP: Final = "avvist_av_innkjop"

STATUSES: Final = (
    INNSENDT,
    TRENGER_INFO,
    GODKJENT,
    AVVIST,
    TRUKKET,
    AKSEPTERT,
    AVKLARING,
    DEKKET_AV_AVTALE,
    AVVIST_AV_INNKJOP,
)
AWAITING_APPROVAL: Final = frozenset({INNSENDT, TRENGER_INFO})
AWAITING_TRIAGE: Final = frozenset({GODKJENT, AVKLARING})
AWAITING_ANSWER: Final = frozenset({TRENGER_INFO, AVKLARING})

# Actions on the approval card, and the requester's free-text answer.
APPROVE: Final = "approve"
REJECT: Final = "reject"
ASK_INFO: Final = "ask_info"
WITHDRAW: Final = "withdraw"
ANSWER: Final = "answer"
APPROVER_ACTIONS: Final = frozenset({APPROVE, REJECT, ASK_INFO})
# Triage actions of the procurement section.
ACCEPT: Final = "accept"
CLARIFY: Final = "clarify"
EXISTING: Final = "existing"
TRIAGE_REJECT: Final = "triage_reject"
TRIAGE_ACTIONS: Final = frozenset({ACCEPT, CLARIFY, EXISTING, TRIAGE_REJECT})

_APPROVAL_MOVES = {APPROVE: GODKJENT, REJECT: AVVIST, ASK_INFO: TRENGER_INFO, WITHDRAW: TRUKKET}
_TRIAGE_MOVES = {
    ACCEPT: AKSEPTERT,
    CLARIFY: AVKLARING,
    EXISTING: DEKKET_AV_AVTALE,
    TRIAGE_REJECT: AVVIST_AV_INNKJOP,
}

TRANSITIONS: Final[dict[tuple[str, str], str]] = {
    **{(INNSENDT, action): target for action, target in _APPROVAL_MOVES.items()},
    **{(TRENGER_INFO, action): target for action, target in _APPROVAL_MOVES.items()},
    (TRENGER_INFO, ANSWER): INNSENDT,
    **{(GODKJENT, action): target for action, target in _TRIAGE_MOVES.items()},
    **{(AVKLARING, action): target for action, target in _TRIAGE_MOVES.items()},
    (AVKLARING, ANSWER): GODKJENT,
}

# Decisions that need a text: the reason, the question, or the agreement's reference.
NOTE_REQUIRED: Final = frozenset({REJECT, ASK_INFO, CLARIFY, EXISTING, TRIAGE_REJECT})

# Message keys (bot/core/locales/*/approvals.yaml).
REFUSED_REQUESTER: Final = "approval.refused.requester"
REFUSED_NOT_APPROVER: Final = "approval.refused.not_approver"
REFUSED_NOT_REQUESTER: Final = "approval.refused.not_requester"
REFUSED_NOT_PROCUREMENT: Final = "approval.refused.not_procurement"
CONFLICT_DECIDED: Final = "approval.conflict.decided"
CONFLICT_STALE: Final = "approval.conflict.stale"
NOTE_MISSING: Final = "approval.note_required"


def next_status(status: str, action: str) -> str:
    """The status after `action`; `Conflict(approval.conflict.decided)` when it is not allowed
    from `status` (the case was decided, withdrawn or triaged meanwhile)."""
    target = TRANSITIONS.get((status, action))
    if target is None:
        raise Conflict(f"{action} not allowed in {status}", message_key=CONFLICT_DECIDED)
    return target


def check_version(card_version: int | None, current: int) -> None:
    """A click on an older card than the case is refused; the caller shows the current one."""
    if card_version != current:
        raise Conflict(f"card version {card_version}, case {current}", message_key=CONFLICT_STALE)


def require_note(action: str, note: str | None) -> str | None:
    text = (note or "").strip()
    if action in NOTE_REQUIRED and not text:
        raise ValidationFailed(f"{action} needs a text", message_key=NOTE_MISSING)
    return text or None


@dataclass(frozen=True)
class Authorization:
    """Who acts: the actor, and the approver they stand in for (None when acting as themself)."""

    actor_id: str
    on_behalf_of: str | None = None


def authorize_approval_action(
    action: str,
    actor_id: str,
    *,
    approver_id: str | None,
    requester_id: str,
    stand_ins: Iterable[StandIn],
    on: date,
) -> Authorization:
    """Server-side authorization of a click on the approval card, from the actor's own id.

    Approve / reject / ask for information: the designated approver, or their stand-in active
    on `on` (acting on behalf of the approver), never the requester (four-eyes). Withdraw: the
    requester only. Everyone else: `NotAuthorized` with a message key for a short note.
    """
    if action == WITHDRAW:
        if actor_id != requester_id:
            raise NotAuthorized("only the requester withdraws", message_key=REFUSED_NOT_REQUESTER)
        return Authorization(actor_id)
    if action not in APPROVER_ACTIONS:
        raise ValueError(f"not an approval action: {action}")
    if actor_id == requester_id:
        raise NotAuthorized("four-eyes: not your own need", message_key=REFUSED_REQUESTER)
    if approver_id is None:
        raise NotAuthorized("no approver designated", message_key=REFUSED_NOT_APPROVER)
    allowed, on_behalf_of = may_decide(
        actor_id,
        approver_id=approver_id,
        requester_id=requester_id,
        stand_ins=stand_ins,
        on=on,
    )
    if not allowed:
        raise NotAuthorized(
            "not the approver or an active stand-in", message_key=REFUSED_NOT_APPROVER
        )
    return Authorization(actor_id, on_behalf_of)


def authorize_triage(actor_id: str, *, is_procurement_member: bool, requester_id: str) -> None:
    """Triage is for members of Innkjøpsseksjonen, and never on a need of one's own."""
    if not is_procurement_member:
        raise NotAuthorized("not in the procurement section", message_key=REFUSED_NOT_PROCUREMENT)
    if actor_id == requester_id:
        raise NotAuthorized("four-eyes: not your own need", message_key=REFUSED_REQUESTER)


def deciders(approver_id: str | None, stand_ins: Iterable[StandIn], on: date) -> list[str]:
    """Who may act on the approval on `on`: the approver and their active stand-in."""
    if approver_id is None:
        return []
    found = [approver_id]
    stand_in = active_stand_in(approver_id, stand_ins, on)
    if stand_in is not None and stand_in not in found:
        found.append(stand_in)
    return found


def approval_view(
    viewer_id: str,
    *,
    status: str,
    requester_id: str,
    may_act: bool,
) -> str:
    """Which view of the approval card `viewer_id` gets: `approver` (buttons) for the approver
    or an active stand-in while it waits, `requester` (withdraw) for the requester while it
    waits, `decided` once it is decided, `readonly` for anyone else."""
    if status not in AWAITING_APPROVAL:
        return "decided"
    if viewer_id == requester_id:
        return "requester"
    if may_act:
        return "approver"
    return "readonly"


OUTCOME_OF_STATUS: Final = {
    GODKJENT: "approved",
    AKSEPTERT: "approved",
    AVKLARING: "approved",
    DEKKET_AV_AVTALE: "approved",
    AVVIST_AV_INNKJOP: "approved",
    AVVIST: "rejected",
    TRUKKET: "withdrawn",
    TRENGER_INFO: "info_requested",
}
TRIAGE_OUTCOME_OF_STATUS: Final = {
    AKSEPTERT: "accepted",
    AVKLARING: "clarify",
    DEKKET_AV_AVTALE: "existing",
    AVVIST_AV_INNKJOP: "rejected",
}
