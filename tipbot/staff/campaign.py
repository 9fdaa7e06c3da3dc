"""What a /broadcast says besides its text: who (a segment), when, and with what.

Staff write ``key=value`` words right after the command, then the text; a line ``[es]``
starts the Spanish text (any catalog language), the text before the first such line is
for everyone else::

    /broadcast lang=es,en topic=stress since=2026-01-01 at=2026-06-02T09:00 button=consult
    Our stress workshop is on Friday.
    [es]
    Nuestro taller sobre el estrés es el viernes.

Plain values only, parsed here with a friendly explanation for each bad one
(``OptionError``); the SQL of a segment and the per-person due times live here too, so the
sending side (``broadcast.py``) stays about claiming and recording.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import String, cast, func, or_
from sqlalchemy.sql.elements import ColumnElement

from tipbot import i18n, texts
from tipbot.core.content import Library
from tipbot.core.db.models import Subscriber, SubscriptionStatus
from tipbot.core.schedule import next_occurrence

OPTION = re.compile(r"([A-Za-z_]+)=(\S*)")
KEYS = ("lang", "topic", "source", "status", "since", "at", "button", "photo")
LANGUAGE_LINE = re.compile(r"^\[([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)?)\][ \t]*$", re.MULTILINE)
SOURCE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # what /start accepts as a campaign source
NO_SOURCE = "none"  # people who came without a deep link
STATUSES = {
    "active": (SubscriptionStatus.ACTIVE,),
    "paused": (SubscriptionStatus.PAUSED,),
    "all": (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED),
}
TIMINGS = ("now", "tip", "daytime")
CONSULT = "consult"
# Quiet hours: outside these (the person's local time) a broadcast goes out silently.
DAY_START, DAY_END = time(8, 0), time(21, 0)
MAX_AHEAD = timedelta(days=366)


class OptionError(ValueError):
    """A bad option, with the staff-facing explanation (HTML, staff language)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


@dataclass(frozen=True)
class Segment:
    """Who gets a campaign: every condition given must hold (values of one key: any of)."""

    languages: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    status: str = "active"
    since: date | None = None
    zone: str = "UTC"  # the clinic's, in which ``since`` is a day

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status}
        if self.languages:
            data["lang"] = list(self.languages)
        if self.topics:
            data["topic"] = list(self.topics)
        if self.sources:
            data["source"] = list(self.sources)
        if self.since:
            data["since"] = self.since.isoformat()
            data["zone"] = self.zone
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Segment:
        data = data or {}
        since = data.get("since")
        return cls(
            languages=tuple(data.get("lang", ())),
            topics=tuple(data.get("topic", ())),
            sources=tuple(data.get("source", ())),
            status=data.get("status", "active"),
            since=date.fromisoformat(since) if since else None,
            zone=data.get("zone", "UTC"),
        )

    @property
    def targeted(self) -> bool:
        return self.to_json() != Segment().to_json()

    def describe(self) -> str:
        """As the staff typed it (codes, the same in every language)."""
        data = self.to_json()
        data.pop("zone", None)
        return " · ".join(
            f"<code>{key}={','.join(value) if isinstance(value, list) else value}</code>"
            for key, value in data.items()
        )

    def conditions(self) -> list[ColumnElement[bool]]:
        """WHERE conditions on ``Subscriber``, indexable where it matters (status, source)."""
        statuses = STATUSES[self.status]
        # One status: ``=``, as before campaigns (an IN list is compiled anew every time).
        where = [
            Subscriber.status == statuses[0]
            if len(statuses) == 1
            else Subscriber.status.in_(statuses)
        ]
        if self.languages:
            language = func.coalesce(Subscriber.language, i18n.default_language())
            where.append(language.in_(self.languages))
        if self.topics:
            # Topic ids are plain [a-z0-9_] words (check-content), so the JSON list's text
            # holds '"stress"' exactly when the list does, on SQLite and PostgreSQL alike.
            topics = cast(Subscriber.topics, String)
            where.append(or_(*(topics.like(f'%"{topic}"%') for topic in self.topics)))
        if self.sources:
            named = [s for s in self.sources if s != NO_SOURCE]
            either = [Subscriber.source.in_(named)] if named else []
            if NO_SOURCE in self.sources:
                either.append(Subscriber.source.is_(None))
            where.append(or_(*either))
        if self.since:
            start = datetime.combine(self.since, time(0), tzinfo=ZoneInfo(self.zone))
            where.append(Subscriber.created_at >= start.astimezone(UTC))
        return where


