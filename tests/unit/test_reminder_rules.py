"""The reminder actions' pure rules: who may act, which moves exist, who approves an option, and
the needs report prefilled from a contract."""

from __future__ import annotations

from datetime import date

import pytest

from bot.core.domain import reminder_actions as rules
from bot.core.domain.contracts import Contract, OptionPeriod
from bot.core.domain.directory import Person
from bot.core.domain.errors import Conflict, NotAuthorized
from bot.core.domain.thresholds import ContractType
from bot.core.services.reminder_actions import draft_from_contract

pytestmark = pytest.mark.unit

CONTRACT = Contract(
    number="AV-2024-001",
    title="Kontorrekvisita",
    supplier="Kontorland AS",
    org_number="974760673",
    start_date=date(2024, 1, 1),
    end_date=date(2026, 12, 31),
    options=(
        OptionPeriod(1, date(2027, 12, 31), date(2026, 10, 1)),
        OptionPeriod(2, date(2028, 12, 31), date(2027, 10, 1)),
    ),
    manager_email="Kari.Nordmann@lillestrom.kommune.no",
    service_area="oppvekst",
    contract_type="Rammeavtale varer",
    estimated_value=2_500_000,
)
KARI = Person("aad-kari", "Kari", email="kari.nordmann@lillestrom.kommune.no")
LISE = Person("aad-lise", "Lise", email="lise@lillestrom.kommune.no")
OLA = Person("aad-ola", "Ola", email="ola@lillestrom.kommune.no")
GUEST = Person("aad-gjest", "Gjest", email="kari.nordmann@lillestrom.kommune.no", is_guest=True)


def reminder(status: str = rules.PENDING, milestone: str = "option-1") -> rules.ReminderRecord:
    return rules.ReminderRecord(
        1, "AV-2024-001", milestone, "3m", False, date(2026, 7, 1), date(2026, 10, 1), status, 1
    )


def allowed(person: Person | None, *, member: bool = False) -> bool:
    try:
        rules.authorize_reminder_action(
            person, CONTRACT, procurement_contact_id="aad-lise", is_procurement_member=member
        )
    except NotAuthorized:
        return False
    return True


def test_who_may_act_on_a_reminder() -> None:
    assert allowed(KARI)  # the avtaleforvalter (email compared without case)
    assert allowed(LISE)  # the innkjøpskontakt
    assert allowed(OLA, member=True)  # Innkjøpsseksjonen
    assert not allowed(OLA)
    assert not allowed(None)
    assert not allowed(GUEST, member=True)  # a guest never, even with the manager's email


def test_moves_and_conflicts() -> None:
    assert rules.next_status(reminder(), rules.SNOOZE) == rules.SNOOZED
    assert rules.next_status(reminder(), rules.OPTION) == rules.OPTION_REQUESTED
    assert rules.next_status(reminder(), rules.LET_EXPIRE) == rules.LET_EXPIRE
    assert rules.next_status(reminder(), rules.START) == rules.STARTED
    with pytest.raises(Conflict):
        rules.next_status(reminder(rules.SNOOZED), rules.LET_EXPIRE)
    with pytest.raises(Conflict) as error:
        rules.next_status(reminder(milestone="expiry"), rules.OPTION)
    assert error.value.message_key == rules.REFUSED_NOT_OPTION
    consumption = reminder(milestone="max-value")
    with pytest.raises(Conflict) as error:
        rules.next_status(consumption, rules.LET_EXPIRE)  # a maximum value does not expire
    assert error.value.message_key == rules.REFUSED_NOT_EXPIRY
    assert rules.next_status(consumption, rules.START) == rules.STARTED
    with pytest.raises(Conflict):
        rules.check_version(1, 2)
    rules.check_version(2, 2)


def test_the_option_is_approved_by_the_owner_never_the_requester() -> None:
    director, above = Person("aad-ingrid", "Ingrid"), Person("aad-trine", "Trine")
    assert rules.option_approver("aad-kari", director, above) == director
    assert rules.option_approver("aad-ingrid", director, above) == above  # the director asks
    with pytest.raises(NotAuthorized):
        rules.option_approver("aad-ingrid", director, None)
    with pytest.raises(NotAuthorized):
        rules.option_approver("aad-kari", None, None)


def test_a_needs_report_prefilled_from_the_contract() -> None:
    draft = draft_from_contract(CONTRACT)
    assert draft.title == "Kontorrekvisita" and draft.service_area == "oppvekst"
    assert draft.contract_type is ContractType.VARE
    assert draft.period is not None
    assert (draft.period.base_months, draft.period.option_months) == (36, (12, 12))
    assert draft.annual_value == 500_000  # 2 500 000 over 60 months
    assert draft.existing_agreement == "AV-2024-001"
    assert "Kontorland AS" in (draft.description or "")


async def test_the_card_shows_the_deviation_count_only_when_known() -> None:
    from bot.teams.features.reminder_views import ReminderCardViews
    from integrations.directory.yaml_directory import YamlDirectory

    views = ReminderCardViews(YamlDirectory.demo)

    async def text(count: int | None) -> str:
        card = await views.reminder_card(
            reminder(),
            CONTRACT,
            lang="nb",
            show_value=False,
            actionable=True,
            deviation_count=count,
        )
        return str(card)

    assert "Avvik meldt på avtalen" not in await text(None)
    wired = await text(2)
    assert "Avvik meldt på avtalen" in wired and "'value': '2'" in wired
    assert "2 500 000" not in wired.replace("\\xa0", " ")  # no value without show_value
