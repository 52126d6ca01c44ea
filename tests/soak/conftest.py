"""Soak tests run only with SOAK=1 (`make soak`); `make test` skips them."""

from __future__ import annotations

import os

import pytest

from tests.resilience.conftest import bot_process, holding_connector  # noqa: F401


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("SOAK") == "1":
        return
    skip = pytest.mark.skip(reason="soak test: run with SOAK=1 (make soak)")
    for item in items:
        if "tests/soak/" in str(item.path).replace("\\", "/"):
            item.add_marker(skip)
