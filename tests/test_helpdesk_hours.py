"""Working hours: parsing, opening times, and business time across weekends, holidays and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tipbot.core.config import ConfigError, load_settings
from tipbot.core.hours import HoursError, business_time_between, parse_holidays, parse_hours

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


WEEKDAYS = parse_hours("Mon-Fri 09:00-17:00", zone="Europe/Berlin")


def test_always_open_without_hours():
    a = datetime(2026, 6, 6, 22, 0, tzinfo=UTC)
    assert business_time_between(a, a + timedelta(hours=30), None) == timedelta(hours=30)
    assert business_time_between(a, a - timedelta(hours=1), None) == timedelta(0)


def test_within_one_day_and_across_a_weekend():
    # Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
    start, end = berlin(2026, 6, 5, 16, 0), berlin(2026, 6, 8, 10, 0)
    assert business_time_between(start, end, WEEKDAYS) == timedelta(hours=2)
    assert business_time_between(berlin(2026, 6, 1, 10), berlin(2026, 6, 1, 11, 30), WEEKDAYS) == (
        timedelta(minutes=90)
    )
    # Saturday to Sunday: nothing.
    sat, sun = berlin(2026, 6, 6, 9), berlin(2026, 6, 7, 18)
    assert business_time_between(sat, sun, WEEKDAYS) == timedelta(0)


def test_several_ranges_a_day_and_a_saturday():
    hours = parse_hours("Mon-Fri 09:00-13:00,14:00-18:00; Sat 10:00-12:00", zone="Europe/Berlin")
    # Friday 12:00 to Saturday 11:00: 1 h + 4 h on Friday, 1 h on Saturday; lunch not counted.
    assert business_time_between(
        berlin(2026, 6, 5, 12), berlin(2026, 6, 6, 11), hours
    ) == timedelta(hours=6)
    assert not hours.is_open(berlin(2026, 6, 5, 13, 30))
    assert hours.next_opening(berlin(2026, 6, 5, 13, 30)) == berlin(2026, 6, 5, 14)
    assert hours.next_opening(berlin(2026, 6, 6, 12)) == berlin(2026, 6, 8, 9)
    assert hours.is_open(berlin(2026, 6, 6, 11, 59))


def test_holidays_close_whole_days():
    hours = parse_hours(
        "Mon-Fri 09:00-17:00", holidays="2026-12-24..2026-12-26, 2027-01-01", zone="Europe/Berlin"
    )
    # Wed 23 Dec 16:00 to Mon 28 Dec 10:00: Thu 24 and Fri 25 are holidays.
    assert business_time_between(
        berlin(2026, 12, 23, 16), berlin(2026, 12, 28, 10), hours
    ) == timedelta(hours=2)
    assert hours.next_opening(berlin(2026, 12, 23, 18)) == berlin(2026, 12, 28, 9)
    assert hours.next_opening(berlin(2026, 12, 31, 18)) == berlin(2027, 1, 4, 9)


def test_dst_changes_keep_the_wall_clock_hours():
    # Spring forward in Berlin on Sunday 29 March 2026; the clinic is open 00:00-24:00 Sundays:
    # that day has 23 hours, the Saturday before 24.
    hours = parse_hours("Sat-Sun 00:00-24:00", zone="Europe/Berlin")
    assert business_time_between(berlin(2026, 3, 28, 0), berlin(2026, 3, 30, 0), hours) == (
        timedelta(hours=47)
    )
    # Fall back on Sunday 25 October 2026: 25 hours.
    assert business_time_between(berlin(2026, 10, 25, 0), berlin(2026, 10, 26, 0), hours) == (
        timedelta(hours=25)
    )
    # Office hours across the change stay 09:00-17:00 local: the week before and after.
    week = business_time_between(berlin(2026, 3, 23, 0), berlin(2026, 4, 4, 0), WEEKDAYS)
    assert week == timedelta(hours=80)
    # The opening on Monday after the change is 09:00 local, i.e. 07:00 UTC (not 08:00).
    monday = WEEKDAYS.next_opening(berlin(2026, 3, 28, 12))
    assert monday == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_a_range_in_the_dst_gap_is_not_open():
    hours = parse_hours("Sun 02:00-03:00", zone="Europe/Berlin")
    assert hours.ranges_on(date(2026, 3, 29)) == ()
    assert business_time_between(berlin(2026, 3, 29, 0), berlin(2026, 3, 30), hours) == (
        timedelta(0)
    )


def test_utc_moments_and_other_zones():
    hours = parse_hours("Mon-Fri 09:00-17:00", zone="America/New_York")
    # Monday 1 June 2026, 12:00-14:00 UTC is 08:00-10:00 in New York: one hour open.
    start = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert business_time_between(start, start + timedelta(hours=2), hours) == timedelta(hours=1)


def test_wrapping_day_ranges_and_lists():
    hours = parse_hours("Fri-Mon 10:00-11:00; Wed 08:00-09:00")
    assert [bool(day) for day in hours.week] == [True, False, True, False, True, True, True]
    hours = parse_hours("sat,sun 10:00-12:00")
    assert [bool(day) for day in hours.week] == [False] * 5 + [True, True]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "expected opening hours"),
        ("Mon-Fri", "expected days and times"),
        ("Mon-Fri 9-17", "expected a time range"),
        ("Funday 09:00-17:00", "expected a day"),
        ("Mon 17:00-09:00", "ends before it starts"),
        ("Mon 09:00-25:00", "no such time"),
        ("Mon 09:60-10:00", "no such time"),
        ("Mon 09:00-12:00,11:00-13:00", "overlap"),
        ("Mon-Fri 09:00-12:00; Fri 11:00-13:00", "overlap"),
    ],
)
def test_malformed_hours(text, words):
    with pytest.raises(HoursError, match=words):
        parse_hours(text)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2026-13-01", "no such date"),
        ("25.12.2026", "expected a date"),
        ("2026-12-31..2026-12-01", "ends before"),
        ("2026-01-01..2028-01-01", "more than a year"),
    ],
)
def test_malformed_holidays(text, words):
    with pytest.raises(HoursError, match=words):
        parse_holidays(text)


def test_settings_name_the_bad_variable(monkeypatch):
    with pytest.raises(ConfigError, match=r"TIPBOT_CLINIC_HOURS: '9-5': expected a time range"):
        load_settings(_env_file=None, clinic_hours="Mon-Fri 9-5")
    with pytest.raises(ConfigError, match="TIPBOT_CLINIC_HOLIDAYS: 'christmas'"):
        load_settings(_env_file=None, clinic_hours="Mon 09:00-10:00", clinic_holidays="christmas")
    monkeypatch.setenv("TIPBOT_CLINIC_HOURS", "Mon-Fri 09:00-17:30")
    monkeypatch.setenv("TIPBOT_CLINIC_TIMEZONE", "Europe/Madrid")
    hours = load_settings(_env_file=None).business_hours
    assert hours.zone == "Europe/Madrid" and hours.week[0][0][1].minute == 30
    assert load_settings(_env_file=None, clinic_hours=None).business_hours is None
