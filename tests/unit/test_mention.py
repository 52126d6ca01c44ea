"""A channel post on someone's behalf starts with an @mention Teams can resolve."""

from __future__ import annotations

import pytest

from cards.mention import with_mention

pytestmark = pytest.mark.unit


def test_a_text_notice_becomes_a_card_with_the_mention_first():
    result = with_mention(
        {"text": "Sak ANS-2026-0001 venter på deg"}, person_id="aad-ola", name="Ola", lead="hei"
    )
    card = result["card"]
    assert [b["text"] for b in card["body"]] == [
        "<at>Ola</at> hei",
        "Sak ANS-2026-0001 venter på deg",
    ]
    (mention,) = card["msteams"]["entities"]
    assert mention == {
        "type": "mention",
        "text": "<at>Ola</at>",
        "mentioned": {"id": "aad-ola", "name": "Ola"},
    }


def test_an_existing_card_keeps_its_body_and_settings():
    card = {
        "type": "AdaptiveCard",
        "version": "1.5",
        "msteams": {"width": "Full"},
        "body": [{"type": "TextBlock", "text": "x"}],
    }
    result = with_mention({"card": card}, person_id="aad-ola", name="Ola", lead="hei")
    assert result["card"]["body"][1] == {"type": "TextBlock", "text": "x"}
    assert result["card"]["msteams"]["width"] == "Full"
    assert "entities" not in card["msteams"], "the original payload is not changed"


def test_a_hostile_name_cannot_break_out_of_the_mention():
    result = with_mention(
        {"text": "t"}, person_id="aad-x", name="[klikk](https://evil)", lead="hei"
    )
    first = result["card"]["body"][0]["text"]
    assert "](" not in first.replace("\\]\\(", "")
    assert result["card"]["msteams"]["entities"][0]["mentioned"]["id"] == "aad-x"
