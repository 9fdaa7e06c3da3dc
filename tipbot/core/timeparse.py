"""Reading the times and timezones people type, as plain functions.

People write times the way their clocks show them (``7:30``, ``07.30``, ``7am``, ``19h``),
and timezones as city names, IANA names in any case, or offsets (``UTC+2``, ``+05:30``).
Everything here resolves to values that ``zoneinfo`` and ``datetime.time`` understand, so
the rest of the bot never sees the raw text.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:\s*[:.h]\s*(?P<minute>\d{2}))?\s*"
    r"(?P<suffix>am|pm|a\.m\.|p\.m\.|h)?$",
    re.IGNORECASE,
)
_OFFSET = re.compile(
    r"^(?:utc|gmt)?\s*(?P<sign>[+-])\s*(?P<hours>\d{1,2})(?::?(?P<minutes>\d{2}))?$",
    re.IGNORECASE,
)
MAX_SUGGESTIONS = 3
FIXED_OFFSET_YEARS = range(2025, 2031)


def parse_time(text: str) -> time | None:
    """A local time of day from ``HH:MM``, ``7:30``, ``07.30``, ``7am``, ``7:30 pm``, ``19h``."""
    match = _TIME.match(text.strip())
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    suffix = (match["suffix"] or "").lower().replace(".", "")
    if suffix in {"am", "pm"}:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


@dataclass(frozen=True)
class ZoneLookup:
    """The zone a text names, or else the closest names to offer instead."""

    zone: str | None
    suggestions: tuple[str, ...] = ()


@cache
def _zones_by_lower_name() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones() if "/" in name or name == "UTC"}


@cache
def _zones_by_city() -> dict[str, list[str]]:
    """``berlin`` -> ``["Europe/Berlin"]``, so a bare city name works too."""
    cities: dict[str, list[str]] = {}
    for name in sorted(_zones_by_lower_name().values()):
        if name.startswith(("Etc/", "SystemV/", "US/")):
            continue
        cities.setdefault(name.rsplit("/", 1)[-1].lower(), []).append(name)
    return cities


def parse_timezone(text: str) -> ZoneLookup:
    """Resolve an IANA name (any case), a city, or a UTC offset; else suggest close names."""
    cleaned = "_".join(text.strip().split())
    if not cleaned:
        return ZoneLookup(None)
    offset = _OFFSET.match(cleaned.replace("_", ""))
    if offset:
        return ZoneLookup(zone_for_offset(offset))
    if cleaned.lower() in {"utc", "gmt", "z"}:
        return ZoneLookup("UTC")
    by_name = _zones_by_lower_name()
    if cleaned.lower() in by_name:
        return ZoneLookup(by_name[cleaned.lower()])
    by_city = _zones_by_city().get(cleaned.lower(), [])
    if len(by_city) == 1:
        return ZoneLookup(by_city[0])
    return ZoneLookup(None, tuple(by_city[:MAX_SUGGESTIONS]) or suggest_zones(cleaned))


def suggest_zones(text: str) -> tuple[str, ...]:
    """Up to three zone names close to ``text``, comparing whole names and city names."""
    wanted = text.lower()
    by_name = _zones_by_lower_name()
    found = difflib.get_close_matches(wanted, list(by_name), n=MAX_SUGGESTIONS, cutoff=0.6)
    cities = _zones_by_city()
    for city in difflib.get_close_matches(wanted, list(cities), n=MAX_SUGGESTIONS, cutoff=0.6):
        found.extend(zone.lower() for zone in cities[city])
    unique = list(dict.fromkeys(by_name[name] for name in found))
    return tuple(unique[:MAX_SUGGESTIONS])


def zone_for_offset(match: re.Match[str]) -> str | None:
    """A fixed-offset zone: ``Etc/GMT-2`` for UTC+2 (POSIX inverts the sign).

    Offsets with minutes have no ``Etc`` zone; they map to a real zone that has that
    offset all year (``+05:30`` -> ``Asia/Kolkata``), or to nothing if none exists.
    """
    hours, minutes = int(match["hours"]), int(match["minutes"] or 0)
    if minutes >= 60:
        return None
    sign = -1 if match["sign"] == "-" else 1
    if minutes == 0:
        if hours == 0:
            return "UTC"
        if sign > 0 and hours <= 14:
            return f"Etc/GMT-{hours}"
        if sign < 0 and hours <= 12:
            return f"Etc/GMT+{hours}"
        return None
    return _fixed_zones_by_offset().get(sign * (hours * 60 + minutes))


@cache
def _fixed_zones_by_offset() -> dict[int, str]:
    """Offset in minutes -> the alphabetically first zone that keeps it all year.

    "All year" is checked in winter and summer of several years from the tz data's
    present on, so a zone that only recently dropped or adopted DST is judged by its rules.
    """
    instants = [
        datetime(year, month, 15, tzinfo=UTC) for year in FIXED_OFFSET_YEARS for month in (1, 7)
    ]
    zones: dict[int, str] = {}
    for name in sorted(_zones_by_lower_name().values()):
        zone = ZoneInfo(name)
        offsets = {instant.astimezone(zone).utcoffset() for instant in instants}
        if len(offsets) == 1:
            zones.setdefault(int(offsets.pop() / timedelta(minutes=1)), name)
    return zones


def zone_label(name: str) -> str:
    """How to show a zone: ``Etc/GMT-2`` reads as ``UTC+2`` (its sign is inverted)."""
    match = re.fullmatch(r"Etc/GMT([+-])(\d{1,2})", name)
    if match:
        return f"UTC{'-' if match[1] == '+' else '+'}{match[2]}"
    return name


@cache
def _all_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def zone_exists(name: str) -> bool:
    """True for a zone ``zoneinfo`` can load (callback data and lookups are not trusted)."""
    return name in _all_zones()
