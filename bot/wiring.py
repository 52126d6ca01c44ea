"""Small builders the composition root uses: settings → directory adapter, settings → rules."""

from __future__ import annotations

from bot.core.domain.directory import Directory
from bot.core.domain.thresholds import ThresholdSet
from bot.core.services.needs import NeedRules
from bot.settings import Settings
from integrations.directory.yaml_directory import YamlDirectory


def need_rules(settings: Settings) -> NeedRules:
    rules = settings.rules
    return NeedRules(
        thresholds=[ThresholdSet(**threshold.model_dump()) for threshold in rules.thresholds],
        open_ended_months=rules.open_ended_months,
        vat_percent=rules.vat_rate_percent,
        green_flag_terms=tuple(rules.green_flag_terms),
    )


def build_directory(settings: Settings) -> Directory:
    """The YAML org chart (the bundled demo when no file is configured)."""
    path = settings.directory.yaml_path
    return YamlDirectory.from_file(path) if path else YamlDirectory.demo()
