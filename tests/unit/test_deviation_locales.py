"""The deviation texts exist in both languages with the same placeholders, and every key the
deviation code names is in the catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.domain import deviation as rules
from bot.core.i18n import has_key

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[2]
LOCALES = ROOT / "bot" / "core" / "locales"
CODE = [
    ROOT / "bot" / "core" / "domain" / "deviation.py",
    ROOT / "bot" / "core" / "domain" / "deviation_fields.py",
    ROOT / "bot" / "core" / "domain" / "deviation_intake.py",
    ROOT / "bot" / "core" / "services" / "deviations.py",
    ROOT / "bot" / "core" / "services" / "deviation_filing.py",
    ROOT / "bot" / "core" / "services" / "deviation_reminders.py",
    ROOT / "bot" / "teams" / "features" / "deviations.py",
    ROOT / "bot" / "teams" / "features" / "deviation_followup.py",
    ROOT / "bot" / "teams" / "features" / "deviation_views.py",
]


# Audit actions, not texts.
AUDIT_ACTIONS = {
    "deviation.registered",
    "deviation.deadline_reminded",
    "deviation.sanction_reminded",
}


def _catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "deviation.yaml").open(encoding="utf-8") as handle:
        return {str(k): str(v) for k, v in yaml.safe_load(handle).items()}


def test_every_key_named_in_the_code_exists() -> None:
    nb = _catalog("nb")
    for path in CODE:
        for key in re.findall(r'"(deviation\.[a-z_.]+)"', path.read_text("utf-8")):
            if key in AUDIT_ACTIONS or any(k.startswith(f"{key}.") for k in nb):
                continue  # a prefix, completed in the code
            assert has_key(key, "nb") and has_key(key, "en"), (path.name, key)


def test_every_category_severity_state_outcome_and_field_has_texts() -> None:
    names = [
        *(f"deviation.category.{c}" for c in rules.CATEGORIES),
        *(f"deviation.severity.{s}" for s in rules.SEVERITIES),
        *(f"deviation.state.{s}" for s in rules.STATES),
        *(f"deviation.outcome.{o}" for o in rules.OUTCOMES),
        *(f"deviation.notice.{a}" for a in rules.ACTIONS),
        *(f"deviation.done.{a}" for a in rules.ACTIONS),
    ]
    for field in ("contract", "category", "description", "observed_on", "severity", "unit"):
        names += [f"deviation.field.{field}.{part}" for part in ("label", "question", "help")]
    for key in names:
        assert has_key(key, "nb") and has_key(key, "en"), key
