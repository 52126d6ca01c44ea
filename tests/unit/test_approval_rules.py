"""The need's state machine and who may act on it (pure rules)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.domain import approval as rules
from bot.core.domain.directory import StandIn
from bot.core.domain.errors import Conflict, NotAuthorized, ValidationFailed
from bot.core.i18n import has_key

STAND_IN = [StandIn("ola", "lise", date(2026, 12, 1), date(2026, 12, 31))]
IN_DECEMBER = date(2026, 12, 7)
IN_NOVEMBER = date(2026, 11, 16)


def _authorize(action: str, actor: str, on: date = IN_DECEMBER) -> rules.Authorization:
    return rules.authorize_approval_action(
        action, actor, approver_id="ola", requester_id="kari", stand_ins=STAND_IN, on=on
    )


@pytest.mark.parametrize(
    ("status", "action", "target"),
    [
        ("innsendt", "approve", "godkjent"),
        ("innsendt", "reject", "avvist"),
        ("innsendt", "ask_info", "trenger_info"),
        ("innsendt", "withdraw", "trukket"),
        ("trenger_info", "answer", "innsendt"),
        ("trenger_info", "approve", "godkjent"),
        ("trenger_info", "withdraw", "trukket"),
        ("godkjent", "accept", "akseptert"),
        ("godkjent", "clarify", "avklaring"),
        ("godkjent", "existing", "dekket_av_avtale"),
        ("godkjent", "triage_reject", "avvist_av_innkjop"),
        ("avklaring", "answer", "godkjent"),
        ("avklaring", "accept", "akseptert"),
    ],
)
def test_allowed_transitions(status: str, action: str, target: str) -> None:
    assert rules.next_status(status, action) == target


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("godkjent", "approve"),
        ("avvist", "approve"),
        ("trukket", "reject"),
        ("godkjent", "withdraw"),
        ("innsendt", "accept"),
        ("innsendt", "answer"),
        ("akseptert", "accept"),
        ("dekket_av_avtale", "clarify"),
    ],
)
def test_decided_cases_refuse_further_actions(status: str, action: str) -> None:
    with pytest.raises(Conflict) as error:
        rules.next_status(status, action)
    assert error.value.message_key == rules.CONFLICT_DECIDED


def test_every_status_has_a_label_in_both_languages() -> None:
    for status in rules.STATUSES:
        assert has_key(f"need.status.{status}", "nb") and has_key(f"need.status.{status}", "en")


def test_the_approver_acts_as_themself() -> None:
    assert _authorize("approve", "ola") == rules.Authorization("ola", None)


def test_an_active_stand_in_acts_on_behalf_of_the_approver() -> None:
    assert _authorize("reject", "lise") == rules.Authorization("lise", "ola")


def test_a_stand_in_outside_their_dates_is_refused() -> None:
    with pytest.raises(NotAuthorized) as error:
        _authorize("approve", "lise", IN_NOVEMBER)
    assert error.value.message_key == rules.REFUSED_NOT_APPROVER


def test_the_requester_never_approves_their_own_need() -> None:
    with pytest.raises(NotAuthorized) as error:
        rules.authorize_approval_action(
            "approve",
            "kari",
            approver_id="ola",
            requester_id="kari",
            stand_ins=[StandIn("ola", "kari", date(2026, 12, 1), date(2026, 12, 31))],
            on=IN_DECEMBER,
        )
    assert error.value.message_key == rules.REFUSED_REQUESTER


def test_only_the_requester_withdraws() -> None:
    assert _authorize("withdraw", "kari").actor_id == "kari"
    with pytest.raises(NotAuthorized):
        _authorize("withdraw", "ola")


def test_a_third_person_is_refused() -> None:
    with pytest.raises(NotAuthorized):
        _authorize("approve", "per")


def test_stale_versions_conflict() -> None:
    rules.check_version(3, 3)
    for seen in (2, 4, None):
        with pytest.raises(Conflict) as error:
            rules.check_version(seen, 3)
        assert error.value.message_key == rules.CONFLICT_STALE


def test_reasons_and_questions_are_required() -> None:
    assert rules.require_note("approve", "  ") is None
    assert rules.require_note("reject", " Nei ") == "Nei"
    for action in ("reject", "ask_info", "clarify", "existing", "triage_reject"):
        with pytest.raises(ValidationFailed):
            rules.require_note(action, " ")


def test_triage_is_for_the_procurement_section_and_not_on_own_needs() -> None:
    rules.authorize_triage("per", is_procurement_member=True, requester_id="kari")
    with pytest.raises(NotAuthorized) as error:
        rules.authorize_triage("lise", is_procurement_member=False, requester_id="kari")
    assert error.value.message_key == rules.REFUSED_NOT_PROCUREMENT
    with pytest.raises(NotAuthorized):
        rules.authorize_triage("per", is_procurement_member=True, requester_id="per")


def test_views() -> None:
    def view(viewer: str, status: str = "innsendt", may_act: bool = False) -> str:
        return rules.approval_view(viewer, status=status, requester_id="kari", may_act=may_act)

    assert view("ola", may_act=True) == "approver"
    assert view("ola", "trenger_info", may_act=True) == "approver"
    assert view("kari") == "requester"
    assert view("per") == "readonly"
    assert view("ola", "godkjent", may_act=True) == "decided"
    assert view("kari", "trukket") == "decided"


def test_deciders_are_the_approver_and_the_active_stand_in() -> None:
    assert rules.deciders("ola", STAND_IN, IN_DECEMBER) == ["ola", "lise"]
    assert rules.deciders("ola", STAND_IN, IN_NOVEMBER) == ["ola"]
    assert rules.deciders(None, STAND_IN, IN_DECEMBER) == []
