"""Every key the needs-report domain uses exists in both languages, with the same placeholders."""

from __future__ import annotations

import re
import string
from datetime import date
from functools import cache
from pathlib import Path

import pytest
import yaml

from bot.core.domain.need_fields import FIELDS
from bot.core.domain.thresholds import ContractType, ThresholdSet, Tier, classify
from bot.core.i18n import t

pytestmark = pytest.mark.unit

LOCALES = Path(__file__).parents[2] / "bot" / "core" / "locales"
DOMAIN = Path(__file__).parents[2] / "bot" / "core" / "domain"


@cache
def catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "need.yaml").open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return {str(k): str(v) for k, v in data.items()}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def used_keys() -> set[str]:
    used: set[str] = set()
    for spec in FIELDS:
        used |= {spec.question_key, spec.help_key, spec.example_key, spec.label_key}
        used |= {choice.label_key for choice in spec.choices}
    used |= {f"need.tier.{tier.value}" for tier in Tier}
    t2024 = ThresholdSet(valid_from=date(2024, 3, 14))
    for contract_type in ContractType:
        for total in (1, 100_000, 500_000, 1_300_000, 2_300_000, 7_800_000, 57_800_000):
            used |= set(classify(total, contract_type, t2024).consequences)
    for path in DOMAIN.glob("*.py"):
        # literal keys in the code (f-string prefixes end in "." or "_" and are skipped)
        used |= set(re.findall(r'"(need\.[a-z0-9_.]+[a-z0-9])"', path.read_text(encoding="utf-8")))
    return used


def test_same_keys_in_both_languages() -> None:
    assert set(catalog("nb")) == set(catalog("en"))


def test_every_used_key_exists() -> None:
    nb, en = catalog("nb"), catalog("en")
    missing = sorted(k for k in used_keys() if k not in nb or k not in en)
    assert missing == []


def test_used_keys_were_found() -> None:
    # guards the test above against a regex that finds nothing
    assert len(used_keys()) > 100
    assert "need.amount.invalid" in used_keys()


@pytest.mark.parametrize("key", sorted(catalog("nb")))
def test_same_placeholders(key: str) -> None:
    assert placeholders(catalog("nb")[key]) == placeholders(catalog("en")[key])


def test_texts_render() -> None:
    assert t("need.field.annual_value.question", "nb") == "Hva er anslått årlig verdi eks. mva.?"
    assert t("need.field.annual_value.example", "nb") == "450 000 kr, 1,3 mill eller 300k."
    text = t("need.field.annual_value.confirm_vat", "en", given="a", excl="b", vat_percent=25)
    assert "{" not in text and "25 %" in text


def test_no_empty_or_untranslated_texts() -> None:
    nb, en = catalog("nb"), catalog("en")
    for key in nb:
        assert nb[key].strip() and en[key].strip(), key
    # a handful of texts may be equal (e.g. "Normal"), not many
    same = [k for k in nb if nb[k] == en[k]]
    assert len(same) <= 3, same
