"""/time, /timezone (also by shared location), /topics and /settings, with their buttons."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from tipbot import texts
from tipbot.core import i18n
from tipbot.core.callbacks import SETTINGS_PREFIX, TIME_DATA, TIMEZONE_DATA, TOPIC_TOGGLE_DATA
from tipbot.core.content import Library
from tipbot.core.db.models import Subscriber, SubscriptionStatus
from tipbot.core.runtime import Context
from tipbot.core.schedule import describe_when
from tipbot.core.timeparse import parse_time, parse_timezone, zone_exists, zone_label
from tipbot.subscriber.picker import chosen_topics
from tipbot.subscriber.service import (
    TopicToggle,
    format_time,
    get_subscriber,
    is_subscribed,
    resume_if_pause_over,
    set_send_time,
    set_timezone,
    toggle_topic,
)
from tipbot.subscriber.start import settings_keyboard

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder

COMMON_TIMES = ("06:00", "07:00", "07:30", "08:00", "09:00", "12:00", "18:00", "20:00", "21:00")


# ----------------------------------------------------------------------------- rendering


def local_now(zone: str, now: datetime) -> str:
    return now.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def next_tip_text(subscriber: Subscriber, now: datetime) -> str:
    if subscriber.next_send_at is None:
        return texts.NO_NEXT_TIP
    return texts.NEXT_TIP.format(
        time=format_time(subscriber.send_time),
        when=describe_when(subscriber.next_send_at, subscriber.timezone, now),
    )


def status_text(subscriber: Subscriber) -> str:
    if subscriber.status is SubscriptionStatus.PAUSED:
        if subscriber.paused_until is None:
            return texts.STATUS_PAUSED_OPEN
        until = subscriber.paused_until.astimezone(ZoneInfo(subscriber.timezone))
        return texts.STATUS_PAUSED_UNTIL.format(date=i18n.format_date(until))
    return {
        SubscriptionStatus.ACTIVE: texts.STATUS_ACTIVE,
        SubscriptionStatus.STOPPED: texts.STATUS_STOPPED,
        SubscriptionStatus.BLOCKED: texts.STATUS_BLOCKED,
    }[subscriber.status]


def topic_titles(subscriber: Subscriber, library: Library) -> str:
    topics = library.localized().topics
    return ", ".join(
        html.escape(topics[topic].title) for topic in chosen_topics(subscriber, library)
    )


def time_keyboard() -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(t, callback_data=f"{TIME_DATA}{t}") for t in COMMON_TIMES]
    return InlineKeyboardMarkup([buttons[i : i + 3] for i in range(0, len(buttons), 3)])


def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(texts.BUTTON_SHARE_LOCATION, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def topics_keyboard(subscriber: Subscriber, library: Library) -> InlineKeyboardMarkup:
    chosen = set(chosen_topics(subscriber, library))
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    f"{'✅' if topic.id in chosen else '▫️'} {topic.title}",
                    callback_data=f"{TOPIC_TOGGLE_DATA}{topic.id}",
                )
            ]
            for topic in library.localized().topics.values()
        ]
    )


def time_set_text(subscriber: Subscriber, now: datetime) -> str:
    return texts.TIME_SET.format(
        time=format_time(subscriber.send_time),
        timezone=html.escape(zone_label(subscriber.timezone)),
        when=describe_when(subscriber.next_send_at, subscriber.timezone, now),
    )


def timezone_set_text(subscriber: Subscriber, now: datetime) -> str:
    return texts.TIMEZONE_SET.format(
        timezone=html.escape(zone_label(subscriber.timezone)),
        local_time=local_now(subscriber.timezone, now),
        time=format_time(subscriber.send_time),
        when=describe_when(subscriber.next_send_at, subscriber.timezone, now),
    )


async def subscribed_row(session: AsyncSession, user_id: int, now: datetime) -> Subscriber | None:
    """The person's locked row if they are subscribed (a pause that is over ends first).

    It never calls Telegram: a transaction (SQLite: the database-wide write lock) must not
    wait for a round trip; callers explain "not subscribed" after theirs has ended."""
    subscriber = await session.get(Subscriber, user_id, with_for_update=True)
    if subscriber is not None:
        resume_if_pause_over(subscriber, now)
    return subscriber if is_subscribed(subscriber) else None


async def explain_not_subscribed(update: Update) -> None:
    if update.callback_query:
        await update.callback_query.answer(texts.NOT_SUBSCRIBED, show_alert=True)
    else:
        await update.effective_message.reply_text(texts.NOT_SUBSCRIBED)


async def change_subscriber(
    update: Update,
    context: Context,
    change: Callable[[Subscriber, datetime], object] | None = None,
) -> Subscriber | None:
    """Apply ``change`` to the subscribed person's row in one transaction and return the row.

    Not subscribed: nothing changes, the person is told how to subscribe (after the
    transaction, so no row lock is held during the Telegram call) and None is returned.
    """
    deps, now = context.deps, context.deps.clock.now()
    async with deps.db.session() as session:
        subscriber = await subscribed_row(session, update.effective_user.id, now)
        if subscriber is not None and change is not None:
            change(subscriber, now)
    if subscriber is None:
        await explain_not_subscribed(update)
    return subscriber


# ----------------------------------------------------------------------------- prompts


async def send_time_prompt(update: Update) -> None:
    await update.effective_message.reply_text(texts.TIME_PROMPT, reply_markup=time_keyboard())


async def send_timezone_prompt(update: Update) -> None:
    await update.effective_message.reply_text(
        texts.TIMEZONE_PROMPT, reply_markup=location_keyboard()
    )


async def send_topics_prompt(update: Update, subscriber: Subscriber, library: Library) -> None:
    await update.effective_message.reply_text(
        texts.TOPICS_PROMPT, reply_markup=topics_keyboard(subscriber, library)
    )


# ----------------------------------------------------------------------------- /time


async def time_command(update: Update, context: Context) -> None:
    if not context.args:
        if await change_subscriber(update, context):
            await send_time_prompt(update)
        return
    value = parse_time(" ".join(context.args))
    if value is None:
        await update.effective_message.reply_text(texts.TIME_INVALID)
        return
    subscriber = await change_subscriber(
        update, context, lambda row, now: set_send_time(row, value, now)
    )
    if subscriber:
        await update.effective_message.reply_text(
            time_set_text(subscriber, context.deps.clock.now())
        )


async def time_button(update: Update, context: Context) -> None:
    query = update.callback_query
    value = parse_time(query.data.removeprefix(TIME_DATA))
    if value is None:
        await query.answer(texts.BUTTON_NOT_VALID)
        return
    subscriber = await change_subscriber(
        update, context, lambda row, now: set_send_time(row, value, now)
    )
    if subscriber:
        await query.answer()
        text = time_set_text(subscriber, context.deps.clock.now())
        await query.edit_message_text(text)


# ----------------------------------------------------------------------------- /timezone


async def timezone_command(update: Update, context: Context) -> None:
    text = " ".join(context.args or [])
    if not text:
        if await change_subscriber(update, context):
            await send_timezone_prompt(update)
        return
    lookup = parse_timezone(text)
    if lookup.zone is None:
        shown = html.escape(text[:64])
        if lookup.suggestions:
            keyboard = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(zone, callback_data=f"{TIMEZONE_DATA}{zone}")]
                    for zone in lookup.suggestions
                ]
            )
            await update.effective_message.reply_text(
                texts.TIMEZONE_SUGGEST.format(text=shown), reply_markup=keyboard
            )
        else:
            await update.effective_message.reply_text(texts.TIMEZONE_UNKNOWN.format(text=shown))
        return
    await _apply_timezone(update, context, lookup.zone)


async def _apply_timezone(update: Update, context: Context, zone: str) -> None:
    subscriber = await change_subscriber(
        update, context, lambda row, now: set_timezone(row, zone, now)
    )
    if subscriber:
        text = timezone_set_text(subscriber, context.deps.clock.now())
        await update.effective_message.reply_text(text, reply_markup=ReplyKeyboardRemove())


async def timezone_button(update: Update, context: Context) -> None:
    query = update.callback_query
    zone = query.data.removeprefix(TIMEZONE_DATA)
    if not zone_exists(zone):
        await query.answer(texts.BUTTON_NOT_VALID)
        return
    subscriber = await change_subscriber(
        update, context, lambda row, now: set_timezone(row, zone, now)
    )
    if subscriber:
        await query.answer()
        text = timezone_set_text(subscriber, context.deps.clock.now())
        await query.edit_message_text(text)


@cache
def timezone_finder() -> TimezoneFinder:
    """One finder per process: building it loads the boundary data and takes a while."""
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


def zone_at(latitude: float, longitude: float) -> str | None:
    zone = timezone_finder().timezone_at(lat=latitude, lng=longitude)
    return zone if zone and zone_exists(zone) else None


async def location_shared(update: Update, context: Context) -> None:
    location = update.effective_message.location
    zone = await asyncio.to_thread(zone_at, location.latitude, location.longitude)
    if zone is None:
        await update.effective_message.reply_text(
            texts.TIMEZONE_NOT_FOUND_AT_LOCATION, reply_markup=ReplyKeyboardRemove()
        )
        return
    await _apply_timezone(update, context, zone)


# ----------------------------------------------------------------------------- /topics


async def topics_command(update: Update, context: Context) -> None:
    subscriber = await change_subscriber(update, context)
    if subscriber:
        await send_topics_prompt(update, subscriber, context.deps.library)


async def topic_toggle_button(update: Update, context: Context) -> None:
    query, deps, now = update.callback_query, context.deps, context.deps.clock.now()
    topic = deps.library.topics.get(query.data.removeprefix(TOPIC_TOGGLE_DATA))
    if topic is None:
        await query.answer(texts.BUTTON_NOT_VALID)
        return
    async with deps.db.session() as session:
        subscriber = await subscribed_row(session, update.effective_user.id, now)
        outcome = toggle_topic(subscriber, topic.id, deps.library) if subscriber else None
    if subscriber is None:
        await explain_not_subscribed(update)
        return
    if outcome is TopicToggle.LAST_ONE:
        await query.answer(texts.TOPICS_LAST_ONE, show_alert=True)
        return
    template = texts.TOPIC_ON if outcome is TopicToggle.ON else texts.TOPIC_OFF
    await query.answer(template.format(title=deps.library.localized().topics[topic.id].title))
    await query.edit_message_reply_markup(topics_keyboard(subscriber, deps.library))


# ----------------------------------------------------------------------------- /settings


def settings_text(subscriber: Subscriber, library: Library, now: datetime) -> str:
    return texts.SETTINGS.format(
        status=status_text(subscriber),
        time=format_time(subscriber.send_time),
        timezone=html.escape(zone_label(subscriber.timezone)),
        local_time=local_now(subscriber.timezone, now),
        topics=topic_titles(subscriber, library),
        next_tip=next_tip_text(subscriber, now),
    )


async def settings_command(update: Update, context: Context) -> None:
    deps, now = context.deps, context.deps.clock.now()
    async with deps.db.session() as session:
        subscriber = await get_subscriber(session, update.effective_user.id)
        if subscriber is not None:
            resume_if_pause_over(subscriber, now)
    if subscriber is None:
        await update.effective_message.reply_text(texts.NOT_SUBSCRIBED)
        return
    await update.effective_message.reply_text(
        settings_text(subscriber, deps.library, now),
        reply_markup=settings_keyboard(),
    )


async def settings_button(update: Update, context: Context) -> None:
    """The welcome's and /settings' buttons open the same prompts as the bare commands."""
    query = update.callback_query
    action = query.data.removeprefix(SETTINGS_PREFIX)
    if action not in {"time", "timezone", "topics"}:
        await query.answer(texts.BUTTON_NOT_VALID)
        return
    subscriber = await change_subscriber(update, context)
    if subscriber is None:
        return
    await query.answer()
    if action == "time":
        await send_time_prompt(update)
    elif action == "timezone":
        await send_timezone_prompt(update)
    else:
        await send_topics_prompt(update, subscriber, context.deps.library)


def register(application: Application) -> None:
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler("time", time_command, filters=private))
    application.add_handler(CommandHandler("timezone", timezone_command, filters=private))
    application.add_handler(CommandHandler("topics", topics_command, filters=private))
    application.add_handler(CommandHandler("settings", settings_command, filters=private))
    application.add_handler(MessageHandler(private & filters.LOCATION, location_shared))
    application.add_handler(CallbackQueryHandler(settings_button, pattern=rf"^{SETTINGS_PREFIX}"))
    application.add_handler(CallbackQueryHandler(time_button, pattern=rf"^{TIME_DATA}"))
    application.add_handler(CallbackQueryHandler(timezone_button, pattern=rf"^{TIMEZONE_DATA}"))
    application.add_handler(
        CallbackQueryHandler(topic_toggle_button, pattern=rf"^{TOPIC_TOGGLE_DATA}")
    )
