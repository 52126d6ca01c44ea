"""Business days in Norway: weekends and public holidays (the `holidays` package) are skipped.

Reminders and escalations count business days, and nothing is sent in quiet hours: a notice due
in the evening, at a weekend or on a holiday waits for the next business morning. Christmas Eve
and New Year's Eve are ordinary working days by law (most offices close early, the law does not),
so they count.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import holidays

DEFAULT_TZ = "Europe/Oslo"


@cache
def _norwegian_holidays() -> holidays.HolidayBase:
    return holidays.country_holidays("NO")


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a Norwegian public holiday."""
    return day.weekday() < 5 and day not in _norwegian_holidays()


def _local(moment: datetime, tz: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timezone-aware datetime is required")
    return moment.astimezone(ZoneInfo(tz))


def add_business_days(start: datetime, days: int, *, tz: str = DEFAULT_TZ) -> datetime:
    """`start` moved `days` business days on (back when negative), same local time of day.

    Counted on the calendar of `tz`; returned in UTC. Zero days returns `start` unchanged.
    """
    local = _local(start, tz)
    day = local.date()
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        day += timedelta(days=step)
        if is_business_day(day):
            remaining -= 1
    moved = datetime.combine(day, local.time(), tzinfo=ZoneInfo(tz))
    return moved.astimezone(UTC)


def business_days_between(a: datetime, b: datetime, *, tz: str = DEFAULT_TZ) -> int:
    """Business days after `a`'s local date up to and including `b`'s; when `b` is earlier,
    minus those from `b`'s date up to (not including) `a`'s.

    The inverse of `add_business_days`: `business_days_between(a, add_business_days(a, n)) == n`.
    """
    first, last = _local(a, tz).date(), _local(b, tz).date()
    if last < first:
        return -sum(1 for day in _days(last, first) if is_business_day(day))
    return sum(
        1
        for day in _days(first + timedelta(days=1), last + timedelta(days=1))
        if is_business_day(day)
    )


def _days(start: date, stop: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((stop - start).days)]


def next_allowed_time(
    moment: datetime, *, quiet_start: int = 17, quiet_end: int = 7, tz: str = DEFAULT_TZ
) -> datetime:
    """`moment` itself when it falls in working hours (quiet_end ≤ hour < quiet_start local) on a
    business day; otherwise the next business morning at `quiet_end`:00 local. Returned in UTC.
    """
    local = _local(moment, tz)
    day = local.date()
    if is_business_day(day):
        if quiet_end <= local.hour < quiet_start:
            return moment.astimezone(UTC)
        if local.hour < quiet_end:
            return _morning(day, quiet_end, tz)
    day += timedelta(days=1)
    while not is_business_day(day):
        day += timedelta(days=1)
    return _morning(day, quiet_end, tz)


def _morning(day: date, hour: int, tz: str) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(tz)).astimezone(UTC)
