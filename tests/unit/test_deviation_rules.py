"""The deviation state machine, who may act, validation, escalation and reminder rules."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.core.domain import deviation as rules
from bot.core.domain.errors import Conflict, NotAuthorized, ValidationFailed

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 16)


def test_the_eleven_categories_and_four_severities() -> None:
    assert len(rules.CATEGORIES) == 11 and len(set(rules.CATEGORIES)) == 11
    assert rules.SEVERITIES == ("lav", "middels", "hoy", "kritisk")
    assert rules.CONTROL_CATEGORIES == {"lonn_seriositet", "hms"}
    assert rules.needs_control("hms") and not rules.needs_control("forsinkelse")
    assert rules.notify_owner("hoy") and rules.notify_owner("kritisk")
    assert not rules.notify_owner("middels")


@pytest.mark.parametrize(
    ("state", "action", "target"),
    [
        ("registrert", "acknowledge", "mottatt"),
        ("registrert", "close", "lukket"),
        ("mottatt", "reclaim", "under_oppfolging"),
        ("mottatt", "close", "lukket"),
        ("under_oppfolging", "reclaim", "under_oppfolging"),
        ("under_oppfolging", "close", "lukket"),
    ],
)
def test_allowed_transitions(state: str, action: str, target: str) -> None:
    assert rules.next_state(state, action) == target


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("registrert", "reclaim"),
        ("mottatt", "acknowledge"),
        ("under_oppfolging", "acknowledge"),
        ("lukket", "acknowledge"),
        ("lukket", "reclaim"),
        ("lukket", "close"),
    ],
)
def test_refused_transitions_are_conflicts(state: str, action: str) -> None:
    with pytest.raises(Conflict) as error:
        rules.next_state(state, action)
    assert error.value.message_key == rules.CONFLICT_DONE


def test_every_open_state_has_a_way_forward() -> None:
    every_action = (*rules.ACTIONS, *rules.SANCTION_DECISIONS)
    for state in rules.OPEN_STATES:
        assert any((state, action) in rules.TRANSITIONS for action in every_action)


def test_a_sanction_waits_for_the_owner_and_a_rejection_goes_back() -> None:
    assert rules.close_target("dagbot") == rules.TIL_GODKJENNING
    assert rules.close_target("heving") == rules.TIL_GODKJENNING
    assert rules.close_target("rettet") == rules.LUKKET
    assert rules.close_target("ikke_avvik") == rules.LUKKET
    assert rules.SANCTIONS < set(rules.OUTCOMES)
    assert rules.next_state(rules.TIL_GODKJENNING, rules.APPROVE_SANCTION) == rules.LUKKET
    with pytest.raises(Conflict):
        rules.next_state(rules.TIL_GODKJENNING, rules.CLOSE)  # no second proposal meanwhile
    back = rules.state_before_sanction
    assert back(acknowledged=False, reclaimed=False) == rules.REGISTRERT
    assert back(acknowledged=True, reclaimed=False) == rules.MOTTATT
    assert back(acknowledged=True, reclaimed=True) == rules.UNDER_OPPFOLGING


def test_only_the_owner_or_stand_in_decides_a_sanction_never_the_proposer() -> None:
    owners = frozenset({"aad-ingrid", "aad-stand-in"})

    def decides(actor: str, owner_ids: frozenset[str] = owners, member: bool = False) -> bool:
        return rules.may_decide_sanction(
            actor, owner_ids=owner_ids, proposer_id="aad-lise", is_procurement_member=member
        )

    assert decides("aad-ingrid") and decides("aad-stand-in")
    assert not decides("aad-per", member=True)  # procurement, but the owner is known
    assert not decides("aad-lise", frozenset({"aad-lise"}))  # the owner proposed it herself
    assert decides("aad-per", frozenset(), member=True)  # no owner: another procurement member
    assert not decides("aad-kari", frozenset())
    with pytest.raises(NotAuthorized) as error:
        rules.authorize_sanction(
            "aad-lise", owner_ids=owners, proposer_id="aad-lise", is_procurement_member=True
        )
    assert error.value.message_key == rules.REFUSED_OWN_PROPOSAL
    with pytest.raises(NotAuthorized) as error:
        rules.authorize_sanction(
            "aad-kari", owner_ids=owners, proposer_id="aad-lise", is_procurement_member=False
        )
    assert error.value.message_key == rules.REFUSED_NOT_OWNER
    view = rules.card_view
    assert view(state=rules.TIL_GODKJENNING, allowed=True, decides_sanction=True) == "sanction"
    assert view(state=rules.TIL_GODKJENNING, allowed=True) == "readonly"


def test_a_stale_card_is_refused() -> None:
    rules.check_version(3, 3)
    with pytest.raises(Conflict) as error:
        rules.check_version(2, 3)
    assert error.value.message_key == rules.CONFLICT_STALE
    with pytest.raises(Conflict):
        rules.check_version(None, 1)


def test_who_may_act() -> None:
    rules.authorize("aad-lise", manager_id="aad-lise", is_procurement_member=False)
    rules.authorize("aad-per", manager_id="aad-lise", is_procurement_member=True)
    rules.authorize("aad-per", manager_id=None, is_procurement_member=True)
    for actor, manager in (("aad-ola", "aad-lise"), ("aad-kari", None)):
        with pytest.raises(NotAuthorized) as error:
            rules.authorize(actor, manager_id=manager, is_procurement_member=False)
        assert error.value.message_key == rules.REFUSED


def test_reclaim_needs_a_deadline_from_today_and_close_an_outcome() -> None:
    with pytest.raises(ValidationFailed):
        rules.validate(rules.RECLAIM, rules.Decision(), today=TODAY)
    with pytest.raises(ValidationFailed) as error:
        rules.validate(rules.RECLAIM, rules.Decision(deadline=date(2026, 11, 15)), today=TODAY)
    assert error.value.message_key == rules.DEADLINE_PAST
    ok = rules.validate(rules.RECLAIM, rules.Decision(deadline=TODAY, note="  "), today=TODAY)
    assert ok.deadline == TODAY and ok.note is None
    with pytest.raises(ValidationFailed):
        rules.validate(rules.CLOSE, rules.Decision(outcome="bot"), today=TODAY)
    closed = rules.validate(rules.CLOSE, rules.Decision(outcome="heving", note=" x "), today=TODAY)
    assert closed.outcome == "heving" and closed.note == "x"
    assert set(rules.OUTCOMES) == {
        "rettet",
        "prisavslag",
        "dagbot",
        "tilbakehold",
        "heving",
        "erstatning",
        "ikke_avvik",
    }


def test_escalation_after_business_days_once() -> None:
    friday = datetime(2026, 11, 13, 9, 0, tzinfo=UTC)
    kw = {"business_days": 3, "tz": "Europe/Oslo"}
    # Friday + 3 business days = Wednesday; the weekend does not count.
    tuesday = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    wednesday = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    assert not rules.escalation_due("registrert", friday, tuesday, escalated=False, **kw)
    assert rules.escalation_due("registrert", friday, wednesday, escalated=False, **kw)
    assert not rules.escalation_due("registrert", friday, wednesday, escalated=True, **kw)
    assert not rules.escalation_due("mottatt", friday, wednesday, escalated=False, **kw)


def test_deadline_reminder_once_per_deadline() -> None:
    deadline = date(2026, 11, 20)
    assert not rules.reminder_due("under_oppfolging", deadline, deadline, reminded_for=None)
    after = date(2026, 11, 21)
    assert rules.reminder_due("under_oppfolging", deadline, after, reminded_for=None)
    assert not rules.reminder_due("under_oppfolging", deadline, after, reminded_for=deadline)
    assert rules.reminder_due(
        "under_oppfolging", deadline, after, reminded_for=date(2026, 11, 1)
    )  # a new deadline after a new reklamasjon
    assert not rules.reminder_due("lukket", deadline, after, reminded_for=None)
    assert not rules.reminder_due("under_oppfolging", None, after, reminded_for=None)


def test_card_views() -> None:
    assert rules.card_view(state="registrert", allowed=True) == "actor"
    assert rules.card_view(state="mottatt", allowed=False) == "readonly"
    assert rules.card_view(state="lukket", allowed=True) == "closed"
