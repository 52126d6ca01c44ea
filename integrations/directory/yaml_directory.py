"""A static org chart from YAML: the demo directory, and the source of service areas, stand-ins
and the procurement channel in Graph mode. The format is documented at the top of `demo.yaml`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.core.domain.directory import (
    Person,
    ProcurementChannel,
    ServiceArea,
    StandIn,
    rank_people,
)

DEMO_PATH = Path(__file__).parent / "demo.yaml"


class DirectoryFileError(ValueError):
    """The YAML directory is malformed or points to someone who is not in it."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _PersonModel(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    email: str = ""
    manager: str | None = None
    service_area: str | None = None
    unit: str = ""
    locale: str = "nb-NO"
    in_procurement: bool = False
    guest: bool = False


class _AreaModel(_Strict):
    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    director: str | None = None
    procurement_contact: str | None = None


class _StandInModel(_Strict):
    person: str
    stand_in: str
    start: date
    end: date


class _TeamModel(_Strict):
    team_id: str = Field(min_length=1)
    channel_id: str = Field(min_length=1)
    name: str = ""


class _FileModel(_Strict):
    procurement_team: _TeamModel | None = None
    service_areas: list[_AreaModel] = Field(default_factory=list)
    people: list[_PersonModel] = Field(default_factory=list)
    stand_ins: list[_StandInModel] = Field(default_factory=list)


@dataclass(frozen=True)
class _Lines:
    """Line numbers (1-based) of each list item, to point at the entry that is wrong."""

    source: str
    items: dict[tuple[str, int], int]

    def at(self, section: str, index: int) -> str:
        line = self.items.get((section, index))
        return f"{self.source}, line {line}" if line else self.source


def _item_lines(text: str, source: str) -> _Lines:
    items: dict[tuple[str, int], int] = {}
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        root = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if isinstance(value, yaml.SequenceNode):
                for index, item in enumerate(value.value):
                    items[(str(key.value), index)] = item.start_mark.line + 1
    return _Lines(source, items)


class YamlDirectory:
    """The Directory port over a YAML org chart, held in memory."""

    def __init__(
        self,
        people: list[Person],
        areas: list[ServiceArea],
        stand_ins: list[StandIn],
        channel: ProcurementChannel | None,
    ) -> None:
        self._people = {p.id: p for p in people}
        self._areas = {a.id: a for a in areas}
        self._stand_ins = list(stand_ins)
        self._channel = channel

    @classmethod
    def from_file(cls, path: str | Path) -> YamlDirectory:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise DirectoryFileError(f"cannot read the directory file {path}: {error}") from error
        return cls.from_text(text, source=str(path))

    @classmethod
    def demo(cls) -> YamlDirectory:
        """The bundled demo directory for Lillestrøm kommune."""
        return cls.from_file(DEMO_PATH)

    @classmethod
    def from_text(cls, text: str, *, source: str = "<directory>") -> YamlDirectory:
        lines = _item_lines(text, source)
        try:
            data: Any = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise DirectoryFileError(f"{source} is not valid YAML: {error}") from error
        try:
            model = _FileModel.model_validate(data or {})
        except ValidationError as error:
            raise DirectoryFileError(_describe(error, lines)) from error
        _check_references(model, lines)
        people = [
            Person(
                id=p.id,
                name=p.name,
                email=p.email,
                manager_id=p.manager,
                service_area=p.service_area,
                unit=p.unit,
                is_guest=p.guest,
                in_procurement=p.in_procurement,
                locale=p.locale,
            )
            for p in model.people
        ]
        areas = [
            ServiceArea(a.id, a.name, a.director, a.procurement_contact)
            for a in model.service_areas
        ]
        stand_ins = [StandIn(s.person, s.stand_in, s.start, s.end) for s in model.stand_ins]
        team = model.procurement_team
        channel = ProcurementChannel(team.team_id, team.channel_id, team.name) if team else None
        return cls(people, areas, stand_ins, channel)

    # The port

    async def get_person(self, person_id: str) -> Person | None:
        return self._people.get(person_id)

    async def find_people(self, query: str, *, limit: int = 5) -> list[Person]:
        return rank_people(query, self._people.values(), limit=limit)

    async def manager_of(self, person_id: str) -> Person | None:
        person = self._people.get(person_id)
        if person is None or person.manager_id is None:
            return None
        return self._people.get(person.manager_id)

    async def is_procurement_member(self, person_id: str) -> bool:
        person = self._people.get(person_id)
        return person is not None and person.in_procurement

    async def service_areas(self) -> list[ServiceArea]:
        return list(self._areas.values())

    async def service_area(self, area_id: str) -> ServiceArea | None:
        return self._areas.get(area_id)

    async def procurement_channel(self) -> ProcurementChannel | None:
        return self._channel

    async def stand_ins_for(self, person_id: str) -> list[StandIn]:
        return [s for s in self._stand_ins if s.person_id == person_id]

    # Plain accessors for composition (GraphDirectory) and tests

    def person_sync(self, person_id: str) -> Person | None:
        return self._people.get(person_id)

    @property
    def people(self) -> list[Person]:
        return list(self._people.values())


