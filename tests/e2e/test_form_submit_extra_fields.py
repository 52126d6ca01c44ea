"""A form submit that carries fields the form does not have (a forged or stale card) still gets
the form back with its errors, instead of a failed turn (the fuzz test found this)."""

from __future__ import annotations

import logging

import pytest

from tests.support.builders import KARI
from tests.support.need_driver import NeedDriver, draft_id_of, verbs_in

pytestmark = pytest.mark.e2e


async def test_unknown_fields_in_a_form_submit_are_ignored(bot, connector, caplog):
    user = NeedDriver(bot, connector, KARI)
    form = (await user.say("fyll ut skjema"))[-1].cards[0]
    with caplog.at_level(logging.ERROR):
        replies = await user.click(
            {
                "verb": "need.form_submit",
                "draft_id": draft_id_of(form),
                "title": "Renhold",
                "annual_value": "mange penger",
                "comment": "x",
                "reject_reason": "y",
                "field": "z",
            }
        )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "need.form_submit" in verbs_in(replies[-1].cards[0])


async def test_unknown_fields_in_a_deviation_form_submit_are_ignored(bot, connector, caplog):
    user = NeedDriver(bot, connector, KARI)
    with caplog.at_level(logging.ERROR):
        replies = await user.click(
            {"verb": "deviation.form_submit", "draft_id": "d1", "x": "[True]", "severity": "?"}
        )
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "deviation.form_submit" in verbs_in(replies[-1].cards[0])
