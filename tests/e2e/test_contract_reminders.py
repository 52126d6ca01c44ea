"""Contract reminders end to end: import a register, move the clock, the worker's scan delivers
each reminder card once to the right people; the four actions and the option approval over HTTP.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.core.domain.contracts import ReminderPolicy
from bot.settings import ReminderSettings
from integrations.contracts.importer import import_contracts
from integrations.db.reminders import reminder_repository
from tests.support.approval_driver import (
    CHANNEL_ID,
    INGRID,
    LISE,
    MARTE,
    PER,
    TEAM_ID,
    ShiftedClock,
    activity_id_of,
    cards_in,
    click,
    say,
    say_in_channel,
    texts,
    wait_card,
    wait_put,
    wait_text,
)
from tests.support.builders import KARI, TENANT, User
from tests.support.deviation_driver import deviation_case
from tests.support.need_driver import verbs_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]

AASE = User("aad-aase", "Åse Lie")  # innkjøpskontakt of helse
GUEST = User("aad-gjest", "Gustav Gjest (Konsulenthuset AS)")
START = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # Tuesday 1 December 2026, 09:00 in Oslo

HEADER = (
    "Avtalenummer;Avtalenavn;Leverandør;Organisasjonsnummer;Startdato;Sluttdato;Opsjoner;"
    "Opsjonsfrist;Avtaleforvalter;Tjenesteområde;Avtaletype;Anslått verdi;Maksimal verdi"
)
# AV-2024-001: option 1 (a year from 01.06.2027), notice by 01.03.2027: the 3-month reminder is
# due on 01.12.2026, the escalation on 01.02.2027. Managed by Kari, oppvekst (contact: Lise).
OPTION_ROW = (
    "AV-2024-001;Kontorrekvisita;Kontorland AS;974760673;01.01.2024;31.05.2027;1;3 mnd;"
    "kari.nordmann@lillestrom.kommune.no;oppvekst;Rammeavtale varer;1 250 000;2 000 000"
)
# AV-2023-009: no options, ends 30.11.2027: the 12-month reminder is due on 30.11.2026. Its
# manager is not in the directory: the procurement channel gets the card instead.
UNKNOWN_ROW = (
    "AV-2023-009;Sykesenger;Sengeriet AS;974760673;01.12.2023;30.11.2027;;;"
    "ukjent.person@lillestrom.kommune.no;helse;Rammeavtale;800 000;"
)
# AV-2022-004: ends 31.03.2027 (no options): the 9-month reminder came on 30.06.2026, so the
# first scan sends the most urgent lead that has come (9m); managed by Kari.
EXPIRY_ROW = (
    "AV-2022-004;Kopipapir;Papirhuset AS;974760673;01.04.2022;31.03.2027;;;"
    "kari.nordmann@lillestrom.kommune.no;oppvekst;Rammeavtale;300 000;"
)


async def _start(start_bot: Any) -> tuple[Any, ShiftedClock]:
    clock = ShiftedClock(START)
    bot = await start_bot(
        overrides={"clock": clock},
        reminders=ReminderSettings(tenant_id=TENANT, scan_interval_seconds=0.05),
    )
    return bot, clock


async def _import(bot: Any, tmp_path: Path, clock: ShiftedClock, *rows: str) -> None:
    export = tmp_path / "kav.csv"
    export.write_bytes("\n".join([HEADER, *rows]).encode("cp1252"))
    now = clock.now()
    report = await import_contracts(
        export, uow_factory=bot.uow, policy=ReminderPolicy(), today=now.date(), now=now
    )
    assert report.added == len(rows), report


async def _reminders(bot: Any, number: str) -> list[Any]:
    async with bot.uow() as uow:
        store = reminder_repository(uow)
        sent = await store.reminders_for(number)
        return [await store.reminder_for(due) for due in sent]


async def _reminder_card(connector: Any, user: User | str, number: str) -> dict[str, Any]:
    def found(_: Any) -> list[dict[str, Any]]:
        return [c for c in cards_in(connector, user, "reminder.snooze") if number in texts(c)]

    await connector.wait_for(found, 10.0)
    return found(None)[-1]


def _data(card: dict[str, Any]) -> dict[str, Any]:
    action = next(a for a in _actions(card) if a["verb"] == "reminder.snooze")
    return {"reminder_id": action["data"]["reminder_id"], "version": action["data"]["version"]}


def _actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "Action.Execute":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return found


async def _everyone_says_hello(bot: Any, connector: Any, *users: User) -> None:
    for user in users:
        await say(bot, connector, user, "hei")
    await say_in_channel(bot, connector, MARTE)


async def test_reminders_reach_the_right_people_once_each(connector, start_bot, tmp_path):
    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE, INGRID, AASE)
    await _import(bot, tmp_path, clock, OPTION_ROW, UNKNOWN_ROW)

    # The avtaleforvalter and the innkjøpskontakt get the 3-month option reminder.
    kari = await _reminder_card(connector, KARI, "AV-2024-001")
    lise = await _reminder_card(connector, LISE, "AV-2024-001")
    assert "fristen for opsjon 1" in texts(kari) and "01.03.2027" in texts(kari)
    assert "reminder.option" in verbs_in(kari)
    assert "1 250 000 kr" in texts(kari)  # the contract's own manager sees the value
    assert "1 250 000" not in texts(lise)  # the innkjøpskontakt outside procurement does not
    assert "Avvik meldt på avtalen 0" in texts(kari)
    # The unknown manager is written down, and the channel gets the card instead.
    channel = await _reminder_card(connector, CHANNEL_ID, "AV-2023-009")
    assert "800 000" not in texts(channel)  # a channel never shows values
    await _reminder_card(connector, AASE, "AV-2023-009")
    (unknown,) = await _reminders(bot, "AV-2023-009")
    assert "ukjent.person@lillestrom.kommune.no" in (unknown.delivery_note or "")
    assert not cards_in(connector, INGRID, "reminder.snooze")  # no escalation yet

    # Two months on: the 1-month escalation, also to the contract owner and the channel.
    clock.jump(days=62)
    escalated = await _reminder_card(connector, INGRID, "AV-2024-001")
    assert "Eskalert" in texts(escalated)
    await _reminder_card(connector, CHANNEL_ID, "AV-2024-001")
    await wait_card(connector, KARI, "reminder.snooze")

    # Further scans send nothing again: two reminders for AV-2024-001, each once per person.
    async with bot.uow() as uow:
        before = sum((await uow.outbox.stats(now=clock.now())).by_status.values())
    await _wait_scans(bot, clock)
    reminders = await _reminders(bot, "AV-2024-001")
    assert [(r.milestone, r.lead) for r in reminders] == [("option-1", "3m"), ("option-1", "1m")]
    for user, count in ((KARI, 2), (LISE, 2), (INGRID, 1)):
        posted = [
            r
            for r in connector.sent_to(user.personal_conversation)
            if r.method == "POST" and any("reminder.snooze" in verbs_in(c) for c in r.cards)
        ]
        assert len(posted) == count, user
    async with bot.uow() as uow:
        assert sum((await uow.outbox.stats(now=clock.now())).by_status.values()) == before
    # Every card queued is counted: 3m to Kari and Lise, 12m to Åse and the channel, 1m to
    # Kari, Lise, Ingrid and the channel.
    status, metrics = await bot.get("/metrics")
    assert status == 200 and "innkjop_reminders_queued_total 8.0" in metrics


async def _wait_scans(bot: Any, clock: ShiftedClock, scans: int = 3) -> None:
    """Let the worker's scan run a few more times (it scans every 50 ms in these tests)."""
    from bot.app import METRICS_KEY

    metrics = bot.app[METRICS_KEY]
    start = metrics.registry.get_sample_value("innkjop_reminders_queued_total") or 0
    for _ in range(scans):
        await asyncio.sleep(0.1)
    assert (metrics.registry.get_sample_value("innkjop_reminders_queued_total") or 0) == start


