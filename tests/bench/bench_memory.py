"""5. Resident memory of the bot process, idle and with conversations mid-dialog.

`python -m bot migrate` then `python -m bot serve` on a temp SQLite file (worker off), measured
alone from /proc/<pid>/status: idle after start-up, then after each of N users started a needs
report with a free sentence and answered the question it asked. The echo bot process, given the
same traffic, is the baseline.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.bench.client import BotClient, new_session
from tests.bench.lean_connector import LeanConnector
from tests.bench.processes import ServerProcess, bot_server, echo_server, migrate
from tests.bench.profile import Profile
from tests.bench.report import BenchResult, Target, ratio_of
from tests.support.builders import User, make_message
from tests.support.need_driver import ANSWERS, asked_field

SENTENCE = "vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året, avtale på 2+1+1 år"
CONCURRENCY = 20


async def mid_dialog(server: ServerProcess, connector: LeanConnector, count: int) -> int:
    """Each user starts a needs report and answers one question; returns how many were asked."""
    asked = 0
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with new_session(CONCURRENCY + 5) as session:
        client = BotClient(session, server.url)

        async def one(n: int) -> None:
            nonlocal asked
            user = User(f"aad-mem-{n}", f"Bruker {n}")
            async with semaphore:
                await client.post(make_message(user, SENTENCE, connector.url))
                field = asked_field(connector.last_card(user.personal_conversation))
                asked += field is not None
                answer = ANSWERS.get(field or "", ANSWERS["description"])
                await client.post(make_message(user, answer, connector.url))

        await asyncio.gather(*(one(n) for n in range(count)))
    return asked


async def _measure(server: ServerProcess, connector: LeanConnector, count: int) -> dict[str, int]:
    await server.start("/readyz" if "bot" in server.args else "/healthz")
    try:
        await asyncio.sleep(1.0)
        idle = server.rss()
        asked = await mid_dialog(server, connector, count)
        await asyncio.sleep(1.0)
        busy = server.rss()
    finally:
        await server.stop()
    return {
        "idle_kib": idle["VmRSS"],
        "busy_kib": busy["VmRSS"],
        "peak_kib": busy["VmHWM"],
        "asked": asked,
    }


async def run_memory(profile: Profile, workdir: Path) -> BenchResult:
    result = BenchResult("memory")
    count = profile.memory_conversations
    db_url = f"sqlite+aiosqlite:///{workdir}/memory.db"
    migrate(db_url)
    connector = await LeanConnector().start()
    try:
        bot = await _measure(
            bot_server(db_url, workdir, "memory-bot", WORKER__ENABLED="false"), connector, count
        )
        echo = await _measure(echo_server(workdir, "memory-echo"), connector, count)
    finally:
        await connector.close()
    mib = 1024
    result.add(
        "RSS idle",
        bot["idle_kib"] / mib,
        unit="MiB",
        baseline=round(echo["idle_kib"] / mib, 1),
        ratio=ratio_of(bot["idle_kib"], echo["idle_kib"]),
        target=Target("<", 150, on_ratio=False),
    )
    result.add(
        f"RSS, {count} mid-dialog",
        bot["busy_kib"] / mib,
        unit="MiB",
        baseline=round(echo["busy_kib"] / mib, 1),
        ratio=ratio_of(bot["busy_kib"], echo["busy_kib"]),
        target=Target("<", 150, on_ratio=False),
    )
    result.add(
        "peak RSS (VmHWM)",
        bot["peak_kib"] / mib,
        unit="MiB",
        baseline=round(echo["peak_kib"] / mib, 1),
        ratio=ratio_of(bot["peak_kib"], echo["peak_kib"]),
    )
    result.raw = {"bot": bot, "echo": echo, "conversations": count}
    result.notes.append(
        f"{count} users each sent a free sentence (a needs report starts) and answered the "
        f"question asked ({bot['asked']} of {count} were asked a known question); the echo bot "
        "got the same messages. RSS from /proc of the server process alone."
    )
    return result
