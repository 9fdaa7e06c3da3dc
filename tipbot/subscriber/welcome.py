"""The welcome series as the person sees it: each step's message (from ``content/welcome.yaml``,
sent by the sweep right after the daily tip it belongs to) and the day-7 "how is it going?"
buttons."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from tipbot import texts
from tipbot.core.callbacks import WelcomeCheckin
from tipbot.core.content import Library
from tipbot.core.runtime import Context
from tipbot.subscriber.settings import change_subscriber, send_topics_prompt
from tipbot.subscriber.weekdays import send_days_prompt


def checkin_keyboard(language: str) -> InlineKeyboardMarkup:
    answers = [
        (texts.BUTTON_CHECKIN_GOOD, "good"),
        (texts.BUTTON_CHECKIN_MUCH, "much"),
        (texts.BUTTON_CHECKIN_RELEVANT, "relevant"),
    ]
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label.render(language), callback_data=WelcomeCheckin(a).pack())]
            for label, a in answers
        ]
    )


def welcome_message(
    library: Library, step_id: str, language: str
) -> tuple[str, InlineKeyboardMarkup | None] | None:
    """The step's text in ``language`` (English if it lacks one) and its buttons; None when
    the library no longer has that step."""
    series = library.welcome
    step = series.step(step_id) if series is not None else None
    if step is None:
        return None
    return step.text(language), checkin_keyboard(language) if step.checkin else None


async def checkin_button(update: Update, context: Context) -> None:
    """Good: thanks. Too many: the days prompt. Not relevant: the topics prompt."""
    query, language = update.callback_query, context.language
    button = WelcomeCheckin.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(language))
        return
    subscriber = await change_subscriber(update, context)
    if subscriber is None:
        return
    await query.answer()
    await query.edit_message_reply_markup(None)
    if button.answer == "good":
        await update.effective_message.reply_text(texts.CHECKIN_GOOD.render(language))
    elif button.answer == "much":
        await send_days_prompt(update, subscriber, language)
    else:
        await send_topics_prompt(update, subscriber, context.deps.library, language)


def button_handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(checkin_button, pattern=WelcomeCheckin.pattern())]
