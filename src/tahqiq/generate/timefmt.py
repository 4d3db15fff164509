"""Dates and times in the generated data, with a fixed "today" so output never depends on the clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from functools import cache

REFERENCE_DATE = date(2026, 10, 1)  # "today" in the synthetic world
PKT = timezone(timedelta(hours=5))
REF_ORD = REFERENCE_DATE.toordinal()
# seconds are counted from this instant (local Pakistan time, +05:00)
EPOCH = datetime(2020, 1, 1, tzinfo=PKT)
EPOCH_ORD = EPOCH.date().toordinal()


@cache
def fmt_date(ordinal: int, fmt: str) -> str:
    return date.fromordinal(ordinal).strftime(fmt)


@cache
def _iso_day(day: int) -> str:
    return date.fromordinal(EPOCH_ORD + day).isoformat()


def iso(seconds: int) -> str:
    """ISO 8601 with the +05:00 offset for a time given in seconds since EPOCH (local time)."""
    day, rem = divmod(int(seconds), 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return f"{_iso_day(day)}T{h:02d}:{m:02d}:{s:02d}+05:00"


def seconds_of(ordinal: int) -> int:
    """Seconds since EPOCH at local midnight of a day ordinal."""
    return (ordinal - EPOCH_ORD) * 86400


def weekday(seconds: int) -> int:
    return (date.fromordinal(EPOCH_ORD + int(seconds) // 86400)).weekday()


def years_before(ordinal: int, years: float) -> int:
    return ordinal - int(round(years * 365.25))
