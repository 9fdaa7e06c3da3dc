"""Every inline button's callback data, typed: one small frozen dataclass per button family.

``Vote(tip_id, value).pack()`` gives the string Telegram carries (at most 64 bytes);
``Vote.parse(data)`` gives the value back, or None for data that is not a well-formed vote (a
forged or stale button), so handlers never split strings themselves. A family's
``pattern()`` routes its prefix to its handler, which answers a malformed one in its own
words ("that request is no longer open"); data of no family falls through to the fallback's
"this button is no longer valid". Ids are bounded by their database column: twenty digits
are "not an id", never an overflow.

The wire format is ``<prefix>:<field>:<field>``, the same strings earlier versions sent, so
buttons already in people's chats keep working. The last field takes the rest of the data
(a time, ``07:30``, has a colon of its own).
"""

from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Self

from tipbot.core.db.models import Broadcast, ConsultRequest, StaffMember
from tipbot.core.ids import parse_id

MAX_BYTES = 64  # Telegram's limit for callback_data


class CallbackData:
    """Base of the button families; subclasses are frozen dataclasses with a ``PREFIX``."""

    PREFIX: ClassVar[str]

    def pack(self) -> str:
        values = [str(getattr(self, field.name)) for field in dataclasses.fields(self)]
        data = ":".join([self.PREFIX, *values])
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    @classmethod
    def pattern(cls) -> re.Pattern[str]:
        """The family's prefix, for a ``CallbackQueryHandler``."""
        return re.compile(rf"^{re.escape(cls.PREFIX)}(:|$)")

    def exactly(self) -> re.Pattern[str]:
        """This one button's data, for a ``CallbackQueryHandler``."""
        return re.compile(rf"^{re.escape(self.pack())}$")

    @classmethod
    def parse(cls, data: object) -> Self | None:
        """The button's value, or None when ``data`` is not one of this family's."""
        if not isinstance(data, str):
            return None
        names = [field.name for field in dataclasses.fields(cls)]  # type: ignore[arg-type]
        if not names:
            return cls() if data == cls.PREFIX else None
        if not data.startswith(cls.PREFIX + ":"):
            return None
        parts = data[len(cls.PREFIX) + 1 :].split(":", len(names) - 1)
        if len(parts) != len(names):
            return None
        values = {}
        for name, raw in zip(names, parts, strict=True):
            value = _convert(_types(cls)[name], raw)
            if value is None:
                return None
            values[name] = value
        return cls(**values)


@cache
def _types(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, include_extras=True)


def _convert(kind: Any, raw: str) -> object | None:
    """``raw`` as the field's type: an id (``Annotated[int, column]``), one of a ``Literal``'s
    choices, or a ``str`` (not empty)."""
    if typing.get_origin(kind) is Annotated:
        _, column = typing.get_args(kind)
        return parse_id(raw, column)
    if typing.get_origin(kind) is Literal:
        for choice in typing.get_args(kind):
            if str(choice) == raw:
                return choice
        return None
    return raw or None


# ----------------------------------------------------------------------------- subscriber


@dataclass(frozen=True)
class Vote(CallbackData):
    PREFIX: ClassVar[str] = "vote"
    tip_id: str
    value: Literal[1, -1]


@dataclass(frozen=True)
class MoreTips(CallbackData):
    """ "Another tip" of a topic (also the topic list's buttons)."""

    PREFIX: ClassVar[str] = "more"
    topic_id: str


@dataclass(frozen=True)
class OpenSetting(CallbackData):
    PREFIX: ClassVar[str] = "settings"
    setting: Literal["time", "timezone", "topics", "days"]


@dataclass(frozen=True)
class SetTime(CallbackData):
    PREFIX: ClassVar[str] = "sub:time"
    time: str  # HH:MM


@dataclass(frozen=True)
class SetTimezone(CallbackData):
    PREFIX: ClassVar[str] = "sub:tz"
    zone: str


@dataclass(frozen=True)
class ToggleTopic(CallbackData):
    PREFIX: ClassVar[str] = "sub:topic"
    topic_id: str


@dataclass(frozen=True)
class ConfirmStop(CallbackData):
    PREFIX: ClassVar[str] = "sub:stop"
    answer: Literal["yes", "no"]


@dataclass(frozen=True)
class ConfirmForget(CallbackData):
    PREFIX: ClassVar[str] = "sub:forget"
    answer: Literal["yes", "no"]


@dataclass(frozen=True)
class ChooseLanguage(CallbackData):
    PREFIX: ClassVar[str] = "sub:lang"
    code: str


