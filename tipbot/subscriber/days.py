"""``/days mon,wed,fri``, ``/days`` (buttons) and the day buttons (also from /settings).

The days are one 7-bit mask on the person's row (``send_days``, bit 0 Monday), so the
sweep's claim reads one small integer more and ``next_send_at`` stays its one indexed query.
"""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from tipbot import texts
from tipbot.core.callbacks import SetDays, ToggleDay
from tipbot.core.runtime import Context
from tipbot.subscriber.settings import change_subscriber
from tipbot.subscriber.weekdays import (
    PRESETS,
    days_label,
    days_prompt,
    days_set_text,
    parse_days,
    send_days_prompt,
    set_days,
    toggle_day,
)


async def days_command(update: Update, context: Context) -> None:
    language = context.language
    text = " ".join(context.args or [])
    if not text:
        subscriber = await change_subscriber(update, context)
        if subscriber:
            await send_days_prompt(update, subscriber, language)
        return
    days = parse_days(text)
    if days is None:
        await update.effective_message.reply_text(
            texts.DAYS_INVALID.render(language, text=html.escape(text[:64]))
        )
        return
    subscriber = await change_subscriber(update, context, lambda row, now: set_days(row, days, now))
    if subscriber:
        await update.effective_message.reply_text(
            days_set_text(subscriber, context.deps.clock.now(), language)
        )


async def preset_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = SetDays.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    days = PRESETS[button.preset]
    subscriber = await change_subscriber(update, context, lambda row, now: set_days(row, days, now))
    if subscriber:
        await query.answer()
        await query.edit_message_text(
            days_set_text(subscriber, context.deps.clock.now(), context.language)
        )


async def toggle_button(update: Update, context: Context) -> None:
    query, language = update.callback_query, context.language
    button = ToggleDay.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(language))
        return
    changed: list[bool] = []
    subscriber = await change_subscriber(
        update, context, lambda row, now: changed.append(toggle_day(row, button.day, now))
    )
    if subscriber is None:
        return
    if not changed[0]:
        await query.answer(texts.DAYS_LAST_ONE.render(language), show_alert=True)
        return
    await query.answer(days_label(subscriber.send_days, language))
    text, keyboard = days_prompt(subscriber, language)
    await query.edit_message_text(text, reply_markup=keyboard)


def button_handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(preset_button, pattern=SetDays.pattern()),
        CallbackQueryHandler(toggle_button, pattern=ToggleDay.pattern()),
    ]
