"""The clinic's working hours (``TIPBOT_CLINIC_HOURS``, ``TIPBOT_CLINIC_HOLIDAYS``) and the
business time between two moments.

Plain values and functions: the settings parse the text once (a bad value stops the bot with
one line naming the variable), the consultation area counts reminders in business time, the
help desk tells a person when the clinic opens and reports response times. Every range is a
wall-clock time in the clinic's zone, so 09:00 stays 09:00 across a DST change (that day's
business hours are as long as the clock on the wall says). ``None`` hours mean "always open",
as before the setting existed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

from tipbot import i18n, texts

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOOKAHEAD_DAYS = 400  # a year of holidays plus a week


class HoursError(ValueError):
    """A malformed hours or holidays value, phrased for the operator."""


Range = tuple[time, time | None]  # end None: midnight at the end of the day (24:00)


@dataclass(frozen=True)
class ClinicHours:
    """Opening ranges per weekday (Monday first) and closed dates, in ``zone``."""

    week: tuple[tuple[Range, ...], ...]
    holidays: frozenset[date]
    zone: str

    def ranges_on(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        """That local day's open ranges as UTC datetimes (none on a holiday)."""
        return _ranges_on(self, day)

    def _compute_ranges(self, day: date) -> tuple[tuple[datetime, datetime], ...]:
        if day in self.holidays:
            return ()
        tz = ZoneInfo(self.zone)
        result = []
        for start, end in self.week[day.weekday()]:
            opens = datetime.combine(day, start, tzinfo=tz).astimezone(UTC)
            if end is None:
                closes = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
            else:
                closes = datetime.combine(day, end, tzinfo=tz)
            closes = closes.astimezone(UTC)
            if closes > opens:  # a range inside a DST gap may vanish
                result.append((opens, closes))
        return tuple(result)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.zone)).date()

    def is_open(self, moment: datetime) -> bool:
        day = self.local_date(moment)
        return any(opens <= moment < closes for opens, closes in self.ranges_on(day))

    def next_opening(self, moment: datetime) -> datetime | None:
        """When the clinic next opens at or after ``moment`` (``moment`` itself when open);
        None if no opening is within a year (every day a holiday)."""
        day = self.local_date(moment)
        for offset in range(LOOKAHEAD_DAYS):
            for opens, closes in self.ranges_on(day + timedelta(days=offset)):
                if closes > moment:
                    return max(opens, moment)
        return None


@lru_cache(maxsize=8192)
def _ranges_on(hours: ClinicHours, day: date) -> tuple[tuple[datetime, datetime], ...]:
    """Memoised: a report or a reminder pass asks about the same few days again and again
    (converting local times to UTC is most of the cost)."""
    return hours._compute_ranges(day)


