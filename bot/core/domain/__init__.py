"""Entities, value objects and rules: thresholds, value calculation, parsing, four-eyes, states."""
