"""An activity without `channelId` is refused with 400 before it reaches botbuilder, whose
ConversationState raises TypeError on it (the fuzz test found this: a turn failed and logged)."""

from __future__ import annotations

import logging

import pytest

from tests.support.builders import KARI, make_message

pytestmark = pytest.mark.e2e


async def test_a_message_without_channel_id_is_refused_and_nothing_fails(bot, connector, caplog):
    activity = make_message(KARI, "hjelp", connector.url)
    activity.pop("channelId")
    with caplog.at_level(logging.ERROR):
        status, body = await bot.post(activity)
    assert status == 400, body
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert connector.requests == []