def business_time_between(start: datetime, end: datetime, hours: ClinicHours | None) -> timedelta:
    """How much of [start, end) the clinic was open; the plain difference without hours,
    zero when ``end`` is not after ``start``."""
    if end <= start:
        return timedelta(0)
    if hours is None:
        return end - start
    total = timedelta(0)
    day, last = hours.local_date(start), hours.local_date(end)
    while day <= last:
        for opens, closes in hours.ranges_on(day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def parse_hours(text: str, *, holidays: str | None = None, zone: str = "UTC") -> ClinicHours:
    """``Mon-Fri 09:00-13:00,14:00-18:00; Sat 10:00-12:00`` (days: a day, a range such as
    ``Mon-Fri`` or ``Fri-Mon``, or several joined by commas), ``24:00`` ending a day."""
    week: list[list[Range]] = [[] for _ in DAYS]
    groups = [group.strip() for group in text.split(";") if group.strip()]
    if not groups:
        raise HoursError("expected opening hours such as 'Mon-Fri 09:00-17:30'")
    for group in groups:
        parts = group.split(None, 1)
        if len(parts) != 2:
            raise HoursError(f"{group!r}: expected days and times, such as 'Mon-Fri 09:00-17:30'")
        days, ranges = _days(parts[0]), [_range(r) for r in parts[1].split(",") if r.strip()]
        if not ranges:
            raise HoursError(f"{group!r}: no times given")
        for day in days:
            week[day] += ranges
    for index, ranges in enumerate(week):
        ranges.sort(key=lambda r: r[0])
        for (_, end), (start, _) in pairwise(ranges):
            if end is None or end > start:
                raise HoursError(f"{DAYS[index].title()}: the ranges overlap")
    return ClinicHours(
        tuple(tuple(ranges) for ranges in week), parse_holidays(holidays or ""), zone
    )


def parse_holidays(text: str) -> frozenset[date]:
    """``2026-12-24,2026-12-25`` or a range ``2026-12-24..2026-12-31`` (commas or spaces)."""
    dates: set[date] = set()
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        first, _, last = item.partition("..")
        start, end = _date(first), _date(last) if last else None
        if end is None:
            dates.add(start)
            continue
        if end < start:
            raise HoursError(f"{item!r}: the range ends before it starts")
        if (end - start).days > 366:
            raise HoursError(f"{item!r}: a range of more than a year")
        dates.update(start + timedelta(days=n) for n in range((end - start).days + 1))
    return frozenset(dates)


def _date(text: str) -> date:
    if not _DATE.match(text):
        raise HoursError(f"{text!r}: expected a date such as 2026-12-25")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise HoursError(f"{text!r}: no such date") from None


def _days(text: str) -> list[int]:
    result: list[int] = []
    for item in text.lower().split(","):
        first, _, last = item.partition("-")
        start = _day(first)
        if not last:
            result.append(start)
            continue
        end = _day(last)
        result += [(start + n) % 7 for n in range((end - start) % 7 + 1)]
    return result


def _day(text: str) -> int:
    key = text.strip()[:3]
    if len(text.strip()) < 3 or key not in DAYS:
        raise HoursError(f"{text.strip()!r}: expected a day such as Mon, Tue, … Sun")
    return DAYS.index(key)


def _range(text: str) -> Range:
    match = _RANGE.match(text.strip())
    if not match:
        raise HoursError(f"{text.strip()!r}: expected a time range such as 09:00-17:30")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
        raise HoursError(f"{text.strip()!r}: no such time")
    start = time(h1, m1)
    end = None if h2 == 24 else time(h2, m2)
    if end is not None and end <= start:
        raise HoursError(f"{text.strip()!r}: the range ends before it starts")
    return start, end


# ----------------------------------------------------------------------------- in words


def when_open(hours: ClinicHours, moment: datetime, language: str) -> str | None:
    """When the clinic next opens, as the person reads it ("on Monday at 09:00"), in the
    clinic's zone; None when it is open now (or never opens within a year)."""
    opens = hours.next_opening(moment)
    if opens is None or opens <= moment:
        return None
    tz = ZoneInfo(hours.zone)
    local, today = opens.astimezone(tz), moment.astimezone(tz).date()
    at = f"{local:%H:%M}"
    days = (local.date() - today).days
    if days == 0:
        return texts.HOURS_TODAY_AT.render(language, time=at)
    if days == 1:
        return texts.HOURS_TOMORROW_AT.render(language, time=at)
    locale = i18n.babel_locale(language)
    if days < 7:
        weekday = locale.days["format"]["wide"][local.weekday()]
        return texts.HOURS_WEEKDAY_AT.render(language, weekday=weekday, time=at)
    return texts.HOURS_DATE_AT.render(
        language, date=i18n.format_date(local.date(), language, "long"), time=at
    )


def describe(hours: ClinicHours | None, language: str) -> str:
    """The opening hours in a line ("Mon–Fri 09:00–13:00, 14:00–18:00; Sat 10:00–12:00"),
    weekdays in ``language``; days with the same hours in a row are joined."""
    if hours is None:
        return texts.HOURS_ALWAYS.render(language)
    names = i18n.babel_locale(language).days["format"]["abbreviated"]
    groups: list[tuple[int, int, tuple[Range, ...]]] = []
    for day, ranges in enumerate(hours.week):
        if groups and groups[-1][2] == ranges and groups[-1][1] == day - 1:
            groups[-1] = (groups[-1][0], day, ranges)
        else:
            groups.append((day, day, ranges))
    parts = []
    for first, last, ranges in groups:
        if not ranges:
            continue
        days = names[first] if first == last else f"{names[first]}–{names[last]}"
        times = ", ".join(
            f"{start:%H:%M}–{'24:00' if end is None else f'{end:%H:%M}'}" for start, end in ranges
        )
        parts.append(f"{days} {times}")
    return "; ".join(parts)


def closed_notice(
    hours: ClinicHours | None, moment: datetime, language: str, person_zone: str | None = None
) -> str | None:
    """What a person who writes while the clinic is closed reads ("we open Monday at 09:00"),
    the clinic's zone named when it is not theirs; None while open (or without hours)."""
    when = when_open(hours, moment, language) if hours is not None else None
    if when is None:
        return None
    if person_zone is not None and person_zone != hours.zone:
        when = texts.HOURS_ZONE.render(language, when=when, zone=hours.zone)
    return texts.HOURS_CLOSED_NOTICE.render(language, when=when)
