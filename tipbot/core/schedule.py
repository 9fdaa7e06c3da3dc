"""Local send times to UTC instants, correct across daylight-saving changes.

``datetime.combine(day, send_time, tzinfo=zone)`` with ``fold=0`` already does what a
subscriber expects: a wall time skipped by spring-forward (02:30 in Berlin on the last
Sunday of March) resolves with the pre-transition offset, i.e. 03:30 local; a wall time
repeated by fall-back resolves to its first occurrence, so it is due once, not twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from tipbot import i18n, texts


def occurrence(day: date, send_time: time, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``send_time`` on local ``day`` falls in ``zone``."""
    return datetime.combine(day, send_time.replace(tzinfo=None, fold=0), tzinfo=zone).astimezone(
        UTC
    )


#: ``send_days`` bits: bit 0 is Monday (``date.weekday()``) ... bit 6 Sunday.
EVERY_DAY = 0b1111111
WEEKDAYS = 0b0011111


def next_occurrence(
    send_time: time, zone: ZoneInfo | str, after: datetime, days: int = EVERY_DAY
) -> datetime:
    """The first instant strictly after ``after`` at which local time is ``send_time`` on one
    of ``days`` (a weekday bit mask; each candidate day is resolved in its own offset, so a
    DST change between today and the next chosen day moves nothing)."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    days = days & EVERY_DAY or EVERY_DAY
    day = after.astimezone(zone).date() - timedelta(days=1)
    for offset in range(10):
        candidate_day = day + timedelta(days=offset)
        if not days >> candidate_day.weekday() & 1:
            continue
        candidate = occurrence(candidate_day, send_time, zone)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a chosen weekday recurs within nine days")


def local_date_of(due: datetime, send_time: time, zone: ZoneInfo | str) -> date:
    """The subscriber's calendar day a due instant belongs to (the key of 'one tip a day')."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    local = due.astimezone(zone)
    # A skipped wall time (02:30 -> 03:30) stays on the same day; nothing crosses midnight
    # except a send time within an hour of it on a transition day, handled by checking back.
    for day in (local.date(), local.date() - timedelta(days=1), local.date() + timedelta(days=1)):
        if occurrence(day, send_time, zone) == due:
            return day
    return local.date()


def describe_when(due: datetime | None, zone: str, now: datetime, language: str) -> str:
    """'today', 'tomorrow' or a date, in the person's own calendar and language."""
    if due is None:
        return texts.NOT_SCHEDULED.render(language)
    tz = ZoneInfo(zone)
    days = (due.astimezone(tz).date() - now.astimezone(tz).date()).days
    if days == 0:
        return texts.TODAY.render(language)
    if days == 1:
        return texts.TOMORROW.render(language)
    return texts.ON_DATE.render(language, date=i18n.weekday_date(due.astimezone(tz), language))