# ----------------------------------------------------------------------------- issue 24


@dataclass(frozen=True)
class Tried(CallbackData):
    """ "✅ I tried it" under a tip (pressing again takes it back)."""

    PREFIX: ClassVar[str] = "tried"
    tip_id: str


@dataclass(frozen=True)
class Save(CallbackData):
    """ "⭐ Save" under a tip (pressing again un-saves it)."""

    PREFIX: ClassVar[str] = "save"
    tip_id: str


@dataclass(frozen=True)
class Later(CallbackData):
    """ "⏰ Later" under the daily tip: shows the snooze choices."""

    PREFIX: ClassVar[str] = "later"
    tip_id: str


@dataclass(frozen=True)
class SnoozeFor(CallbackData):
    """One snooze choice ("back" shows the tip's buttons again)."""

    PREFIX: ClassVar[str] = "snooze"
    choice: Literal["1h", "3h", "evening", "back"]
    tip_id: str


@dataclass(frozen=True)
class SavedPage(CallbackData):
    """A page of /saved (0 is the newest)."""

    PREFIX: ClassVar[str] = "saved"
    page: Literal[tuple(range(100))]  # type: ignore[valid-type]


@dataclass(frozen=True)
class SetDays(CallbackData):
    """A preset of the days of the daily tip."""

    PREFIX: ClassVar[str] = "sub:days"
    preset: Literal["daily", "weekdays", "mwf", "weekly"]


@dataclass(frozen=True)
class ToggleDay(CallbackData):
    """One weekday on or off (0 Monday ... 6 Sunday)."""

    PREFIX: ClassVar[str] = "sub:day"
    day: Literal[0, 1, 2, 3, 4, 5, 6]


@dataclass(frozen=True)
class WelcomeCheckin(CallbackData):
    """The welcome series' "how is it going?" answers."""

    PREFIX: ClassVar[str] = "welcome"
    answer: Literal["good", "much", "relevant"]


@dataclass(frozen=True)
class RecapSwitch(CallbackData):
    """The weekly recap on or off."""

    PREFIX: ClassVar[str] = "recap"
    state: Literal["on", "off"]


@dataclass(frozen=True)
class LeaveReason(CallbackData):
    """Why someone left, after /stop (counted, never linked to the person)."""

    PREFIX: ClassVar[str] = "sub:why"
    reason: Literal["often", "relevant", "known", "other"]


# ----------------------------------------------------------------------------- consultation


@dataclass(frozen=True)
class StartConsult(CallbackData):
    """ "Free consultation" under every tip."""

    PREFIX: ClassVar[str] = "consult:start"


@dataclass(frozen=True)
class FormAction(CallbackData):
    """The form's summary buttons."""

    PREFIX: ClassVar[str] = "cform"
    action: Literal["confirm", "edit", "cancel"]


@dataclass(frozen=True)
class RequestAction(CallbackData):
    """Under the person's open request."""

    PREFIX: ClassVar[str] = "consult"
    action: Literal["note", "cancel"]
    request_id: Annotated[int, ConsultRequest.id]


@dataclass(frozen=True)
class CardAction(CallbackData):
    """A staff card's buttons; who may act is checked anew on every press."""

    PREFIX: ClassVar[str] = "staff"
    action: Literal["claim", "unclaim", "close"]
    request_id: Annotated[int, ConsultRequest.id]


@dataclass(frozen=True)
class Rate(CallbackData):
    """ "How did we do?" under the closed request's notice: 1-5; the person, the request's
    state and an earlier rating are checked anew on every press."""

    PREFIX: ClassVar[str] = "rate"
    request_id: Annotated[int, ConsultRequest.id]
    score: Literal[1, 2, 3, 4, 5]


# ----------------------------------------------------------------------------- staff


@dataclass(frozen=True)
class Assign(CallbackData):
    """/assign's buttons: give the request to this colleague (still staff: checked anew)."""

    PREFIX: ClassVar[str] = "assign"
    request_id: Annotated[int, ConsultRequest.id]
    user_id: Annotated[int, StaffMember.user_id]


@dataclass(frozen=True)
class StillNeedHelp(CallbackData):
    """The auto-close nudge's buttons, for the person."""

    PREFIX: ClassVar[str] = "nudge"
    request_id: Annotated[int, ConsultRequest.id]
    answer: Literal["yes", "no"]


@dataclass(frozen=True)
class BroadcastAction(CallbackData):
    PREFIX: ClassVar[str] = "bcast"
    action: Literal["send", "cancel"]
    broadcast_id: Annotated[int, Broadcast.id]
