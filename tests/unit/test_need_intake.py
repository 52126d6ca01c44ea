"""The needs-report conversation, driven as the Teams layer drives it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.core.domain.need_fields import FIELDS, IntakeContext, apply_form, summary_rows
from bot.core.domain.need_intake import IntakeSession, Prompt
from bot.core.domain.periods import ContractPeriod
from bot.core.domain.thresholds import ContractType
from bot.core.formatting import plain

pytestmark = pytest.mark.unit

CTX = IntakeContext(
    today=date(2026, 12, 1),
    service_areas=[
        ("oppvekst", "Oppvekst og utdanning"),
        ("helse", "Helse og mestring"),
        ("teknisk", "Miljø, teknikk og eiendom"),
    ],
)
SENTENCE = "vi trenger 30 nye PC-er til Skedsmo skole, ca 450 000 kr i året, avtale på 2+1+1 år"
# Answers for every field after the sentence, in FIELDS order.
REST = [
    ("service_area", "Oppvekst og utdanning"),
    ("unit", "Skedsmo skole, ansvar 21050"),
    ("start_date", "1. mars 2027"),
    ("urgency", "normal"),
    ("existing_agreement", "vet ikke"),
    ("other_units", "ja"),
    ("climate_impact", "moderat"),
    ("high_risk_product", "ja"),
    ("labour_crime_risk", "nei"),
    ("personal_data", "nei"),
    ("budget_confirmed", "j"),
]


def started() -> tuple[IntakeSession, Prompt]:
    session = IntakeSession()
    return session, session.start(CTX, SENTENCE)


def test_sentence_prefills_title_value_period_and_type() -> None:
    session, prompt = started()
    draft = session.draft
    assert draft.title == "30 nye PC-er til Skedsmo skole"
    assert draft.annual_value == 450_000
    assert draft.period == ContractPeriod(24, (12, 12))
    assert draft.contract_type is ContractType.VARE
    assert draft.start_date is None
    assert prompt.kind == "ask"
    assert prompt.field == "service_area"  # the first missing field in FIELDS order
    assert prompt.message_key == "need.field.service_area.question"
    assert [c.value for c in prompt.choices] == ["oppvekst", "helse", "teknisk"]


def test_sentence_with_date_and_service_area() -> None:
    session = IntakeSession()
    session.start(CTX, "Renhold av Kjeller skole for oppvekst fra 1. mars 2027, 2 mill i året")
    assert session.draft.title == "Renhold av Kjeller skole for oppvekst"
    assert session.draft.start_date == date(2027, 3, 1)
    assert session.draft.annual_value == 2_000_000
    assert session.draft.service_area == "oppvekst"
    assert session.draft.contract_type is ContractType.TJENESTE


def test_unclear_type_is_not_guessed() -> None:
    session = IntakeSession()
    session.start(CTX, "PC-er og renhold til rådhuset")
    assert session.draft.contract_type is None


def test_start_without_sentence_asks_for_title() -> None:
    prompt = IntakeSession().start(CTX, None)
    assert (prompt.kind, prompt.field, prompt.example_key) == (
        "ask",
        "title",
        "need.field.title.example",
    )


def test_full_conversation_reaches_summary() -> None:
    session, prompt = started()
    for name, text in REST:
        assert prompt.kind == "ask" and prompt.field == name, (name, prompt)
        prompt = session.answer(CTX, text)
    assert prompt.kind == "summary"
    assert session.status == "summary"
    draft = session.draft
    assert draft.service_area == "oppvekst"
    assert draft.start_date == date(2027, 3, 1)
    assert draft.existing_agreement == "vet ikke"
    assert (draft.other_units, draft.high_risk_product, draft.budget_confirmed) == (
        True,
        True,
        True,
    )
    assert draft.labour_crime_risk is False
    assert draft.urgency_reason is None
    rows = dict(summary_rows(draft, CTX))
    assert plain(rows["need.field.annual_value.label"]) == "450 000 kr"
    assert rows["need.field.period.label"] == "2 år + opsjon 1 + 1 år"
    assert rows["need.field.service_area.label"] == "Oppvekst og utdanning"


def test_urgent_asks_for_a_reason() -> None:
    session, prompt = started()
    for _name, text in REST[:3]:
        prompt = session.answer(CTX, text)
    prompt = session.answer(CTX, "haster")
    assert prompt.field == "urgency_reason"
    prompt = session.answer(CTX, "Dagens avtale går ut 31. januar")
    assert prompt.field == "existing_agreement"
    assert session.draft.urgency_reason == "Dagens avtale går ut 31. januar"


def test_tilbake_undoes_the_last_answer() -> None:
    session, _ = started()
    session.answer(CTX, "oppvekst")
    prompt = session.answer(CTX, "Skedsmo skole")
    assert prompt.field == "start_date"
    prompt = session.answer(CTX, "tilbake")
    assert (prompt.kind, prompt.field) == ("ask", "unit")
    assert session.draft.unit is None
    assert session.draft.service_area == "oppvekst"
    prompt = session.answer(CTX, "back")
    assert prompt.field == "service_area"
    assert session.draft.service_area is None


def test_avbryt_cancels_in_any_step() -> None:
    session, _ = started()
    session.answer(CTX, "oppvekst")
    prompt = session.answer(CTX, "Avbryt")
    assert prompt.kind == "cancelled"
    assert session.status == "cancelled"
    assert session.answer(CTX, "Skedsmo skole").kind == "cancelled"


def test_help_for_the_current_question() -> None:
    session, _ = started()
    prompt = session.answer(CTX, "hjelp")
    assert (prompt.kind, prompt.field, prompt.message_key) == (
        "help",
        "service_area",
        "need.field.service_area.help",
    )
    assert session.current == "service_area"


def test_invalid_amount_re_asks_with_example() -> None:
    session = IntakeSession()
    prompt = session.start(CTX, "30 nye PC-er til Skedsmo skole")
    assert prompt.field == "description"  # the sentence was only a title
    session.answer(CTX, "hopp over")
    for _name, text in REST[:2]:
        session.answer(CTX, text)
    prompt = session.answer(CTX, "vare")
    assert prompt.field == "annual_value"
    before = session.to_dict()
    prompt = session.answer(CTX, "mye")
    assert prompt.kind == "invalid"
    assert prompt.field == "annual_value"
    assert prompt.message_key == "need.amount.invalid"
    assert prompt.example_key == "need.field.annual_value.example"
    assert session.to_dict() == before  # state unchanged
    prompt = session.answer(CTX, "1,3 mill")
    assert prompt.field == "period"
    assert session.draft.annual_value == 1_300_000


def test_amount_incl_vat_asks_for_confirmation() -> None:
    session = IntakeSession()
    session.start(CTX, "Stoler til rådhuset")
    session.answer(CTX, "Nye stoler til møterommene")
    for _name, text in REST[:2]:
        session.answer(CTX, text)
    session.answer(CTX, "varer")
    prompt = session.answer(CTX, "562 500 inkl. mva")
    assert prompt.kind == "confirm_vat"
    assert prompt.params["excl_value"] == 450_000
    assert plain(prompt.params["excl"]) == "450 000 kr"
    assert session.draft.annual_value is None
    prompt = session.answer(CTX, "ja")
    assert session.draft.annual_value == 450_000
    assert prompt.field == "period"


def test_confirm_vat_accepts_another_amount() -> None:
    session = IntakeSession()
    session.start(CTX, "Stoler til rådhuset, 625 000 kr inkl. mva")
    assert session.current_prompt(CTX).kind == "confirm_vat"
    prompt = session.answer(CTX, "480 000")
    assert session.draft.annual_value == 480_000
    assert prompt.kind == "ask" and prompt.field == "service_area"


def test_yes_no_and_choices() -> None:
    session, prompt = started()
    for _name, text in REST[:5]:
        prompt = session.answer(CTX, text)
    assert prompt.field == "other_units"
    prompt = session.answer(CTX, "vet ikke")
    assert (prompt.kind, prompt.message_key) == ("invalid", "need.yesno.unsure")
    prompt = session.answer(CTX, "kanskje")
    assert (prompt.kind, prompt.message_key) == ("invalid", "need.yesno.invalid")
    prompt = session.answer(CTX, "yes")
    assert session.draft.other_units is True
    prompt = session.answer(CTX, "betydlig")  # close to both "betydelig" and "ubetydelig"
    assert (prompt.kind, prompt.message_key) == ("invalid", "need.choice.invalid")
    prompt = session.answer(CTX, "modrat")  # a typo close to one choice only
    assert session.draft.climate_impact == "moderat"
    assert prompt.field == "high_risk_product"


def test_past_date_is_refused_with_the_date() -> None:
    session, _ = started()
    session.answer(CTX, "oppvekst")
    session.answer(CTX, "Skedsmo skole")
    prompt = session.answer(CTX, "1. mars 2025")
    assert (prompt.kind, prompt.message_key) == ("invalid", "need.date.past")
    assert prompt.params["date"] == "01.03.2025"


def test_change_field_from_summary_returns_to_summary() -> None:
    session, prompt = started()
    for _name, text in REST:
        prompt = session.answer(CTX, text)
    assert prompt.kind == "summary"
    prompt = session.change_field(CTX, "annual_value")
    assert (prompt.kind, prompt.field) == ("ask", "annual_value")
    assert plain(prompt.params["current"]) == "450 000 kr"
    prompt = session.answer(CTX, "600 000")
    assert prompt.kind == "summary"
    assert session.draft.annual_value == 600_000


def test_change_urgency_then_asks_reason_then_summary() -> None:
    session, prompt = started()
    for _name, text in REST:
        prompt = session.answer(CTX, text)
    session.change_field(CTX, "urgency")
    prompt = session.answer(CTX, "haster")
    assert prompt.field == "urgency_reason"
    assert session.answer(CTX, "Pålegg fra Arbeidstilsynet").kind == "summary"


def test_round_trip_mid_conversation() -> None:
    session, _ = started()
    session.answer(CTX, "oppvekst")
    session.answer(CTX, "Skedsmo skole")
    stored = json.loads(json.dumps(session.to_dict()))
    restored = IntakeSession.from_dict(stored)
    assert restored.to_dict() == session.to_dict()
    assert restored.draft == session.draft
    assert restored.current_prompt(CTX).field == "start_date"
    prompt = restored.answer(CTX, "tilbake")
    assert prompt.field == "unit"  # history survives too


def test_round_trip_while_confirming_vat() -> None:
    session = IntakeSession()
    session.start(CTX, "Stoler, 625 000 kr inkl. mva")
    restored = IntakeSession.from_dict(json.loads(json.dumps(session.to_dict())))
    assert restored.current_prompt(CTX).kind == "confirm_vat"
    restored.answer(CTX, "ja")
    assert restored.draft.annual_value == 500_000


def test_skip_optional_description() -> None:
    session = IntakeSession()
    session.start(CTX, None)
    prompt = session.answer(CTX, "Stoler til rådhuset")
    assert prompt.field == "description"
    prompt = session.answer(CTX, "hopp over")
    assert prompt.field == "service_area"
    assert session.draft.description is None


def test_apply_form_validates_every_field() -> None:
    values = {
        "title": "Stoler til rådhuset",
        "service_area": "teknisk",
        "unit": "Rådhuset",
        "contract_type": "vare",
        "annual_value": "mye",
        "period": "2+1+1",
        "start_date": "30.11.2026",
        "urgency": "normal",
        "existing_agreement": "nei",
        "other_units": "true",
        "climate_impact": "moderat",
        "high_risk_product": "false",
        "labour_crime_risk": "nei",
        "personal_data": "",
    }
    draft, errors = apply_form(CTX, values)
    assert errors == {
        "annual_value": "need.amount.invalid",
        "start_date": "need.date.past",
        "personal_data": "need.field.required",
        "budget_confirmed": "need.field.required",
    }
    assert draft.period == ContractPeriod(24, (12, 12))
    assert draft.other_units is True
    assert draft.contract_type is ContractType.VARE


def test_apply_form_refuses_vat_included() -> None:
    _draft, errors = apply_form(CTX, {"annual_value": "625 000 inkl. mva"})
    assert errors["annual_value"] == "need.amount.form_excl_vat"


def test_fields_are_in_the_documented_order() -> None:
    assert [f.name for f in FIELDS][:8] == [
        "title",
        "description",
        "service_area",
        "unit",
        "contract_type",
        "annual_value",
        "period",
        "start_date",
    ]
