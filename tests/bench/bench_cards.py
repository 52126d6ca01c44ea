"""2. Card clicks: `adaptiveCard/action` invokes on pending approvals, p50/p99.

The bot runs in its own process on SQLite. Ola writes to it once; Kari files needs through the
needs conversation (each a pending approval for Ola). Then Ola's client refreshes approval cards
(`approval.refresh`, the invoke Teams sends whenever the card is shown), and approves each case
once (`approval.approve`: a decision, an audit entry and outbox edits in one transaction). The
baseline is an invoke of an unknown verb on the same bot: the whole invoke round trip without
any feature work. The delivery worker is off in this bot, so the cards the approvals queue do
not race the needs driver reading Kari's conversation; it would only add background writes.
"""

from __future__ import annotations

import asyncio
import importlib.util
import re
from pathlib import Path
from typing import Any

from tests.bench.client import BotClient, new_session
from tests.bench.processes import bot_server, migrate
from tests.bench.profile import Profile
from tests.bench.report import BenchResult, Target, ratio_of
from tests.bench.stats import Latency
from tests.support.builders import KARI, OLA, User, make_card_action, make_message
from tests.support.fake_connector import FakeConnector
from tests.support.need_driver import NeedDriver, draft_id_of, verbs_in

SENTENCE = "vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året, avtale på 2+1+1 år"
CASE_NUMBER = re.compile(r"ANS-\d{4}-\d{4}")
APPROVE, REFRESH, UNKNOWN = "approval.approve", "approval.refresh", "bench.unknown-verb"
CARD = "application/vnd.microsoft.card.adaptive"


def approvals_present() -> bool:
    return importlib.util.find_spec("bot.teams.features.approvals") is not None


async def file_need(client: BotClient, connector: FakeConnector) -> str:
    driver = NeedDriver(client, connector, KARI)
    await driver.say(SENTENCE)
    summary = await driver.answer_until_summary()
    replies = await driver.click({"verb": "need.submit", "draft_id": draft_id_of(summary)})
    found = CASE_NUMBER.findall(" ".join(r.all_text() for r in replies))
    if not found:
        raise RuntimeError("filing a need gave no case number")
    return str(found[0])


async def clicks(
    client: BotClient,
    connector: FakeConnector,
    user: User,
    jobs: list[tuple[str, dict[str, Any]]],
    concurrency: int,
) -> tuple[list[float], list[dict[str, Any]]]:
    """Run the (verb, data) invokes with `concurrency` clicks in flight; latencies and bodies."""
    queue: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    latencies: list[float] = []
    bodies: list[dict[str, Any]] = []

    async def clicker() -> None:
        while not queue.empty():
            verb, data = queue.get_nowait()
            activity = make_card_action(user, verb, data, connector.url)
            status, body, seconds = await client.timed_post(activity)
            latencies.append(seconds)
            bodies.append(body if status == 200 and isinstance(body, dict) else {"status": status})

    await asyncio.gather(*(clicker() for _ in range(concurrency)))
    return latencies, bodies


def _card_with(body: dict[str, Any], verb: str | None) -> bool:
    if body.get("statusCode") != 200 or body.get("type") != CARD:
        return False
    return verb is None or verb in verbs_in(body.get("value") or {})


