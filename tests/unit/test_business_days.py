"""Business days in Norway and quiet hours (17–07 local), with the holidays package's calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.domain.business_days import (
    add_business_days,
    business_days_between,
    is_business_day,
    next_allowed_time,
)

pytestmark = pytest.mark.unit

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> datetime:
    return datetime(*args, tzinfo=OSLO)  # type: ignore[misc]


def test_the_calendar_the_holidays_package_gives() -> None:
    # 17 May and Christmas Day / Boxing Day are public holidays; Christmas Eve and New Year's
    # Eve are not (ordinary working days by law, though many offices close early)
    assert not is_business_day(date(2026, 5, 17))
    assert not is_business_day(date(2026, 12, 25))
    assert not is_business_day(date(2026, 12, 26))
    assert is_business_day(date(2026, 12, 24))
    assert is_business_day(date(2026, 12, 31))
    assert not is_business_day(date(2027, 1, 1))
    # Easter 2027: Maundy Thursday 25 March to Easter Monday 29 March
    assert [is_business_day(date(2027, 3, d)) for d in range(24, 31)] == [
        True, False, False, False, False, False, True,
    ]  # fmt: skip


def test_across_a_weekend() -> None:
    friday = oslo(2026, 11, 13, 10, 30)
    assert add_business_days(friday, 1) == oslo(2026, 11, 16, 10, 30)
    assert add_business_days(friday, 5) == oslo(2026, 11, 20, 10, 30)


def test_returns_utc_and_keeps_the_local_time_of_day() -> None:
    result = add_business_days(oslo(2026, 11, 13, 10, 30), 1)
    assert result.tzinfo is UTC
    assert result == datetime(2026, 11, 16, 9, 30, tzinfo=UTC)


def test_across_the_17th_of_may() -> None:
    # Friday 15 May 2026; the 17th is a Sunday, so only the weekend is skipped
    assert add_business_days(oslo(2026, 5, 15, 9), 1) == oslo(2026, 5, 18, 9)
    # 2027: 17 May is a Monday (also Whit Monday)
    assert add_business_days(oslo(2027, 5, 14, 9), 1) == oslo(2027, 5, 18, 9)


def test_across_christmas() -> None:
    # Wednesday 23 December 2026: 24th counts, 25th and 26th do not, 27th is a Sunday
    start = oslo(2026, 12, 23, 12)
    assert add_business_days(start, 1) == oslo(2026, 12, 24, 12)
    assert add_business_days(start, 2) == oslo(2026, 12, 28, 12)
    assert add_business_days(start, 5) == oslo(2026, 12, 31, 12)  # New Year's Eve counts
    assert add_business_days(start, 6) == oslo(2027, 1, 4, 12)  # 1 January is a holiday


def test_across_easter_2027() -> None:
    assert add_business_days(oslo(2027, 3, 24, 8), 1) == oslo(2027, 3, 30, 8)


def test_across_a_daylight_saving_change() -> None:
    # Friday 27 March 2026 09:00 CET; Monday 30 March 09:00 CEST
    result = add_business_days(oslo(2026, 3, 27, 9), 1)
    assert result == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_zero_and_negative_days() -> None:
    saturday = oslo(2026, 11, 14, 10)
    assert add_business_days(saturday, 0) == saturday
    assert add_business_days(oslo(2026, 11, 16, 10), -1) == oslo(2026, 11, 13, 10)


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_days(datetime(2026, 11, 13, 10), 1)


def test_business_days_between() -> None:
    assert business_days_between(oslo(2026, 11, 13, 16), oslo(2026, 11, 16, 8)) == 1
    assert business_days_between(oslo(2026, 12, 23, 9), oslo(2026, 12, 28, 9)) == 2
    assert business_days_between(oslo(2026, 12, 28, 9), oslo(2026, 12, 23, 9)) == -2
    assert business_days_between(oslo(2026, 11, 16, 8), oslo(2026, 11, 16, 20)) == 0


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    ),
    st.integers(min_value=-30, max_value=30),
)
def test_between_is_the_inverse_of_add(start: datetime, days: int) -> None:
    assert business_days_between(start, add_business_days(start, days)) == days


# quiet hours


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        # working hours on a business day: unchanged
        (oslo(2026, 11, 16, 7, 0), oslo(2026, 11, 16, 7, 0)),
        (oslo(2026, 11, 16, 16, 59), oslo(2026, 11, 16, 16, 59)),
        # evening: next morning at 07:00
        (oslo(2026, 11, 16, 17, 0), oslo(2026, 11, 17, 7, 0)),
        (oslo(2026, 11, 16, 23, 30), oslo(2026, 11, 17, 7, 0)),
        # early morning: the same morning
        (oslo(2026, 11, 17, 5, 0), oslo(2026, 11, 17, 7, 0)),
        # Friday evening and the weekend: Monday morning
        (oslo(2026, 11, 13, 18, 0), oslo(2026, 11, 16, 7, 0)),
        (oslo(2026, 11, 14, 12, 0), oslo(2026, 11, 16, 7, 0)),
        # Christmas: 24th is a working day; 25th–27th wait for Monday the 28th
        (oslo(2026, 12, 24, 10, 0), oslo(2026, 12, 24, 10, 0)),
        (oslo(2026, 12, 24, 17, 0), oslo(2026, 12, 28, 7, 0)),
        # Easter 2027: Wednesday evening waits until Tuesday after Easter
        (oslo(2027, 3, 24, 20, 0), oslo(2027, 3, 30, 7, 0)),
        # 17 May 2027 (Monday): Tuesday morning
        (oslo(2027, 5, 17, 9, 0), oslo(2027, 5, 18, 7, 0)),
    ],
)
def test_next_allowed_time(moment: datetime, expected: datetime) -> None:
    result = next_allowed_time(moment)
    assert result == expected
    assert result.tzinfo is UTC


def test_next_allowed_time_reads_a_utc_moment_in_local_time() -> None:
    # 16:30 UTC on a November Monday is 17:30 in Oslo: quiet
    assert next_allowed_time(datetime(2026, 11, 16, 16, 30, tzinfo=UTC)) == oslo(2026, 11, 17, 7)


def test_quiet_hours_are_settings() -> None:
    assert next_allowed_time(oslo(2026, 11, 16, 16), quiet_start=16, quiet_end=8) == oslo(
        2026, 11, 17, 8
    )


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
    )
)
def test_next_allowed_time_is_never_earlier_and_always_allowed(moment: datetime) -> None:
    result = next_allowed_time(moment)
    local = result.astimezone(OSLO)
    assert result >= moment
    assert result - moment < timedelta(days=7)
    assert is_business_day(local.date()) and 7 <= local.hour < 17
