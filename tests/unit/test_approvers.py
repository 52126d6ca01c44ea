"""Who decides: the manager, one level up when needed, stand-ins within dates, never the
requester."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from bot.core.domain.approvers import active_stand_in, may_decide, resolve_approver
from bot.core.domain.directory import Person, ProcurementChannel, ServiceArea, StandIn
from bot.core.domain.errors import NotFound
from bot.core.i18n import has_key
from integrations.directory.yaml_directory import YamlDirectory

pytestmark = pytest.mark.unit


@dataclass
class ChartDirectory:
    """A hand-written fake: managers as a dict, so we can draw odd org charts (loops, self)."""

    people: dict[str, Person]
    managers: dict[str, str] = field(default_factory=dict)
    areas: dict[str, ServiceArea] = field(default_factory=dict)
    manager_calls: int = 0

    async def get_person(self, person_id: str) -> Person | None:
        return self.people.get(person_id)

    async def find_people(self, query: str, *, limit: int = 5) -> list[Person]:
        return []

    async def manager_of(self, person_id: str) -> Person | None:
        self.manager_calls += 1
        manager_id = self.managers.get(person_id)
        return self.people.get(manager_id) if manager_id else None

    async def is_procurement_member(self, person_id: str) -> bool:
        return False

    async def service_areas(self) -> list[ServiceArea]:
        return list(self.areas.values())

    async def service_area(self, area_id: str) -> ServiceArea | None:
        return self.areas.get(area_id)

    async def procurement_channel(self) -> ProcurementChannel | None:
        return None

    async def stand_ins_for(self, person_id: str) -> list[StandIn]:
        return []


def chart(managers: dict[str, str], *, guests: tuple[str, ...] = (), director: str | None = None):
    ids = set(managers) | set(managers.values()) | ({director} if director else set())
    people = {
        i: Person(id=i, name=i.title(), service_area="area", is_guest=i in guests) for i in ids
    }
    areas = {"area": ServiceArea("area", "Area", director, None)}
    return ChartDirectory(people, managers, areas)


# resolve_approver, over the demo directory


@pytest.fixture
def demo() -> YamlDirectory:
    return YamlDirectory.demo()


async def test_the_approver_is_the_requesters_manager(demo: YamlDirectory) -> None:
    approver = await resolve_approver("aad-kari", demo)
    assert (approver.id, approver.name) == ("aad-ola", "Ola Hansen")


async def test_a_manager_filing_a_need_is_approved_one_level_up(demo: YamlDirectory) -> None:
    assert (await resolve_approver("aad-ola", demo)).id == "aad-ingrid"
    assert (await resolve_approver("aad-ingrid", demo)).id == "aad-trine"


async def test_the_top_of_the_chart_has_no_approver(demo: YamlDirectory) -> None:
    with pytest.raises(NotFound) as caught:
        await resolve_approver("aad-trine", demo)
    assert caught.value.message_key == "approval.no_approver"


async def test_an_unknown_requester_has_no_approver(demo: YamlDirectory) -> None:
    with pytest.raises(NotFound):
        await resolve_approver("aad-nobody", demo)


# resolve_approver, over odd org charts


async def test_no_manager_falls_back_to_the_service_area_director() -> None:
    directory = chart({}, director="dir")
    directory.people["kari"] = Person(id="kari", name="Kari", service_area="area")
    assert (await resolve_approver("kari", directory)).id == "dir"


async def test_being_ones_own_manager_goes_to_the_director() -> None:
    directory = chart({"ola": "ola"}, director="dir")
    assert (await resolve_approver("ola", directory)).id == "dir"


async def test_a_director_without_a_manager_has_no_approver() -> None:
    directory = chart({}, director="dir")
    with pytest.raises(NotFound):
        await resolve_approver("dir", directory)


async def test_a_guest_manager_is_skipped() -> None:
    directory = chart({"kari": "consultant", "consultant": "ola"}, guests=("consultant",))
    assert (await resolve_approver("kari", directory)).id == "ola"


async def test_a_loop_in_the_chart_ends_with_not_found() -> None:
    directory = chart({"kari": "g1", "g1": "g2", "g2": "g1"}, guests=("g1", "g2"))
    with pytest.raises(NotFound) as caught:
        await resolve_approver("kari", directory)
    assert caught.value.message_key == "approval.no_approver"
    assert directory.manager_calls < 10


async def test_a_loop_back_to_the_requester_never_makes_them_approver() -> None:
    directory = chart({"kari": "g1", "g1": "kari"}, guests=("g1",))
    with pytest.raises(NotFound):
        await resolve_approver("kari", directory)


async def test_a_two_person_loop_still_gives_the_other_person() -> None:
    directory = chart({"a": "b", "b": "a"})
    assert (await resolve_approver("a", directory)).id == "b"
    assert (await resolve_approver("b", directory)).id == "a"


def test_the_message_key_exists_in_both_languages() -> None:
    for key in ("approval.no_approver", "directory.manager_forbidden", "directory.unavailable"):
        assert has_key(key, "nb") and has_key(key, "en")


# stand-ins

DECEMBER = StandIn("aad-ola", "aad-lise", date(2026, 12, 1), date(2026, 12, 31))
LAST_SUMMER = StandIn("aad-ola", "aad-aase", date(2025, 7, 1), date(2025, 7, 31))


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2026, 11, 30), None),
        (date(2026, 12, 1), "aad-lise"),
        (date(2026, 12, 31), "aad-lise"),
        (date(2027, 1, 1), None),
        (date(2025, 7, 15), "aad-aase"),
    ],
)
def test_active_stand_in_within_dates_both_included(on: date, expected: str | None) -> None:
    assert active_stand_in("aad-ola", [DECEMBER, LAST_SUMMER], on) == expected


def test_active_stand_in_is_for_the_given_approver_only() -> None:
    assert active_stand_in("aad-ingrid", [DECEMBER], date(2026, 12, 10)) is None


def test_overlapping_stand_ins_the_latest_started_wins() -> None:
    later = StandIn("aad-ola", "aad-kari", date(2026, 12, 20), date(2026, 12, 24))
    assert active_stand_in("aad-ola", [DECEMBER, later], date(2026, 12, 21)) == "aad-kari"
    assert active_stand_in("aad-ola", [DECEMBER, later], date(2026, 12, 27)) == "aad-lise"


# may_decide


def decide(
    actor: str, on: date = date(2026, 12, 10), *, requester: str = "aad-kari", stand_ins=(DECEMBER,)
):
    return may_decide(
        actor, approver_id="aad-ola", requester_id=requester, stand_ins=list(stand_ins), on=on
    )


def test_the_approver_decides_for_themself() -> None:
    assert decide("aad-ola") == (True, None)


def test_an_active_stand_in_decides_on_behalf_of_the_approver() -> None:
    assert decide("aad-lise") == (True, "aad-ola")


def test_a_stand_in_outside_their_dates_may_not() -> None:
    assert decide("aad-lise", date(2027, 1, 1)) == (False, None)
    assert decide("aad-aase", date(2026, 7, 15), stand_ins=(LAST_SUMMER,)) == (False, None)


def test_someone_else_may_not() -> None:
    assert decide("aad-per") == (False, None)


def test_the_requester_never_decides_even_as_stand_in() -> None:
    kari_stands_in = StandIn("aad-ola", "aad-kari", date(2026, 12, 1), date(2026, 12, 31))
    assert decide("aad-kari", stand_ins=(kari_stands_in,)) == (False, None)


def test_a_stand_in_for_someone_else_may_not() -> None:
    for_ingrid = StandIn("aad-ingrid", "aad-per", date(2026, 12, 1), date(2026, 12, 31))
    assert decide("aad-per", stand_ins=(for_ingrid,)) == (False, None)


def test_any_of_several_active_stand_ins_may_decide() -> None:
    second = StandIn("aad-ola", "aad-ingrid", date(2026, 12, 5), date(2026, 12, 15))
    assert decide("aad-lise", stand_ins=(DECEMBER, second)) == (True, "aad-ola")
    assert decide("aad-ingrid", stand_ins=(DECEMBER, second)) == (True, "aad-ola")
