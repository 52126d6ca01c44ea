"""Approval by the manager and triage by Innkjøpsseksjonen, end to end over HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

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
    file_need,
    say,
    say_in_channel,
    texts,
    wait_card,
    wait_put,
    wait_text,
)
from tests.support.builders import EMMA, KARI, make_submit
from tests.support.need_driver import verbs_in

pytestmark = [pytest.mark.e2e, pytest.mark.db]

# Monday 16 November 2026, 09:00 in Oslo: Lise is not yet Ola's stand-in (December).
NOVEMBER = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
# Monday 7 December 2026, 09:00 in Oslo: Lise stands in for Ola (1–31 December).
DECEMBER = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)

APPROVE = "approval.approve"
REJECT = "approval.reject"


async def _case(bot, number):
    async with bot.uow() as uow:
        return await uow.needs.get(number)


async def _audit(bot, number):
    async with bot.uow() as uow:
        return [entry for entry in await uow.audit.all() if entry.subject == number]


async def _start(start_bot, when=NOVEMBER):
    return await start_bot(overrides={"clock": ShiftedClock(when)})


async def test_file_approve_and_triage_end_to_end(connector, start_bot):
    bot = await _start(start_bot)
    await say(bot, connector, OLA, "hei")  # Ola has written to the bot once
    await say(bot, connector, LISE, "hei")  # the innkjøpskontakt of oppvekst
    await say_in_channel(bot, connector, MARTE)  # the bot learns the procurement channel
    number = await file_need(bot, connector)

    # The manager's card arrives, with buttons, and refreshes for Ola and Kari.
    card = await wait_card(connector, OLA, APPROVE)
    assert {APPROVE, REJECT, "approval.ask_info"} <= verbs_in(card)
    assert number in texts(card) and "Kari Nordmann" in texts(card)
    assert set(card["refresh"]["userIds"]) == {OLA.mri, KARI.mri}
    data = {"case_id": number, "version": 1}
    # Kari gets her own copy with Trekk tilbake.
    own = await wait_card(connector, KARI, "approval.withdraw")
    assert APPROVE not in verbs_in(own)

    # A third person's click is refused: read-only card, a note, nothing changes.
    refused = await click(bot, connector, INGRID, APPROVE, data)
    assert not {APPROVE, REJECT} & verbs_in(refused)
    assert "Bare Ola Hansen" in texts(refused)
    # The requester's click on approve is refused (four-eyes).
    refused = await click(bot, connector, KARI, APPROVE, data)
    assert not {APPROVE, REJECT} & verbs_in(refused)
    assert "firøyneprinsippet" in texts(refused)
    assert (await _case(bot, number)).status == "innsendt"

    # A stale card gets the current card back with a note.
    stale = await click(bot, connector, OLA, APPROVE, {"case_id": number, "version": 0})
    assert "utdatert" in texts(stale) and APPROVE in verbs_in(stale)
    assert (await _case(bot, number)).status == "innsendt"
    assert [e.action for e in await _audit(bot, number)] == ["need.submitted"]

    # Refresh gives each their own view.
    assert APPROVE in verbs_in(await click(bot, connector, OLA, "approval.refresh", data))
    assert "approval.withdraw" in verbs_in(
        await click(bot, connector, KARI, "approval.refresh", data)
    )
    readonly = await click(bot, connector, INGRID, "approval.refresh", data)
    assert verbs_in(readonly) == {"approval.refresh"}

    # The approver approves: the clicker sees the decided card at once.
    decided = await click(bot, connector, OLA, APPROVE, {**data, "comment": "Ser bra ut"})
    assert not {APPROVE, REJECT} & verbs_in(decided)
    assert "Godkjent" in texts(decided) and "Ser bra ut" in texts(decided)
    case = await _case(bot, number)
    assert case.status == "godkjent" and case.version == 2
    assert case.decided_by == OLA.aad_object_id and case.decided_on_behalf_of is None
    entry = (await _audit(bot, number))[-1]
    assert entry.action == "need.approve" and entry.actor == OLA.aad_object_id
    assert entry.details["comment"] == "Ser bra ut" and entry.on_behalf_of is None

    # Every copy is edited in place: Ola's and Kari's original activities get a PUT.
    ola_original = await activity_id_of(bot, f"{number}:approval-request")
    put = await wait_put(connector, OLA.personal_conversation, ola_original)
    (updated,) = put.cards
    assert APPROVE not in verbs_in(updated) and "Godkjent" in texts(updated)
    kari_original = await activity_id_of(bot, f"{number}:approval-request:requester")
    await wait_put(connector, KARI.personal_conversation, kari_original)

    # The requester is told.
    assert "godkjent av Ola Hansen" in await wait_text(connector, KARI, "godkjent av")

    # The triage card reaches the procurement channel and the innkjøpskontakt.
    channel_card = await wait_card(connector, CHANNEL_ID, "triage.accept")
    assert number in texts(channel_card)
    await wait_card(connector, LISE, "triage.accept")

    # A non-member is refused; a member of Innkjøpsseksjonen accepts.
    triage_data = {"case_id": number, "version": 2}
    refused = await click(bot, connector, LISE, "triage.accept", triage_data)
    assert "Bare Innkjøpsseksjonen" in texts(refused)
    assert not {"triage.accept", "triage.reject"} & verbs_in(refused)
    assert (await _case(bot, number)).status == "godkjent"
    accepted = await click(bot, connector, PER, "triage.accept", triage_data)
    assert "triage.accept" not in verbs_in(accepted) and "Akseptert" in texts(accepted)
    case = await _case(bot, number)
    assert case.status == "akseptert" and case.triaged_by == PER.aad_object_id
    assert (await _audit(bot, number))[-1].action == "need.triage.accept"
    assert "akseptert" in await wait_text(connector, KARI, "verifisert behov")
    channel_original = await activity_id_of(bot, f"{number}:triage:channel")
    await wait_put(connector, CHANNEL_ID, channel_original)


async def test_concurrent_approve_and_reject_make_exactly_one_decision(connector, start_bot):
    bot = await _start(start_bot)
    await say(bot, connector, OLA, "hei")
    number = await file_need(bot, connector)
    data = {"case_id": number, "version": 1, "comment": "Nei takk"}
    approve, reject = await asyncio.gather(
        click(bot, connector, OLA, APPROVE, data),
        click(bot, connector, OLA, REJECT, data),
    )
    decisions = [
        e.action for e in await _audit(bot, number) if e.action in ("need.approve", "need.reject")
    ]
    assert len(decisions) == 1
    case = await _case(bot, number)
    assert case.status == {"need.approve": "godkjent", "need.reject": "avvist"}[decisions[0]]
    assert case.version == 2
    loser = reject if decisions[0] == "need.approve" else approve
    assert "allerede behandlet" in texts(loser)
    assert not {APPROVE, REJECT} & verbs_in(loser)  # the loser sees the decision


async def test_double_click_approves_once(connector, start_bot):
    bot = await _start(start_bot)
    number = await file_need(bot, connector)
    data = {"case_id": number, "version": 1}
    await asyncio.gather(*(click(bot, connector, OLA, APPROVE, data) for _ in range(3)))
    actions = [e.action for e in await _audit(bot, number)]
    assert actions.count("need.approve") == 1


async def test_stand_in_approves_on_behalf_of_the_manager(connector, start_bot):
    bot = await _start(start_bot, DECEMBER)
    await say(bot, connector, LISE, "hei")
    number = await file_need(bot, connector)
    # The stand-in gets her own copy of the approval card while Ola is away.
    card = await wait_card(connector, LISE, APPROVE)
    assert LISE.mri in card["refresh"]["userIds"]
    # "mine godkjenninger" lists it for her too, as a card she can act on.
    before = len(cards_in(connector, LISE, APPROVE))
    await say(bot, connector, LISE, "mine godkjenninger")
    assert len(cards_in(connector, LISE, APPROVE)) == before + 1
    decided = await click(bot, connector, LISE, APPROVE, {"case_id": number, "version": 1})
    assert "På vegne av" in texts(decided) and "Ola Hansen" in texts(decided)
    case = await _case(bot, number)
    assert case.status == "godkjent"
    assert case.decided_by == LISE.aad_object_id
    assert case.decided_on_behalf_of == OLA.aad_object_id
    entry = (await _audit(bot, number))[-1]
    assert entry.action == "need.approve"
    assert entry.actor == LISE.aad_object_id and entry.on_behalf_of == OLA.aad_object_id
    told = await wait_text(connector, KARI, "godkjent av")
    assert "Lise Johansen på vegne av Ola Hansen" in told


async def test_stand_in_outside_their_dates_is_refused(connector, start_bot):
    bot = await _start(start_bot, NOVEMBER)
    number = await file_need(bot, connector)
    refused = await click(bot, connector, LISE, APPROVE, {"case_id": number, "version": 1})
    assert "Bare Ola Hansen" in texts(refused)
    assert APPROVE not in verbs_in(refused)
    assert (await _case(bot, number)).status == "innsendt"
    async with bot.uow() as uow:
        assert await uow.outbox.get_by_key(f"{number}:approval-request:stand-in:aad-lise") is None


async def test_ask_for_information_and_the_answer_updates_the_approvers_card(connector, start_bot):
    bot = await _start(start_bot)
    await say(bot, connector, OLA, "hei")
    number = await file_need(bot, connector)
    await wait_card(connector, OLA, APPROVE)
    data = {"case_id": number, "version": 1}
    # A question needs a text.
    empty = await click(bot, connector, OLA, "approval.ask_info", data)
    assert "Skriv en kommentar" in texts(empty)
    assert (await _case(bot, number)).status == "innsendt"
    asked = await click(
        bot, connector, OLA, "approval.ask_info", {**data, "comment": "Hvor mange elever?"}
    )
    assert "Hvor mange elever?" in texts(asked)
    assert (await _case(bot, number)).status == "trenger_info"
    assert "Hvor mange elever?" in await wait_text(connector, KARI, "trenger mer informasjon")

    # Kari's next free-text message is the answer.
    await say(bot, connector, KARI, "Det gjelder 30 elever på 8. trinn.")
    assert number in await wait_text(connector, KARI, "Svaret er lagt til")
    case = await _case(bot, number)
    assert case.status == "innsendt" and case.version == 3
    assert case.info_answer == "Det gjelder 30 elever på 8. trinn."
    original = await activity_id_of(bot, f"{number}:approval-request")

    def answered(reqs):
        return [
            r
            for r in reqs
            if r.method == "PUT"
            and r.activity_id == original
            and "30 elever" in r.all_text()
            and APPROVE in verbs_in(r.cards[0])
        ]

    await connector.wait_for(answered)
    assert "30 elever" in await wait_text(connector, OLA, "har svart")
    # Ola can approve on the new version.
    await click(bot, connector, OLA, APPROVE, {"case_id": number, "version": 3})
    assert (await _case(bot, number)).status == "godkjent"


async def test_requester_withdraws_and_the_approver_sees_it(connector, start_bot):
    bot = await _start(start_bot)
    await say(bot, connector, OLA, "hei")
    number = await file_need(bot, connector)
    data = {"case_id": number, "version": 1}
    refused = await click(bot, connector, OLA, "approval.withdraw", data)
    assert "Bare Kari Nordmann" in texts(refused)
    withdrawn = await click(bot, connector, KARI, "approval.withdraw", data)
    assert "Trukket tilbake" in texts(withdrawn)
    assert (await _case(bot, number)).status == "trukket"
    late = await click(bot, connector, OLA, APPROVE, data)
    assert "allerede behandlet" in texts(late) and APPROVE not in verbs_in(late)
    original = await activity_id_of(bot, f"{number}:approval-request")
    put = await wait_put(connector, OLA.personal_conversation, original)
    assert "Trukket tilbake" in put.all_text()


async def test_update_waits_until_the_original_card_is_sent(connector, start_bot):
    bot = await _start(start_bot)
    number = await file_need(bot, connector)  # Ola has never written: his card waits
    # Ola approves from somewhere (e.g. "mine godkjenninger" on another device); his invoke
    # also makes him reachable, so the original goes out first and is then edited.
    await click(bot, connector, OLA, APPROVE, {"case_id": number, "version": 1})
    original = await activity_id_of(bot, f"{number}:approval-request")
    put = await wait_put(connector, OLA.personal_conversation, original)
    assert APPROVE not in verbs_in(put.cards[0])
    posts = [r for r in connector.sent_to(OLA.personal_conversation) if r.method == "POST"]
    assert any(APPROVE in verbs_in(c) for r in posts for c in r.cards)


async def test_submit_fallback_answers_with_a_text(connector, start_bot):
    bot = await _start(start_bot)
    number = await file_need(bot, connector)
    status, _ = await bot.post(
        make_submit(KARI, {"verb": APPROVE, "case_id": number, "version": 1}, connector.url)
    )
    assert status in (200, 201)
    assert "firøyneprinsippet" in await wait_text(connector, KARI, "firøyneprinsippet")
    await bot.post(
        make_submit(OLA, {"verb": APPROVE, "case_id": number, "version": 1}, connector.url)
    )
    assert number in await wait_text(connector, OLA, "Godkjent:")
    assert (await _case(bot, number)).status == "godkjent"


async def test_my_approvals_lists_cards_i_can_act_on(connector, start_bot):
    bot = await _start(start_bot)
    number = await file_need(bot, connector)
    await say(bot, connector, OLA, "mine godkjenninger")
    card = await wait_card(connector, OLA, APPROVE)
    assert number in texts(card)
    await say(bot, connector, INGRID, "mine godkjenninger")
    assert "Ingenting venter" in await wait_text(connector, INGRID, "Ingenting venter")
    # After the approval it waits for triage: a member of Innkjøpsseksjonen sees it.
    await click(bot, connector, OLA, APPROVE, {"case_id": number, "version": 1})
    await say(bot, connector, PER, "mine godkjenninger")
    assert number in texts(await wait_card(connector, PER, "triage.accept"))


async def test_triage_outcomes_are_told_to_the_requester(connector, start_bot):
    bot = await _start(start_bot)
    await say_in_channel(bot, connector, MARTE)
    number = await file_need(bot, connector)
    await click(bot, connector, OLA, APPROVE, {"case_id": number, "version": 1})
    data = {"case_id": number, "version": 2}
    missing = await click(bot, connector, PER, "triage.existing", data)
    assert "Skriv en kommentar" in texts(missing)
    asked = await click(
        bot,
        connector,
        PER,
        "triage.clarify",
        {**data, "clarify_question": "Bærbare eller stasjonære?"},
    )
    assert "triage.accept" not in verbs_in(asked)
    assert "Bærbare eller stasjonære?" in await wait_text(connector, KARI, "trenger en avklaring")
    await say(bot, connector, KARI, "Bærbare.")
    case = await _case(bot, number)
    assert case.status == "godkjent" and case.info_answer == "Bærbare."
    assert "Bærbare." in await wait_text(connector, PER, "har svart")
    closed = await click(
        bot,
        connector,
        MARTE,
        "triage.existing",
        {"case_id": number, "version": case.version, "agreement_ref": "RA-2024-017 PC-er"},
    )
    assert "RA-2024-017" in texts(closed)
    assert (await _case(bot, number)).status == "dekket_av_avtale"
    assert "RA-2024-017" in await wait_text(connector, KARI, "eksisterende avtale")
    assert cards_in(connector, CHANNEL_ID, "triage.accept")


async def test_digest_on_and_off_in_chat_in_both_languages(connector, start_bot):
    bot = await _start(start_bot)
    await say(bot, connector, OLA, "sammendrag på")
    assert "daglig sammendrag" in await wait_text(connector, OLA, "Greit!")
    async with bot.uow() as uow:
        assert await uow.preferences.wants_daily_digest(OLA.aad_object_id)
    await say(bot, connector, OLA, "Sammendrag av!")
    await connector.wait_for(lambda _: len(connector.sent_to(OLA.personal_conversation)) == 2)
    async with bot.uow() as uow:
        assert not await uow.preferences.wants_daily_digest(OLA.aad_object_id)
    await say(bot, connector, EMMA, "digest on")
    await connector.wait_for(lambda _: connector.sent_to(EMMA.personal_conversation))
    assert "daily digest" in connector.sent_to(EMMA.personal_conversation)[0].text
