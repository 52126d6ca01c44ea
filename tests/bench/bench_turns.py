"""1. Message turns through the whole stack, against a bare botbuilder echo bot.

Both bots run in their own process (`python -m bot serve` on SQLite in a temp dir, and
`python -m tests.bench.echo_bot`); this process is the load generator and the fake connector.
Each simulated user is one personal conversation that waits for the answer before it writes
again (closed loop) and runs a cycle of five turns: "hjelp", a free sentence that starts a needs
report, two answers, "avbryt". Every turn reads and writes the dialog state in the database and
posts its reply to the fake connector before the HTTP answer comes back, so the latency is the
user's wait. The echo bot gets the same messages.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.bench.client import BotClient, new_session
from tests.bench.lean_connector import LeanConnector
from tests.bench.processes import ServerProcess, bot_server, cpu_seconds, echo_server, migrate
from tests.bench.profile import Profile
from tests.bench.report import BenchResult, Target, ratio_of
from tests.bench.stats import Latency
from tests.support.builders import User, make_message
from tests.support.need_driver import ANSWERS

SENTENCE = "vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året, avtale på 2+1+1 år"
CYCLE = ("hjelp", SENTENCE, ANSWERS["description"], ANSWERS["service_area"], "avbryt")


@dataclass
class Run:
    server: str
    turns: int = 0
    errors: int = 0
    replies: int = 0
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    by_step: dict[int, list[float]] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.turns / self.wall_seconds if self.wall_seconds else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "server": self.server,
            "turns": self.turns,
            "errors": self.errors,
            "replies": self.replies,
            "wall_seconds": round(self.wall_seconds, 3),
            "turns_per_second": round(self.per_second, 1),
            "server_cpu_ms_per_turn": round(1000 * self.cpu_seconds / max(1, self.turns), 2),
            "latency": Latency.of(self.latencies).as_dict(),
            "latency_by_step": {
                CYCLE[step][:24]: Latency.of(values).as_dict()
                for step, values in sorted(self.by_step.items())
            },
        }


async def drive(
    server: ServerProcess,
    connector: LeanConnector,
    users: list[User],
    cycles: int,
    name: str,
) -> Run:
    run = Run(name)
    before_replies = connector.received
    async with new_session(len(users) + 10) as session:
        client = BotClient(session, server.url)

        async def one_user(user: User) -> None:
            for _ in range(cycles):
                for step, text in enumerate(CYCLE):
                    status, _, seconds = await client.timed_post(
                        make_message(user, text, connector.url)
                    )
                    run.latencies.append(seconds)
                    run.by_step.setdefault(step, []).append(seconds)
                    run.turns += 1
                    if status not in (200, 201):
                        run.errors += 1

        cpu_before = cpu_seconds(server.pid)
        started = time.perf_counter()
        await asyncio.gather(*(one_user(u) for u in users))
        run.wall_seconds = time.perf_counter() - started
        run.cpu_seconds = cpu_seconds(server.pid) - cpu_before
    run.replies = connector.received - before_replies
    return run


def _users(tag: str, count: int) -> list[User]:
    return [User(f"aad-bench-{tag}-{n}", f"Bruker {n}") for n in range(count)]


async def run_turns(profile: Profile, workdir: Path) -> BenchResult:
    result = BenchResult("turns")
    db_url = f"sqlite+aiosqlite:///{workdir}/turns.db"
    migrate(db_url)
    connector = await LeanConnector().start()
    servers = {"bot": bot_server(db_url, workdir, "turns-bot"), "echo": echo_server(workdir)}
    runs: dict[str, list[Run]] = {"bot": [], "echo": []}
    try:
        await servers["bot"].start("/readyz")
        await servers["echo"].start()
        for name, server in servers.items():  # warm-up: lazy imports, parsers, connections
            await drive(server, connector, _users(f"warm-{name}", 4), 1, name)
        for round_no in range(profile.turn_rounds):
            for name, server in servers.items():
                users = _users(f"{name}-{round_no}", profile.turn_users)
                runs[name].append(await drive(server, connector, users, profile.turn_cycles, name))
    finally:
        for server in servers.values():
            await server.stop()
        await connector.close()

    bot = max(runs["bot"], key=lambda r: r.per_second)
    echo = max(runs["echo"], key=lambda r: r.per_second)
    bot_lat, echo_lat = Latency.of(bot.latencies), Latency.of(echo.latencies)
    result.add(
        "throughput",
        bot.per_second,
        unit="turns/s",
        baseline=round(echo.per_second, 1),
        ratio=ratio_of(bot.per_second, echo.per_second),
        target=Target(">=", 0.8),
    )
    result.add(
        "p50 latency",
        bot_lat.p50_ms,
        unit="ms",
        baseline=echo_lat.p50_ms,
        ratio=ratio_of(bot_lat.p50_ms, echo_lat.p50_ms),
    )
    result.add(
        "p99 latency",
        bot_lat.p99_ms,
        unit="ms",
        baseline=echo_lat.p99_ms,
        ratio=ratio_of(bot_lat.p99_ms, echo_lat.p99_ms),
        target=Target("<=", 2.0),
    )
    bot_cpu = 1000 * bot.cpu_seconds / max(1, bot.turns)
    echo_cpu = 1000 * echo.cpu_seconds / max(1, echo.turns)
    result.add(
        "server CPU per turn",
        bot_cpu,
        unit="ms",
        baseline=round(echo_cpu, 2),
        ratio=ratio_of(bot_cpu, echo_cpu),
    )
    result.add(
        "failed turns",
        bot.errors + echo.errors + max(0, bot.turns - bot.replies),
        target=Target("==", 0, on_ratio=False),
        note="non-2xx answers, or turns without a reply at the fake connector",
    )
    result.raw = {
        "users": profile.turn_users,
        "turns_per_user": profile.turn_cycles * len(CYCLE),
        "cycle": list(CYCLE),
        "rounds": [r.summary() for name in runs for r in runs[name]],
        "chosen": {"bot": bot.summary(), "echo": echo.summary()},
    }
    result.notes.append(
        f"{profile.turn_users} concurrent users x {profile.turn_cycles * len(CYCLE)} turns, "
        f"closed loop, best of {profile.turn_rounds} alternating round(s) per server. Each bot "
        "runs in its own process (own core and GIL); the load generator and the fake connector "
        "share this one. Replies leave both bots through msrest/requests in a thread pool, "
        "inside the turn, so they are part of the measured latency."
    )
    return result
