"""Contract register domain: organisation numbers, milestones and when reminders are due."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.core.domain.contracts import (
    Contract,
    MilestoneKind,
    OptionPeriod,
    ReminderPolicy,
    due_reminders,
    first_scan_date,
    milestones,
    next_due_date,
    schedule,
    valid_org_number,
)

pytestmark = pytest.mark.unit

POLICY = ReminderPolicy()


def contract(**changes: object) -> Contract:
    values: dict[str, object] = {
        "number": "AV-2024-013",
        "title": "Renhold av skolebygg",
        "supplier": "Rørvik Renhold AS",
        "org_number": "974760673",
        "start_date": date(2024, 1, 1),
        "end_date": date(2027, 12, 31),
    }
    values.update(changes)
    return Contract(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "number",
    ["974760673", "958935420", "923609016", "971526920", "984851006"],  # Brreg, Oslo, Equinor…
)
def test_real_organisation_numbers_are_valid(number: str) -> None:
    assert valid_org_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "974760672",  # wrong check digit
        "123456789",  # starts with 1, and the check digit is wrong
        "912345670",  # remainder 1 for every check digit
        "912345671",
        "000000000",
        "97476067",
        "9747606730",
        "97476067a",
        "974 760 673",  # normalized by the row parser, not here
        "",
    ],
)
def test_invalid_organisation_numbers(number: str) -> None:
    assert not valid_org_number(number)


def test_remainder_one_is_never_valid() -> None:
    assert not any(valid_org_number(f"91234567{d}") for d in range(10))


def test_final_end_date_is_the_last_options_end() -> None:
    options = (
        OptionPeriod(1, date(2028, 12, 31), date(2027, 10, 1)),
        OptionPeriod(2, date(2029, 12, 31), date(2028, 10, 1)),
    )
    assert contract().final_end_date == date(2027, 12, 31)
    assert contract(options=options).final_end_date == date(2029, 12, 31)


def test_expiry_boundary_exactly_twelve_months_before() -> None:
    c = contract(end_date=date(2027, 12, 31))
    assert due_reminders(c, POLICY, as_of=date(2026, 12, 30)) == []
    due = due_reminders(c, POLICY, as_of=date(2026, 12, 31))
    assert [(d.milestone, d.lead, d.due_on, d.deadline) for d in due] == [
        ("expiry", "12m", date(2026, 12, 31), date(2027, 12, 31))
    ]
    assert due[0].kind is MilestoneKind.EXPIRY and not due[0].escalation


def test_nine_months_and_escalation() -> None:
    c = contract(end_date=date(2027, 12, 31))
    assert [d.lead for d in due_reminders(c, POLICY, as_of=date(2027, 3, 30))] == ["12m"]
    assert [d.lead for d in due_reminders(c, POLICY, as_of=date(2027, 3, 31))] == ["9m"]
    assert [d.lead for d in due_reminders(c, POLICY, as_of=date(2027, 11, 29))] == ["9m"]
    escalation = due_reminders(c, POLICY, as_of=date(2027, 11, 30))
    assert [(d.lead, d.escalation, d.kind) for d in escalation] == [
        ("1m", True, MilestoneKind.ESCALATION)
    ]
    assert due_reminders(c, POLICY, as_of=date(2027, 12, 31))[0].lead == "1m"
    assert due_reminders(c, POLICY, as_of=date(2028, 1, 1)) == []  # deadline passed


def test_option_notice_reminders() -> None:
    option = OptionPeriod(1, date(2028, 12, 31), notice_deadline=date(2027, 10, 1))
    c = contract(options=(option,))
    assert due_reminders(c, POLICY, as_of=date(2027, 3, 31)) == []
    assert [(d.milestone, d.lead) for d in due_reminders(c, POLICY, as_of=date(2027, 4, 1))] == [
        ("option-1", "6m")
    ]
    assert [d.lead for d in due_reminders(c, POLICY, as_of=date(2027, 7, 1))] == ["3m"]
    due = due_reminders(c, POLICY, as_of=date(2027, 9, 1))
    assert [(d.milestone, d.lead, d.kind) for d in due] == [
        ("option-1", "1m", MilestoneKind.ESCALATION)
    ]
    # the final expiry (31.12.2028) is a separate milestone, 12 months before
    both = due_reminders(c, POLICY, as_of=date(2027, 12, 31))
    assert [(d.milestone, d.lead) for d in both] == [("expiry", "12m")]


def test_exercised_options_get_no_notice_reminders() -> None:
    option = OptionPeriod(1, date(2028, 12, 31), date(2027, 10, 1), exercised=True)
    keys = [m.key for m in milestones(contract(options=(option,)))]
    assert keys == ["expiry"]


def test_several_leads_due_at_once_send_only_the_most_urgent() -> None:
    c = contract(end_date=date(2027, 12, 31))
    due = due_reminders(c, POLICY, as_of=date(2027, 6, 1))  # 12m and 9m both passed
    assert [d.lead for d in due] == ["9m"]


def test_schedule_and_next_due_date() -> None:
    c = contract(end_date=date(2027, 12, 31))
    assert [(r.lead, r.due_on) for r in schedule(c, POLICY)] == [
        ("12m", date(2026, 12, 31)),
        ("9m", date(2027, 3, 31)),
        ("1m", date(2027, 11, 30)),
    ]
    assert next_due_date(c, POLICY) == date(2026, 12, 31)
    assert next_due_date(c, POLICY, after=date(2026, 12, 31)) == date(2027, 3, 31)
    assert next_due_date(c, POLICY, after=date(2027, 11, 30)) is None


def test_first_scan_date() -> None:
    c = contract(end_date=date(2027, 12, 31))
    assert first_scan_date(c, POLICY, today=date(2026, 6, 1)) == date(2026, 12, 31)
    assert first_scan_date(c, POLICY, today=date(2027, 1, 15)) == date(2027, 1, 15)
    assert first_scan_date(c, POLICY, today=date(2028, 1, 1)) is None


def test_lead_times_come_from_the_policy() -> None:
    policy = ReminderPolicy(expiry_lead_months=(6,), escalation_lead_months=0)
    c = contract(end_date=date(2027, 12, 31))
    assert [(r.lead, r.due_on) for r in schedule(c, policy)] == [("6m", date(2027, 6, 30))]
    same = ReminderPolicy(expiry_lead_months=(12, 1), escalation_lead_months=1)
    leads = [(r.lead, r.escalation) for r in schedule(c, same)]
    assert leads == [("12m", False), ("1m", True)]


def test_due_date_clamps_to_month_end() -> None:
    c = contract(end_date=date(2028, 2, 29))
    assert schedule(c, POLICY)[0].due_on == date(2027, 2, 28)
    assert due_reminders(c, POLICY, as_of=date(2027, 2, 28) - timedelta(days=1)) == []


# --- purchases nearing the maximum value ("Forbruk") --------------------------------------------

TODAY = date(2026, 12, 1)


def _consumption(consumed: int | None, maximum: int | None = 2_000_000, **more: object) -> list:
    c = contract(consumed_value=consumed, max_value=maximum, end_date=date(2029, 12, 31), **more)
    return [
        (r.milestone, r.lead, r.escalation, r.due_on, r.deadline)
        for r in due_reminders(c, POLICY, as_of=TODAY)
        if r.kind is MilestoneKind.CONSUMPTION
    ]


def test_the_highest_share_reached_is_due_and_the_last_one_escalates() -> None:
    assert _consumption(1_599_999) == []  # 79 %
    reminder = ("max-value", "80%", False, TODAY, date(2029, 12, 31))
    assert _consumption(1_600_000) == [reminder]
    assert _consumption(1_899_999) == [reminder]  # 94 %: still the 80 % one
    assert _consumption(1_900_000) == [("max-value", "95%", True, TODAY, date(2029, 12, 31))]
    assert _consumption(2_400_000)[0][1] == "95%"  # over the maximum: still reminded


def test_no_consumption_reminder_without_both_amounts_or_after_the_end() -> None:
    assert _consumption(None) == []
    assert _consumption(1_900_000, maximum=None) == []
    assert _consumption(1_900_000, maximum=0) == []
    ended = contract(consumed_value=1_900_000, max_value=2_000_000, end_date=date(2026, 11, 30))
    assert due_reminders(ended, POLICY, as_of=TODAY) == []


def test_consumption_shares_come_from_the_policy_and_start_the_scan_today() -> None:
    c = contract(consumed_value=1_000_000, max_value=2_000_000, end_date=date(2029, 12, 31))
    assert c.consumed_percent == 50
    assert first_scan_date(c, POLICY, today=TODAY) == date(2028, 12, 31)  # the 12-month one
    half = ReminderPolicy(consumption_warn_percents=(50,))
    (due,) = due_reminders(c, half, as_of=TODAY)
    assert (due.lead, due.escalation) == ("50%", True)
    assert first_scan_date(c, half, today=TODAY) == TODAY
    assert due_reminders(c, ReminderPolicy(consumption_warn_percents=()), as_of=TODAY) == []
