"""Every card: renders in both languages, is a valid Adaptive Card 1.5 for Teams, stays under
28 KB, shows user text escaped, carries only known verbs; and the card catalogs agree."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from pydantic import ValidationError

from cards import MAX_CARD_BYTES, card_size_bytes, escape_markdown, render, verbs
from cards.models import (
    CARD_MODELS,
    FORM_FIELDS,
    ApprovalCard,
    ApprovalDecision,
    ApprovalView,
    CardModel,
    CaseDetailCard,
    CaseEntry,
    CaseListCard,
    ErrorCard,
    HelpCard,
    NeedFormCard,
    NeedSummaryCard,
    QuestionCard,
    ResumeDraftCard,
    TriageCard,
    TriageDecision,
    WelcomeCard,
)
from cards.models.contracts import ContractEntry, ContractListCard
from cards.models.need_form import CLIMATE_IMPACTS, CONTRACT_TYPES, URGENCIES, YES_NO
from cards.models.reminder import OptionApprovalCard, ReminderCard
from cards.models.rooms import RoomFailedCard, RoomWelcomeCard
from cards.render import TEMPLATES_DIR, template_names
from tests.unit.case_card_samples import CASE_SAMPLES
from tests.unit.deviation_card_samples import DEVIATION_SAMPLES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "bot" / "core" / "locales"
SCHEMA = json.loads((Path(__file__).parent / "adaptive_card_schema.json").read_text("utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
HOSTILE = "**fet** [lenke](http://evil) <script>"
LONG_DESCRIPTION = (
    "Vi trenger 400 elevpulter og stoler med justerbar høyde til Kjeller skole. " * 30
)[:2000]
SERVICE_AREAS = [
    ("oppvekst", "Oppvekst og utdanning"),
    ("helse", "Helse og mestring"),
    ("kultur", "Kultur, miljø og samfunn"),
    ("okonomi", "Økonomi og virksomhetsstyring"),
    ("samfunn", "Samfunnsutvikling"),
    ("organisasjon", "Organisasjon og digitalisering"),
]
APPROVER, REQUESTER = "29:1a2b3c-approver", "29:9z8y7x-requester"
DECIDED_AT = datetime(2026, 11, 26, 13, 5, tzinfo=UTC)


def _rows(description: str = LONG_DESCRIPTION) -> list[tuple[str, str]]:
    return [
        ("Beskrivelse", description),
        ("Tjenesteområde", "Oppvekst og utdanning"),
        ("Enhet", "Kjeller skole"),
        ("Type", "Vare"),
        ("Årlig verdi", "400 000 kr"),
        ("Periode", "2 år + 1 + 1 år opsjon"),
        ("Ønsket oppstart", "01.08.2027"),
        ("Klima og miljø", "Betydelig"),
    ]


TIER_LINES = [
    "Nasjonal terskelverdi er passert: FOA del II gjelder.",
    "Konkurransen kunngjøres i Doffin, og det skal lages en konkurransestrategi.",
]
CHECKLIST = [
    "Protokollplikt",
    "Klima og miljø vektes minst 30 %",
    "Vurder oppdeling i delkontrakter for små og mellomstore leverandører",
]


def _approval(lang: str, view: ApprovalView, title: str = "Elevpulter til Kjeller skole") -> Any:
    return ApprovalCard.build(
        lang,
        view=view,
        case_id="9f1c",
        version=4,
        number="ANS-2026-0042",
        title=title,
        requester="Kari Nordmann",
        approver="Ola Leder",
        rows=_rows(),
        total=1_600_000,
        tier_name="Del II (over nasjonal terskelverdi)",
        status="Venter på godkjenning" if view != "decided" else "Godkjent",
        refresh_user_ids=[APPROVER, REQUESTER],
        decision=ApprovalDecision(
            "approved", "Per Stedfortreder", DECIDED_AT, on_behalf_of="Ola Leder", comment="OK"
        )
        if view == "decided"
        else None,
    )


def _triage(lang: str, decided: bool = False, title: str = "Elevpulter") -> TriageCard:
    return TriageCard.build(
        lang,
        case_id="9f1c",
        version=5,
        number="ANS-2026-0042",
        title=title,
        requester="Kari Nordmann",
        service_area="Oppvekst og utdanning",
        description=LONG_DESCRIPTION,
        rows=_rows("se under")[1:],
        total=1_600_000,
        tier_name="Del II",
        tier_lines=TIER_LINES,
        decision=TriageDecision("existing", "Rådgiver Rask", DECIDED_AT, note="RA-2024-017")
        if decided
        else None,
    )


def _reminder(
    lang: str, *, actionable: bool = True, escalation: bool = False, **changes: Any
) -> ReminderCard:
    values: dict[str, Any] = {
        "reminder_id": 12,
        "version": 1,
        "number": "AV-2024-001",
        "title": "Kontorrekvisita **[x](http://evil)**",
        "supplier": "Kontorland AS",
        "what": "fristen for opsjon 1",
        "deadline": date(2027, 2, 15),
        "lead": "1m" if escalation else "3m",
        "escalation": escalation,
        "manager": "Kari Nordmann",
        "service_area": "Oppvekst og utdanning",
        "final_end": date(2028, 5, 31),
        "estimated_value": 1_250_000,
        "max_value": 2_000_000,
        "show_value": actionable,
        "deviation_count": 3 if actionable else None,
        "actionable": actionable,
        "can_option": True,
        "outcome": None if actionable else "Kari Nordmann valgte å la avtalen utløpe.",
        "refresh_user_ids": [APPROVER],
    }
    values.update(changes)
    return ReminderCard.build(lang, **values)


def _consumption_reminder(
    lang: str, *, escalation: bool = False, show_value: bool = True
) -> ReminderCard:
    return _reminder(
        lang,
        escalation=escalation,
        reminder_id=13,
        number="AV-2025-003",
        title="Datautstyr skole",
        what="avtalens maksimale verdi",
        deadline=date(2029, 12, 31),
        lead="95%" if escalation else "80%",
        final_end=date(2029, 12, 31),
        estimated_value=1_500_000,
        consumed_value=1_920_000 if escalation else 1_700_000,
        show_value=show_value,
        deviation_count=0,
        can_option=False,
    )


def _option(lang: str, *, decided: bool = False) -> OptionApprovalCard:
    return OptionApprovalCard.build(
        lang,
        request_id=4,
        version=2 if decided else 1,
        number="AV-2024-001",
        title="Kontorrekvisita",
        supplier="Kontorland AS",
        option_number="1",
        deadline=date(2027, 2, 15),
        option_end=date(2028, 5, 31),
        requester="Kari Nordmann",
        approver="Ingrid Solberg",
        estimated_value=1_250_000,
        show_value=not decided,
        actionable=not decided,
        outcome="Godkjent av Ingrid Solberg." if decided else None,
    )


def _room_welcome(
    lang: str, *, title: str = "Elevpulter til Kjeller skole", url: str = "https://teams.example/t"
) -> RoomWelcomeCard:
    return RoomWelcomeCard.build(
        lang,
        number="ANS-2026-0042",
        title=title,
        description=LONG_DESCRIPTION,
        rows=_rows()[2:],
        total=1_600_000,
        tier_name="Del II",
        checklist=CHECKLIST,
        topics=["Budsjett", "Risiko", "Livssykluskostnader"],
        url=url,
    )


def _room_failed(lang: str, *, retrying: bool = False) -> RoomFailedCard:
    return RoomFailedCard.build(
        lang,
        case_id="ANS-2026-0042",
        version=1,
        number="ANS-2026-0042",
        title="Elevpulter",
        reason="Teams klarte ikke å opprette teamet.",
        detail="team operation failed: InternalServerError",
        retrying=retrying,
    )


SAMPLES: dict[str, Callable[[str], CardModel]] = {
    "welcome": lambda lang: WelcomeCard.build(lang, user_name="Kari Nordmann"),
    "welcome_anonymous": lambda lang: WelcomeCard.build(lang),
    "help": lambda lang: HelpCard.build(lang),
    "question_buttons": lambda lang: QuestionCard.build(
        lang,
        text="Hva slags anskaffelse er det?",
        example="Vare, tjeneste eller bygg og anlegg",
        options=[("vare", "Vare"), ("tjeneste", "Tjeneste"), ("bygg_anlegg", "Bygg og anlegg")],
        step=(5, 17),
    ),
    "question_dropdown": lambda lang: QuestionCard.build(
        lang,
        text="Hvilket tjenesteområde gjelder det?",
        error="Jeg fant ikke «oppvekts». Velg et av områdene.",
        options=[*SERVICE_AREAS, ("annet", "Annet")],
    ),
    "question_free_text": lambda lang: QuestionCard.build(
        lang, text="Hva er anslått verdi per år eks. mva.?", example="400 000"
    ),
    "need_summary": lambda lang: NeedSummaryCard.build(
        lang,
        draft_id="draft-77",
        title="Elevpulter til Kjeller skole",
        rows=_rows(),
        total=1_600_000,
        tier_name="Del II",
        tier_lines=TIER_LINES,
        checklist=CHECKLIST,
        editable_fields=[(name, name.replace("_", " ")) for name in FORM_FIELDS],
    ),
    "need_form": lambda lang: NeedFormCard.build(
        lang,
        service_areas=SERVICE_AREAS,
        values={
            "title": "Elevpulter",
            "description": LONG_DESCRIPTION,
            "service_area": "oppvekst",
            "annual_value": 400_000,
            "start_date": date(2027, 8, 1),
            "personal_data": False,
        },
        errors={"period": "Jeg forstod ikke perioden. Skriv for eksempel «2+1+1 år»."},
        draft_id="draft-77",
    ),
    "need_form_empty": lambda lang: NeedFormCard.build(lang, service_areas=SERVICE_AREAS),
    "case_list": lambda lang: CaseListCard.build(
        lang,
        cases=[
            CaseEntry(
                f"id-{n}", f"ANS-2026-{n:04d}", f"Sak nummer {n}", "Innsendt", date(2026, 11, n)
            )
            for n in range(1, 21)
        ],
        total=31,
    ),
    "case_list_empty": lambda lang: CaseListCard.build(lang, cases=[]),
    "contract_list": lambda lang: ContractListCard.build(
        lang,
        heading="Avtaler som passer «kontor»",
        contracts=[
            ContractEntry(
                "AV-2024-001", "Kontorrekvisita", "Kontorland AS", date(2027, 5, 31), 1_250_000
            ),
            ContractEntry(
                "AV-2023-007",
                "Skolemøbler **[x](http://evil)**",
                "Møbelhuset Øst AS",
                date(2031, 7, 31),
            ),
        ],
        empty="Fant ingen avtaler.",
    ),
    "contract_list_empty": lambda lang: ContractListCard.build(
        lang, heading="Avtaler som utløper innen 12 måneder", contracts=[], empty="Ingen."
    ),
    "case_detail": lambda lang: CaseDetailCard.build(
        lang,
        case_id="9f1c",
        number="ANS-2026-0042",
        title="Elevpulter til Kjeller skole",
        status="Til godkjenning",
        rows=_rows(),
        total=1_600_000,
        tier_name="Del II",
        tier_lines=TIER_LINES,
        checklist=CHECKLIST,
    ),
    "resume_draft": lambda lang: ResumeDraftCard.build(
        lang, draft_id="draft-77", title="Elevpulter", updated=DECIDED_AT
    ),
    "resume_draft_untitled": lambda lang: ResumeDraftCard.build(lang, draft_id="draft-78"),
    "error": lambda lang: ErrorCard.build(lang, reference="c0ffee-42"),
    "approval_approver": lambda lang: _approval(lang, "approver"),
    "approval_requester": lambda lang: _approval(lang, "requester"),
    "approval_readonly": lambda lang: _approval(lang, "readonly"),
    "approval_decided": lambda lang: _approval(lang, "decided"),
    "triage": lambda lang: _triage(lang),
    "triage_decided": lambda lang: _triage(lang, decided=True),
    "reminder": lambda lang: _reminder(lang),
    "reminder_escalation": lambda lang: _reminder(lang, escalation=True),
    "reminder_decided": lambda lang: _reminder(lang, actionable=False),
    "reminder_consumption": lambda lang: _consumption_reminder(lang),
    "reminder_consumption_escalation": lambda lang: _consumption_reminder(lang, escalation=True),
    "option_approval": lambda lang: _option(lang),
    "option_approval_decided": lambda lang: _option(lang, decided=True),
    **DEVIATION_SAMPLES,
    **CASE_SAMPLES,
    "room_welcome": lambda lang: _room_welcome(lang),
    "room_welcome_no_link": lambda lang: _room_welcome(lang, url=""),
    "room_failed": lambda lang: _room_failed(lang),
    "room_failed_retrying": lambda lang: _room_failed(lang, retrying=True),
}
CASES = [(name, lang) for name in SAMPLES for lang in ("nb", "en")]


@pytest.fixture(params=CASES, ids=[f"{name}-{lang}" for name, lang in CASES])
def rendered(request: pytest.FixtureRequest) -> tuple[CardModel, dict[str, Any]]:
    name, lang = request.param
    model = SAMPLES[name](lang)
    # strict: a template binding to anything the model does not have fails here
    return model, render(model.template, model, strict=True)


def _walk(node: Any) -> Iterator[Any]:
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
    for child in children:
        yield from _walk(child)


def _strings(card: dict[str, Any]) -> list[str]:
    return [node for node in _walk(card) if isinstance(node, str)]


def _objects(card: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [node for node in _walk(card) if isinstance(node, dict) and node.get("type") == kind]


def _inputs(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        node
        for node in _walk(card)
        if isinstance(node, dict) and str(node.get("type", "")).startswith("Input.")
    ]


def _verbs(card: dict[str, Any]) -> set[str]:
    found = {n["verb"] for n in _objects(card, "Action.Execute")}
    for node in _walk(card):
        if isinstance(node, dict) and isinstance(node.get("data"), dict) and "verb" in node["data"]:
            found.add(node["data"]["verb"])
    return found


def _texts(card: dict[str, Any]) -> list[str]:
    return [block["text"] for block in _objects(card, "TextBlock")]


# --- every card --------------------------------------------------------------------------


def test_every_template_has_a_model_and_a_sample() -> None:
    assert sorted(model.template for model in CARD_MODELS) == template_names()
    sampled = {SAMPLES[name]("nb").template for name in SAMPLES}
    assert sampled == set(template_names())


def test_card_is_valid_adaptive_card_1_5(rendered: tuple[CardModel, dict[str, Any]]) -> None:
    _, card = rendered
    errors = [f"{e.json_path}: {e.message}" for e in VALIDATOR.iter_errors(card)]
    assert not errors, "\n".join(errors[:5])
    assert card["version"] == "1.5"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"


def test_input_ids_are_unique(rendered: tuple[CardModel, dict[str, Any]]) -> None:
    ids = [node["id"] for node in _inputs(rendered[1])]
    assert len(ids) == len(set(ids))


def test_nothing_is_left_unbound_or_untranslated(
    rendered: tuple[CardModel, dict[str, Any]],
) -> None:
    for text in _strings(rendered[1]):
        assert "${" not in text
        assert not re.search(r"\{[a-z_]+\}", text), f"unformatted placeholder in {text!r}"
        assert not re.match(r"^card\.[a-z_]+\.", text), f"missing catalog key {text!r}"


def test_texts_and_titles_are_not_empty(rendered: tuple[CardModel, dict[str, Any]]) -> None:
    _, card = rendered
    assert all(text.strip() for text in _texts(card))
    actions = [
        n for n in _walk(card) if isinstance(n, dict) and str(n.get("type")).startswith("Action.")
    ]
    assert all(
        action.get("title")
        for action in actions
        if action is not card.get("refresh", {}).get("action")
    )


def test_verbs_are_known(rendered: tuple[CardModel, dict[str, Any]]) -> None:
    assert _verbs(rendered[1]) <= verbs.ALL


def test_card_level_actions_fit_teams(rendered: tuple[CardModel, dict[str, Any]]) -> None:
    assert len(rendered[1].get("actions", [])) <= 6  # Teams shows at most six


def test_card_is_under_28_kb(rendered: tuple[CardModel, dict[str, Any]]) -> None:
    assert card_size_bytes(rendered[1]) < MAX_CARD_BYTES


def test_execute_actions_carry_case_and_version_with_a_submit_fallback(
    rendered: tuple[CardModel, dict[str, Any]],
) -> None:
    model, card = rendered
    refresh = card.get("refresh", {}).get("action")
    for action in _objects(card, "Action.Execute"):
        # the subject: a case, a contract reminder or an option request
        key = next(k for k in ("case_id", "reminder_id", "request_id") if k in action["data"])
        assert action["data"][key] == getattr(model, key)
        assert action["data"]["version"] == model.version  # type: ignore[attr-defined]
        assert isinstance(action["data"]["version"], int)
        if action is not refresh:
            fallback = action["fallback"]
            assert fallback["type"] == "Action.Submit"
            assert fallback["data"] == action["data"]
            assert fallback["data"]["verb"] == action["verb"]


# --- escaping, in the cards --------------------------------------------------------------


HOSTILE_CARDS: dict[str, Callable[[str], CardModel]] = {
    "need_summary": lambda text: NeedSummaryCard.build(
        "nb", draft_id="d", title=text, rows=[("Beskrivelse", text)], total=1, tier_name="x"
    ),
    "case_list": lambda text: CaseListCard.build(
        "nb", cases=[CaseEntry("id", "ANS-2026-0001", text, "Innsendt")]
    ),
    "case_detail": lambda text: CaseDetailCard.build(
        "nb", case_id="i", number="n", title=text, status="s", rows=[], total=1, tier_name="t"
    ),
    "approval": lambda text: _approval("nb", "approver", title=text),
    "triage": lambda text: _triage("nb", title=text),
    "welcome": lambda text: WelcomeCard.build("nb", user_name=text),
    "room_welcome": lambda text: _room_welcome("nb", title=text),
}


@pytest.mark.parametrize("name", HOSTILE_CARDS)
def test_user_text_is_shown_escaped(name: str) -> None:
    card = HOSTILE_CARDS[name](HOSTILE).render()
    strings = _strings(card)
    assert not any("**fet**" in s or "[lenke](" in s for s in strings)
    escaped = escape_markdown(HOSTILE.split(" ")[0] if name == "welcome" else HOSTILE)
    assert any(escaped in s for s in strings)


def test_user_text_cannot_smuggle_a_binding() -> None:
    card = NeedSummaryCard.build(
        "nb", draft_id="d", title="${$root.draft_id}", rows=[], total=1, tier_name="x"
    ).render()
    assert not any("${" in s for s in _strings(card))
    assert "$\\{$root.draft\\_id}" in _texts(card)


def test_prefilled_form_values_are_not_escaped() -> None:
    card = NeedFormCard.build("nb", service_areas=SERVICE_AREAS, values={"title": HOSTILE}).render()
    (title,) = [node for node in _inputs(card) if node["id"] == "title"]
    assert title["value"] == HOSTILE


# --- size with long user text ------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["need_summary", "need_form", "case_detail", "approval_approver", "triage"]
)
def test_long_description_stays_under_28_kb(name: str) -> None:
    model = SAMPLES[name]("nb")
    assert LONG_DESCRIPTION in json.dumps(model.model_dump(), ensure_ascii=False)
    assert card_size_bytes(model.render()) < MAX_CARD_BYTES


def test_the_worst_case_summary_stays_under_28_kb() -> None:
    # A description full of characters that escaping doubles, in every row.
    nasty = ("*_[]()#>~`\\" * 200)[:2000]
    model = NeedSummaryCard.build(
        "nb",
        draft_id="d",
        title=nasty[:120],
        rows=[("Beskrivelse", nasty), ("Begrunnelse", nasty[:1000])],
        total=1_600_000,
        tier_name="Del II",
        tier_lines=TIER_LINES,
        checklist=CHECKLIST,
        editable_fields=[(name, name) for name in FORM_FIELDS],
    )
    assert card_size_bytes(model.render()) < MAX_CARD_BYTES


# --- card by card ------------------------------------------------------------------------


def test_welcome_and_help_offer_the_four_menu_verbs() -> None:
    menu = [
        verbs.WELCOME_NEW_NEED,
        verbs.WELCOME_NEW_DEVIATION,
        verbs.WELCOME_MY_CASES,
        verbs.WELCOME_HELP,
    ]
    for model in (WelcomeCard.build("nb"), HelpCard.build("nb")):
        card = model.render()
        assert [a["data"] for a in card["actions"]] == [{"verb": verb} for verb in menu]
        assert all(a["type"] == "Action.Submit" for a in card["actions"])
    titles = [a["title"] for a in WelcomeCard.build("nb").render()["actions"]]
    assert titles == ["Ny behovsmelding", "Meld avvik", "Mine saker", "Hjelp"]


def test_welcome_greets_by_first_name() -> None:
    assert (
        WelcomeCard.build("nb", user_name="Kari Nordmann")
        .render()["body"][0]["text"]
        .startswith("Hei, Kari!")
    )
    assert WelcomeCard.build("en-US").render()["body"][0]["text"].startswith("Hi!")


def test_help_lists_every_command() -> None:
    (facts,) = _objects(HelpCard.build("nb").render(), "FactSet")
    commands = [fact["title"] for fact in facts["facts"]]
    assert commands == [
        "ny behovsmelding",
        "meld avvik",
        "mine saker",
        "mine godkjenninger",
        "finn avtale <søk>",
        "avtaler som utløper",
        "avvik for <leverandør>",
        "avbryt",
        "tilbake",
        "hjelp",
    ]
    assert all(fact["value"] for fact in facts["facts"])


def test_question_with_few_choices_has_one_button_each() -> None:
    card = SAMPLES["question_buttons"]("nb").render()
    assert [a["data"] for a in card["actions"]] == [
        {"verb": verbs.NEED_ANSWER, "answer": value}
        for value in ("vare", "tjeneste", "bygg_anlegg")
    ]
    assert not _inputs(card)
    assert _texts(card)[0] == "Spørsmål 5 av 17"


def test_question_with_many_choices_has_a_dropdown_and_one_button() -> None:
    card = SAMPLES["question_dropdown"]("en").render()
    (choice_set,) = _inputs(card)
    assert choice_set["id"] == "answer" and choice_set["style"] == "compact"
    assert len(choice_set["choices"]) == 7
    assert card["actions"] == [
        {
            "type": "Action.Submit",
            "title": "Next",
            "style": "positive",
            "data": {"verb": verbs.NEED_ANSWER},
        }
    ]
    (error,) = [b for b in _objects(card, "TextBlock") if b.get("color") == "Attention"]
    assert error["text"] == escape_markdown("Jeg fant ikke «oppvekts». Velg et av områdene.")


def test_question_without_choices_has_no_actions() -> None:
    card = SAMPLES["question_free_text"]("nb").render()
    assert card["actions"] == []
    assert "Eksempel: 400 000" in _texts(card)


def test_question_refuses_too_many_choices() -> None:
    with pytest.raises(ValidationError):
        QuestionCard.build("nb", text="?", options=[(str(n), str(n)) for n in range(31)])


def test_need_summary_actions() -> None:
    card = SAMPLES["need_summary"]("nb").render()
    send, edit, cancel = card["actions"]
    assert send["data"] == {"verb": verbs.NEED_SUBMIT, "draft_id": "draft-77"}
    assert cancel["data"] == {"verb": verbs.NEED_CANCEL, "draft_id": "draft-77"}
    assert edit["type"] == "Action.ShowCard" and edit["id"] == verbs.NEED_EDIT
    (picker,) = _inputs(edit["card"])
    assert picker["id"] == "field" and len(picker["choices"]) == len(FORM_FIELDS)
    assert [a["data"]["verb"] for a in edit["card"]["actions"]] == [
        verbs.NEED_EDIT_FIELD,
        verbs.NEED_FORM_OPEN,
    ]
    facts = [f for fs in _objects(card, "FactSet") for f in fs["facts"]]
    assert {
        "title": "Anslått totalverdi eks. mva.",
        "value": "1\u00a0600\u00a0000\u00a0kr",
    } in facts
    assert "• Protokollplikt" in _texts(card)


def test_need_form_has_every_field_prefilled_with_errors_under_the_input() -> None:
    card = SAMPLES["need_form"]("nb").render()
    body = card["body"]
    inputs = {node["id"]: node for node in _inputs(card)}
    assert list(inputs) == list(FORM_FIELDS)
    assert inputs["title"]["value"] == "Elevpulter"
    assert inputs["annual_value"]["value"] == "400000"
    assert (
        inputs["start_date"]["type"] == "Input.Date"
        and inputs["start_date"]["value"] == "2027-08-01"
    )
    assert inputs["personal_data"]["value"] == "nei"
    assert [c["value"] for c in inputs["service_area"]["choices"]] == [
        sid for sid, _ in SERVICE_AREAS
    ]
    assert [c["value"] for c in inputs["contract_type"]["choices"]] == list(CONTRACT_TYPES)
    position = body.index(inputs["period"])
    assert body[position + 1]["color"] == "Attention"
    assert body[position + 1]["text"].startswith("Jeg forstod ikke perioden")
    attention = [b for b in body if b.get("color") == "Attention"]
    assert len(attention) == 2  # the banner and the one field error
    assert card["actions"][0]["data"] == {"verb": verbs.NEED_FORM_SUBMIT, "draft_id": "draft-77"}
    assert card["actions"][1]["associatedInputs"] == "none"


def test_need_form_takes_choices_from_the_caller() -> None:
    model = NeedFormCard.build(
        "nb",
        service_areas=SERVICE_AREAS,
        options={"urgency": [("normal", "Normal"), ("haster", "Haster!")]},
    )
    assert [c.title for c in model.options["urgency"]] == ["Normal", "Haster!"]


def test_need_form_refuses_unknown_fields() -> None:
    with pytest.raises(ValidationError):
        NeedFormCard.build("nb", service_areas=SERVICE_AREAS, values={"colour": "red"})


def test_need_form_choices_match_the_domain() -> None:
    needs = pytest.importorskip("bot.core.domain.needs")
    thresholds = pytest.importorskip("bot.core.domain.thresholds")
    need_fields = pytest.importorskip("bot.core.domain.need_fields")
    assert list(CONTRACT_TYPES) == [str(kind) for kind in thresholds.ContractType]
    assert URGENCIES == tuple(needs.URGENCY_CHOICES)
    assert CLIMATE_IMPACTS == tuple(needs.CLIMATE_CHOICES)
    assert YES_NO == (need_fields.YES, need_fields.NO)
    assert tuple(spec.name for spec in need_fields.FIELDS) == FORM_FIELDS


def test_case_list_rows_and_limits() -> None:
    card = SAMPLES["case_list"]("nb").render()
    buttons = [a for a in _objects(card, "Action.Submit") if a["data"]["verb"] == verbs.CASE_OPEN]
    assert len(buttons) == 15
    assert buttons[0] == {
        "type": "Action.Submit",
        "title": "Åpne",
        "data": {"verb": verbs.CASE_OPEN, "case_id": "id-1"},
    }
    assert "Innsendt · 01.11.2026" in _texts(card)
    assert _texts(card)[-1] == "Viser de 15 nyeste av 31 sakene dine."


def test_case_list_empty_state() -> None:
    card = SAMPLES["case_list_empty"]("en").render()
    assert _texts(card) == ["My cases", card["body"][1]["text"]]
    assert card["body"][1]["text"].startswith("You have no cases yet")
    assert not _objects(card, "Container")


def test_case_detail_shows_status_total_tier_and_checklist() -> None:
    card = SAMPLES["case_detail"]("nb").render()
    facts = [f for fs in _objects(card, "FactSet") for f in fs["facts"]]
    assert facts[0] == {"title": "Status", "value": "Til godkjenning"}
    assert {"title": "Regelverk", "value": "Del II"} in facts
    assert sum(text.startswith("• ") for text in _texts(card)) == len(CHECKLIST)
    assert card["actions"][0]["data"] == {"verb": verbs.WELCOME_MY_CASES}


def test_resume_draft() -> None:
    card = SAMPLES["resume_draft"]("nb").render()
    assert _texts(card) == [
        "Du har en påbegynt behovsmelding – vil du fortsette på den?",
        "«Elevpulter», sist endret 26.11.2026 kl. 14:05",  # Oslo time
    ]
    assert [a["data"] for a in card["actions"]] == [
        {"verb": verbs.NEED_RESUME, "draft_id": "draft-77"},
        {"verb": verbs.NEED_DISCARD, "draft_id": "draft-77"},
    ]
    assert len(_texts(SAMPLES["resume_draft_untitled"]("nb").render())) == 1


def test_error_card_shows_the_reference() -> None:
    card = ErrorCard.build(
        "en", reference="c0ffee-42", message="The case was changed by someone else."
    )
    texts = _texts(card.render())
    assert texts[0] == "Sorry, something went wrong."
    assert "Reference: c0ffee-42" in texts
    assert "The case was changed by someone else." in texts


# --- approval and triage -----------------------------------------------------------------


def _executes(card: dict[str, Any]) -> list[str]:
    refresh = card.get("refresh", {}).get("action")
    return [a["verb"] for a in _objects(card, "Action.Execute") if a is not refresh]


def test_approval_views() -> None:
    approver = _approval("nb", "approver").render()
    assert _executes(approver) == [
        verbs.APPROVAL_APPROVE,
        verbs.APPROVAL_REJECT,
        verbs.APPROVAL_ASK,
    ]
    assert [node["id"] for node in _inputs(approver)] == ["comment"]
    (action_set,) = _objects(approver, "ActionSet")
    assert [a["title"] for a in action_set["actions"]] == [
        "Godkjenn",
        "Avvis",
        "Be om mer informasjon",
    ]

    requester = _approval("nb", "requester").render()
    assert _executes(requester) == [verbs.APPROVAL_WITHDRAW]
    assert not _inputs(requester)
    assert "venter på godkjenning fra Ola Leder" in " ".join(_texts(requester))

    readonly = _approval("nb", "readonly").render()
    assert _executes(readonly) == [] and not _inputs(readonly)
    assert any(
        f["value"] == "Venter på godkjenning"
        for fs in _objects(readonly, "FactSet")
        for f in fs["facts"]
    )


def test_approval_refresh_goes_to_the_listed_users() -> None:
    card = _approval("en", "approver").render()
    assert card["refresh"] == {
        "action": {
            "type": "Action.Execute",
            "verb": verbs.APPROVAL_REFRESH,
            "data": {"verb": verbs.APPROVAL_REFRESH, "case_id": "9f1c", "version": 4},
        },
        "userIds": [APPROVER, REQUESTER],
    }


def test_approval_decided_view_names_the_stand_in() -> None:
    card = _approval("nb", "decided").render()
    assert _executes(card) == [] and not _inputs(card)
    assert card["refresh"]["userIds"] == []  # nothing left to act on: no automatic refresh
    facts = {f["title"]: f["value"] for fs in _objects(card, "FactSet") for f in fs["facts"]}
    assert facts["Beslutning"] == "Godkjent"
    assert facts["Besluttet av"] == "Per Stedfortreder"
    assert facts["På vegne av"] == "Ola Leder"
    assert facts["Tidspunkt"] == "26.11.2026 kl. 14:05"
    assert facts["Kommentar"] == "OK"


def test_approval_refresh_user_ids_are_at_most_60() -> None:
    users = [f"29:user-{n}" for n in range(61)]
    base = _approval("nb", "approver")
    ok = base.model_copy(update={"refresh_user_ids": users[:60]}).render()
    assert len(ok["refresh"]["userIds"]) == 60
    with pytest.raises(ValidationError):
        ApprovalCard.model_validate(
            {**base.model_dump(exclude={"labels"}), "refresh_user_ids": users}
        )


def test_approval_refresh_user_ids_are_mris_without_duplicates() -> None:
    base = _approval("nb", "approver").model_dump(exclude={"labels"})
    deduped = ApprovalCard.model_validate({**base, "refresh_user_ids": [APPROVER, APPROVER]})
    assert deduped.refresh_user_ids == [APPROVER]
    with pytest.raises(ValidationError):
        ApprovalCard.model_validate({**base, "refresh_user_ids": ["kari@lillestrom.kommune.no"]})


def test_approval_decided_view_needs_a_decision() -> None:
    with pytest.raises(ValueError, match="decision"):
        ApprovalCard.build(
            "nb", view="decided", case_id="c", version=1, number="n", title="t", requester="r",
            approver="a", rows=[], total=None, tier_name="t", status="s",
        )  # fmt: skip


def test_triage_actions_and_inputs() -> None:
    card = _triage("nb").render()
    (action_set,) = _objects(card, "ActionSet")
    accept, clarify, existing, reject = action_set["actions"]
    assert accept["type"] == "Action.Execute" and accept["verb"] == verbs.TRIAGE_ACCEPT
    for show_card, verb, input_id in (
        (clarify, verbs.TRIAGE_CLARIFY, "clarify_question"),
        (existing, verbs.TRIAGE_EXISTING, "agreement_ref"),
        (reject, verbs.TRIAGE_REJECT, "reject_reason"),
    ):
        assert show_card["type"] == "Action.ShowCard"
        assert [i["id"] for i in _inputs(show_card["card"])] == [input_id]
        assert _executes(show_card["card"]) == [verb]
    assert [a["title"] for a in action_set["actions"]] == [
        "Aksepter",
        "Trenger avklaring",
        "Dekkes av eksisterende avtale",
        "Avvis",
    ]


def test_triage_decided_view() -> None:
    card = _triage("en", decided=True).render()
    assert not _objects(card, "ActionSet") and not _inputs(card)
    facts = {f["title"]: f["value"] for fs in _objects(card, "FactSet") for f in fs["facts"]}
    assert facts["Assessment"] == "Covered by an existing agreement"
    assert facts["Note"] == "RA-2024-017"
    assert facts["Assessed by"] == "Rådgiver Rask"


def test_reminder_card_shows_deviations_and_value_only_when_given() -> None:
    card = SAMPLES["reminder"]("nb").render()
    facts = {f["title"]: f["value"] for fs in _objects(card, "FactSet") for f in fs["facts"]}
    assert facts["Avvik meldt på avtalen"] == "3"
    assert "1\u00a0250\u00a0000\u00a0kr (maks" in facts["Anslått verdi eks. mva."]
    assert {"reminder.start", "reminder.option", "reminder.let_expire", "reminder.snooze"} <= (
        _verbs(card)
    )
    closed = SAMPLES["reminder_decided"]("nb").render()
    facts = {f["title"]: f["value"] for fs in _objects(closed, "FactSet") for f in fs["facts"]}
    assert "Avvik meldt på avtalen" not in facts and "Anslått verdi eks. mva." not in facts
    assert "1\u00a0250\u00a0000" not in json.dumps(closed, ensure_ascii=False)
    assert _verbs(closed) == {"reminder.refresh"}


# --- catalogs ----------------------------------------------------------------------------


def _catalog(lang: str) -> dict[str, Any]:
    with (LOCALES / lang / "cards.yaml").open(encoding="utf-8") as handle:
        data: dict[str, Any] = yaml.safe_load(handle)
    return data


def test_bokmal_and_english_card_catalogs_have_the_same_keys() -> None:
    nb, en = _catalog("nb"), _catalog("en")
    assert set(nb) == set(en)
    for catalog in (nb, en):
        for key, value in catalog.items():
            assert re.fullmatch(r"card\.[a-z_]+\.[a-z0-9_]+", key), key
            assert isinstance(value, str) and value.strip(), (
                key
            )  # YAML turns bare Yes/No into bools


def test_placeholders_agree_between_languages() -> None:
    nb, en = _catalog("nb"), _catalog("en")
    for key in nb:
        assert set(re.findall(r"\{(\w+)\}", nb[key])) == set(re.findall(r"\{(\w+)\}", en[key])), key


def test_every_label_a_template_uses_is_in_the_catalog() -> None:
    nb = _catalog("nb")
    for path in TEMPLATES_DIR.glob("*.json"):
        for name in re.findall(r"labels\.([a-z0-9_]+)", path.read_text("utf-8")):
            assert f"card.{path.stem}.{name}" in nb or f"card.common.{name}" in nb, (
                path.name,
                name,
            )


# --- the same output as Microsoft's JavaScript templating engine -------------------------


TEMPLATING_PACKAGES = ("adaptivecards-templating@2.3.1", "adaptive-expressions@4.23.3")
TEMPLATING_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "adaptivecards-templating"


def _node_templating() -> Path | None:
    """Where Microsoft's `adaptivecards-templating` is installed: CARDS_TEMPLATING_NODE_PATH, or
    the git-ignored cache, filled once with npm when Node.js is present (None without it)."""
    if not shutil.which("node"):
        return None
    location = os.environ.get("CARDS_TEMPLATING_NODE_PATH")
    path = Path(location) if location else TEMPLATING_CACHE / "node_modules"
    if not (path / "adaptivecards-templating").is_dir() and not location and shutil.which("npm"):
        TEMPLATING_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--prefix",
                str(TEMPLATING_CACHE),
                "--no-audit",
                "--no-fund",
                "--silent",
                *TEMPLATING_PACKAGES,
            ],
            capture_output=True,
            check=False,
            timeout=180,
        )
    return path if (path / "adaptivecards-templating").is_dir() else None


_NODE_SCRIPT = """
const ACData = require("adaptivecards-templating");
const jobs = JSON.parse(require("fs").readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(jobs.map(
  (job) => new ACData.Template(job.template).expand({ $root: job.data }))));
