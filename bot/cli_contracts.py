"""CLI commands for the contract register: `import-contracts FILE` and `scan-reminders`."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO
from zoneinfo import ZoneInfo

from bot.core.domain.contract_rows import format_date
from bot.core.domain.contracts import Contract, MilestoneKind, ReminderDue
from bot.core.i18n import t
from bot.core.services.reminders import QueueReminder, ScanResult, scan_reminders
from bot.settings import Settings

if TYPE_CHECKING:
    from integrations.db.uow import SqlUnitOfWork

PROGRESS_MIN_ROWS = 300  # a bar only for files with more rows than this
_LANG = "nb"


def _today(settings: Settings, now: datetime) -> date:
    return now.astimezone(ZoneInfo(settings.timezone)).date()


class ProgressBar:
    """`[#######.............]  35 % (350/1000)` on stderr, redrawn only when the percent moves."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self._stream = stream
        self._width = width
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        if total <= PROGRESS_MIN_ROWS:
            return
        percent = 100 * done // total
        if percent == self._shown:
            return
        self._shown = percent
        filled = self._width * done // total
        bar = "#" * filled + "." * (self._width - filled)
        self._stream.write(f"\r[{bar}] {percent:3d} % ({done}/{total})")
        if done >= total:
            self._stream.write("\n")
        self._stream.flush()


def import_contracts_command(
    settings: Settings, path: Path, *, dry_run: bool, mapping: Path | None
) -> int:
    """Import a KAV export; exit 0 with a report (rejected rows listed), 1 if unreadable."""
    from bot.wiring import reminder_policy
    from integrations.contracts.importer import ImportFileError, import_contracts
    from integrations.db.engine import create_engine
    from integrations.db.uow import SqlUnitOfWorkFactory

    now = datetime.now(UTC)

    async def run() -> int:
        engine = create_engine(settings.db.url, schema=settings.db.schema_name)
        try:
            report = await import_contracts(
                path,
                uow_factory=SqlUnitOfWorkFactory(engine),
                policy=reminder_policy(settings),
                today=_today(settings, now),
                now=now,
                dry_run=dry_run,
                mapping=mapping,
                on_progress=ProgressBar(sys.stderr),
                lang=_LANG,
            )
        except ImportFileError as error:
            sys.stderr.write(f"{error}\n")
            return 1
        finally:
            await engine.dispose()
        out = sys.stdout
        out.write(
            t(
                "contracts.import.summary",
                _LANG,
                added=report.added,
                changed=report.changed,
                unchanged=report.unchanged,
                rejected=len(report.rejected),
                total=report.total,
            )
            + "\n"
        )
        if report.dry_run:
            out.write(t("contracts.import.dry_run", _LANG) + "\n")
        if report.rejected:
            out.write(t("contracts.import.rejected_header", _LANG) + "\n")
        for line, number, reasons in report.rejected:
            key = (
                "contracts.import.rejected_line"
                if number
                else "contracts.import.rejected_line_no_number"
            )
            out.write(t(key, _LANG, line=line, number=number, reasons="; ".join(reasons)) + "\n")
        return 0

    return asyncio.run(run())


def describe_reminder(due: ReminderDue, lang: str = _LANG) -> str:
    if due.milestone == "expiry":
        milestone = t("contracts.milestone.expiry", lang)
    elif due.kind is MilestoneKind.CONSUMPTION:
        milestone = t("contracts.milestone.consumption", lang, percent=due.lead.removesuffix("%"))
    else:
        milestone = t("contracts.milestone.option", lang, n=due.milestone.removeprefix("option-"))
    return t(
        "contracts.scan.line",
        lang,
        number=due.contract_number,
        milestone=milestone,
        deadline=format_date(due.deadline),
        lead=due.lead,
        escalation=t("contracts.scan.escalation", lang) if due.escalation else "",
    )


def scan_reminders_command(
    settings: Settings,
    as_of: date | None,
    *,
    make_queue: Callable[[SqlUnitOfWork], QueueReminder] | None = None,
) -> int:
    """Scan for due reminders and print them.

    `make_queue(uow)` gives the callback that queues a reminder's notice in the scan's own
    transaction (the Teams layer's outbox notice). Without it nothing is recorded, so no
    reminder is used up unsent; the command only shows what is due.
    """
    from bot.wiring import reminder_policy
    from integrations.db.contracts import contract_repository
    from integrations.db.engine import create_engine
    from integrations.db.uow import SqlUnitOfWorkFactory

    now = datetime.now(UTC)
    day = as_of or _today(settings, now)
    lines: list[str] = []

    async def run() -> ScanResult:
        engine = create_engine(settings.db.url, schema=settings.db.schema_name)
        try:
            async with SqlUnitOfWorkFactory(engine)() as uow:
                queue = make_queue(uow) if make_queue is not None else None

                async def record(due: ReminderDue, contract: Contract) -> None:
                    lines.append(describe_reminder(due))
                    if queue is not None:
                        await queue(due, contract)

                sink: QueueReminder = record
                result = await scan_reminders(
                    contracts=contract_repository(uow),
                    policy=reminder_policy(settings),
                    as_of=day,
                    now=now,
                    queue=sink,
                )
                if queue is not None:
                    await uow.commit()
                return result
        finally:
            await engine.dispose()

    result = asyncio.run(run())
    out = sys.stdout
    out.write(
        t(
            "contracts.scan.summary",
            _LANG,
            as_of=format_date(day),
            queued=result.queued,
            already_sent=result.already_sent,
            contracts=result.contracts_checked,
        )
        + "\n"
    )
    for line in lines:
        out.write(f"  {line}\n")
    if make_queue is None:
        out.write(t("contracts.scan.not_saved", _LANG) + "\n")
    return 0
