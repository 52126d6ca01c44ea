""" "Mine saker": the order and the cut across both kinds, the room's state, and the cards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.domain import rooms as saga_rules
from bot.core.domain.my_cases import (
    DeviationItem,
    NeedItem,
    is_deviation_number,
    newest_first,
    room_link,
    room_state,
)
from bot.core.domain.records import NeedCase
from bot.core.domain.rooms import RoomSaga
from cards import verbs
from tests.support.deviation_driver import deviation_case
from tests.unit.case_card_samples import CASE_SAMPLES, ROOM_URL

START = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
URL = "https://teams.microsoft.com/l/team/x"


def _need(n: int, when: datetime) -> NeedItem:
    case = NeedCase(
        id=n,
        case_number=f"ANS-2026-{n:04d}",
        requester_id="aad-kari",
        requester_name="Kari",
        tenant_id="t",
        title=f"Behov {n}",
        service_area="oppvekst",
        answers={},
        estimated_total=1,
        tier="below",
        checklist=[],
        status="innsendt",
        version=1,
        locale="nb",
        created_at=when,
        updated_at=when,
    )
    return NeedItem(case)


def _deviation(n: int, when: datetime) -> DeviationItem:
    return DeviationItem(deviation_case(f"AVV-2026-{n:04d}", created_at=when))


def _saga(status: str, url: str = URL) -> RoomSaga:
    return RoomSaga(
        case_number="ANS-2026-0001",
        tenant_id="t",
        mode="team",
        display_name="ANS-2026-0001 – Behov",
        description="",
        advisor_id="aad-per",
        members=(),
        step=saga_rules.DONE if status == saga_rules.COMPLETED else saga_rules.CREATE_TEAM,
        status=status,
        web_url=url,
    )


def test_both_kinds_newest_first_cut_at_the_limit() -> None:
    needs = [_need(n, START + timedelta(days=2 * n)) for n in range(1, 6)]
    deviations = [_deviation(n, START + timedelta(days=2 * n + 1)) for n in range(1, 6)]
    cases = newest_first(needs, deviations, total=10, limit=4)
    assert [item.case.case_number for item in cases.items] == [
        "AVV-2026-0005",
        "ANS-2026-0005",
        "AVV-2026-0004",
        "ANS-2026-0004",
    ]
    assert cases.total == 10 and cases.more == 6


def test_naive_and_aware_times_compare_and_ties_are_stable() -> None:
    naive = _need(1, datetime(2026, 11, 2, 8, 0))  # SQLite gives naive UTC back
    aware = _deviation(1, datetime(2026, 11, 2, 8, 0, tzinfo=UTC))
    later = _need(2, datetime(2026, 11, 3, 8, 0))
    cases = newest_first([naive, later], [aware], total=3)
    assert [item.case.case_number for item in cases.items] == [
        "ANS-2026-0002",
        "AVV-2026-0001",
        "ANS-2026-0001",
    ]
    assert cases.more == 0


def test_the_room_state_as_the_requester_sees_it() -> None:
    assert room_state(None) is None
    assert room_state(_saga(saga_rules.PENDING)) == "creating"
    assert room_state(_saga(saga_rules.FAILED)) == "failed"
    assert room_state(_saga(saga_rules.COMPLETED)) == "ready"
    assert room_link(_saga(saga_rules.COMPLETED)) == URL
    assert room_link(_saga(saga_rules.COMPLETED, url="javascript:alert(1)")) == ""
    assert room_link(None) == ""


def test_deviation_numbers() -> None:
    assert is_deviation_number("AVV-2026-0001") and is_deviation_number("avv-2026-0001")
    assert not is_deviation_number("ANS-2026-0001")


def _walk(node: Any) -> list[Any]:
    found = [node]
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        found += _walk(child)
    return found


def _of(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [n for n in _walk(card) if isinstance(n, dict) and n.get("type") == kind]


def _texts(card: dict[str, Any]) -> list[str]:
    return [block["text"] for block in _of(card, "TextBlock")]


def test_the_list_shows_the_kind_the_room_and_only_web_links() -> None:
    card = CASE_SAMPLES["case_list_mixed"]("nb").render()
    texts = _texts(card)
    assert "AVV-2026-0002 · Avvik" in texts
    assert "Forsinkelse · Høy · Registrert · 16.11.2026 kl. 09:00" in texts
    assert "Samhandlingsrommet opprettes …" in texts
    links = _of(card, "Action.OpenUrl")
    assert links == [
        {"type": "Action.OpenUrl", "title": "Åpne samhandlingsrommet", "url": ROOM_URL}
    ]
    opens = [a["data"]["case_id"] for a in _of(card, "Action.Submit") if "case_id" in a["data"]]
    assert opens == ["AVV-2026-0002", "ANS-2026-0003", "ANS-2026-0002", "ANS-2026-0001"]
    assert texts[-1] == "Viser de 4 nyeste av 19 sakene dine."
    assert [a["data"]["verb"] for a in card["actions"]] == [
        verbs.WELCOME_NEW_NEED,
        verbs.WELCOME_NEW_DEVIATION,
    ]


def test_the_detail_has_the_room_link_first_and_back_to_the_list() -> None:
    card = CASE_SAMPLES["case_detail_room"]("en").render()
    assert card["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Open the collaboration room",
        "url": ROOM_URL,
    }
    assert card["actions"][1]["data"] == {"verb": verbs.WELCOME_MY_CASES}
    creating = CASE_SAMPLES["case_detail_room_creating"]("nb").render()
    assert "Samhandlingsrommet opprettes …" in _texts(creating)
    assert not _of(creating, "Action.OpenUrl")