"""


@pytest.mark.skipif(
    _node_templating() is None,
    reason="Node.js/npm not available (or the npm install failed): cannot compare with "
    "Microsoft's adaptivecards-templating",
)
def test_render_agrees_with_the_javascript_engine() -> None:
    node_path = _node_templating()
    assert node_path is not None
    models = [SAMPLES[name](lang) for name, lang in CASES]
    jobs = [
        {
            "template": json.loads((TEMPLATES_DIR / f"{m.template}.json").read_text("utf-8")),
            "data": m.model_dump(mode="json"),
        }
        for m in models
    ]
    result = subprocess.run(
        ["node", "-e", _NODE_SCRIPT],
        input=json.dumps(jobs),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "NODE_PATH": str(node_path)},
        timeout=60,
    )
    expected = json.loads(result.stdout)
    for model, theirs in zip(models, expected, strict=True):
        assert render(model.template, model, strict=True) == theirs, model.template


def test_a_consumption_reminder_shows_the_share_and_the_amounts_only_with_the_value() -> None:
    card = _consumption_reminder("nb").render()
    shown = json.dumps(card, ensure_ascii=False).replace("\u00a0", " ")
    assert "har nådd 85 % av maksimal verdi" in shown
    assert "1 700 000 kr av 2 000 000 kr" in shown
    verbs = {a["verb"] for a in _objects(card, "Action.Execute")}
    assert verbs == {"reminder.refresh", "reminder.start", "reminder.snooze"}  # no let_expire
    hidden = json.dumps(_consumption_reminder("nb", show_value=False).render(), ensure_ascii=False)
    assert "85 %" in hidden and "1\u00a0700\u00a0000" not in hidden and "2\u00a0000" not in hidden
    english = json.dumps(_consumption_reminder("en", escalation=True).render(), ensure_ascii=False)
    assert "reached 96 % of its maximum value" in english and "Escalated" in english
