"""`python -m tests.bench [--quick | --full] [--only turns,cards,...] [--out FILE]`.

Prints a table (benchmark, figure, value, baseline, ratio, target, PASS/FAIL) and writes JSON.
The exit code is 0 even when a target is missed: this is a measurement, read the table.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import traceback
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.bench.bench_cards import run_cards
from tests.bench.bench_fanout import run_fanout
from tests.bench.bench_memory import run_memory
from tests.bench.bench_reminders import run_reminders
from tests.bench.bench_turns import run_turns
from tests.bench.machine import describe, machine_info
from tests.bench.processes import REPO
from tests.bench.profile import FULL, QUICK, Profile
from tests.bench.report import BenchResult, print_table, write_json

Bench = Callable[[Profile, Path], Awaitable[BenchResult]]
BENCHES: dict[str, Bench] = {
    "turns": run_turns,
    "cards": run_cards,
    "fanout": run_fanout,
    "reminders": run_reminders,
    "memory": run_memory,
}


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes, a smoke run (< 1 min)")
    size.add_argument("--full", action="store_true", help="the default sizes (this is the default)")
    parser.add_argument("--only", default="", help=f"comma-separated subset of {','.join(BENCHES)}")
    parser.add_argument(
        "--out", type=Path, default=REPO / "bench-results.json", help="where to write the JSON"
    )
    return parser.parse_args(argv)


async def _run_one(name: str, bench: Bench, profile: Profile, root: Path) -> BenchResult:
    sys.stderr.write(f"== {name} ({profile.name}) ...\n")
    started = time.perf_counter()
    workdir = root / name
    workdir.mkdir()
    try:
        result = await bench(profile, workdir)
    except Exception as error:
        traceback.print_exc()
        result = BenchResult(name, error=f"{type(error).__name__}: {error}")
    result.seconds = time.perf_counter() - started
    sys.stderr.write(f"== {name} done in {result.seconds:.1f} s\n")
    return result


async def _run(names: list[str], profile: Profile, root: Path) -> list[BenchResult]:
    return [await _run_one(name, BENCHES[name], profile, root) for name in names]


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    profile = QUICK if args.quick else FULL
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(BENCHES)
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        sys.stderr.write(f"unknown benchmark(s): {', '.join(unknown)}\n")
        return 2
    info = machine_info()
    out = sys.stdout
    out.write(describe(info))
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="innkjop-bench-") as tmp:
        results = asyncio.run(_run(names, profile, Path(tmp)))
    elapsed = time.perf_counter() - started
    for result in results:
        for note in result.notes:
            out.write(f"[{result.name}] {note}\n")
    print_table(results, out)
    out.write(f"profile {profile.name}, {elapsed:.0f} s in all\n")
    meta = {
        "profile": profile.name,
        "started_at": started_at.isoformat(),
        "seconds": round(elapsed, 1),
        "machine": info,
    }
    write_json(args.out, meta, results)
    out.write(f"wrote {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
