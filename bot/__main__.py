"""Command line: `python -m bot serve|migrate|audit-verify|seed-demo|check-config`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

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
    args = parser.parse_args(argv)

    from bot.observability import setup_logging

    try:
        settings = Settings()
    except Exception as error:  # pydantic ValidationError: say what is wrong, no traceback
        sys.stderr.write(f"configuration error: {error}\n")
        return 2
    setup_logging(settings)
    handlers = {
        "serve": _serve,
        "migrate": _migrate,
        "audit-verify": _audit_verify,
        "check-config": _check_config,
    }
    return handlers[args.command](settings)


if __name__ == "__main__":
    sys.exit(main())
