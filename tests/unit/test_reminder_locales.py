"""The reminder card's texts exist in both languages, with the same placeholders, and every key
the code uses is in the catalog."""

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
    ROOT / "bot" / "core" / "domain" / "reminder_actions.py",
    ROOT / "bot" / "core" / "services" / "reminder_actions.py",
    ROOT / "bot" / "core" / "services" / "reminder_delivery.py",
    ROOT / "bot" / "core" / "services" / "reminder_copies.py",
    ROOT / "bot" / "core" / "services" / "option_approvals.py",
    ROOT / "bot" / "teams" / "features" / "reminders.py",
    ROOT / "bot" / "teams" / "features" / "reminder_views.py",
    ROOT / "bot" / "teams" / "features" / "__init__.py",
    ROOT / "bot" / "cli_reminders.py",
]


def catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "reminders.yaml").open(encoding="utf-8") as handle:
        return {str(k): str(v) for k, v in yaml.safe_load(handle).items()}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_used_in_the_code_exists() -> None:
    nb = catalog("nb")
    used: set[str] = set()
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'"((?:reminder|option)\.[a-z_.]+[a-z_])"', text))
    assert used, "no keys found: has the code moved?"
    # keys built at run time: one per action, status and outcome
    dynamic = {k for k in used if k.endswith(".")}
    assert used - dynamic - set(nb) == set()
    for status in ("started", "let_expire", "snoozed", "option_requested", "option_exercised"):
        assert f"reminder.outcome.{status}" in nb
    for action in ("start", "option", "let_expire", "snooze"):
        assert f"reminder.done.{action}" in nb
    for decision in ("approve", "reject"):
        assert f"option.done.{decision}" in nb
    for outcome in ("approved", "rejected"):
        assert f"option.outcome.{outcome}" in nb