def _describe(error: ValidationError, lines: _Lines) -> str:
    problems = []
    for issue in error.errors():
        loc = issue["loc"]
        where = lines.source
        if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
            where = lines.at(loc[0], loc[1])
        field = ".".join(str(part) for part in loc)
        problems.append(f"{where}: {field}: {issue['msg']}")
    return "invalid directory file:\n  " + "\n  ".join(problems)


def _check_references(model: _FileModel, lines: _Lines) -> None:
    problems: list[str] = []
    ids: set[str] = set()
    for index, person in enumerate(model.people):
        if person.id in ids:
            problems.append(f"{lines.at('people', index)}: person '{person.id}' appears twice")
        ids.add(person.id)
    area_ids: set[str] = set()
    for index, area in enumerate(model.service_areas):
        where = lines.at("service_areas", index)
        if area.id in area_ids:
            problems.append(f"{where}: service area '{area.id}' appears twice")
        area_ids.add(area.id)
        for role, value in (
            ("director", area.director),
            ("innkjøpskontakt", area.procurement_contact),
        ):
            if value is not None and value not in ids:
                problems.append(
                    f"{where}: the {role} of service area '{area.id}' is '{value}', "
                    "who is not among the people"
                )
    for index, person in enumerate(model.people):
        where = lines.at("people", index)
        if person.manager is not None and person.manager not in ids:
            problems.append(
                f"{where}: the manager of '{person.id}' is '{person.manager}', "
                "who is not among the people"
            )
        if person.service_area is not None and person.service_area not in area_ids:
            problems.append(
                f"{where}: '{person.id}' belongs to service area '{person.service_area}', "
                "which is not among the service areas"
            )
    for index, stand_in in enumerate(model.stand_ins):
        where = lines.at("stand_ins", index)
        for role, value in (("person", stand_in.person), ("stand-in", stand_in.stand_in)):
            if value not in ids:
                problems.append(f"{where}: the {role} '{value}' is not among the people")
        if stand_in.person == stand_in.stand_in:
            problems.append(f"{where}: '{stand_in.person}' cannot stand in for themself")
        if stand_in.end < stand_in.start:
            problems.append(f"{where}: the stand-in period ends before it starts")
    problems.extend(_cycles(model, lines))
    if problems:
        raise DirectoryFileError("invalid directory file:\n  " + "\n  ".join(problems))


def _cycles(model: _FileModel, lines: _Lines) -> list[str]:
    manager = {p.id: p.manager for p in model.people}
    index_of = {p.id: i for i, p in enumerate(model.people)}
    reported: set[str] = set()
    problems = []
    for start in manager:
        chain = [start]
        current = manager[start]
        while current is not None and current in manager:
            if current in chain:
                loop = chain[chain.index(current) :]
                if not reported.intersection(loop):
                    reported.update(loop)
                    path = " → ".join([*loop, current])
                    where = lines.at("people", index_of[current])
                    problems.append(f"{where}: the manager chain loops: {path}")
                break
            chain.append(current)
            current = manager[current]
    return problems
