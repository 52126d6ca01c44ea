"""Figures, the final table and the JSON file."""

from __future__ import annotations

import json
import operator
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Target:
    """`value <op> limit`, on the ratio when `on_ratio`, else on the value itself."""

    op: str
    limit: float
    on_ratio: bool = True

    def describe(self) -> str:
        what = "ratio" if self.on_ratio else "value"
        return f"{what} {self.op} {self.limit:g}"

    def met(self, value: float, ratio: float | None) -> bool:
        subject = ratio if self.on_ratio else value
        return subject is not None and _COMPARE[self.op](subject, self.limit)


@dataclass(frozen=True)
class Figure:
    bench: str
    name: str
    value: float
    unit: str = ""
    baseline: float | None = None
    ratio: float | None = None
    target: Target | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.target is None:
            return "info"
        return "PASS" if self.target.met(self.value, self.ratio) else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = self.target.describe() if self.target else None
        data["verdict"] = self.verdict
        return data


def ratio_of(value: float, baseline: float) -> float | None:
    return round(value / baseline, 3) if baseline else None


@dataclass
class BenchResult:
    name: str
    figures: list[Figure] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    error: str = ""

    def add(self, name: str, value: float, **kw: Any) -> Figure:
        figure = Figure(self.name, name, round(value, 3), **kw)
        self.figures.append(figure)
        return figure

    def as_dict(self) -> dict[str, Any]:
        return {
            "figures": [f.as_dict() for f in self.figures],
            "raw": self.raw,
            "notes": self.notes,
            "seconds": round(self.seconds, 1),
            "error": self.error,
        }


def _fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "-"
    text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def print_table(results: list[BenchResult], out: TextIO = sys.stdout) -> None:
    header = ("benchmark", "figure", "value", "baseline", "ratio", "target", "result")
    rows = [header]
    for result in results:
        for f in result.figures:
            rows.append(
                (
                    f.bench,
                    f.name,
                    _fmt(f.value, f.unit),
                    _fmt(f.baseline, f.unit),
                    _fmt(f.ratio, "x") if f.ratio is not None else "-",
                    f.target.describe() if f.target else "-",
                    f.verdict,
                )
            )
        if result.error:
            rows.append((result.name, "ERROR", result.error[:60], "-", "-", "-", "FAIL"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out.write("\n" + line + "\n")
    for index, row in enumerate(rows):
        out.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + "\n")
        if index == 0:
            out.write(line + "\n")
    out.write(line + "\n")
    failed = [f for r in results for f in r.figures if f.verdict == "FAIL"]
    errors = [r.name for r in results if r.error]
    if failed or errors:
        names = [f"{f.bench}/{f.name}" for f in failed] + [f"{n}/ERROR" for n in errors]
        out.write(f"FAIL: {len(names)} target(s) not met: {', '.join(names)}\n")
    else:
        out.write("PASS: every target met\n")


def write_json(path: Path, meta: dict[str, Any], results: list[BenchResult]) -> None:
    data = {**meta, "benchmarks": {r.name: r.as_dict() for r in results}}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