async def test_snooze_comes_back_once_and_the_option_is_approved_by_the_owner(
    connector, start_bot, tmp_path
):
    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE, INGRID)
    await _import(bot, tmp_path, clock, OPTION_ROW)
    card = await _reminder_card(connector, KARI, "AV-2024-001")
    data = _data(card)

    # Others are refused with a friendly note and no buttons: a guest, a director not
    # responsible for the contract.
    for outsider in (GUEST, INGRID):
        refused = await click(bot, connector, outsider, "reminder.snooze", data)
        assert "Bare avtaleforvalteren" in texts(refused)
        assert "reminder.snooze" not in verbs_in(refused)
        assert "1 250 000" not in texts(refused) or outsider is not GUEST
    # Refresh: a guest never sees the value; the manager does.
    assert "1 250 000" not in texts(await click(bot, connector, GUEST, "reminder.refresh", data))
    assert "1 250 000" in texts(await click(bot, connector, KARI, "reminder.refresh", data))

    # Snooze, clicked twice: one decision; the second click gets the current card and a note.
    snoozed = await click(bot, connector, KARI, "reminder.snooze", data)
    again = await click(bot, connector, KARI, "reminder.snooze", data)
    assert "15.12.2026" in texts(snoozed) and "reminder.snooze" not in verbs_in(snoozed)
    assert "utdatert" in texts(again)
    (reminder,) = await _reminders(bot, "AV-2024-001")
    assert reminder.status == "snoozed" and reminder.snooze_until == date(2026, 12, 15)
    audit = await _audit(bot, "AV-2024-001")
    assert [e.action for e in audit] == ["contract.reminder.snooze"]
    assert audit[0].actor == KARI.aad_object_id
    # Lise's copy is edited in place.
    lise_key = f"reminder:{reminder.id}:1:user:{TENANT}:{LISE.aad_object_id}"
    put = await wait_put(connector, LISE.personal_conversation, await activity_id_of(bot, lise_key))
    assert "reminder.snooze" not in verbs_in(put.cards[0])

    # Fourteen days later the reminder comes back, once.
    clock.jump(days=14)
    await connector.wait_for(lambda _: len(_posted(connector, KARI, "AV-2024-001")) == 2)
    await _wait_scans(bot, clock)
    assert len(_posted(connector, KARI, "AV-2024-001")) == 2
    (reminder,) = await _reminders(bot, "AV-2024-001")
    assert (reminder.status, reminder.sends) == ("pending", 2)
    card = _posted(connector, KARI, "AV-2024-001")[-1]
    data = _data(card)

    # Utløs opsjon: the contract owner (oppvekst's director Ingrid) gets the approval card.
    requested = await click(bot, connector, LISE, "reminder.option", data)
    assert "Ingrid Solberg" in texts(requested) and "reminder.option" not in verbs_in(requested)
    option_card = await wait_card(connector, INGRID, "option.approve")
    option = next(a for a in _actions(option_card) if a["verb"] == "option.approve")["data"]
    option_data = {"request_id": option["request_id"], "version": option["version"]}
    # The requester cannot approve their own request; Kari is not the owner either.
    refused = await click(bot, connector, LISE, "option.approve", option_data)
    assert "firøyneprinsippet" in texts(refused)
    refused = await click(bot, connector, KARI, "option.approve", option_data)
    assert "Bare avtaleeier Ingrid Solberg" in texts(refused)
    assert "option.approve" not in verbs_in(refused)
    approved = await click(
        bot, connector, INGRID, "option.approve", {**option_data, "comment": "Ja"}
    )
    assert "Godkjent av Ingrid Solberg" in texts(approved)
    assert "option.approve" not in verbs_in(approved)
    (reminder,) = await _reminders(bot, "AV-2024-001")
    assert reminder.status == "option_exercised"
    assert "godkjente at opsjon 1" in await wait_text(connector, LISE, "godkjente at opsjon")
    actions = [e.action for e in await _audit(bot, "AV-2024-001")]
    assert actions == [
        "contract.reminder.snooze",
        "contract.reminder.option",
        "contract.option.approve",
    ]
    # The option is decided: no escalation comes for it.
    clock.jump(days=50)
    await _wait_scans(bot, clock)
    assert [(r.milestone, r.lead) for r in await _reminders(bot, "AV-2024-001")] == [
        ("option-1", "3m")
    ]


