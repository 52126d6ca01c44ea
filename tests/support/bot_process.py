"""The real bot as a separate OS process (`python -m bot migrate`, then `python -m bot serve`),
so tests can SIGKILL it at any moment and start it again on the same database.

`BotProcess` has the same `post()`/`get()` as `tests.support.harness.BotHarness`, so
`NeedDriver` and friends drive it unchanged.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

from tests.support.harness import BotHttpClient, Database

REPO_ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(database: Database, port: int, **extra: str) -> dict[str, str]:
    """The environment for a bot process: our database, our port, fast worker timings."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing from the caller's shell may reconfigure the bot under test.
        if not key.startswith(("BOT__", "DB__", "WORKER__", "GRAPH__", "DIRECTORY__"))
        and key not in ("ALLOWED_TENANTS", "FORCE_LOCALE", "ENV", "LOG_FORMAT", "LOG_LEVEL")
    }
    env.update(
        {
            "ENV": "test",
            "LOG_FORMAT": "text",
            "LOG_LEVEL": "INFO",
            "DB__URL": database.url,
            "DB__SCHEMA_NAME": database.schema,
            "BOT__HOST": "127.0.0.1",
            "BOT__PORT": str(port),
            "FORCE_LOCALE": "nb-NO",
            "WORKER__POLL_INTERVAL_SECONDS": "0.05",
            "WORKER__BACKOFF_BASE_SECONDS": "0.05",
            "WORKER__BACKOFF_MAX_SECONDS": "0.5",
            "PYTHONPATH": str(REPO_ROOT),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


class BotProcess(BotHttpClient):
    """One bot process at a time on a fixed port and database; `kill()` is SIGKILL."""

    def __init__(self, database: Database, workdir: Path, **env: str) -> None:
        self.database = database
        self.workdir = workdir
        self.port = free_port()
        self.env = bot_env(database, self.port, **env)
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.session: aiohttp.ClientSession | None = None
        self.workdir.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.workdir / "bot.log"

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _run(self, *args: str, timeout: float = 60) -> None:
        with self.log_path.open("ab") as log:
            subprocess.run(
                [sys.executable, "-m", "bot", *args],
                cwd=self.workdir,  # no stray .env from the repository
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                check=True,
                timeout=timeout,
            )

    async def start(self, *, migrate: bool = True, timeout: float = 30.0) -> BotProcess:
        assert self.process is None or self.process.poll() is not None, "already running"
        if migrate:
            await asyncio.to_thread(self._run, "migrate")
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=self.workdir,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        self.starts += 1
        if self.session is None:
            self.session = aiohttp.ClientSession()
        await self.wait_healthy(timeout)
        return self

    async def wait_healthy(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(
                    f"bot exited with {self.process.returncode}:\n{self.log_text()[-3000:]}"
                )
            try:
                status, _ = await self.get("/healthz")
                if status == 200:
                    return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
        raise AssertionError(f"bot not healthy after {timeout}s:\n{self.log_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no graceful shutdown, exactly like a crashed host."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    async def restart(self) -> None:
        self.kill()
        await self.start(migrate=False)

    async def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                await asyncio.to_thread(self.process.wait, 10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self.session is not None:
            await self.session.close()
            self.session = None
