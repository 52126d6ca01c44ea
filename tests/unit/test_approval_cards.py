"""The notice on approval and triage cards, and the triage card's read-only view."""

from __future__ import annotations

import pytest

from cards.models import ApprovalCard, TriageCard
from tests.support.need_driver import card_texts, verbs_in

pytestmark = pytest.mark.unit


def _triage(**kw: object) -> dict:
    return TriageCard.build(
        "nb",
        case_id="ANS-2026-0001",
        version=2,
        number="ANS-2026-0001",
        title="PC-er",
        requester="Kari Nordmann",
        service_area="Oppvekst og utdanning",
        description="Bærbare PC-er",
        rows=[("Enhet", "Skedsmo skole")],
        total=1_800_000,
        tier_name="Nasjonal",
        **kw,  # type: ignore[arg-type]
    ).render()


def test_triage_readonly_has_no_buttons_but_the_notice() -> None:
    card = _triage(readonly=True, notice="Bare Innkjøpsseksjonen kan vurdere behovsmeldinger.")
    assert not {"triage.accept", "triage.clarify"} & verbs_in(card)
    assert card_texts(card)[0].startswith("Bare Innkjøpsseksjonen")
    assert {"triage.accept", "triage.reject"} <= verbs_in(_triage())
    assert "Bare" not in " ".join(card_texts(_triage()))


def test_approval_notice_comes_first_and_is_escaped() -> None:
    card = ApprovalCard.build(
        "nb",
        view="readonly",
        case_id="ANS-2026-0001",
        version=1,
        number="ANS-2026-0001",
        title="PC-er",
        requester="Kari",
        approver="Ola",
        rows=[],
        total=1,
        tier_name="t",
        status="s",
        notice="Kortet var *utdatert*",
    ).render()
    assert card["body"][0]["text"] == "Kortet var \\*utdatert\\*"
    assert card["body"][0]["color"] == "Attention"
