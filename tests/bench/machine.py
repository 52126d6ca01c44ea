"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

_PACKAGES = ("botbuilder-core", "botbuilder-integration-aiohttp", "aiohttp", "sqlalchemy")


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def machine_info() -> dict[str, Any]:
    model = ""
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        **{package: _version(package) for package in _PACKAGES},
    }


def describe(info: dict[str, Any]) -> str:
    return (
        f"machine: {info['cores']} cores ({info['cpu'] or 'unknown cpu'}), {info['platform']}\n"
        f"python {info['python']}, botbuilder-core {info['botbuilder-core']}, "
        f"botbuilder-integration-aiohttp {info['botbuilder-integration-aiohttp']}, "
        f"aiohttp {info['aiohttp']}, SQLAlchemy {info['sqlalchemy']}\n"
    )