async def test_let_expire_and_start_a_new_procurement(connector, start_bot, tmp_path):
    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE, PER)
    await _import(bot, tmp_path, clock, OPTION_ROW, EXPIRY_ROW)

    # La avtalen utløpe, by a member of Innkjøpsseksjonen (who got no card of their own).
    expiry = await _reminder_card(connector, KARI, "AV-2022-004")
    assert "reminder.option" not in verbs_in(expiry)  # no option on this contract
    decided = await click(bot, connector, PER, "reminder.let_expire", _data(expiry))
    assert "la avtalen utløpe" in texts(decided) and "reminder.snooze" not in verbs_in(decided)
    (reminder,) = await _reminders(bot, "AV-2022-004")
    assert (reminder.status, reminder.decided_by) == ("let_expire", PER.aad_object_id)
    assert [e.action for e in await _audit(bot, "AV-2022-004")] == ["contract.reminder.let_expire"]
    # No more reminders for that milestone, even at the escalation.
    clock.jump(days=95)
    await _wait_scans(bot, clock)
    assert len(await _reminders(bot, "AV-2022-004")) == 1

    # Start ny anskaffelse: not in a channel (everyone would share the draft); nothing changes.
    option = await _reminder_card(connector, KARI, "AV-2024-001")
    in_channel = await click(
        bot,
        connector,
        PER,
        "reminder.start",
        _data(option),
        conversation_id=f"{CHANNEL_ID};messageid=1",
        conversation_type="channel",
        channel_data={"team": {"id": TEAM_ID}, "channel": {"id": CHANNEL_ID}},
    )
    assert "chatten din" in texts(in_channel)
    assert (await _reminders(bot, "AV-2024-001"))[0].status == "pending"
    # In Kari's chat the needs report opens, prefilled from the contract.
    before = len(connector.sent_to(KARI.personal_conversation))
    started = await click(bot, connector, KARI, "reminder.start", _data(option))
    assert "Ny anskaffelse startet av Kari Nordmann" in texts(started)
    said = " ".join(r.all_text() for r in connector.sent_to(KARI.personal_conversation)[before:])
    assert "fylt ut fra avtale AV-2024-001" in said
    assert "fylt inn dette fra avtalen" in said and "Tjenesteområde" in said
    # The draft carries the contract: the summary later shows it; here the first missing field
    # is asked, and the estimated yearly value is not (it came from the register).
    assert "verdi per år" not in said.lower()
    (reminder, *_) = await _reminders(bot, "AV-2024-001")
    assert reminder.status == "started"
    assert [e.action for e in await _audit(bot, "AV-2024-001")] == ["contract.reminder.start"]


