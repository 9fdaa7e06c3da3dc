"""Unit tests of the plain parsers: times, timezones and pause lengths as people type them."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tipbot.core.timeparse import parse_time, parse_timezone, zone_exists, zone_label
from tipbot.subscriber.lifecycle import parse_pause_days


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("07.30", time(7, 30)),
        ("7am", time(7, 0)),
        ("7 AM", time(7, 0)),
        ("7:30 pm", time(19, 30)),
        ("7:30pm", time(19, 30)),
        ("7 p.m.", time(19, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("19h", time(19, 0)),
        ("19h30", time(19, 30)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("8", time(8, 0)),
        ("  21:15  ", time(21, 15)),
    ],
)
def test_accepted_times(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["25:00", "7:61", "soon", "", "   ", "24:00", "13pm", "0am", "7:5", "7:300", "-1:00", "7::30"],
)
def test_rejected_times(text):
    assert parse_time(text) is None


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("europe/berlin", "Europe/Berlin"),
        ("AMERICA/NEW_YORK", "America/New_York"),
        ("america/new york", "America/New_York"),
        ("berlin", "Europe/Berlin"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        ("UTC", "UTC"),
        ("utc", "UTC"),
        ("UTC+2", "Etc/GMT-2"),
        ("utc-5", "Etc/GMT+5"),
        ("GMT+1", "Etc/GMT-1"),
        ("+3", "Etc/GMT-3"),
        ("-3", "Etc/GMT+3"),
        ("UTC+0", "UTC"),
        ("+14", "Etc/GMT-14"),
        ("UTC +2", "Etc/GMT-2"),
    ],
)
def test_resolved_timezones(text, zone):
    lookup = parse_timezone(text)
    assert lookup.zone == zone
    ZoneInfo(lookup.zone)


def test_offset_with_minutes_maps_to_a_zone_with_that_offset_all_year():
    for text, minutes in (("+05:30", 330), ("UTC+5:45", 345), ("+0930", 570)):
        zone = ZoneInfo(parse_timezone(text).zone)
        for month in (1, 7):
            offset = datetime(2026, month, 1, tzinfo=UTC).astimezone(zone).utcoffset()
            assert offset.total_seconds() == minutes * 60, text


@pytest.mark.parametrize("text", ["+15", "-13", "+05:75", "UTC+99", "+02:17"])
def test_impossible_offsets_are_unknown(text):
    assert parse_timezone(text).zone is None


def test_unknown_names_get_up_to_three_close_suggestions():
    lookup = parse_timezone("Europe/Berln")
    assert lookup.zone is None
    assert "Europe/Berlin" in lookup.suggestions
    assert 1 <= len(lookup.suggestions) <= 3
    assert "Europe/Paris" in parse_timezone("pariss").suggestions
    assert parse_timezone("qqqqzzzz").suggestions == ()
    assert parse_timezone("").zone is None


def test_fixed_offset_zones_read_with_their_human_sign():
    assert zone_label("Etc/GMT-2") == "UTC+2"
    assert zone_label("Etc/GMT+5") == "UTC-5"
    assert zone_label("Europe/Berlin") == "Europe/Berlin"


def test_zone_exists_refuses_forged_names():
    assert zone_exists("Europe/Berlin")
    assert not zone_exists("Mars/Olympus")
    assert not zone_exists("../../etc/passwd")


@pytest.mark.parametrize(("args", "days"), [([], None), (["1"], 1), (["365"], 365), (["7"], 7)])
def test_pause_days(args, days):
    assert parse_pause_days(args) == days


@pytest.mark.parametrize("args", [["0"], ["366"], ["-3"], ["soon"], ["3", "days"], ["2.5"]])
def test_bad_pause_days(args):
    with pytest.raises(ValueError, match="days"):
        parse_pause_days(args)
