"""Command line: serve, migrate, audit-verify, check-config, import-contracts, scan-reminders."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from functools import partial
from pathlib import Path

from bot.settings import Settings

log = logging.getLogger("bot")


def _serve(settings: Settings) -> int:
    from aiohttp import web

    from bot.app import create_app

    app = create_app(settings)
    log.info(
        "innkjøpsboten listening on http://%s:%d/api/messages", settings.bot.host, settings.bot.port
    )
    web.run_app(app, host=settings.bot.host, port=settings.bot.port, print=None)
    return 0


def _migrate(settings: Settings) -> int:
    from integrations.db.migrate import upgrade

    upgrade(settings.db.url, settings.db.schema_name)
    log.info("database at the newest migration (%s)", settings.db.url.split("@")[-1])
    return 0


def _audit_verify(settings: Settings) -> int:
    from bot.core.services.audit import verify
    from integrations.db.engine import create_engine
    from integrations.db.uow import SqlUnitOfWorkFactory

    async def run() -> tuple[int, list[str]]:
        engine = create_engine(settings.db.url, schema=settings.db.schema_name)
        try:
            return await verify(SqlUnitOfWorkFactory(engine))
        finally:
            await engine.dispose()

    count, problems = asyncio.run(run())
    if problems:
        for problem in problems:
            sys.stdout.write(f"TAMPERED: {problem}\n")
        sys.stdout.write(f"audit log: {len(problems)} problem(s) in {count} rows\n")
        return 1
    sys.stdout.write(f"audit log intact: {count} rows, hash chain verified\n")
    return 0


def _import_contracts(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli_contracts import import_contracts_command

    return import_contracts_command(settings, args.file, dry_run=args.dry_run, mapping=args.mapping)


def _scan_reminders(settings: Settings, args: argparse.Namespace) -> int:
    if args.dry_run:
        from bot.cli_contracts import scan_reminders_command

        return scan_reminders_command(settings, args.as_of)
    from bot.cli_reminders import deliver_reminders_command

    return deliver_reminders_command(settings, args.as_of)


def _check_config(settings: Settings) -> int:
    mode = "anonymous (loopback only)" if settings.anonymous else f"app {settings.bot.app_id}"
    sys.stdout.write(f"configuration OK: env={settings.env.value}, {mode}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="innkjøpsboten")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the bot (and its worker) on BOT__HOST:BOT__PORT")
    commands.add_parser("migrate", help="apply database migrations")
    commands.add_parser("audit-verify", help="check the audit log's hash chain")
    commands.add_parser("check-config", help="validate settings and exit")
    importer = commands.add_parser(
        "import-contracts", help="import the contract register from a KAV export (CSV/XLSX)"
    )
    importer.add_argument("file", type=Path)
    importer.add_argument(
        "--dry-run", action="store_true", help="validate and report, write nothing"
    )
    importer.add_argument("--mapping", type=Path, default=None, help="YAML with column names")
    scan = commands.add_parser("scan-reminders", help="show or queue due contract reminders")
    scan.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD")
    scan.add_argument(
        "--dry-run", action="store_true", help="only list what is due; record and send nothing"
    )
    args = parser.parse_args(argv)

    from bot.observability import setup_logging

    try:
        settings = Settings()
    except Exception as error:  # pydantic ValidationError: say what is wrong, no traceback
        sys.stderr.write(f"configuration error: {error}\n")
        return 2
    setup_logging(settings)
    handlers: dict[str, Callable[[Settings], int]] = {
        "serve": _serve,
        "migrate": _migrate,
        "audit-verify": _audit_verify,
        "check-config": _check_config,
        "import-contracts": partial(_import_contracts, args=args),
        "scan-reminders": partial(_scan_reminders, args=args),
    }
    return handlers[args.command](settings)


if __name__ == "__main__":
    sys.exit(main())