@dataclass(frozen=True)
class Options:
    segment: Segment = field(default_factory=Segment)
    timing: str = "now"  # now | at | tip | daytime
    send_at: datetime | None = None
    button: str | None = None
    photo: str | None = None


def split_options(text: str) -> tuple[list[tuple[str, str]], int]:
    """The leading ``key=value`` words of ``text`` and where the announcement starts."""
    options: list[tuple[str, str]] = []
    position = 0
    for word in re.finditer(r"\S+", text):
        match = OPTION.fullmatch(word.group())
        if not match:
            break
        options.append((match.group(1).lower(), match.group(2)))
        position = word.end()
    while position < len(text) and text[position].isspace():
        position += 1
    return options, position


def _values(key: str, value: str) -> tuple[str, ...]:
    values = tuple(v for v in (part.strip() for part in value.split(",")) if v)
    if not values:
        raise OptionError(texts.CAMPAIGN_EMPTY_VALUE.render(i18n.staff_language(), key=key))
    return values


def _bad(key: str, value: str, hint: str) -> OptionError:
    return OptionError(
        texts.CAMPAIGN_BAD_VALUE.render(
            i18n.staff_language(), option=_code(f"{key}={value}"), hint=hint
        )
    )


def _code(value: str) -> str:
    return f"<code>{html.escape(value)}</code>"


def parse_options(
    options: list[tuple[str, str]], *, library: Library, now: datetime, clinic_zone: str
) -> Options:
    staff = i18n.staff_language()
    seen: dict[str, str] = {}
    for key, value in options:
        if key not in KEYS:
            raise OptionError(
                texts.CAMPAIGN_UNKNOWN_OPTION.render(
                    staff, option=_code(key), options=", ".join(_code(k) for k in KEYS)
                )
            )
        if key in seen:
            raise OptionError(texts.CAMPAIGN_REPEATED_OPTION.render(staff, option=_code(key)))
        seen[key] = value
    segment: dict[str, Any] = {}
    if "lang" in seen:
        languages = tuple(v.lower() for v in _values("lang", seen["lang"]))
        unknown = [v for v in languages if v not in i18n.languages()]
        if unknown:
            hint = texts.CAMPAIGN_HINT_LANG.render(
                staff, choices=", ".join(_code(code) for code in i18n.languages())
            )
            raise _bad("lang", seen["lang"], hint)
        segment["languages"] = languages
    if "topic" in seen:
        topics = []
        for value in _values("topic", seen["topic"]):
            topic = library.topic_for_command(value)
            if topic is None:
                hint = texts.CAMPAIGN_HINT_TOPIC.render(
                    staff, choices=", ".join(_code(t) for t in library.topics)
                )
                raise _bad("topic", seen["topic"], hint)
            topics.append(topic.id)
        segment["topics"] = tuple(dict.fromkeys(topics))
    if "source" in seen:
        sources = _values("source", seen["source"])
        if not all(SOURCE.match(v) for v in sources):
            raise _bad("source", seen["source"], texts.CAMPAIGN_HINT_SOURCE.render(staff))
        segment["sources"] = sources
    if "status" in seen:
        status = seen["status"].lower()
        if status not in STATUSES:
            hint = texts.CAMPAIGN_HINT_STATUS.render(
                staff, choices=", ".join(_code(s) for s in STATUSES)
            )
            raise _bad("status", seen["status"], hint)
        segment["status"] = status
    if "since" in seen:
        try:
            segment["since"] = date.fromisoformat(seen["since"])
            segment["zone"] = clinic_zone
        except ValueError:
            raise _bad("since", seen["since"], texts.CAMPAIGN_HINT_SINCE.render(staff)) from None
    timing, send_at = "now", None
    if "at" in seen:
        timing, send_at = _parse_at(seen["at"], now, clinic_zone)
    button = None
    if "button" in seen:
        button = seen["button"]
        if button.lower() == CONSULT:
            button = CONSULT
        elif not _is_link(button):
            raise _bad("button", button, texts.CAMPAIGN_HINT_BUTTON.render(staff))
    photo = None
    if "photo" in seen:
        photo = seen["photo"]
        if not _is_link(photo):
            raise _bad("photo", photo, texts.CAMPAIGN_HINT_PHOTO.render(staff))
    return Options(Segment(**segment), timing, send_at, button, photo)


