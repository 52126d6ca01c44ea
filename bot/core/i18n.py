"""Message catalogs: every user-facing text, bokmål first, English when the Teams locale says so.

Catalogs are YAML files in `bot/core/locales/<lang>/*.yaml` (one file per feature area), flat
dotted keys; the files of one language are merged.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_LOCALES_DIR = Path(__file__).parent / "locales"
SUPPORTED = ("nb", "en")


def language_of(locale: str | None) -> str:
    """Teams locale `en-*` → English, everything else → bokmål."""
    if locale and locale.lower().startswith("en"):
        return "en"
    return "nb"


@cache
def _catalog(lang: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_LOCALES_DIR / lang).glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            data = yaml.safe_load(handle) or {}
        merged.update({str(k): str(v) for k, v in data.items()})
    return merged


def t(key: str, lang: str = "nb", /, **params: Any) -> str:
    """Translate `key` into `lang` (nb or en), formatting `{name}` placeholders from params.

    A key missing in English falls back to bokmål; a key missing everywhere is returned as is,
    so a forgotten text shows up in tests instead of crashing a turn.
    """
    lang = lang if lang in SUPPORTED else "nb"
    text = _catalog(lang).get(key) or _catalog("nb").get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def has_key(key: str, lang: str) -> bool:
    return key in _catalog(lang)


def keys(lang: str) -> set[str]:
    return set(_catalog(lang))
