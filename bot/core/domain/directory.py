"""Who is who: people, service areas, stand-ins and the procurement channel, and the Directory port.

Two adapters implement the port: `integrations.directory.yaml_directory.YamlDirectory` (a static
org chart, the demo) and `integrations.graph.directory.GraphDirectory` (Entra ID through Microsoft
Graph, with service areas, stand-ins and the channel still read from YAML). Both rank name
searches with `rank_people` below, so they answer a search the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from rapidfuzz import fuzz


@dataclass(frozen=True)
class Person:
    id: str  # Entra object id (aadObjectId)
    name: str
    email: str = ""
    manager_id: str | None = None
    service_area: str | None = None
    unit: str = ""
    is_guest: bool = False
    in_procurement: bool = False
    locale: str = "nb-NO"


@dataclass(frozen=True)
class ServiceArea:
    """A tjenesteområde, led by a director, with its innkjøpskontakt."""

    id: str
    name: str
    director_id: str | None
    procurement_contact_id: str | None


@dataclass(frozen=True)
class StandIn:
    """`stand_in_id` decides on behalf of `person_id` from `start` to `end`, both days included."""

    person_id: str
    stand_in_id: str
    start: date
    end: date

    def active_on(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class ProcurementChannel:
    """The Teams channel of Innkjøpsseksjonen, where triage notices go."""

    team_id: str
    channel_id: str
    name: str = ""


class Directory(Protocol):
    """The organisation as the core sees it. Unknown ids give None or empty lists, not errors;
    an adapter that cannot answer raises `Unavailable`."""

    async def get_person(self, person_id: str) -> Person | None:
        """The person with this Entra object id."""
        ...

    async def find_people(self, query: str, *, limit: int = 5) -> list[Person]:
        """People whose name or email matches `query` (case- and accent-insensitive), best first."""
        ...

    async def manager_of(self, person_id: str) -> Person | None:
        """The person's manager; None when none is registered."""
        ...

    async def is_procurement_member(self, person_id: str) -> bool:
        """Whether the person belongs to Innkjøpsseksjonen."""
        ...

    async def service_areas(self) -> list[ServiceArea]:
        """Every service area, in a stable order."""
        ...

    async def service_area(self, area_id: str) -> ServiceArea | None: ...

    async def procurement_channel(self) -> ProcurementChannel | None:
        """Where Innkjøpsseksjonen is reached in Teams; None when not configured."""
        ...

    async def stand_ins_for(self, person_id: str) -> list[StandIn]:
        """Every stand-in registered for the person (past, present and future)."""
        ...


def fold(text: str) -> str:
    """Lower case without accents, for matching: "Bjørn Åsheim" → "bjorn asheim"."""
    text = text.casefold().replace("ø", "o").replace("æ", "ae").replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


_MIN_SCORE = 80.0
_MIN_FUZZY_LENGTH = 3  # shorter queries match prefixes only: "h" is not a misspelling of anyone


def _score(query: str, person: Person) -> float:
    name = fold(person.name)
    email = fold(person.email)
    local_part = email.split("@", 1)[0]
    words = [*name.split(), *local_part.replace(".", " ").split()]
    if name.startswith(query) or (email and email.startswith(query)):
        return 200.0
    if any(word.startswith(query) for word in words):
        return 150.0
    if len(query) < _MIN_FUZZY_LENGTH:
        return 0.0
    # close misspellings of the whole name, of the words in any order, or of one word
    return max(
        fuzz.ratio(query, name),
        fuzz.token_sort_ratio(query, name),
        max((fuzz.ratio(query, word) for word in words), default=0.0),
    )


def rank_people(query: str, people: Iterable[Person], *, limit: int = 5) -> list[Person]:
    """The best matches for `query` by name or email: prefixes first, then close misspellings."""
    needle = fold(query)
    if not needle or limit <= 0:
        return []
    scored = [
        (score, person) for person in people if (score := _score(needle, person)) >= _MIN_SCORE
    ]
    scored.sort(key=lambda item: (-item[0], fold(item[1].name), item[1].id))
    return [person for _, person in scored[:limit]]
