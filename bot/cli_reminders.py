"""`python -m bot scan-reminders [--as-of DATE]`: record the reminders that have come due and
queue their cards through the outbox (the running bot's worker delivers them)."""

from __future__ import annotations

import asyncio
import sys
from datetime import date

from bot.cli_contracts import describe_reminder
from bot.core.clock import SystemClock
from bot.core.domain.contract_rows import format_date
from bot.core.domain.contracts import Contract, ReminderDue
from bot.core.domain.directory import Directory
from bot.core.domain.reminder_actions import ReminderRecord
from bot.core.i18n import t
from bot.core.services.reminder_context import ReminderContext
from bot.core.services.reminder_delivery import scan_and_deliver
from bot.settings import Settings

_LANG = "nb"


def deliver_reminders_command(settings: Settings, as_of: date | None) -> int:
    from bot.teams.features.reminder_views import ReminderCardViews
    from bot.wiring import (
        GraphLifecycle,
        reminder_policy,
        reminder_store,
        reminder_tenant,
        static_directory,
    )
    from integrations.db.engine import create_engine
    from integrations.db.uow import SqlUnitOfWorkFactory

    lines: list[str] = []
    tenant = reminder_tenant(settings)
    if not tenant:
        sys.stderr.write(t("reminder.cli.no_tenant", _LANG) + "\n")

    def seen(reminder: ReminderRecord, contract: Contract) -> None:
        due = ReminderDue(
            reminder.contract_number,
            reminder.milestone,
            reminder.lead,
            reminder.due_on,
            reminder.deadline,
            reminder.escalation,
        )
        lines.append(describe_reminder(due))

    async def run() -> tuple[int, int, int, date]:
        engine = create_engine(settings.db.url, schema=settings.db.schema_name)
        graph = GraphLifecycle(
            settings, directory=settings.directory.source == "graph", installer=False
        )
        await graph.start()
        directory: Directory = graph.directory or static_directory(settings)
        try:
            clock = SystemClock()
            ctx = ReminderContext(
                uow=SqlUnitOfWorkFactory(engine),
                clock=clock,
                directory_of=lambda: directory,
                cards=ReminderCardViews(lambda: directory),
                store_of=reminder_store,
                tenant_id=tenant,
                policy=reminder_policy(settings),
                snooze_days=settings.reminders.snooze_days,
                tz=settings.timezone,
            )
            day = as_of or ctx.today()
            result = await scan_and_deliver(ctx, day, on_delivered=seen)
            return result.queued, result.already_sent, result.contracts_checked, day
        finally:
            await graph.stop()
            await engine.dispose()

    queued, already_sent, checked, day = asyncio.run(run())
    out = sys.stdout
    out.write(
        t(
            "contracts.scan.summary",
            _LANG,
            as_of=format_date(day),
            queued=queued,
            already_sent=already_sent,
            contracts=checked,
        )
        + "\n"
    )
    for line in lines:
        out.write(f"  {line}\n")
    return 0
