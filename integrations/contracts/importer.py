"""Import the contract register from a KAV export (CSV or XLSX) into the database.

Each row is validated on its own (bot.core.domain.contract_rows); the good ones are upserted by
contract number in batches, one commit per batch. Re-importing the same file changes nothing
(every row's content hash matches). A contract number that appears on several lines is refused
on all of them: the file does not say which one is right. A dry run does the same work inside
transactions that are rolled back, so its report says what an import would add and change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import NamedTuple

from bot.core.domain.contract_rows import RowProblem, parse_row
from bot.core.domain.contracts import Contract, ReminderPolicy, first_scan_date
from integrations.contracts.reader import ImportFileError, SourceRow, load_mapping, read_rows
from integrations.db.contracts import contract_repository
from integrations.db.uow import SqlUnitOfWork

__all__ = ["ImportFileError", "ImportReport", "RejectedRow", "import_contracts", "validate_rows"]

ProgressCallback = Callable[[int, int], None]


class RejectedRow(NamedTuple):
    line: int
    number: str  # "" when the row has none
    reasons: tuple[str, ...]  # translated


@dataclass
class ImportReport:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    total: int = 0
    dry_run: bool = False


def validate_rows(
    rows: Sequence[SourceRow], lang: str = "nb"
) -> tuple[list[tuple[SourceRow, Contract]], list[RejectedRow]]:
    """Split rows into contracts and rejections (with line numbers), in file order."""
    lines_of: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        number = " ".join(str(row.cells.get("number") or "").split())
        if number:
            lines_of[number].append(row.line)
    good: list[tuple[SourceRow, Contract]] = []
    rejected: list[RejectedRow] = []
    for row in rows:
        number = " ".join(str(row.cells.get("number") or "").split())
        parsed = parse_row(row.cells)
        problems = [] if isinstance(parsed, Contract) else list(parsed)
        others = [line for line in lines_of.get(number, []) if line != row.line]
        if others:
            lines = ", ".join(str(line) for line in others)
            problems.append(RowProblem("contracts.row.duplicate", {"line": lines}))
        if problems or not isinstance(parsed, Contract):
            reasons = tuple(problem.message(lang) for problem in problems)
            rejected.append(RejectedRow(row.line, number, reasons))
        else:
            good.append((row, parsed))
    return good, rejected


async def import_contracts(
    path: Path,
    *,
    uow_factory: Callable[[], SqlUnitOfWork],
    policy: ReminderPolicy,
    today: date,
    now: datetime,
    dry_run: bool = False,
    mapping: Path | None = None,
    batch_size: int = 500,
    on_progress: ProgressCallback | None = None,
    lang: str = "nb",
) -> ImportReport:
    """Read, validate and upsert. Raises ImportFileError when the file cannot be read at all."""
    rows = read_rows(path, load_mapping(mapping, lang), lang)
    good, rejected = validate_rows(rows, lang)
    report = ImportReport(total=len(rows), rejected=rejected, dry_run=dry_run)
    done = len(rejected)
    if on_progress is not None:
        on_progress(done, report.total)
    for start in range(0, len(good), batch_size):
        batch = good[start : start + batch_size]
        async with uow_factory() as uow:
            contracts = contract_repository(uow)
            for _, contract in batch:
                outcome = await contracts.upsert(
                    contract, now, next_reminder_on=first_scan_date(contract, policy, today=today)
                )
                if outcome == "added":
                    report.added += 1
                elif outcome == "changed":
                    report.changed += 1
                else:
                    report.unchanged += 1
                done += 1
                if on_progress is not None:
                    on_progress(done, report.total)
            if not dry_run:
                await uow.commit()
    return report