async def test_a_rejected_option_puts_the_choice_back(connector, start_bot, tmp_path):
    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE, INGRID)
    await _import(bot, tmp_path, clock, OPTION_ROW)
    data = _data(await _reminder_card(connector, KARI, "AV-2024-001"))
    await click(bot, connector, KARI, "reminder.option", data)
    option_card = await wait_card(connector, INGRID, "option.reject")
    option = next(a for a in _actions(option_card) if a["verb"] == "option.reject")["data"]
    rejected = await click(
        bot,
        connector,
        INGRID,
        "option.reject",
        {"request_id": option["request_id"], "version": option["version"], "comment": "Ny runde"},
    )
    assert "Avvist av Ingrid Solberg" in texts(rejected) and "Ny runde" in texts(rejected)
    (reminder,) = await _reminders(bot, "AV-2024-001")
    assert reminder.status == "pending"
    assert "avviste å utløse opsjon 1" in await wait_text(connector, KARI, "avviste å utløse")
    # Kari's copy is edited in place: the buttons are back, with what happened.
    key = f"reminder:{reminder.id}:1:user:{TENANT}:{KARI.aad_object_id}"
    original = await activity_id_of(bot, key)

    def back(requests: list[Any]) -> list[Any]:
        return [
            r
            for r in requests
            if r.method == "PUT"
            and r.activity_id == original
            and "avviste opsjonen" in r.all_text()
            and "reminder.snooze" in verbs_in(r.cards[0])
        ]

    await connector.wait_for(back)
    # A second decision on the same card is refused.
    again = await click(
        bot,
        connector,
        INGRID,
        "option.approve",
        {"request_id": option["request_id"], "version": option["version"]},
    )
    assert "utdatert" in texts(again)
    assert [e.action for e in await _audit(bot, "AV-2024-001")] == [
        "contract.reminder.option",
        "contract.option.reject",
    ]


