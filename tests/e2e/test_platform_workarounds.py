"""Each workaround for botbuilder 4.17.1 has a test here that fails without it (platform.md §0)."""

from __future__ import annotations

import pytest
from botbuilder.schema import Activity
from sqlalchemy import text

from bot.teams.activity import tenant_id_of
from integrations.db.engine import create_engine
from tests.support.builders import KARI, TENANT, make_card_action, make_message

pytestmark = [pytest.mark.e2e, pytest.mark.db]


async def test_invoke_answers_200_with_a_single_serialized_body(bot, connector):
    """botbuilder's CloudAdapter.process would answer 500 here (double serialization)."""
    status, body = await bot.post(make_card_action(KARI, "no.such.verb", {}, connector.url))
    assert status == 200
    assert body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error"
    assert body["value"]["code"] == "NotSupported"


async def test_invoke_without_action_execute_is_a_clean_400_body(bot, connector):
    activity = make_card_action(KARI, "x", {}, connector.url)
    activity["value"] = {"action": {"type": "Action.Submit"}}
    status, body = await bot.post(activity)
    assert status == 200 and body["statusCode"] == 400


def test_tenant_is_read_from_channel_data_because_botbuilder_drops_it():
    payload = make_message(KARI, "hei", "http://127.0.0.1:1/")
    activity = Activity().deserialize(payload)
    assert activity.conversation.tenant_id is None  # the SDK bug: it reads "tenantID"
    assert tenant_id_of(activity) == TENANT


async def test_allow_list_matches_the_tenant_teams_actually_sends(start_bot, connector):
    bot = await start_bot(allowed_tenants=[TENANT])
    status, _ = await bot.post(make_message(KARI, "hjelp", connector.url))
    assert status in (200, 201)
    await connector.wait_count(1)


async def test_reply_is_retried_after_429_with_retry_after(bot, connector):
    connector.fail_next(1, 429, retry_after=0.1)
    await bot.post(make_message(KARI, "hjelp", connector.url))
    requests = await connector.wait_count(1)
    assert connector.attempts == 2
    assert requests[0].cards, "the help card arrived on the second attempt"


async def test_reply_is_retried_on_503(bot, connector):
    connector.fail_next(1, 503)
    await bot.post(make_message(KARI, "hjelp", connector.url))
    await connector.wait_count(1)
    assert connector.attempts == 2


async def test_a_failing_turn_apologises_with_a_reference_and_clears_state(
    bot, connector, database
):
    await bot.post(make_message(KARI, "hjelp", connector.url))
    await connector.wait_count(1)
    engine = create_engine(database.url, schema=database.schema)
    async with engine.begin() as conn:  # the dialog state becomes unreadable mid-conversation
        await conn.execute(text("UPDATE dialog_state SET data = '{not json'"))
    await engine.dispose()
    status, _ = await bot.post(make_message(KARI, "hjelp", connector.url))
    assert status in (200, 201)
    requests = await connector.wait_count(2)
    apology = requests[-1].text
    assert "Beklager" in apology and "referanse" in apology
    # The broken state was cleared, so the next turn works again.
    await bot.post(make_message(KARI, "hjelp", connector.url))
    requests = await connector.wait_count(3)
    assert requests[-1].cards


async def test_apology_is_in_english_for_an_english_client(bot, connector, database):
    from tests.support.builders import EMMA

    await bot.post(make_message(EMMA, "help", connector.url))
    await connector.wait_count(1)
    engine = create_engine(database.url, schema=database.schema)
    async with engine.begin() as conn:
        await conn.execute(text("UPDATE dialog_state SET data = '[1'"))
    await engine.dispose()
    await bot.post(make_message(EMMA, "help", connector.url))
    requests = await connector.wait_count(2)
    assert requests[-1].text.startswith("Sorry")