def _is_link(value: str) -> bool:
    return (
        re.fullmatch(r"https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(/\S*)?", value) is not None
        and len(value) <= 512
    )


def _parse_at(value: str, now: datetime, clinic_zone: str) -> tuple[str, datetime | None]:
    staff = i18n.staff_language()
    if value.lower() in TIMINGS:
        return value.lower(), None
    zone = ZoneInfo(clinic_zone)
    hint = texts.CAMPAIGN_HINT_AT.render(staff, zone=clinic_zone)
    match = re.fullmatch(r"(?:(\d{4}-\d{2}-\d{2})[T_])?(\d{1,2}):(\d{2})", value)
    if not match:
        raise _bad("at", value, hint)
    try:
        clock_time = time(int(match.group(2)), int(match.group(3)))
        if match.group(1):
            day = date.fromisoformat(match.group(1))
            local = datetime.combine(day, clock_time, tzinfo=zone)
            when = local.astimezone(UTC)
        else:  # today at that time, or tomorrow once it has passed
            when = next_occurrence(clock_time, zone, now)
    except ValueError:
        raise _bad("at", value, hint) from None
    if when <= now:
        raise OptionError(texts.CAMPAIGN_AT_PAST.render(staff, option=_code(f"at={value}")))
    if when > now + MAX_AHEAD:
        raise OptionError(texts.CAMPAIGN_AT_TOO_FAR.render(staff, option=_code(f"at={value}")))
    return "at", when


def split_languages(text: str) -> tuple[list[tuple[str | None, int, int]], list[str]]:
    """Blocks of the announcement: (language or None for the default, start, end) in
    ``text`` offsets, and the marker codes that are not catalog languages."""
    blocks: list[tuple[str | None, int, int]] = []
    unknown: list[str] = []
    language: str | None = None
    start = 0
    for marker in LANGUAGE_LINE.finditer(text):
        blocks.append((language, start, marker.start()))
        code = marker.group(1).lower().replace("_", "-")
        if code not in i18n.languages():
            unknown.append(marker.group(1))
        language, start = code, marker.end()
    blocks.append((language, start, len(text)))
    return blocks, unknown


# ----------------------------------------------------------------------------- timing


def is_daytime(now: datetime, zone: str) -> bool:
    """Whether ``now`` is within 08:00–21:00 in ``zone``: outside, a broadcast is silent."""
    local = now.astimezone(ZoneInfo(zone)).time()
    return DAY_START <= local <= DAY_END


def daytime_due(send_time: time, zone: str, now: datetime) -> datetime:
    """The next time a person hears from the bot anyway (their tip time), moved into
    08:00–21:00 local: within a day, never at night."""
    wanted = min(max(send_time.replace(tzinfo=None), DAY_START), DAY_END)
    return next_occurrence(wanted, zone, now - timedelta(seconds=1))  # now itself counts