def _posted(connector: Any, user: User, number: str) -> list[dict[str, Any]]:
    return [
        card
        for r in connector.sent_to(user.personal_conversation)
        if r.method == "POST"
        for card in r.cards
        if "reminder.snooze" in verbs_in(card) and number in texts(card)
    ]


async def _audit(bot: Any, number: str) -> list[Any]:
    async with bot.uow() as uow:
        return [e for e in await uow.audit.all() if e.subject == number]


async def test_the_submit_fallback_answers_in_text(connector, start_bot, tmp_path):
    from tests.support.builders import make_submit

    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE)
    await _import(bot, tmp_path, clock, EXPIRY_ROW)
    data = _data(await _reminder_card(connector, KARI, "AV-2022-004"))
    for user in (GUEST, KARI, KARI):  # refused, done, then a stale card
        status, _ = await bot.post(
            make_submit(user, {"verb": "reminder.let_expire", **data}, connector.url)
        )
        assert status in (200, 201)
    assert "Bare avtaleforvalteren" in await wait_text(connector, GUEST, "Bare avtaleforvalteren")
    assert "AV-2022-004 får utløpe" in await wait_text(connector, KARI, "får utløpe")
    assert "utdatert" in await wait_text(connector, KARI, "utdatert")
    (reminder,) = await _reminders(bot, "AV-2022-004")
    assert reminder.status == "let_expire"


async def test_the_reminder_card_counts_the_deviations_reported_on_the_contract(
    connector, start_bot, tmp_path
):
    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE)
    async with bot.uow() as uow:
        for n in (1, 2):
            await uow.deviations.add(deviation_case(f"AVV-2026-000{n}", contract="AV-2024-001"))
        await uow.deviations.add(deviation_case("AVV-2026-0003", contract="AV-2023-009"))
        await uow.commit()
    await _import(bot, tmp_path, clock, OPTION_ROW)
    kari = await _reminder_card(connector, KARI, "AV-2024-001")
    assert "Avvik meldt på avtalen 2" in texts(kari)


# AV-2025-003: no date reminder for years (ends 31.12.2029), but "Forbruk" is near its maximum.
CONSUMPTION_HEADER = f"{HEADER};Forbruk"


def _consumption_row(consumed: str) -> str:
    return (
        "AV-2025-003;Datautstyr skole;Datahuset AS;974760673;01.01.2025;31.12.2029;;;"
        f"kari.nordmann@lillestrom.kommune.no;oppvekst;Rammeavtale varer;1 500 000;2 000 000;"
        f"{consumed}"
    )


async def _import_consumption(bot: Any, tmp_path: Path, clock: ShiftedClock, consumed: str) -> Any:
    export = tmp_path / "kav-forbruk.csv"
    export.write_bytes("\n".join([CONSUMPTION_HEADER, _consumption_row(consumed)]).encode("cp1252"))
    now = clock.now()
    return await import_contracts(
        export, uow_factory=bot.uow, policy=ReminderPolicy(), today=now.date(), now=now
    )


async def test_purchases_nearing_the_maximum_value_are_reminded_then_escalated(
    connector, start_bot, tmp_path
):
    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE, INGRID)
    report = await _import_consumption(bot, tmp_path, clock, "1 700 000")  # 85 %
    assert report.added == 1 and not report.rejected

    kari = await _reminder_card(connector, KARI, "AV-2025-003")
    lise = await _reminder_card(connector, LISE, "AV-2025-003")
    assert "har nådd 85 % av maksimal verdi" in texts(kari)
    assert "1 700 000 kr av 2 000 000 kr" in texts(kari)  # the manager sees the amounts
    assert "85 %" in texts(lise) and "1 700 000" not in texts(lise)  # the contact does not
    # Nothing to let expire; a new procurement or a later reminder.
    assert {"reminder.start", "reminder.snooze"} <= verbs_in(kari)
    assert not {"reminder.let_expire", "reminder.option"} & verbs_in(kari)
    refused = await click(bot, connector, KARI, "reminder.let_expire", _data(kari))
    assert "gjelder forbruket" in texts(refused)
    (reminder,) = await _reminders(bot, "AV-2025-003")
    assert (reminder.milestone, reminder.lead, reminder.status) == ("max-value", "80%", "pending")
    assert not cards_in(connector, INGRID, "reminder.snooze")  # not escalated yet

    # The next export says 96 %: the escalation, to the contract owner and the channel too.
    report = await _import_consumption(bot, tmp_path, clock, "1 920 000")
    assert report.changed == 1
    escalated = await _reminder_card(connector, INGRID, "AV-2025-003")
    assert "Eskalert: nær maksimal verdi" in texts(escalated) and "96 %" in texts(escalated)
    channel = await _reminder_card(connector, CHANNEL_ID, "AV-2025-003")
    assert "1 920 000" not in texts(channel)  # a channel never shows values
    await connector.wait_for(lambda _: len(_posted(connector, KARI, "AV-2025-003")) == 2)
    reminders = await _reminders(bot, "AV-2025-003")
    assert [(r.lead, r.escalation) for r in reminders] == [("80%", False), ("95%", True)]
    # An unchanged export sends nothing more.
    assert (await _import_consumption(bot, tmp_path, clock, "1 920 000")).unchanged == 1
    await _wait_scans(bot, clock)
    assert len(_posted(connector, KARI, "AV-2025-003")) == 2


