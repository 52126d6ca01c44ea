"""Deviations (avvik) end to end over HTTP: from a free sentence to a closed case, with every
notice checked; an unknown contract; refused clicks; escalation and reminders; statistics."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from bot.app import DEVIATION_REMINDERS_KEY
from bot.core.services.deviations import count_for_contract
from tests.support.approval_driver import (
    CHANNEL_ID,
    INGRID,
    LISE,
    MARTE,
    OLA,
    PER,
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
from tests.support.builders import EMMA, KARI, make_card_action
from tests.support.deviation_driver import DeviationDriver, import_demo_contracts
from tests.support.need_driver import verbs_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]

# Monday 16 November 2026, 09:00 in Oslo.
MONDAY = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
ACK = "deviation.acknowledge"
RECLAIM = "deviation.reclaim"
CLOSE = "deviation.close"
APPROVE_SANCTION = "deviation.sanction_approve"
REJECT_SANCTION = "deviation.sanction_reject"


def _shown(card):
    """Every string of a card as a reader sees it (markdown escapes removed)."""
    return texts(card).replace("\\", "")


async def _wait_all(connector, conversation, fragment):
    """A message to `conversation` with `fragment` anywhere (a card's notice is its summary)."""

    def found(_):
        return [r for r in connector.sent_to(conversation) if fragment in r.all_text()]

    await connector.wait_for(found)
    return found(None)[-1]


async def _delivered(bot, key, timeout=10.0):
    """Until the outbox has sent the message `key` (so it cannot land after a later answer)."""
    async with asyncio.timeout(timeout):
        while True:
            async with bot.uow.read() as uow:
                message = await uow.outbox.get_by_key(key)
            if message is not None and message.status == "sent":
                return
            await asyncio.sleep(0.02)


async def _case(bot, number):
    async with bot.uow() as uow:
        return await uow.deviations.get(number)


async def _audit(bot, number):
    async with bot.uow() as uow:
        return [entry.action for entry in await uow.audit.all() if entry.subject == number]


async def _start(start_bot, clock=None):
    bot = await start_bot(overrides={"clock": clock or ShiftedClock(MONDAY)})
    await import_demo_contracts(bot)
    return bot


async def test_from_a_sentence_to_a_closed_case_with_every_notice(connector, start_bot):
    bot = await _start(start_bot)
    await say(bot, connector, LISE, "hei")  # the avtaleforvalter of AV-2024-001
    await say(bot, connector, INGRID, "hei")  # director of oppvekst: the contract owner
    await say_in_channel(bot, connector, MARTE)  # the bot learns the procurement channel
    kari = DeviationDriver(bot, connector, KARI)

    # The free sentence starts the report, with the category and the text filled in, and
    # offers the contracts that match "Kontorland" as buttons.
    await kari.say("leveransen fra Kontorland kom tre uker for sent")
    said = " ".join(kari.texts())
    assert "melde et avvik" in said and "Kategori" in said and "Hva skjedde" in said
    card = kari.last_card()
    assert any("Kontorland AS" in a["title"] for a in card["actions"])
    assert any(a["title"] == "Vet ikke" for a in card["actions"])

    # A picture sent along the way is attached (name and link kept).
    await kari.say(
        "",
        attachments=[
            {
                "contentType": "application/vnd.microsoft.teams.file.download.info",
                "contentUrl": "https://lillestrom.sharepoint.com/kari/følgeseddel.pdf",
                "name": "følgeseddel.pdf",
                "content": {"downloadUrl": "https://dl.example/x", "fileType": "pdf"},
            }
        ],
    )
    assert "La ved 1 fil" in kari.texts()[-1]

    summary = await kari.answer_until_summary()
    assert kari.asked == ["contract", "observed_on", "severity", "unit"]
    summary_text = _shown(summary)
    assert "Kontorrekvisita (AV-2024-001)" in summary_text and "følgeseddel.pdf" in summary_text
    assert "15.11.2026" in summary_text  # "i går"

    draft_id = next(
        a["data"]["draft_id"]
        for a in summary["actions"]
        if a["data"].get("verb") == "deviation.submit"
    )
    await kari.click({"verb": "deviation.submit", "draft_id": draft_id})
    assert "registrert som AVV-2026-0001" in kari.texts()[-1]
    assert "Lise Johansen" in kari.texts()[-1]
    number = "AVV-2026-0001"
    case = await _case(bot, number)
    assert case.state == "registrert" and case.manager_id == LISE.aad_object_id
    assert case.owner_id == INGRID.aad_object_id and case.category == "forsinkelse"
    assert case.attachments == [
        {"name": "følgeseddel.pdf", "url": "https://lillestrom.sharepoint.com/kari/følgeseddel.pdf"}
    ]
    assert await _audit(bot, number) == ["deviation.registered"]

    # The avtaleforvalter gets a card with Mottatt; the channel too; the owner (høy) a
    # read-only one; the reporter her own copy.
    lise_card = await wait_card(connector, LISE, ACK)
    assert number in _shown(lise_card) and "Kari Nordmann" in _shown(lise_card)
    channel_card = await wait_card(connector, CHANNEL_ID, ACK)
    assert "Kontorland AS" in _shown(channel_card)
    owner_record = await _wait_all(connector, INGRID.personal_conversation, "avtaleeier")
    assert number in owner_record.all_text() and not {ACK, RECLAIM, CLOSE} & verbs_in(
        owner_record.cards[0]
    )
    await _wait_all(connector, KARI.personal_conversation, "er registrert. Kortet under")

    # Someone who is neither the avtaleforvalter nor in Innkjøpsseksjonen is refused.
    data = {"case_id": number, "version": 1}
    refused = await click(bot, connector, OLA, ACK, data)
    assert "Bare avtaleforvalteren (Lise Johansen)" in _shown(refused)
    assert not {ACK, RECLAIM, CLOSE} & verbs_in(refused)
    assert (await _case(bot, number)).state == "registrert"
    assert await _audit(bot, number) == ["deviation.registered"]

    # The avtaleforvalter acknowledges: her card shows the next steps at once.
    acknowledged = await click(bot, connector, LISE, ACK, data)
    assert ACK not in verbs_in(acknowledged) and RECLAIM in verbs_in(acknowledged)
    assert "Mottatt" in _shown(acknowledged)
    case = await _case(bot, number)
    assert case.state == "mottatt" and case.version == 2
    assert case.acknowledged_by == LISE.aad_object_id
    assert "mottatt av Lise Johansen" in await wait_text(connector, KARI, "mottatt av")

    # Every copy is edited in place.
    original = await activity_id_of(bot, f"{number}:deviation:manager")
    put = await wait_put(connector, LISE.personal_conversation, original)
    assert ACK not in verbs_in(put.cards[0])
    kari_copy = await activity_id_of(bot, f"{number}:deviation:reporter")
    await wait_put(connector, KARI.personal_conversation, kari_copy)

    # A stale card changes nothing.
    stale = await click(bot, connector, PER, RECLAIM, {**data, "deadline": "2026-11-30"})
    assert "utdatert" in _shown(stale)
    assert (await _case(bot, number)).state == "mottatt"

    # Innkjøpsseksjonen sends the reklamasjon with a response deadline.
    data = {"case_id": number, "version": 2}
    missing = await click(bot, connector, PER, RECLAIM, data)
    assert "svarfristen" in _shown(missing)
    followed = await click(
        bot, connector, PER, RECLAIM, {**data, "deadline": "2026-11-30", "reclaim_note": "Frist"}
    )
    assert "Under oppfølging" in _shown(followed) and "30.11.2026" in _shown(followed)
    assert "svarfrist 30.11.2026" in await wait_text(connector, KARI, "svarfrist")

    # Closing needs an outcome. A sanction (prisavslag) is only proposed: the contract owner
    # decides it (four-eyes), and the case closes when she approves.
    data = {"case_id": number, "version": 3}
    no_outcome = await click(bot, connector, PER, CLOSE, data)
    assert "Velg et utfall" in _shown(no_outcome)
    proposed = await click(
        bot, connector, PER, CLOSE, {**data, "outcome": "prisavslag", "close_note": "10 %"}
    )
    assert "Sanksjon venter på avtaleeier" in _shown(proposed)
    assert not {ACK, RECLAIM, CLOSE, APPROVE_SANCTION} & verbs_in(proposed)
    case = await _case(bot, number)
    assert (case.state, case.outcome, case.closed_at) == ("til_godkjenning", "prisavslag", None)
    sanction = await wait_card(connector, INGRID, APPROVE_SANCTION)
    assert "Foreslått sanksjon Prisavslag" in _shown(sanction)
    data = {"case_id": number, "version": 4}
    own = await click(bot, connector, PER, APPROVE_SANCTION, data)
    assert "firøyneprinsippet" in _shown(own)
    refused = await click(bot, connector, LISE, APPROVE_SANCTION, data)
    assert "Bare avtaleeier Ingrid Solberg" in _shown(refused)
    closed = await click(bot, connector, INGRID, APPROVE_SANCTION, data)
    assert not {ACK, RECLAIM, CLOSE, APPROVE_SANCTION} & verbs_in(closed)
    assert "Lukket" in _shown(closed) and "Sanksjon avgjort av Ingrid Solberg" in _shown(closed)
    case = await _case(bot, number)
    assert case.state == "lukket" and case.outcome == "prisavslag"
    assert case.closed_by == PER.aad_object_id and case.sanction_decided_by == INGRID.aad_object_id
    told = await wait_text(connector, KARI, "er lukket av")
    assert "Per Innkjøper" in told and "Prisavslag" in told and "10 %" in told
    assert "godkjente sanksjonen" in await wait_text(connector, PER, "godkjente sanksjonen")
    assert await _audit(bot, number) == [
        "deviation.registered",
        "deviation.acknowledge",
        "deviation.reclaim",
        "deviation.close",
        "deviation.approve_sanction",
    ]
    # A click on the closed case is refused as done, and changes nothing.
    again = await click(bot, connector, LISE, CLOSE, {**data, "version": 5, "outcome": "heving"})
    assert "allerede fulgt opp" in _shown(again)
    assert (await _case(bot, number)).outcome == "prisavslag"


async def test_unknown_contract_goes_to_procurement(connector, start_bot):
    bot = await _start(start_bot)
    await say_in_channel(bot, connector, MARTE)
    kari = DeviationDriver(bot, connector, KARI)
    await kari.say("meld avvik")
    assert kari.asked == [] and "Hvilken avtale" in _shown(kari.last_card())
    await kari.click({"verb": "deviation.answer", "answer": "vet ikke"})
    summary = await kari.answer_until_summary({"severity": "lav"})
    assert "Ukjent avtale" in _shown(summary) and "Innkjøpsseksjonen finner den" in _shown(summary)
    draft_id = next(
        a["data"]["draft_id"]
        for a in summary["actions"]
        if a["data"].get("verb") == "deviation.submit"
    )
    await kari.click({"verb": "deviation.submit", "draft_id": draft_id})
    assert "Innkjøpsseksjonen, som finner avtalen" in kari.texts()[-1]
    (case,) = [await _case(bot, "AVV-2026-0001")]
    assert case.contract_number is None and case.manager_id is None
    channel = await wait_card(connector, CHANNEL_ID, ACK)
    assert "Ukjent avtale" in _shown(channel)
    await _wait_all(connector, CHANNEL_ID, "uten kjent avtale")
    # Only procurement may act: Lise manages other contracts, not this one.
    refused = await click(bot, connector, LISE, ACK, {"case_id": case.case_number, "version": 1})
    assert "Ingenting ble endret" in _shown(refused)
    done = await click(bot, connector, MARTE, ACK, {"case_id": case.case_number, "version": 1})
    assert RECLAIM in verbs_in(done)


async def test_escalation_and_deadline_reminder_with_a_fake_clock(connector, start_bot):
    clock = ShiftedClock(MONDAY)
    bot = await _start(start_bot, clock)
    await say(bot, connector, LISE, "hei")
    await say_in_channel(bot, connector, MARTE)
    number = await DeviationDriver(bot, connector, KARI).report()
    loop = bot.app[DEVIATION_REMINDERS_KEY]

    assert (await loop.run_once()).escalated == 0  # just reported
    clock.jump(days=2)  # Wednesday: two business days
    assert (await loop.run_once()).escalated == 0
    clock.jump(days=1)  # Thursday: three business days, nobody has acknowledged it
    assert (await loop.run_once()).escalated == 1
    assert (await loop.run_once()).escalated == 0  # once
    await _wait_all(connector, CHANNEL_ID, "ikke blitt mottatt")
    assert "deviation.escalated" in await _audit(bot, number)

    # Acknowledged and reclaimed with a deadline; once it has passed, Lise is reminded once.
    await click(bot, connector, LISE, ACK, {"case_id": number, "version": 1})
    await click(
        bot, connector, LISE, RECLAIM, {"case_id": number, "version": 2, "deadline": "2026-11-23"}
    )
    clock.jump(days=4)  # Monday 23rd: the deadline day itself
    assert (await loop.run_once()).reminded == 0
    clock.jump(days=1)  # Tuesday 24th: passed
    assert (await loop.run_once()).reminded == 1
    assert (await loop.run_once()).reminded == 0
    assert "Svarfristen 23.11.2026" in await wait_text(connector, LISE, "Svarfristen")

    # Evenings are quiet: nothing goes out then.
    clock.jump(hours=10)
    assert (await loop.run_once()).quiet


async def test_statistics_by_category_and_state(connector, start_bot):
    bot = await _start(start_bot)
    kari = DeviationDriver(bot, connector, KARI)
    first = await kari.report()
    second = await kari.report("feil pris på fakturaen fra Kontorland", severity="lav")
    await click(bot, connector, LISE, ACK, {"case_id": first, "version": 1})
    await _delivered(bot, f"{second}:deviation:reporter")  # her copy first, then the answer
    await kari.say("avvik for Kontorland")
    card = kari.last_card()
    shown = _shown(card)
    assert "Forsinkelse / leveringspresisjon" in shown and "1 mottatt" in shown
    assert "Pris / faktura" in shown and "1 registrert" in shown
    assert "Totalt 2, av dem 2 åpne" in shown
    assert await count_for_contract(bot.uow, "AV-2024-001") == 2
    assert await count_for_contract(bot.uow, "AV-2023-007") == 0
    # Not found, and no query.
    await kari.say("avvik for Finnesikke Leverandør Xyz")
    assert "fant ingen avtale" in kari.texts()[-1]


async def test_the_welcome_button_and_cancel_and_resume_after_restart(connector, start_bot):
    bot = await _start(start_bot)
    kari = DeviationDriver(bot, connector, KARI)
    await kari.click({"verb": "deviation.start"})
    assert "Hvilken avtale" in _shown(kari.last_card())
    await kari.say("Kontorland")
    await kari.click({"verb": "deviation.answer", "answer": "#AV-2024-001"})
    assert "Hva slags avvik" in _shown(kari.last_card())
    await bot.restart()  # the half-filled report survives
    await kari.say("kvalitet")
    assert "Hva skjedde" in _shown(kari.last_card())
    await kari.say("tilbake")
    assert "Hva slags avvik" in _shown(kari.last_card())
    await kari.say("hjelp")
    assert "kontrolloppfølging" in _shown(kari.last_card())
    await kari.say("ny behovsmelding")  # not while a report is in progress
    assert "påbegynt avviksmelding" in kari.texts()[-1]
    await kari.say("avbryt")
    assert "avbrutt" in kari.texts()[-1]
    async with bot.uow() as uow:
        assert await uow.deviations.list_for_reporter(KARI.aad_object_id) == []


async def test_a_need_sentence_still_starts_a_need(connector, start_bot):
    bot = await _start(start_bot)
    kari = DeviationDriver(bot, connector, KARI)
    await kari.say("vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året")
    assert any("behovsmelding" in text for text in kari.texts())
    assert not any("melde et avvik" in text for text in kari.texts())


async def test_the_form_variant(connector, start_bot):
    bot = await _start(start_bot)
    kari = DeviationDriver(bot, connector, KARI)
    await kari.say("avviksskjema")
    form = kari.last_card()
    assert "deviation.form_submit" in verbs_in(form)
    await kari.click(
        {
            "verb": "deviation.form_submit",
            "draft_id": "form-1",
            "contract": "Kontorland",
            "category": "kvalitet",
            "description": "Tonerkassettene var skadet.",
            "observed_on": "2026-11-20",
            "severity": "middels",
            "unit": "Skedsmo skole",
        }
    )
    assert "må rettes" in kari.texts()[-1]
    errors = kari.last_card()
    assert "deviation.form_submit" in verbs_in(errors) and "fram i tid" in _shown(errors)
    await kari.click(
        {
            "verb": "deviation.form_submit",
            "draft_id": "form-1",
            "contract": "Kontorland",
            "category": "kvalitet",
            "description": "Tonerkassettene var skadet.",
            "observed_on": "2026-11-13",
            "severity": "middels",
            "unit": "Skedsmo skole",
        }
    )
    await kari.click({"verb": "deviation.answer", "answer": "#AV-2024-001"})
    summary = kari.last_card()
    assert "deviation.submit" in verbs_in(summary) and "13.11.2026" in _shown(summary)
    # A picture sent at the summary is attached, and the summary shown again with it.
    await kari.say(
        "",
        attachments=[
            {
                "contentType": "image/png",
                "contentUrl": "https://smba.trafficmanager.net/emea/v3/attachments/x/views/original",
                "name": "toner.png",
            }
        ],
    )
    again = kari.last_card()
    assert "deviation.submit" in verbs_in(again) and "toner.png" in _shown(again)


async def test_an_invoke_from_a_foreign_card_is_not_a_crash(connector, start_bot):
    bot = await _start(start_bot)
    status, body = await bot.post(
        make_card_action(PER, ACK, {"case_id": "AVV-2099-9999", "version": 1}, connector.url)
    )
    assert status == 200 and body["statusCode"] == 200
    assert cards_in(connector, PER, ACK) == []


async def test_an_english_reporter_is_told_in_english(connector, start_bot):
    bot = await _start(start_bot)
    emma = DeviationDriver(bot, connector, EMMA)
    await emma.say("the delivery from Kontorland arrived late")
    assert any("report a deviation" in text for text in emma.texts())
    summary = await emma.answer_until_summary({"observed_on": "yesterday"})
    assert "Delay / delivery precision" in _shown(summary)
    draft_id = next(
        a["data"]["draft_id"]
        for a in summary["actions"]
        if a["data"].get("verb") == "deviation.submit"
    )
    await emma.click({"verb": "deviation.submit", "draft_id": draft_id})
    assert "registered as AVV-2026-0001" in emma.texts()[-1]
    await click(bot, connector, LISE, ACK, {"case_id": "AVV-2026-0001", "version": 1})
    assert "was received by Lise Johansen" in await wait_text(connector, EMMA, "received by")


async def test_a_deviation_report_pauses_a_needs_draft(connector, start_bot):
    bot = await _start(start_bot)
    kari = DeviationDriver(bot, connector, KARI)
    await kari.say("ny behovsmelding")
    await kari.say("meld avvik")  # not taken as the need's answer
    assert "Hvilken avtale" in _shown(kari.last_card())
    await kari.say("avbryt")
    assert "Avviksmeldingen er avbrutt" in kari.texts()[-1]
    await kari.say("ny behovsmelding")  # the needs draft is still there
    assert "need.resume" in verbs_in(kari.last_card())
    async with bot.uow() as uow:
        assert await uow.deviations.list_for_reporter(KARI.aad_object_id) == []


async def test_a_rejected_sanction_goes_back_to_the_follow_up(connector, start_bot):
    bot = await _start(start_bot)
    for user in (LISE, INGRID):
        await say(bot, connector, user, "hei")
    kari = DeviationDriver(bot, connector, KARI)
    number = await kari.report()
    await click(bot, connector, LISE, ACK, {"case_id": number, "version": 1})
    await click(bot, connector, LISE, CLOSE, {"case_id": number, "version": 2, "outcome": "heving"})
    await wait_card(connector, INGRID, APPROVE_SANCTION)
    data = {"case_id": number, "version": 3}

    # "mine godkjenninger" lists it for Ingrid, with her buttons; not for Lise, who proposed it.
    before = len(connector.sent_to(INGRID.personal_conversation))
    await say(bot, connector, INGRID, "mine godkjenninger")
    listed = connector.sent_to(INGRID.personal_conversation)[before:]
    assert "Dette venter på deg (1)" in " ".join(r.all_text() for r in listed)
    assert any(
        APPROVE_SANCTION in verbs_in(c) and number in _shown(c) for r in listed for c in r.cards
    )
    before = len(connector.sent_to(LISE.personal_conversation))
    await say(bot, connector, LISE, "mine godkjenninger")
    listed = connector.sent_to(LISE.personal_conversation)[before:]
    assert not any(APPROVE_SANCTION in verbs_in(c) for r in listed for c in r.cards)
    assert "Ingenting venter på deg" in " ".join(r.all_text() for r in listed)

    # A rejection needs a reason; with one, the case is back where it was and Lise is told.
    no_reason = await click(bot, connector, INGRID, REJECT_SANCTION, data)
    assert "Skriv hvorfor" in _shown(no_reason)
    rejected = await click(
        bot, connector, INGRID, REJECT_SANCTION, {**data, "sanction_note": "Prøv dagbot først"}
    )
    assert "Mottatt" in _shown(rejected) and APPROVE_SANCTION not in verbs_in(rejected)
    case = await _case(bot, number)
    assert (case.state, case.outcome, case.last_note) == ("mottatt", None, "Prøv dagbot først")
    told = await wait_text(connector, LISE, "avviste sanksjonen")
    assert "Ingrid Solberg" in told and "Heving" in told and "Prøv dagbot først" in told
    sent_to_kari = [r.all_text() for r in connector.sent_to(KARI.personal_conversation)]
    assert not [text for text in sent_to_kari if "er lukket" in text]  # nothing closed
    # Lise's copy gets its buttons back; an outcome that is no sanction closes at once.
    lise_copy = await wait_card(connector, LISE, CLOSE)
    assert "Prøv dagbot først" in _shown(lise_copy)
    closed = await click(
        bot, connector, LISE, CLOSE, {"case_id": number, "version": 4, "outcome": "rettet"}
    )
    assert "Lukket" in _shown(closed)
    assert (await _case(bot, number)).state == "lukket"
    assert (await _audit(bot, number))[-3:] == [
        "deviation.close",
        "deviation.reject_sanction",
        "deviation.close",
    ]


async def test_an_undecided_sanction_reminds_the_owner_once(connector, start_bot):
    clock = ShiftedClock(MONDAY)
    bot = await _start(start_bot, clock)
    for user in (LISE, INGRID):
        await say(bot, connector, user, "hei")
    number = await DeviationDriver(bot, connector, KARI).report()
    await click(bot, connector, LISE, ACK, {"case_id": number, "version": 1})
    await click(bot, connector, LISE, CLOSE, {"case_id": number, "version": 2, "outcome": "dagbot"})
    loop = bot.app[DEVIATION_REMINDERS_KEY]
    assert (await loop.run_once()).sanctions_reminded == 0  # just proposed
    clock.jump(days=3)  # Thursday: three business days without a decision
    assert (await loop.run_once()).sanctions_reminded == 1
    assert (await loop.run_once()).sanctions_reminded == 0  # once
    told = await wait_text(connector, INGRID, "Påminnelse: Lise Johansen foreslo")
    assert "Dagbot" in told and number in told
    assert "deviation.sanction_reminded" in await _audit(bot, number)
    # Decided: nothing more to remind.
    await click(bot, connector, INGRID, APPROVE_SANCTION, {"case_id": number, "version": 3})
    clock.jump(days=7)
    assert (await loop.run_once()).sanctions_reminded == 0
