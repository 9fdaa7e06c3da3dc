"""Local send times across daylight-saving changes (plain functions, no Telegram)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from tipbot.core.schedule import local_date_of, next_occurrence

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_kolkata_morning_is_0230_utc():
    assert next_occurrence(time(8, 0), "Asia/Kolkata", utc(2026, 6, 1, 0, 0)) == utc(
        2026, 6, 1, 2, 30
    )


def test_strictly_after():
    due = utc(2026, 6, 1, 2, 30)
    assert next_occurrence(time(8, 0), "Asia/Kolkata", due) == utc(2026, 6, 2, 2, 30)


def test_spring_forward_gap_sends_at_0330_local():
    # 2026-03-29: clocks in Berlin jump from 02:00 to 03:00; 02:30 does not exist.
    due = next_occurrence(time(2, 30), BERLIN, utc(2026, 3, 28, 12, 0))
    assert due == utc(2026, 3, 29, 1, 30)
    assert due.astimezone(BERLIN).strftime("%H:%M") == "03:30"
    assert local_date_of(due, time(2, 30), BERLIN) == date(2026, 3, 29)
    assert next_occurrence(time(2, 30), BERLIN, due) == utc(2026, 3, 30, 0, 30)


def test_fall_back_repeat_is_due_once():
    # 2026-10-25: 02:00-03:00 happens twice in Berlin; the tip is due at the first 02:30 only.
    due = next_occurrence(time(2, 30), BERLIN, utc(2026, 10, 24, 12, 0))
    assert due == utc(2026, 10, 25, 0, 30)
    following = next_occurrence(time(2, 30), BERLIN, due)
    assert following == utc(2026, 10, 26, 1, 30)  # the second 02:30 (01:30 UTC) is skipped
    assert local_date_of(due, time(2, 30), BERLIN) == date(2026, 10, 25)


def test_local_date_near_midnight():
    due = next_occurrence(time(0, 15), "America/New_York", utc(2026, 7, 1, 12, 0))
    assert local_date_of(due, time(0, 15), "America/New_York") == date(2026, 7, 2)