async def test_an_option_asked_for_is_not_offered_again_by_the_escalation(
    connector, start_bot, tmp_path
):
    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE, INGRID)
    await _import(bot, tmp_path, clock, OPTION_ROW)
    three_months = await _reminder_card(connector, KARI, "AV-2024-001")
    await click(bot, connector, KARI, "reminder.option", _data(three_months))
    option_card = await wait_card(connector, INGRID, "option.approve")

    # The 1-month escalation comes while Ingrid has not decided: it says so, without the button.
    clock.jump(days=62)

    def escalations(user: User) -> list[dict[str, Any]]:
        return [c for c in _posted(connector, user, "AV-2024-001") if "Eskalert" in texts(c)]

    await connector.wait_for(lambda _: escalations(LISE), 10.0)
    escalation = escalations(LISE)[-1]
    assert "reminder.option" not in verbs_in(escalation)
    assert "Kari Nordmann ba" in texts(escalation) and "Ingrid Solberg" in texts(escalation)
    refused = await click(bot, connector, LISE, "reminder.option", _data(escalation))
    assert "har allerede bedt om å utløse opsjonen" in texts(refused)
    assert len(cards_in(connector, INGRID, "option.approve")) == 1  # no second request

    # Ingrid approves: the deadline is decided, so the escalation closes with it.
    option = next(a for a in _actions(option_card) if a["verb"] == "option.approve")["data"]
    await click(
        bot,
        connector,
        INGRID,
        "option.approve",
        {"request_id": option["request_id"], "version": option["version"]},
    )
    reminders = await _reminders(bot, "AV-2024-001")
    assert [(r.lead, r.status) for r in reminders] == [
        ("3m", "option_exercised"),
        ("1m", "option_exercised"),
    ]
    key = f"reminder:{reminders[1].id}:1:user:{TENANT}:{LISE.aad_object_id}"
    put = await wait_put(connector, LISE.personal_conversation, await activity_id_of(bot, key))
    assert "godkjent av Ingrid Solberg" in texts(put.cards[0])
    assert not {"reminder.option", "reminder.snooze"} & verbs_in(put.cards[0])


async def test_letting_a_deadline_expire_closes_its_earlier_card_too(
    connector, start_bot, tmp_path
):
    bot, clock = await _start(start_bot)
    await _everyone_says_hello(bot, connector, KARI, LISE)
    await _import(bot, tmp_path, clock, OPTION_ROW)
    await _reminder_card(connector, KARI, "AV-2024-001")  # the 3-month card, left open
    clock.jump(days=62)
    await connector.wait_for(lambda _: len(_posted(connector, KARI, "AV-2024-001")) == 2, 10.0)
    escalation = _posted(connector, KARI, "AV-2024-001")[-1]
    await click(bot, connector, KARI, "reminder.let_expire", _data(escalation))
    three, one = await _reminders(bot, "AV-2024-001")
    assert (three.status, one.status) == ("let_expire", "let_expire")
    key = f"reminder:{three.id}:1:user:{TENANT}:{KARI.aad_object_id}"
    put = await wait_put(connector, KARI.personal_conversation, await activity_id_of(bot, key))
    assert not {"reminder.option", "reminder.let_expire"} & verbs_in(put.cards[0])
