"""The deviation conversation without Teams: intent, prefill from a sentence, the steps, dates."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.domain.deviation_fields import hints_of, parse_category, parse_observed
from bot.core.domain.deviation_form import apply_form
from bot.core.domain.deviation_intake import DeviationSession
from bot.core.domain.deviation_intent import intent_of, looks_like_deviation
from bot.core.domain.errors import ValidationFailed

pytestmark = pytest.mark.unit

TODAY = date(2026, 11, 16)


@pytest.mark.parametrize(
    "sentence",
    [
        "leveransen fra Kontorland kom tre uker for sent",
        "Møbelhuset leverte feil vare til skolen",
        "fakturaen fra Renhold Øst er feilfakturert",
        "jeg vil melde avvik på Kontorland",
        "vi trenger å klage på leverandøren",  # explicit words win over "trenger"
        "varene ble ikke levert",
        "the delivery arrived late",
    ],
)
def test_deviation_sentences(sentence: str) -> None:
    assert intent_of(sentence) == "deviation"


@pytest.mark.parametrize(
    "sentence",
    [
        "vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året",
        "vi mangler PC-er og trenger 30 nye",  # a soft sign, but it is a need
        "jeg trenger nye skolepulter for 400 000",
        "we need a new cleaning contract",
    ],
)
def test_need_sentences_stay_needs(sentence: str) -> None:
    assert intent_of(sentence) == "need"
    assert not looks_like_deviation(sentence)


def test_neither() -> None:
    assert intent_of("hva er klokka") is None
    assert intent_of("") is None


def test_hints_of_a_sentence() -> None:
    hints = hints_of("leveransen fra Kontorland kom tre uker for sent", TODAY)
    assert hints.contract_query == "Kontorland"
    assert hints.category == "forsinkelse"
    assert hints.description == "Leveransen fra Kontorland kom tre uker for sent"
    assert hints.observed_on is None
    numbered = hints_of("kritisk avvik på AV-2024-001 i går, personskade", TODAY)
    assert numbered.contract_query == "AV-2024-001"
    assert numbered.severity == "kritisk" and numbered.category == "hms"
    assert numbered.observed_on == date(2026, 11, 15)
    command = hints_of("meld avvik på Kontorland AS", TODAY)
    assert command.contract_query == "Kontorland AS" and command.description is None
    assert hints_of("jeg vil melde avvik på Kontorland", TODAY).description is None
    told = hints_of("meld avvik på leveransen fra Kontorland, den kom for sent", TODAY)
    assert told.contract_query == "Kontorland" and told.description is not None
    # Whole words only: "plater" is not "late".
    assert hints_of("plater fra Møbelhuset Øst AS var knust", TODAY).category == "kvalitet"
    assert hints_of("plater fra Møbelhuset Øst AS var knust", TODAY).contract_query == (
        "Møbelhuset Øst AS"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("i dag", date(2026, 11, 16)),
        ("i går", date(2026, 11, 15)),
        ("i forgårs", date(2026, 11, 14)),
        ("tre dager siden", date(2026, 11, 13)),
        ("2 uker siden", date(2026, 11, 2)),
        ("3.11.2026", date(2026, 11, 3)),
        ("3.11", date(2026, 11, 3)),
        ("20.12", date(2025, 12, 20)),  # the last 20 December up to today
        ("3. november", date(2026, 11, 3)),
        ("2026-10-01", date(2026, 10, 1)),
        ("den 1. mars 2026", date(2026, 3, 1)),
    ],
)
def test_when_it_happened(text: str, expected: date) -> None:
    assert parse_observed(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("i morgen", "deviation.field.observed_on.invalid"),
        ("1.12.2026", "deviation.field.observed_on.future"),
        ("1.1.2019", "deviation.field.observed_on.too_old"),
        ("31.02.2026", "deviation.field.observed_on.invalid"),
        ("15", "deviation.field.observed_on.invalid"),
    ],
)
def test_bad_dates(text: str, key: str) -> None:
    with pytest.raises(ValidationFailed) as error:
        parse_observed(text, TODAY)
    assert error.value.message_key == key


def test_categories_by_id_label_or_prefix() -> None:
    assert parse_category("forsinkelse") == "forsinkelse"
    assert parse_category("Pris / faktura") == "pris_faktura"
    assert parse_category("HMS / sikkerhet") == "hms"
    assert parse_category("lønns") == "lonn_seriositet"
    assert parse_category("Privacy / information security") == "personvern"
    with pytest.raises(ValidationFailed):
        parse_category("noe annet")


def test_a_whole_conversation_with_back_help_and_restart() -> None:
    session = DeviationSession(default_unit="Skedsmo skole")
    prompt = session.start(TODAY, "leveransen fra Kontorland kom tre uker for sent")
    assert prompt.kind == "search" and prompt.params == {"query": "Kontorland"}
    assert ("vet ikke", "deviation.choice.unknown_contract") in prompt.choices
    prompt = session.answer(TODAY, "#AV-2024-001")
    assert prompt.kind == "pick" and prompt.params == {"number": "AV-2024-001"}
    prompt = session.choose_contract("AV-2024-001", "Kontorrekvisita", "Kontorland AS")
    assert prompt.field == "observed_on"  # category and description came from the sentence
    prompt = session.answer(TODAY, "i morgen")
    assert prompt.kind == "invalid" and prompt.field == "observed_on"
    session = DeviationSession.from_dict(session.to_dict())  # a restart in the middle
    prompt = session.answer(TODAY, "i går")
    assert prompt.field == "severity" and len(prompt.choices) == 4
    prompt = session.answer(TODAY, "tilbake")
    assert prompt.field == "observed_on" and session.draft.observed_on is None
    assert session.answer(TODAY, "hjelp").message_key == "deviation.field.observed_on.help"
    session.answer(TODAY, "i går")
    prompt = session.answer(TODAY, "høy")
    assert prompt.field == "unit" and prompt.choices == (("Skedsmo skole", ""),)
    prompt = session.answer(TODAY, "Skedsmo skole")
    assert prompt.kind == "summary"
    assert session.draft.severity == "hoy" and session.draft.unit == "Skedsmo skole"
    prompt = session.change_field("category")
    assert prompt.field == "category" and len(prompt.choices) == 11
    assert session.answer(TODAY, "kvalitet").kind == "summary"
    assert session.answer(TODAY, "avbryt").kind == "cancelled"


def test_unknown_contract_and_attachments() -> None:
    session = DeviationSession()
    assert session.start(TODAY).field == "contract"
    assert session.answer(TODAY, "x").kind == "invalid"
    assert session.answer(TODAY, "Kontorland").kind == "search"
    assert session.answer(TODAY, "vet ikke").field == "category"
    assert session.draft.contract_unknown and session.draft.contract_number is None
    files = [{"name": "a.png", "url": "https://x/a.png"}] * 2
    assert session.add_attachments(files) == 1  # the same link once
    restored = DeviationSession.from_dict(session.to_dict())
    assert restored.draft.attachments == [{"name": "a.png", "url": "https://x/a.png"}]
    assert restored.draft.contract_unknown


FORM = {
    "contract": "Kontorland",
    "category": "kvalitet",
    "description": "Tonerkassettene var skadet.",
    "observed_on": "2026-11-13",
    "severity": "middels",
    "unit": "Skedsmo skole",
}


def test_the_form_fills_everything_or_nothing() -> None:
    session = DeviationSession()
    bad = apply_form(session, {**FORM, "observed_on": "2026-12-01", "unit": ""}, TODAY)
    assert bad.prompt is None
    assert bad.errors == {
        "observed_on": "deviation.field.observed_on.future",
        "unit": "deviation.field.unit.invalid",
    }
    assert session.draft.category is None  # nothing kept
    result = apply_form(session, FORM, TODAY)
    assert result.prompt is not None and result.prompt.kind == "pick"
    assert result.prompt.params == {"number": "Kontorland"}  # the caller searches if no such
    assert session.draft.observed_on == date(2026, 11, 13)
    unknown = apply_form(DeviationSession(), {**FORM, "contract": "vet ikke"}, TODAY)
    assert unknown.prompt is not None and unknown.prompt.kind == "summary"
