"""The contract register's texts exist in both languages, with the same placeholders."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[2]
LOCALES = ROOT / "bot" / "core" / "locales"
SOURCES = [
    ROOT / "bot" / "core" / "domain" / "contract_rows.py",
    ROOT / "bot" / "cli_contracts.py",
    ROOT / "integrations" / "contracts" / "reader.py",
    ROOT / "integrations" / "contracts" / "importer.py",
]


def catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "contracts.yaml").open(encoding="utf-8") as handle:
        return {str(k): str(v) for k, v in yaml.safe_load(handle).items()}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_used_in_the_code_exists() -> None:
    nb = catalog("nb")
    used: set[str] = set()
    for path in SOURCES:
        used |= set(re.findall(r'"(contracts\.[a-z_.]+[a-z_])"', path.read_text(encoding="utf-8")))
    assert used, "no keys found: has the code moved?"
    assert used - set(nb) == set()
