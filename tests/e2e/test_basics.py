"""Teams basics over HTTP: welcome, help, references, bad requests, authentication, tenants."""

from __future__ import annotations

import asyncio
import json

import pytest

from bot.core.domain.records import ConversationRef
from tests.support.builders import EMMA, KARI, TENANT, make_bot_added, make_install, make_message

pytestmark = [pytest.mark.e2e, pytest.mark.db]


async def test_install_sends_the_norwegian_welcome_card_once(bot, connector):
    status, _ = await bot.post(make_install(KARI, connector.url))
    assert status in (200, 201)
    # Teams also sends conversationUpdate(bot added) for the same install: no second welcome.
    await bot.post(make_bot_added(KARI, connector.url))
    requests = await connector.wait_count(1)
    assert len(requests) == 1
    card = requests[0].cards[0]
    text = requests[0].all_text()
    assert card["type"] == "AdaptiveCard"
    assert "behovsmelding" in text.lower()
    titles = [a.get("title") for a in _actions(card)]
    assert {"Ny behovsmelding", "Meld avvik", "Mine saker", "Hjelp"} <= set(titles)


async def test_the_two_install_events_at_once_give_one_welcome_and_no_failed_turn(bot, connector):
    # The Agents Playground (like Teams) sends installationUpdate and conversationUpdate for one
    # install at the same moment: both turns read "not welcomed yet" and both welcomed; with
    # state already stored, the second failed on its eTag and the user read "noe gikk galt".
    await bot.post(make_message(KARI, "hjelp", connector.url))  # the conversation has state
    await connector.wait_count(1)
    statuses = await asyncio.gather(
        bot.post(make_install(KARI, connector.url)),
        bot.post(make_bot_added(KARI, connector.url)),
    )
    assert all(status in (200, 201) for status, _ in statuses), statuses
    sent = connector.sent_to(KARI.personal_conversation)
    welcomes = [r for r in sent if "Jeg er innkjøpsboten" in r.all_text()]
    assert len(welcomes) == 1, [r.all_text()[:60] for r in sent]
    assert not any("gikk galt" in r.all_text() for r in sent)


async def test_help_answers_in_norwegian_and_english(bot, connector):
    await bot.post(make_message(KARI, "hjelp", connector.url))
    await bot.post(make_message(EMMA, "help", connector.url))
    await connector.wait_count(2)
    kari = connector.sent_to(KARI.personal_conversation)[0].all_text()
    emma = connector.sent_to(EMMA.personal_conversation)[0].all_text()
    assert "avbryt" in kari.lower()
    assert "what i can help with" in emma.lower()
    assert kari != emma


async def test_unknown_text_gets_a_helpful_answer(bot, connector):
    await bot.post(make_message(KARI, "blåbærsyltetøy", connector.url))
    requests = await connector.wait_count(2)
    assert "forsto jeg ikke" in requests[0].text
    assert requests[1].cards


async def test_reference_is_stored_and_survives_a_restart(bot, connector):
    await bot.post(make_message(KARI, "hjelp", connector.url))
    await bot.restart()  # a second app instance on the same database
    async with bot.uow() as uow:
        ref = await uow.conversations.get(ConversationRef.user_key(TENANT, KARI.aad_object_id))
    assert ref is not None
    assert ref.conversation_id == KARI.personal_conversation
    assert ref.service_url.startswith(connector.url)
    assert ref.reference["conversation"]["tenantId"] == TENANT
    assert ref.reference["user"]["aadObjectId"] == KARI.aad_object_id


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[]", b'{"text": "no type"}', b'"just a string"', b'{"type": "message"}'],
)
async def test_malformed_bodies_get_400(bot, body):
    status, _ = await bot.post(body)
    assert status == 400


async def test_oversized_body_gets_413(bot, connector):
    activity = make_message(KARI, "x" * (300 * 1024), connector.url)
    status, _ = await bot.post(json.dumps(activity))
    assert status == 413


async def test_auth_on_refuses_unsigned_requests(start_bot, connector):
    from bot.settings import BotSettings

    bot = await start_bot(
        bot=BotSettings(
            app_id="11111111-2222-3333-4444-555555555555",
            app_password="secret",
            app_tenant_id=TENANT,
        )
    )
    status, _ = await bot.post(make_message(KARI, "hjelp", connector.url))
    assert status == 401
    forged = {"Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJldmlsIn0.c2lnbmF0dXJl"}
    status, _ = await bot.post(make_message(KARI, "hjelp", connector.url), headers=forged)
    assert status == 401
    assert connector.requests == []


async def test_foreign_tenant_is_refused_when_an_allow_list_is_set(start_bot, connector):
    bot = await start_bot(allowed_tenants=["some-other-tenant"])
    status, _ = await bot.post(make_message(KARI, "hjelp", connector.url))
    assert status == 403
    assert connector.requests == []


async def test_health_and_readiness(bot):
    status, body = await bot.get("/healthz")
    assert status == 200 and body["status"] == "ok"
    status, body = await bot.get("/readyz")
    assert status == 200 and body["checks"] == {"database": "ok", "migrations": "ok"}


def _actions(card):
    found = list(card.get("actions", []))
    for element in card.get("body", []):
        if element.get("type") == "ActionSet":
            found.extend(element.get("actions", []))
    return found


async def test_metrics_count_turns_invokes_and_the_outbox(bot, connector):
    from tests.support.builders import make_card_action

    await bot.post(make_message(KARI, "hjelp", connector.url))
    await bot.post(make_card_action(KARI, "approval.refresh", {"case_id": "X"}, connector.url))
    status, text = await bot.get("/metrics")
    assert status == 200
    assert 'innkjop_turns_total{type="message"} 1.0' in text
    assert 'innkjop_invokes_total{status="received",verb="approval.refresh"} 1.0' in text
    assert "innkjop_outbox_pending 0.0" in text
