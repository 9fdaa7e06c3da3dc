"""/time, /timezone (also by shared location), /topics and /settings, with their buttons."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from tipbot import texts
from tipbot.core.callbacks import OpenSetting, SetTime, SetTimezone, ToggleTopic
from tipbot.core.content import Library
from tipbot.core.db.models import Subscriber
from tipbot.core.runtime import Context
from tipbot.core.timeparse import parse_time, parse_timezone, zone_exists
from tipbot.subscriber.service import (
    TopicToggle,
    get_subscriber,
    is_subscribed,
    resume_if_pause_over,
    set_send_time,
    set_timezone,
    toggle_topic,
)
from tipbot.subscriber.settings_view import (
    location_keyboard,
    settings_text,
    time_keyboard,
    time_set_text,
    timezone_set_text,
    topics_keyboard,
)
from tipbot.subscriber.start import settings_keyboard
from tipbot.subscriber.weekdays import send_days_prompt

if TYPE_CHECKING:
    from timezonefinder import TimezoneFinder


async def subscribed_row(session: AsyncSession, user_id: int, now: datetime) -> Subscriber | None:
    """The person's locked row if they are subscribed (a pause that is over ends first).

    It never calls Telegram: a transaction (SQLite: the database-wide write lock) must not
    wait for a round trip; callers explain "not subscribed" after theirs has ended."""
    subscriber = await session.get(Subscriber, user_id, with_for_update=True)
    if subscriber is not None:
        resume_if_pause_over(subscriber, now)
    return subscriber if is_subscribed(subscriber) else None


async def explain_not_subscribed(update: Update, language: str) -> None:
    if update.callback_query:
        await update.callback_query.answer(texts.NOT_SUBSCRIBED.render(language), show_alert=True)
    else:
        await update.effective_message.reply_text(texts.NOT_SUBSCRIBED.render(language))


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
        await explain_not_subscribed(update, context.language)
    return subscriber


# ----------------------------------------------------------------------------- prompts


async def send_time_prompt(update: Update, language: str) -> None:
    await update.effective_message.reply_text(
        texts.TIME_PROMPT.render(language), reply_markup=time_keyboard()
    )


async def send_timezone_prompt(update: Update, language: str) -> None:
    await update.effective_message.reply_text(
        texts.TIMEZONE_PROMPT.render(language), reply_markup=location_keyboard(language)
    )


async def send_topics_prompt(
    update: Update, subscriber: Subscriber, library: Library, language: str
) -> None:
    await update.effective_message.reply_text(
        texts.TOPICS_PROMPT.render(language),
        reply_markup=topics_keyboard(subscriber, library, language),
    )


# ----------------------------------------------------------------------------- /time


async def time_command(update: Update, context: Context) -> None:
    if not context.args:
        if await change_subscriber(update, context):
            await send_time_prompt(update, context.language)
        return
    value = parse_time(" ".join(context.args))
    if value is None:
        await update.effective_message.reply_text(texts.TIME_INVALID.render(context.language))
        return
    subscriber = await change_subscriber(
        update, context, lambda row, now: set_send_time(row, value, now)
    )
    if subscriber:
        await update.effective_message.reply_text(
            time_set_text(subscriber, context.deps.clock.now(), context.language)
        )


async def time_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = SetTime.parse(query.data)
    value = parse_time(button.time) if button else None
    if value is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    subscriber = await change_subscriber(
        update, context, lambda row, now: set_send_time(row, value, now)
    )
    if subscriber:
        await query.answer()
        text = time_set_text(subscriber, context.deps.clock.now(), context.language)
        await query.edit_message_text(text)


# ----------------------------------------------------------------------------- /timezone


async def timezone_command(update: Update, context: Context) -> None:
    text = " ".join(context.args or [])
    if not text:
        if await change_subscriber(update, context):
            await send_timezone_prompt(update, context.language)
        return
    lookup = parse_timezone(text)
    if lookup.zone is None:
        shown = html.escape(text[:64])
        if lookup.suggestions:
            keyboard = InlineKeyboardMarkup(
                [
                    [InlineKeyboardButton(zone, callback_data=SetTimezone(zone).pack())]
                    for zone in lookup.suggestions
                ]
            )
            await update.effective_message.reply_text(
                texts.TIMEZONE_SUGGEST.render(context.language, text=shown), reply_markup=keyboard
            )
        else:
            await update.effective_message.reply_text(
                texts.TIMEZONE_UNKNOWN.render(context.language, text=shown)
            )
        return
    await _apply_timezone(update, context, lookup.zone)


async def _apply_timezone(update: Update, context: Context, zone: str) -> None:
    subscriber = await change_subscriber(
        update, context, lambda row, now: set_timezone(row, zone, now)
    )
    if subscriber:
        text = timezone_set_text(subscriber, context.deps.clock.now(), context.language)
        await update.effective_message.reply_text(text, reply_markup=ReplyKeyboardRemove())


async def timezone_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = SetTimezone.parse(query.data)
    zone = button.zone if button else ""
    if not zone_exists(zone):
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    subscriber = await change_subscriber(
        update, context, lambda row, now: set_timezone(row, zone, now)
    )
    if subscriber:
        await query.answer()
        text = timezone_set_text(subscriber, context.deps.clock.now(), context.language)
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
            texts.TIMEZONE_NOT_FOUND_AT_LOCATION.render(context.language),
            reply_markup=ReplyKeyboardRemove(),
        )
        return
    await _apply_timezone(update, context, zone)


# ----------------------------------------------------------------------------- /topics


async def topics_command(update: Update, context: Context) -> None:
    subscriber = await change_subscriber(update, context)
    if subscriber:
        await send_topics_prompt(update, subscriber, context.deps.library, context.language)


async def topic_toggle_button(update: Update, context: Context) -> None:
    query, deps, now = update.callback_query, context.deps, context.deps.clock.now()
    button = ToggleTopic.parse(query.data)
    topic = deps.library.topics.get(button.topic_id) if button else None
    if topic is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    async with deps.db.session() as session:
        subscriber = await subscribed_row(session, update.effective_user.id, now)
        outcome = toggle_topic(subscriber, topic.id, deps.library) if subscriber else None
    if subscriber is None:
        await explain_not_subscribed(update, context.language)
        return
    if outcome is TopicToggle.LAST_ONE:
        await query.answer(texts.TOPICS_LAST_ONE.render(context.language), show_alert=True)
        return
    language = context.language
    toast = texts.TOPIC_ON if outcome is TopicToggle.ON else texts.TOPIC_OFF
    await query.answer(
        toast.render(language, title=deps.library.localized(language).topics[topic.id].title)
    )
    await query.edit_message_reply_markup(topics_keyboard(subscriber, deps.library, language))


# ----------------------------------------------------------------------------- /settings


async def settings_command(update: Update, context: Context) -> None:
    deps, now = context.deps, context.deps.clock.now()
    async with deps.db.session() as session:
        subscriber = await get_subscriber(session, update.effective_user.id)
        if subscriber is not None:
            resume_if_pause_over(subscriber, now)
    if subscriber is None:
        await update.effective_message.reply_text(texts.NOT_SUBSCRIBED.render(context.language))
        return
    await update.effective_message.reply_text(
        settings_text(subscriber, deps.library, now, context.language),
        reply_markup=settings_keyboard(context.language),
    )


async def settings_button(update: Update, context: Context) -> None:
    """The welcome's and /settings' buttons open the same prompts as the bare commands."""
    query = update.callback_query
    button = OpenSetting.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    action = button.setting
    subscriber = await change_subscriber(update, context)
    if subscriber is None:
        return
    await query.answer()
    if action == "time":
        await send_time_prompt(update, context.language)
    elif action == "timezone":
        await send_timezone_prompt(update, context.language)
    elif action == "days":
        await send_days_prompt(update, subscriber, context.language)
    else:
        await send_topics_prompt(update, subscriber, context.deps.library, context.language)


def button_handlers() -> list[BaseHandler]:
    """The settings buttons, and a location shared in a private chat (sets the timezone)."""
    return [
        MessageHandler(filters.ChatType.PRIVATE & filters.LOCATION, location_shared),
        CallbackQueryHandler(settings_button, pattern=OpenSetting.pattern()),
        CallbackQueryHandler(time_button, pattern=SetTime.pattern()),
        CallbackQueryHandler(timezone_button, pattern=SetTimezone.pattern()),
        CallbackQueryHandler(topic_toggle_button, pattern=ToggleTopic.pattern()),
    ]
