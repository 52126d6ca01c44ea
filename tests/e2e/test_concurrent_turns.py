"""Two messages in one chat at once (a quick answer, a double click): both turns succeed, in
order, and neither loses the other's dialog state."""

from __future__ import annotations

import asyncio

import pytest

from tests.support.builders import KARI, OLA, make_message
from tests.support.need_driver import NeedDriver

pytestmark = [pytest.mark.e2e, pytest.mark.db]

SENTENCE = "vi trenger nye PC-er"


def _failed(records: list) -> list[str]:
    return [r.all_text() for r in records if "noe gikk galt" in r.all_text().lower()]


async def test_two_answers_at_once_in_one_chat_are_both_taken_in_order(bot, connector):
    kari = NeedDriver(bot, connector, KARI)
    await kari.say(SENTENCE)  # a needs report starts and asks a question
    before = len(kari.sent())
    answers = ("Elevene trenger bærbare PC-er til undervisning.", "Skedsmo skole, ansvar 2100")
    results = await asyncio.gather(
        *(bot.post(make_message(KARI, text, connector.url)) for text in answers)
    )
    assert all(status in (200, 201) for status, _ in results)
    assert _failed(kari.sent()[before:]) == []
    # Each answer moved the dialog on by one question: the second was not lost.
    asked = [r for r in kari.sent()[before:] if r.cards or r.text]
    assert len(asked) >= 2


async def test_chats_of_different_people_run_side_by_side(bot, connector):
    results = await asyncio.gather(
        *(bot.post(make_message(user, SENTENCE, connector.url)) for user in (KARI, OLA))
    )
    assert all(status in (200, 201) for status, _ in results)
    for user in (KARI, OLA):
        assert _failed(connector.sent_to(user.personal_conversation)) == []