async def run_cards(profile: Profile, workdir: Path) -> BenchResult:
    result = BenchResult("cards")
    db_url = f"sqlite+aiosqlite:///{workdir}/cards.db"
    migrate(db_url)
    connector = FakeConnector()
    await connector.start()
    server = bot_server(db_url, workdir, "cards-bot", WORKER__ENABLED="false")
    try:
        await server.start("/readyz")
        async with new_session() as session:
            client = BotClient(session, server.url)
            await client.post(make_message(OLA, "hei", connector.url))  # Ola has written once
            numbers = [await file_need(client, connector) for _ in range(profile.card_needs)]
            probe, _ = await clicks(client, connector, OLA, [(REFRESH, {"case_id": numbers[0]})], 1)
            _, (first,) = await clicks(
                client, connector, OLA, [(REFRESH, {"case_id": numbers[0], "version": 1})], 1
            )
            real = approvals_present() and _card_with(first, APPROVE)
            base_jobs = [(UNKNOWN, {"case_id": n}) for n in numbers]
            base_jobs = (base_jobs * (profile.card_refreshes // 2 // len(base_jobs) + 1))[
                : profile.card_refreshes // 2
            ]
            base_lat, base_bodies = await clicks(
                client, connector, OLA, base_jobs, profile.card_clickers
            )
            verb = REFRESH if real else "bench.unregistered-refresh"
            jobs = [(verb, {"case_id": n, "version": 1}) for n in numbers]
            jobs = (jobs * (profile.card_refreshes // len(jobs) + 1))[: profile.card_refreshes]
            refresh_lat, refresh_bodies = await clicks(
                client, connector, OLA, jobs, profile.card_clickers
            )
            approve_lat: list[float] = []
            approve_bodies: list[dict[str, Any]] = []
            if real:
                approve_jobs = [(APPROVE, {"case_id": n, "version": 1}) for n in numbers]
                approve_lat, approve_bodies = await clicks(
                    client, connector, OLA, approve_jobs, profile.card_clickers
                )
    finally:
        await server.stop()
        await connector.close()

    base, refresh = Latency.of(base_lat), Latency.of(refresh_lat)
    label = "approval.refresh" if real else "unknown-verb invoke"
    result.add(
        f"{label} p50",
        refresh.p50_ms,
        unit="ms",
        baseline=base.p50_ms,
        ratio=ratio_of(refresh.p50_ms, base.p50_ms),
    )
    result.add(
        f"{label} p99",
        refresh.p99_ms,
        unit="ms",
        baseline=base.p99_ms,
        ratio=ratio_of(refresh.p99_ms, base.p99_ms),
        target=Target("<", 500, on_ratio=False),
    )
    if real:
        approve = Latency.of(approve_lat)
        result.add(
            "approval.approve p50",
            approve.p50_ms,
            unit="ms",
            baseline=base.p50_ms,
            ratio=ratio_of(approve.p50_ms, base.p50_ms),
        )
        result.add(
            "approval.approve p99",
            approve.p99_ms,
            unit="ms",
            baseline=base.p99_ms,
            ratio=ratio_of(approve.p99_ms, base.p99_ms),
            target=Target("<", 500, on_ratio=False),
        )
    bad = sum(not _card_with(b, APPROVE) for b in refresh_bodies) if real else 0
    bad += sum(b.get("statusCode") != 400 for b in base_bodies)  # unknown verb: a 400 body
    bad += sum(not _card_with(b, None) or APPROVE in verbs_in(b["value"]) for b in approve_bodies)
    result.add(
        "wrong answers",
        bad,
        target=Target("==", 0, on_ratio=False),
        note="refresh without the approver's buttons, approve without the decided card",
    )
    result.raw = {
        "approvals_registered": real,
        "pending_cases": len(numbers),
        "concurrent_clickers": profile.card_clickers,
        "baseline_unknown_verb": base.as_dict(),
        "refresh" if real else "unknown_verb": refresh.as_dict(),
        "approve": Latency.of(approve_lat).as_dict() if real else None,
        "first_probe_ms": round(probe[0] * 1000, 1),
    }
    if real:
        result.notes.append(
            f"{len(numbers)} pending approvals filed through the needs conversation; "
            f"{len(refresh_lat)} approval.refresh invokes as the approver aad-ola and "
            f"{len(approve_lat)} approval.approve invokes (one per case), "
            f"{profile.card_clickers} in flight; baseline: {len(base_lat)} unknown-verb invokes."
        )
    else:
        result.notes.append(
            "The approval verbs are not registered in this build: the figure is the latency "
            "of invokes of an unregistered verb (still a full invoke round trip)."
        )
    return result
