"""The weekdays of the daily tip as plain functions: parsing ``mon,wed,fri`` (English and
Spanish), naming a set of days, the presets and the prompt's buttons.

The days are one 7-bit mask on the person's row (``send_days``, bit 0 Monday), so the
sweep's claim reads one small integer more and ``next_send_at`` stays its one indexed query.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from tipbot import texts
from tipbot.core.callbacks import SetDays, ToggleDay
from tipbot.core.db.models import Subscriber
from tipbot.core.schedule import EVERY_DAY, WEEKDAYS, describe_when
from tipbot.subscriber.service import compute_next_send, format_time

MWF = 0b0010101
PRESETS = {"daily": EVERY_DAY, "weekdays": WEEKDAYS, "mwf": MWF, "weekly": 0b0000001}

# English and Spanish names and abbreviations, accents and case ignored.
_DAY_NAMES = {
    0: ("mon", "monday", "mo", "lun", "lunes", "lu"),
    1: ("tue", "tues", "tuesday", "tu", "mar", "martes", "ma"),
    2: ("wed", "wednesday", "we", "mie", "miercoles", "mi"),
    3: ("thu", "thur", "thurs", "thursday", "th", "jue", "jueves", "ju"),
    4: ("fri", "friday", "fr", "vie", "viernes", "vi"),
    5: ("sat", "saturday", "sa", "sab", "sabado"),
    6: ("sun", "sunday", "su", "dom", "domingo", "do"),
}
_DAY_BY_NAME = {name: day for day, names in _DAY_NAMES.items() for name in names}
_WHOLE = {
    "daily": EVERY_DAY,
    "everyday": EVERY_DAY,
    "every day": EVERY_DAY,
    "all": EVERY_DAY,
    "todos": EVERY_DAY,
    "todos los dias": EVERY_DAY,
    "diario": EVERY_DAY,
    "cada dia": EVERY_DAY,
    "weekdays": WEEKDAYS,
    "workdays": WEEKDAYS,
    "entre semana": WEEKDAYS,
    "laborables": WEEKDAYS,
    "dias laborables": WEEKDAYS,
}
_SEPARATORS = re.compile(r"[\s,;/+&]+|\band\b|\by\b")
MAX_INPUT = 200


def _plain(text: str) -> str:
    """Lower case without accents (``miércoles`` is ``miercoles``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def parse_days(text: str) -> int | None:
    """A weekday mask from ``mon,wed,fri``, ``lun mié vie``, ``weekdays``, ``every day`` or
    a range ``mon-fri``; None when any word is not a day."""
    plain = _plain(text[:MAX_INPUT]).rstrip(".")
    if plain in _WHOLE:
        return _WHOLE[plain]
    mask = 0
    words = [word.strip(".") for word in _SEPARATORS.split(plain) if word.strip(".")]
    if not words:
        return None
    for word in words:
        if "-" in word:
            first, _, last = word.partition("-")
            if first not in _DAY_BY_NAME or last not in _DAY_BY_NAME:
                return None
            day, end = _DAY_BY_NAME[first], _DAY_BY_NAME[last]
            while True:
                mask |= 1 << day
                if day == end:
                    break
                day = (day + 1) % 7
            continue
        if word not in _DAY_BY_NAME:
            return None
        mask |= 1 << _DAY_BY_NAME[word]
    return mask


def days_label(days: int, language: str) -> str:
    """``every day``, ``weekdays (Mon–Fri)`` or the days' short names in the person's language."""
    days = days & EVERY_DAY or EVERY_DAY
    if days == EVERY_DAY:
        return texts.DAYS_EVERY_DAY.render(language)
    if days == WEEKDAYS:
        return texts.DAYS_WEEKDAYS.render(language)
    return ", ".join(
        texts.WEEKDAY_SHORT[day].render(language) for day in range(7) if days >> day & 1
    )


def set_days(subscriber: Subscriber, days: int, now: datetime) -> None:
    subscriber.send_days = days & EVERY_DAY or EVERY_DAY
    subscriber.next_send_at = compute_next_send(subscriber, now)


def toggle_day(subscriber: Subscriber, day: int, now: datetime) -> bool:
    """Switch one weekday; False (nothing changed) when it is the last one on."""
    days = (subscriber.send_days or EVERY_DAY) ^ (1 << day)
    if not days:
        return False
    set_days(subscriber, days, now)
    return True


def days_keyboard(days: int, language: str) -> InlineKeyboardMarkup:
    presets = [
        (texts.BUTTON_DAYS_DAILY, "daily"),
        (texts.BUTTON_DAYS_WEEKDAYS, "weekdays"),
        (texts.BUTTON_DAYS_MWF, "mwf"),
        (texts.BUTTON_DAYS_WEEKLY, "weekly"),
    ]
    rows = [
        [
            InlineKeyboardButton(label.render(language), callback_data=SetDays(name).pack())
            for label, name in presets[:2]
        ],
        [
            InlineKeyboardButton(label.render(language), callback_data=SetDays(name).pack())
            for label, name in presets[2:]
        ],
    ]
    toggles = [
        InlineKeyboardButton(
            f"{'✅' if days >> day & 1 else '▫️'} {texts.WEEKDAY_SHORT[day].render(language)}",
            callback_data=ToggleDay(day).pack(),  # type: ignore[arg-type]
        )
        for day in range(7)
    ]
    return InlineKeyboardMarkup([*rows, toggles[:4], toggles[4:]])


def days_prompt(subscriber: Subscriber, language: str) -> tuple[str, InlineKeyboardMarkup]:
    days = subscriber.send_days or EVERY_DAY
    return (
        texts.DAYS_PROMPT.render(language, days=days_label(days, language)),
        days_keyboard(days, language),
    )


def days_set_text(subscriber: Subscriber, now: datetime, language: str) -> str:
    return texts.DAYS_SET.render(
        language,
        days=days_label(subscriber.send_days, language),
        time=format_time(subscriber.send_time),
        when=describe_when(subscriber.next_send_at, subscriber.timezone, now, language),
    )


async def send_days_prompt(update: Update, subscriber: Subscriber, language: str) -> None:
    text, keyboard = days_prompt(subscriber, language)
    await update.effective_message.reply_text(text, reply_markup=keyboard)
