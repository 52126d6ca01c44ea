"""3. Proactive fan-out: N notices through the outbox to a connector enforcing Teams' limits.

The notices and the recipients' conversation references are written to a fresh SQLite
database first (`queue_notice` and `conversations.upsert` inside units of work, in chunks); then
the real bot process starts (`python -m bot serve`, worker on) and its OutboxWorker delivers them
with BotConnectorSender. Most notices go round-robin to many distinct users; a few "hot" users
get a burst of 8 in a row, more than Teams' 7 per second per conversation. The worker's global
rate is set just under the fake's per-app limit. The rate is measured at the fake between the 5th
and the 95th percentile of deliveries (the steady state, without start-up and the retry tail).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from botbuilder.schema import Activity
from sqlalchemy import func, select
from sqlmodel import col

from bot.core.clock import SystemClock
from bot.core.services.conversations import queue_notice
from bot.teams.activity import reference_of
from integrations.db.engine import create_engine
from integrations.db.tables import OutboxRow
from integrations.db.uow import SqlUnitOfWorkFactory
from tests.bench.processes import bot_server, cpu_seconds, migrate
from tests.bench.profile import Profile
from tests.bench.report import BenchResult, Target, ratio_of
from tests.bench.teams_connector import Limits, TeamsConnector
from tests.support.builders import User, make_message

HOT_BURST = 8
CHUNK = 500
WORKER_SHARE = 0.98  # of the fake's per-app limit


def plan(notices: int, recipients: list[str], hot: int) -> list[str]:
    """The recipient of each notice, in queue order: hot bursts first, then round-robin."""
    order = [r for r in recipients[:hot] for _ in range(HOT_BURST)]
    rest = notices - len(order)
    order += [recipients[i % len(recipients)] for i in range(rest)]
    return order[:notices]


async def seed(db_url: str, service_url: str, profile: Profile) -> int:
    engine = create_engine(db_url)
    uow = SqlUnitOfWorkFactory(engine)
    clock = SystemClock()
    users = [User(f"aad-fan-{n}", f"Mottaker {n}") for n in range(profile.fanout_recipients)]
    keys: list[str] = []
    try:
        for start in range(0, len(users), CHUNK):
            async with uow() as work:
                for user in users[start : start + CHUNK]:
                    activity = Activity().deserialize(make_message(user, "hei", service_url))
                    ref = reference_of(activity)
                    assert ref is not None
                    await work.conversations.upsert(ref, now=clock.now())
                    keys.append(ref.ref_key)
                await work.commit()
        order = plan(profile.fanout_notices, keys, profile.fanout_hot_recipients)
        card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock"}]}
        for start in range(0, len(order), CHUNK):
            async with uow() as work:
                for index in range(start, min(start + CHUNK, len(order))):
                    key = f"bench-notice-{index}"
                    card["body"][0]["text"] = f"Varsel {index}"
                    await queue_notice(
                        work,
                        recipient=order[index],
                        idempotency_key=key,
                        clock=clock,
                        text=f"Nytt varsel {key}",
                        card=card,
                    )
                await work.commit()
    finally:
        await engine.dispose()
    return len(order)


async def outbox_status(db_url: str) -> dict[str, int]:
    engine = create_engine(db_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(col(OutboxRow.status), func.count()).group_by(col(OutboxRow.status))
            )
            return {str(status): int(count) for status, count in rows.all()}
    finally:
        await engine.dispose()


def steady_rate(times: list[float], start: float, end: float) -> float:
    inside = sum(1 for t in times if start <= t <= end)
    return inside / (end - start) if end > start else 0.0


async def run_fanout(profile: Profile, workdir: Path) -> BenchResult:
    result = BenchResult("fanout")
    limit = int(profile.fanout_global_rate)
    worker_rate = round(limit * WORKER_SHARE, 2)
    batch = max(20, limit)  # one second's worth: more in flight only adds SQLite lock waits
    db_url = f"sqlite+aiosqlite:///{workdir}/fanout.db"
    migrate(db_url)
    fake = await TeamsConnector(Limits(global_per_second=limit)).start()
    server = bot_server(
        db_url,
        workdir,
        "fanout-bot",
        WORKER__ENABLED="true",
        WORKER__GLOBAL_RATE_PER_SECOND=str(worker_rate),
        WORKER__BATCH_SIZE=str(batch),
    )
    seed_started = time.perf_counter()
    try:
        total = await seed(db_url, fake.url, profile)
        seed_seconds = time.perf_counter() - seed_started
        await server.start("/readyz")
        deadline = time.monotonic() + 3 * total / limit + 60
        while len(fake.delivered) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.25)
        await asyncio.sleep(2.0)  # anything sent twice arrives now
        bot_cpu = cpu_seconds(server.pid)
    finally:
        await server.stop()
        await fake.close()
    statuses = await outbox_status(db_url)

    times = sorted(fake.delivery_times)
    n = len(times)
    t5, t95 = (times[int(0.05 * n)], times[int(0.95 * n) - 1]) if n >= 20 else (0.0, 0.0)
    delivered_rate = steady_rate(times, t5, t95)
    request_rate = steady_rate(fake.request_times, t5, t95)
    lost = total - len(fake.delivered)
    duplicates = sum(count - 1 for count in fake.delivered.values() if count > 1)
    faults = sum(fake.injected.values())
    fault_share = faults / max(1, len(fake.request_times))
    result.add(
        "send rate / allowed",
        request_rate,
        unit="req/s",
        baseline=limit,
        ratio=ratio_of(request_rate, limit),
        target=Target(">=", 0.95),
        note="requests within the limits (deliveries and injected faults) per allowed request",
    )
    result.add(
        "delivery rate / allowed",
        delivered_rate,
        unit="msg/s",
        baseline=limit,
        ratio=ratio_of(delivered_rate, limit),
        target=Target(">=", round(0.95 * (1 - fault_share), 3)),
        note="2xx deliveries per allowed request; the injected faults use their share",
    )
    result.add("lost", lost, target=Target("==", 0, on_ratio=False))
    result.add("duplicates", duplicates, target=Target("==", 0, on_ratio=False))
    result.add(
        "limit 429s",
        sum(fake.throttled.values()),
        note="requests the fake refused for exceeding a Teams limit (the worker's pacing)",
    )
    wall = (times[-1] - times[0]) if times else 0.0
    result.raw = {
        "notices": total,
        "recipients": profile.fanout_recipients,
        "hot_recipients": profile.fanout_hot_recipients,
        "hot_burst": HOT_BURST,
        "fake_global_limit_per_second": limit,
        "worker_global_rate_per_second": worker_rate,
        "worker_batch_size": batch,
        "seed_seconds": round(seed_seconds, 1),
        "bot_cpu_seconds": round(bot_cpu, 1),
        "bot_cpu_ms_per_request": round(1000 * bot_cpu / max(1, len(fake.request_times)), 2),
        "first_to_last_delivery_seconds": round(wall, 1),
        "overall_delivery_rate": round(n / wall, 1) if wall else 0,
        "steady_window_seconds": round(t95 - t5, 1),
        "requests_within_limits": len(fake.request_times),
        "injected_faults": dict(fake.injected),
        "injected_share": round(fault_share, 4),
        "limit_429s": dict(fake.throttled),
        "unkeyed_activities": fake.unkeyed,
        "outbox_status": statuses,
        "delivered_per_notice": dict(Counter(fake.delivered.values())),
        "measured_at": datetime.now(UTC).isoformat(),
    }
    result.notes.append(
        f"{total} notices to {profile.fanout_recipients} users ({profile.fanout_hot_recipients} "
        f"get {HOT_BURST} in a row); fake per-app limit {limit}/s, worker "
        f"global_rate_per_second={worker_rate}, batch_size={batch}; "
        f"{fault_share:.1%} of requests got an injected 429/503. Steady state = 5th..95th "
        "percentile of deliveries. The delivery-rate target is 0.95 of what the injected faults "
        "leave (they spend allowed requests by design)."
    )
    return result
