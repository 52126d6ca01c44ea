"""Servers in their own process (the bot, the echo bot): start, wait until ready, read RSS, stop.

A server in its own process has a core and a GIL of its own, so the load generator and the fake
connector in the benchmark process do not slow it down, and its memory is measured alone.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(db_url: str, port: int, **extra: str) -> dict[str, str]:
    """The environment of `python -m bot serve`: anonymous, loopback, SQLite, bokmål."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT__", "DB__", "WORKER__"))}
    env.update(
        {
            "ENV": "local",
            "DB__URL": db_url,
            "BOT__HOST": "127.0.0.1",
            "BOT__PORT": str(port),
            "BOT__APP_ID": "",
            "FORCE_LOCALE": "nb-NO",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra)
    return env


def migrate(db_url: str) -> None:
    """`python -m bot migrate`, as an operator would run it."""
    subprocess.run(
        [sys.executable, "-m", "bot", "migrate"],
        cwd=REPO,
        env=bot_env(db_url, 0),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def rss_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, in KiB, from /proc."""
    found: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(rest.split()[0])
    return found


@dataclass
class ServerProcess:
    """One server subprocess; its output goes to `log_path` (never a pipe that could fill)."""

    args: list[str]
    env: dict[str, str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    async def start(self, ready_path: str = "/healthz", timeout: float = 60.0) -> ServerProcess:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, *self.args],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.args} exited; see {self.log_path}")
                try:
                    async with session.get(self.url + ready_path) as response:
                        if response.status == 200:
                            return self
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise TimeoutError(f"{self.args} not ready after {timeout} s; see {self.log_path}")

    def rss(self) -> dict[str, int]:
        return rss_kib(self.pid)

    async def stop(self, timeout: float = 15.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # aiohttp's run_app shuts down cleanly on it
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def bot_server(db_url: str, log_dir: Path, name: str = "bot", **env: str) -> ServerProcess:
    port = free_port()
    return ServerProcess(
        ["-m", "bot", "serve"], bot_env(db_url, port, **env), port, log_dir / f"{name}.log"
    )


def echo_server(log_dir: Path, name: str = "echo") -> ServerProcess:
    port = free_port()
    return ServerProcess(
        ["-m", "tests.bench.echo_bot", "--port", str(port)],
        bot_env("", port),
        port,
        log_dir / f"{name}.log",
    )


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its threads) so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks
