"""/pause, /resume, /stop and the privacy commands /mydata and /forget."""

from __future__ import annotations

import html
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from tipbot import i18n, texts
from tipbot.core.callbacks import ConfirmForget, ConfirmStop, LeaveReason
from tipbot.core.content import Library
from tipbot.core.db.models import Subscriber, SubscriptionStatus
from tipbot.core.ids import parse_number
from tipbot.core.runtime import Context
from tipbot.core.schedule import describe_when
from tipbot.core.timeparse import zone_label
from tipbot.subscriber.marks import count_stop_reason
from tipbot.subscriber.service import (
    MAX_PAUSE_DAYS,
    PersonalData,
    forget_person,
    format_time,
    get_subscriber,
    pause,
    personal_data,
    resume,
    resume_if_pause_over,
    stop,
)
from tipbot.subscriber.settings import change_subscriber, explain_not_subscribed, subscribed_row
from tipbot.subscriber.settings_view import status_text, topic_titles
from tipbot.subscriber.weekdays import days_label


def confirm_keyboard(
    family: type[ConfirmStop | ConfirmForget], yes_label: str, language: str
) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(yes_label, callback_data=family("yes").pack()),
                InlineKeyboardButton(
                    texts.BUTTON_CANCEL.render(language), callback_data=family("no").pack()
                ),
            ]
        ]
    )


def parse_pause_days(args: list[str]) -> int | None:
    """Days of a ``/pause N``; raises ValueError unless N is a whole number 1-365."""
    if not args:
        return None
    days = parse_number(args[0], MAX_PAUSE_DAYS) if len(args) == 1 else None
    if not days:
        raise ValueError("not a number of days")
    return days


async def pause_command(update: Update, context: Context) -> None:
    try:
        days = parse_pause_days(context.args or [])
    except ValueError:
        await update.effective_message.reply_text(texts.PAUSE_INVALID.render(context.language))
        return
    subscriber = await change_subscriber(update, context, lambda row, now: pause(row, now, days))
    if subscriber is None:
        return
    if days is None:
        await update.effective_message.reply_text(texts.PAUSED_OPEN.render(context.language))
        return
    local = subscriber.next_send_at.astimezone(ZoneInfo(subscriber.timezone))
    await update.effective_message.reply_text(
        texts.PAUSED_DAYS.render(
            context.language,
            days=texts.DAYS.render(context.language, days, days=days),
            time=format_time(subscriber.send_time),
            date=i18n.weekday_date(local, context.language),
        ),
    )


async def resume_command(update: Update, context: Context) -> None:
    deps, now = context.deps, context.deps.clock.now()
    async with deps.db.session() as session:
        subscriber = await subscribed_row(session, update.effective_user.id, now)
        was_paused = subscriber is not None and subscriber.status is SubscriptionStatus.PAUSED
        if was_paused:
            resume(subscriber, now)
    if subscriber is None:
        await explain_not_subscribed(update, context.language)
        return
    if not was_paused:
        await update.effective_message.reply_text(texts.NOT_PAUSED.render(context.language))
        return
    await update.effective_message.reply_text(
        texts.RESUMED.render(
            context.language,
            time=format_time(subscriber.send_time),
            timezone=html.escape(zone_label(subscriber.timezone)),
            when=describe_when(subscriber.next_send_at, subscriber.timezone, now, context.language),
        ),
    )


async def stop_command(update: Update, context: Context) -> None:
    if not await change_subscriber(update, context):
        return
    await update.effective_message.reply_text(
        texts.STOP_CONFIRM.render(context.language),
        reply_markup=confirm_keyboard(
            ConfirmStop, texts.BUTTON_STOP_YES.render(context.language), context.language
        ),
    )


async def stop_button(update: Update, context: Context) -> None:
    query = update.callback_query
    button = ConfirmStop.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    answer = button.answer
    if answer == "no":
        await query.answer()
        await query.edit_message_text(texts.KEPT.render(context.language))
        return
    if not await change_subscriber(update, context, stop):
        return
    await query.answer()
    language = context.language
    await query.edit_message_text(
        texts.STOPPED.render(language) + "\n\n" + texts.STOP_REASON_PROMPT.render(language),
        reply_markup=reason_keyboard(language),
    )


def reason_keyboard(language: str) -> InlineKeyboardMarkup:
    reasons = [
        (texts.BUTTON_REASON_OFTEN, "often"),
        (texts.BUTTON_REASON_RELEVANT, "relevant"),
        (texts.BUTTON_REASON_KNOWN, "known"),
        (texts.BUTTON_REASON_OTHER, "other"),
    ]
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label.render(language), callback_data=LeaveReason(r).pack())]
            for label, r in reasons
        ]
    )


async def reason_button(update: Update, context: Context) -> None:
    """One anonymous count per reason; only someone who has just stopped can give one (the
    buttons then go, so one /stop gives at most one reason)."""
    query, deps, language = update.callback_query, context.deps, context.language
    button = LeaveReason.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(language))
        return
    async with deps.db.session() as session:
        person = await session.get(Subscriber, update.effective_user.id)
        stopped = person is not None and person.status is SubscriptionStatus.STOPPED
        if stopped:
            await count_stop_reason(session, button.reason)
    if not stopped:
        await query.answer(texts.BUTTON_NOT_VALID.render(language))
        return
    await query.answer()
    await query.edit_message_text(
        texts.STOPPED.render(language) + "\n\n" + texts.STOP_REASON_THANKS.render(language)
    )


#: A consultation request's status as /mydata shows it.
REQUEST_STATUS_TEXTS = {
    "open": texts.REQUEST_STATUS_OPEN,
    "claimed": texts.REQUEST_STATUS_CLAIMED,
    "closed": texts.REQUEST_STATUS_CLOSED,
    "cancelled": texts.REQUEST_STATUS_CANCELLED,
}


def mydata_text(data: PersonalData, library: Library, user_id: int, language: str) -> str:
    none = texts.MYDATA_NONE.render(language)
    requests = ", ".join(
        texts.MYDATA_REQUEST.render(
            language,
            id=request.id,
            status=REQUEST_STATUS_TEXTS[request.status].render(language),
            date=i18n.format_date(request.created_at, language),
        )
        for request in data.consult_requests
    )
    subscriber = data.subscriber
    if subscriber is None:
        return texts.MYDATA_NO_SUBSCRIPTION.render(
            language, user_id=user_id, requests=requests or none
        )
    recap_state = (texts.RECAP_STATE_ON if subscriber.recap_on else texts.RECAP_STATE_OFF).render(
        language
    )
    snoozed = (
        subscriber.snoozed_until.astimezone(ZoneInfo(subscriber.timezone)).strftime("%H:%M")
        if subscriber.snoozed_until
        else none
    )
    return (
        texts.MYDATA.render(
            language,
            user_id=user_id,
            status=status_text(subscriber, language),
            created=i18n.format_date(subscriber.created_at, language),
            source=html.escape(subscriber.source or none),
            language=html.escape(i18n.language_name(i18n.resolve(subscriber.language))),
            telegram_language=html.escape(subscriber.language_code or none),
            time=format_time(subscriber.send_time),
            timezone=html.escape(zone_label(subscriber.timezone)),
            topics=topic_titles(subscriber, library, language),
            daily=data.daily_tips,
            on_demand=data.on_demand_tips,
            up=data.votes_up,
            down=data.votes_down,
            requests=requests or none,
        )
        + "\n"
        + texts.MYDATA_SHAPING.render(
            language,
            recap=recap_state,
            days=days_label(subscriber.send_days, language),
            tried=data.tried,
            saved=data.saved,
            snoozed=snoozed,
        )
    )


async def mydata_command(update: Update, context: Context) -> None:
    deps, now = context.deps, context.deps.clock.now()
    user_id = update.effective_user.id
    async with deps.db.session() as session:
        subscriber = await get_subscriber(session, user_id)
        if subscriber is not None:
            resume_if_pause_over(subscriber, now)
        data = await personal_data(session, user_id)
    if data.is_empty:
        await update.effective_message.reply_text(texts.MYDATA_EMPTY.render(context.language))
        return
    await update.effective_message.reply_text(
        mydata_text(data, deps.library, user_id, context.language)
    )


async def forget_command(update: Update, context: Context) -> None:
    deps = context.deps
    async with deps.db.session() as session:
        data = await personal_data(session, update.effective_user.id)
    if data.is_empty:
        await update.effective_message.reply_text(texts.MYDATA_EMPTY.render(context.language))
        return
    await update.effective_message.reply_text(
        texts.FORGET_CONFIRM.render(context.language),
        reply_markup=confirm_keyboard(
            ConfirmForget, texts.BUTTON_FORGET_YES.render(context.language), context.language
        ),
    )


async def forget_button(update: Update, context: Context) -> None:
    query, deps = update.callback_query, context.deps
    button = ConfirmForget.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(context.language))
        return
    answer = button.answer
    if answer == "yes":
        async with deps.db.session() as session:
            await forget_person(
                session, update.effective_user.id, now=deps.clock.now(), erasers=deps.erasers
            )
        for eraser in deps.erasers:  # e.g. tell staff at once the requests were removed
            if eraser.after_commit is not None:
                eraser.after_commit(context.application)
    await query.answer()
    done = texts.FORGOTTEN if answer == "yes" else texts.KEPT
    await query.edit_message_text(done.render(context.language))


def button_handlers() -> list[BaseHandler]:
    return [
        CallbackQueryHandler(stop_button, pattern=ConfirmStop.pattern()),
        CallbackQueryHandler(forget_button, pattern=ConfirmForget.pattern()),
        CallbackQueryHandler(reason_button, pattern=LeaveReason.pattern()),
    ]
