"""Deviations (avvik) reported against a contract, and their follow-up (domain.md, "Deviations").

```
registrert ──acknowledge──▶ mottatt ──reclaim (deadline)──▶ under_oppfolging
     │                         │                                  │
     └──────────close (outcome)┴──────────────────────────────────┴──▶ lukket
                                        │ a sanction as the outcome
                                        ▼
                                 til_godkjenning ──approve (avtaleeier)──▶ lukket
                                        └────────reject──▶ back where it was
```

A sanction (prisavslag, dagbot, tilbakehold, heving, erstatning) is decided by the contract owner
(avtaleeier), who is told of high and critical deviations: the avtaleforvalter or Innkjøpsseksjonen
proposes it by closing with it, and the owner (or their stand-in) approves it, never the one who
proposed it (four-eyes). When the contract owner is not known, another member of
Innkjøpsseksjonen approves.

Pure rules: the eleven categories, the severities, the transitions, who may act (the contract's
avtaleforvalter and members of Innkjøpsseksjonen), which categories need the control follow-up,
and when an unacknowledged report escalates or a passed response deadline reminds. Not following
up a known breach can itself be an illegal change of the contract (KOFA 2015/27), so nothing here
ever drops a report: every state has a way forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from bot.core.domain.business_days import add_business_days
from bot.core.domain.errors import Conflict, NotAuthorized, ValidationFailed

PREFIX: Final = "AVV"

# The taxonomy (domain-research.md §4.5); labels are deviation.category.<id> in the catalogs.
CATEGORIES: Final = (
    "kvalitet",
    "forsinkelse",
    "pris_faktura",
    "sortiment",
    "lonn_seriositet",
    "hms",
    "miljo",
    "etikk",
    "personvern",
    "avtalelojalitet",
    "samarbeid",
)
# Pay and working conditions / seriousness, and HMS: the control follow-up (forskrift om lønns-
# og arbeidsvilkår § 7, Norgesmodellen) must look at these.
CONTROL_CATEGORIES: Final = frozenset({"lonn_seriositet", "hms"})

SEVERITIES: Final = ("lav", "middels", "hoy", "kritisk")
# High and critical also go to the contract owner (avtaleeier), who decides sanctions.
OWNER_SEVERITIES: Final = frozenset({"hoy", "kritisk"})

REGISTRERT: Final = "registrert"
MOTTATT: Final = "mottatt"
UNDER_OPPFOLGING: Final = "under_oppfolging"
TIL_GODKJENNING: Final = "til_godkjenning"  # a sanction waits for the avtaleeier
LUKKET: Final = "lukket"
STATES: Final = (REGISTRERT, MOTTATT, UNDER_OPPFOLGING, TIL_GODKJENNING, LUKKET)
OPEN_STATES: Final = frozenset({REGISTRERT, MOTTATT, UNDER_OPPFOLGING, TIL_GODKJENNING})

ACKNOWLEDGE: Final = "acknowledge"
RECLAIM: Final = "reclaim"  # reklamasjon sent to the supplier, with a response deadline
CLOSE: Final = "close"
ACTIONS: Final = (ACKNOWLEDGE, RECLAIM, CLOSE)

OUTCOMES: Final = (
    "rettet",
    "prisavslag",
    "dagbot",
    "tilbakehold",
    "heving",
    "erstatning",
    "ikke_avvik",
)
# Outcomes that sanction the supplier: the avtaleeier approves them before the case closes.
SANCTIONS: Final = frozenset({"prisavslag", "dagbot", "tilbakehold", "heving", "erstatning"})
APPROVE_SANCTION: Final = "approve_sanction"
REJECT_SANCTION: Final = "reject_sanction"
SANCTION_DECISIONS: Final = (APPROVE_SANCTION, REJECT_SANCTION)

TRANSITIONS: Final[dict[tuple[str, str], str]] = {
    (REGISTRERT, ACKNOWLEDGE): MOTTATT,
    (REGISTRERT, CLOSE): LUKKET,
    (MOTTATT, RECLAIM): UNDER_OPPFOLGING,
    (MOTTATT, CLOSE): LUKKET,
    (UNDER_OPPFOLGING, RECLAIM): UNDER_OPPFOLGING,  # a new deadline (an additional period)
    (UNDER_OPPFOLGING, CLOSE): LUKKET,
    (TIL_GODKJENNING, APPROVE_SANCTION): LUKKET,  # rejection: state_before_sanction
}

# Message keys (bot/core/locales/*/deviation.yaml).
REFUSED: Final = "deviation.refused.not_allowed"
CONFLICT_DONE: Final = "deviation.conflict.done"
CONFLICT_STALE: Final = "deviation.conflict.stale"
DEADLINE_MISSING: Final = "deviation.deadline_required"
DEADLINE_PAST: Final = "deviation.deadline_past"
OUTCOME_MISSING: Final = "deviation.outcome_required"
REFUSED_NOT_OWNER: Final = "deviation.refused.not_owner"
REFUSED_OWN_PROPOSAL: Final = "deviation.refused.own_proposal"
REASON_MISSING: Final = "deviation.sanction.reason_required"


def next_state(state: str, action: str) -> str:
    """The state after `action`; Conflict when it is not allowed from `state`."""
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise Conflict(f"{action} not allowed in {state}", message_key=CONFLICT_DONE)
    return target


def close_target(outcome: str | None) -> str:
    """Closing with a sanction waits for the avtaleeier; any other outcome closes."""
    return TIL_GODKJENNING if outcome in SANCTIONS else LUKKET


def state_before_sanction(*, acknowledged: bool, reclaimed: bool) -> str:
    """Where a rejected sanction sends the case back: the follow-up state it was in."""
    if reclaimed:
        return UNDER_OPPFOLGING
    return MOTTATT if acknowledged else REGISTRERT


def may_decide_sanction(
    actor_id: str,
    *,
    owner_ids: frozenset[str],
    proposer_id: str | None,
    is_procurement_member: bool,
) -> bool:
    """The avtaleeier (or an active stand-in, in `owner_ids`); with no owner known, a member
    of Innkjøpsseksjonen. Never the one who proposed the sanction."""
    if actor_id == proposer_id:
        return False
    return actor_id in owner_ids if owner_ids else is_procurement_member


def authorize_sanction(
    actor_id: str,
    *,
    owner_ids: frozenset[str],
    proposer_id: str | None,
    is_procurement_member: bool,
) -> None:
    if actor_id == proposer_id:
        raise NotAuthorized("own proposal", message_key=REFUSED_OWN_PROPOSAL)
    if not may_decide_sanction(
        actor_id,
        owner_ids=owner_ids,
        proposer_id=proposer_id,
        is_procurement_member=is_procurement_member,
    ):
        raise NotAuthorized("not the contract owner", message_key=REFUSED_NOT_OWNER)


def check_version(card_version: int | None, current: int) -> None:
    """A click on an older card than the case is refused; the caller shows the current one."""
    if card_version != current:
        raise Conflict(f"card version {card_version}, case {current}", message_key=CONFLICT_STALE)


def may_act(actor_id: str, *, manager_id: str | None, is_procurement_member: bool) -> bool:
    """The contract's avtaleforvalter, or anyone in Innkjøpsseksjonen."""
    return is_procurement_member or (manager_id is not None and actor_id == manager_id)


