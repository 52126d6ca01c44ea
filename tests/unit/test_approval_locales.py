"""The approval texts exist in both languages, with the same placeholders, and every key the
approval code names is in the catalog."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.core.i18n import has_key

pytestmark = pytest.mark.unit

ROOT = Path(__file__).parents[2]
LOCALES = ROOT / "bot" / "core" / "locales"
CODE = [
    ROOT / "bot" / "core" / "domain" / "approval.py",
    ROOT / "bot" / "core" / "services" / "approvals.py",
    ROOT / "bot" / "teams" / "features" / "approvals.py",
    ROOT / "bot" / "teams" / "features" / "approval_views.py",
]


def _catalog(lang: str) -> dict[str, str]:
    with (LOCALES / lang / "approvals.yaml").open(encoding="utf-8") as handle:
        return {str(k): str(v) for k, v in yaml.safe_load(handle).items()}


def test_every_key_the_code_names_exists() -> None:
    used: set[str] = set()
    for path in CODE:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'"((?:approval|triage)\.[a-z_]+\.[a-z0-9_.]*[a-z0-9])"', text))
    assert "approval.refused.requester" in used
    for key in used:
        assert has_key(key, "nb") and has_key(key, "en"), key


@pytest.mark.parametrize("prefix", ["approval.done.", "triage.done."])
def test_every_action_has_a_confirmation(prefix: str) -> None:
    from bot.teams.features.approvals import APPROVAL_ACTIONS, TRIAGE_ACTIONS

    actions = (
        set(APPROVAL_ACTIONS.values())
        if prefix == "approval.done."
        else {action for action, _ in TRIAGE_ACTIONS.values()}
    )
    for action in actions:
        assert has_key(prefix + action, "nb") and has_key(prefix + action, "en")
