"""The YAML directory: the bundled demo loads, and a broken file says what and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrations.directory.yaml_directory import DirectoryFileError, YamlDirectory

pytestmark = pytest.mark.unit

GOOD = """\
service_areas:
  - id: oppvekst
    name: Oppvekst og utdanning
    director: aad-ingrid
    procurement_contact: aad-lise
people:
  - id: aad-ingrid
    name: Ingrid Solberg
    service_area: oppvekst
  - id: aad-lise
    name: Lise Johansen
    manager: aad-ingrid
stand_ins: []
"""


def test_the_demo_loads_with_the_people_the_brief_names() -> None:
    demo = YamlDirectory.demo()
    assert 12 <= len(demo.people) <= 15
    for person_id in ("aad-kari", "aad-ola", "aad-emma", "aad-per", "aad-gjest", "aad-lise"):
        assert demo.person_sync(person_id) is not None


def test_from_file(tmp_path: Path) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert len(YamlDirectory.from_file(path).people) == 2


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DirectoryFileError, match="cannot read"):
        YamlDirectory.from_file(tmp_path / "missing.yaml")


def broken(replace: str, by: str) -> str:
    assert replace in GOOD
    return GOOD.replace(replace, by)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            broken("manager: aad-ingrid", "manager: aad-ghost"),
            r"line 10: the manager of 'aad-lise' is 'aad-ghost'",
        ),
        (
            broken("procurement_contact: aad-lise", "procurement_contact: aad-x"),
            r"line 2: the innkjøpskontakt of service area 'oppvekst' is 'aad-x'",
        ),
        (
            broken("director: aad-ingrid", "director: aad-y"),
            r"the director of service area 'oppvekst'",
        ),
        (
            broken("service_area: oppvekst", "service_area: helse"),
            r"line 7: 'aad-ingrid' belongs to service area 'helse'",
        ),
        (
            broken(
                "stand_ins: []",
                "stand_ins:\n  - {person: aad-ingrid, stand_in: aad-z,"
                " start: 2026-12-01, end: 2026-12-31}",
            ),
            r"line 14: the stand-in 'aad-z' is not among the people",
        ),
        (
            broken(
                "stand_ins: []",
                "stand_ins:\n  - {person: aad-ingrid, stand_in: aad-lise,"
                " start: 2026-12-31, end: 2026-12-01}",
            ),
            r"ends before it starts",
        ),
        (
            broken(
                "    name: Ingrid Solberg\n", "    name: Ingrid Solberg\n    manager: aad-lise\n"
            ),
            r"the manager chain loops: aad-\w+ → aad-\w+ → aad-\w+",
        ),
        (
            broken("manager: aad-ingrid", "manager: aad-lise"),
            r"the manager chain loops: aad-lise → aad-lise",
        ),
        (
            broken("    name: Lise Johansen", "    name: Lise Johansen\n    boss: aad-ingrid"),
            r"line 10: people.1.boss",
        ),
        (broken("  - id: aad-lise", "  - id: aad-ingrid"), r"person 'aad-ingrid' appears twice"),
        ("people: [", r"not valid YAML"),
    ],
)
def test_a_broken_file_names_the_problem_and_the_line(text: str, message: str) -> None:
    with pytest.raises(DirectoryFileError, match=message):
        YamlDirectory.from_text(text, source="org.yaml")


async def test_find_people_folds_accents_and_forgives_misspellings() -> None:
    demo = YamlDirectory.demo()
    assert [p.id for p in await demo.find_people("ase")] == ["aad-aase"]
    assert [p.id for p in await demo.find_people("bjørn åsheim")] == ["aad-bjorn"]
    assert [p.id for p in await demo.find_people("kari nordman")] == ["aad-kari"]
    assert [p.id for p in await demo.find_people("innkjoper")] == ["aad-per"]
    assert await demo.find_people("h", limit=0) == []