def authorize(actor_id: str, *, manager_id: str | None, is_procurement_member: bool) -> None:
    """Server-side check of a click on the deviation card, from the actor's own id."""
    if not may_act(actor_id, manager_id=manager_id, is_procurement_member=is_procurement_member):
        raise NotAuthorized("not the avtaleforvalter or procurement", message_key=REFUSED)


@dataclass(frozen=True)
class Decision:
    """What an action records besides the state: a response deadline or an outcome, a note."""

    deadline: date | None = None
    outcome: str | None = None
    note: str | None = None


def validate(action: str, decision: Decision, *, today: date) -> Decision:
    """A reklamasjon needs a response deadline from today on; closing needs an outcome."""
    note = (decision.note or "").strip() or None
    if action == RECLAIM:
        if decision.deadline is None:
            raise ValidationFailed("reclaim without deadline", message_key=DEADLINE_MISSING)
        if decision.deadline < today:
            raise ValidationFailed("deadline in the past", message_key=DEADLINE_PAST)
        return Decision(deadline=decision.deadline, note=note)
    if action == CLOSE:
        if decision.outcome not in OUTCOMES:
            raise ValidationFailed("close without outcome", message_key=OUTCOME_MISSING)
        return Decision(outcome=decision.outcome, note=note)
    return Decision(note=note)


def needs_control(category: str) -> bool:
    """Marked for the control follow-up of pay and working conditions / HMS."""
    return category in CONTROL_CATEGORIES


def notify_owner(severity: str) -> bool:
    return severity in OWNER_SEVERITIES


def escalation_due(
    state: str,
    registered_at: datetime,
    now: datetime,
    *,
    business_days: int,
    escalated: bool,
    tz: str,
) -> bool:
    """Not acknowledged within `business_days` business days → escalate to procurement, once."""
    if state != REGISTRERT or escalated:
        return False
    return now >= add_business_days(registered_at, business_days, tz=tz)


def reminder_due(
    state: str, deadline: date | None, today: date, *, reminded_for: date | None
) -> bool:
    """The supplier's response deadline has passed → remind the avtaleforvalter, once per
    deadline (a new reklamasjon with a new deadline may remind again)."""
    if state != UNDER_OPPFOLGING or deadline is None:
        return False
    return today > deadline and reminded_for != deadline


def card_view(*, state: str, allowed: bool, decides_sanction: bool = False) -> str:
    """`actor` (buttons) for those who may act while open, `sanction` (Godkjenn / Avvis) for
    the one who decides a proposed sanction, `closed` once closed, `readonly` for everyone
    else (the reporter included, unless they may act themselves)."""
    if state == LUKKET:
        return "closed"
    if state == TIL_GODKJENNING:
        return "sanction" if decides_sanction else "readonly"
    if allowed:
        return "actor"
    return "readonly"
