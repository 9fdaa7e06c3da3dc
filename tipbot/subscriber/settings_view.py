"""How a person's settings read: status, next tip, topics, the /settings text, and the
keyboards of the time, timezone and topic prompts, each in the language the caller names."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from tipbot import i18n, texts
from tipbot.core.callbacks import SetTime, ToggleTopic
from tipbot.core.content import Library
from tipbot.core.db.models import Subscriber, SubscriptionStatus
from tipbot.core.schedule import describe_when
from tipbot.core.timeparse import zone_label
from tipbot.subscriber.picker import chosen_topics
from tipbot.subscriber.service import (
    format_time,
)
from tipbot.subscriber.weekdays import days_label

COMMON_TIMES = ("06:00", "07:00", "07:30", "08:00", "09:00", "12:00", "18:00", "20:00", "21:00")


def local_now(zone: str, now: datetime) -> str:
    return now.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def next_tip_text(subscriber: Subscriber, now: datetime, language: str) -> str:
    if subscriber.next_send_at is None:
        return texts.NO_NEXT_TIP.render(language)
    return texts.NEXT_TIP.render(
        language,
        time=format_time(subscriber.send_time),
        when=describe_when(subscriber.next_send_at, subscriber.timezone, now, language),
    )


def status_text(subscriber: Subscriber, language: str) -> str:
    if subscriber.status is SubscriptionStatus.PAUSED:
        if subscriber.paused_until is None:
            return texts.STATUS_PAUSED_OPEN.render(language)
        until = subscriber.paused_until.astimezone(ZoneInfo(subscriber.timezone))
        return texts.STATUS_PAUSED_UNTIL.render(language, date=i18n.format_date(until, language))
    return {
        SubscriptionStatus.ACTIVE: texts.STATUS_ACTIVE.render(language),
        SubscriptionStatus.STOPPED: texts.STATUS_STOPPED.render(language),
        SubscriptionStatus.BLOCKED: texts.STATUS_BLOCKED.render(language),
    }[subscriber.status]


def topic_titles(subscriber: Subscriber, library: Library, language: str) -> str:
    topics = library.localized(language).topics
    return ", ".join(
        html.escape(topics[topic].title) for topic in chosen_topics(subscriber, library)
    )


def time_keyboard() -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(t, callback_data=SetTime(t).pack()) for t in COMMON_TIMES]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


def location_keyboard(language: str) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts.BUTTON_SHARE_LOCATION.render(language), request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def topics_keyboard(
    subscriber: Subscriber, library: Library, language: str
) -> InlineKeyboardMarkup:
    chosen = set(chosen_topics(subscriber, library))
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{'✅' if topic.id in chosen else '▫️'} {topic.title}",
                    callback_data=ToggleTopic(topic.id).pack(),
                )
            ]
            for topic in library.localized(language).topics.values()
        ]
    )


def time_set_text(subscriber: Subscriber, now: datetime, language: str) -> str:
    return texts.TIME_SET.render(
        language,
        time=format_time(subscriber.send_time),
        timezone=html.escape(zone_label(subscriber.timezone)),
        when=describe_when(subscriber.next_send_at, subscriber.timezone, now, language),
    )


def timezone_set_text(subscriber: Subscriber, now: datetime, language: str) -> str:
    return texts.TIMEZONE_SET.render(
        language,
        timezone=html.escape(zone_label(subscriber.timezone)),
        local_time=local_now(subscriber.timezone, now),
        time=format_time(subscriber.send_time),
        when=describe_when(subscriber.next_send_at, subscriber.timezone, now, language),
    )


def settings_text(subscriber: Subscriber, library: Library, now: datetime, language: str) -> str:
    return (
        texts.SETTINGS.render(
            language,
            status=status_text(subscriber, language),
            time=format_time(subscriber.send_time),
            timezone=html.escape(zone_label(subscriber.timezone)),
            local_time=local_now(subscriber.timezone, now),
            topics=topic_titles(subscriber, library, language),
            next_tip=next_tip_text(subscriber, now, language),
        )
        + "\n"
        + texts.SETTINGS_DAYS.render(language, days=days_label(subscriber.send_days, language))
    )
