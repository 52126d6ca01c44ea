"""Every message catalog exists in bokmål and English with the same keys and placeholders, so no
text falls back to a key or breaks on a missing `{name}` in either language."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

LOCALES = Path(__file__).parents[2] / "bot" / "core" / "locales"
CATALOGS = sorted(path.name for path in (LOCALES / "nb").glob("*.yaml"))


def _catalog(lang: str, name: str) -> dict[str, str]:
    with (LOCALES / lang / name).open(encoding="utf-8") as handle:
        return {str(k): str(v) for k, v in (yaml.safe_load(handle) or {}).items()}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_catalogs() -> None:
    assert CATALOGS
    assert CATALOGS == sorted(path.name for path in (LOCALES / "en").glob("*.yaml"))


@pytest.mark.parametrize("name", CATALOGS)
def test_same_keys_and_placeholders_in_both_languages(name: str) -> None:
    nb, en = _catalog("nb", name), _catalog("en", name)
    assert set(nb) == set(en), set(nb) ^ set(en)
    for key, text in nb.items():
        assert _placeholders(text) == _placeholders(en[key]), key
        assert text.strip(), key
