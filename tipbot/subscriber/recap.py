"""The weekly recap: the week's tips, how many were tried, a streak of weeks with a tried
tip, one liked tip to revisit and a topic not switched on yet; ``/recap on|off`` and its
button.

The sweep decides when (``delivery.rules``: with the week's last daily tip, at most once a
week, recorded in ``recap_week`` in the claim's transaction) and sends this message right
after that tip: no timer per person.
"""

from __future__ import annotations

import html
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from tipbot import texts
from tipbot.core.callbacks import RecapSwitch
from tipbot.core.content import Library
from tipbot.core.db.models import Delivery, DeliveryStatus, Subscriber, TipTried, TipVote
from tipbot.core.runtime import Context
from tipbot.subscriber.picker import TOPIC_EMOJI, chosen_topics
from tipbot.subscriber.settings import change_subscriber

MAX_STREAK_WEEKS = 104
SHOWN = (DeliveryStatus.SENT, DeliveryStatus.PENDING)  # pending: the tip just sent with it
_ON = {"on", "yes", "si", "sí", "activar", "1"}
_OFF = {"off", "no", "desactivar", "0"}


def _week(day: date) -> tuple[int, int]:
    year, week, _ = day.isocalendar()
    return year, week


def streak_of(tried_days: set[date], tip_days: set[date], today: date, since: date) -> int:
    """Weeks in a row, back from this one, with a tried tip. A week without any tip (a
    pause) neither breaks nor extends it; a week with tips and nothing tried ends it."""
    tried_weeks = {_week(day) for day in tried_days}
    tip_weeks = {_week(day) for day in tip_days}
    streak = 0
    monday = today - timedelta(days=today.weekday())
    for back in range(MAX_STREAK_WEEKS):
        week_start = monday - timedelta(weeks=back)
        if week_start + timedelta(days=6) < since:
            break
        week = _week(week_start)
        if week in tried_weeks:
            streak += 1
        elif week in tip_weeks:
            break
    return streak


async def recap_message(
    session: AsyncSession, user_id: int, library: Library, language: str, now: datetime
) -> tuple[str, InlineKeyboardMarkup] | None:
    """The person's recap of this (local) week, or None if they are gone or had no tip."""
    person = await session.get(Subscriber, user_id)
    if person is None:
        return None
    zone = ZoneInfo(person.timezone)
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    since = person.created_at.astimezone(zone).date()
    rows = (
        await session.execute(
            select(Delivery.local_date, Delivery.tip_id)
            .where(
                Delivery.subscriber_id == user_id,
                Delivery.status.in_(SHOWN),
                Delivery.tip_id.is_not(None),
                Delivery.local_date >= today - timedelta(weeks=MAX_STREAK_WEEKS),
            )
            .order_by(Delivery.local_date)
        )
    ).all()
    week_tips = [tip_id for day, tip_id in rows if monday <= day <= today]
    if not week_tips:
        return None
    tried = dict(
        (
            await session.execute(
                select(TipTried.tip_id, TipTried.created_at).where(TipTried.user_id == user_id)
            )
        ).all()
    )
    liked = await session.scalars(
        select(TipVote.tip_id)
        .where(TipVote.subscriber_id == user_id, TipVote.vote == 1)
        .order_by(TipVote.updated_at.desc())
    )
    localized = library.localized(language)
    lines = [
        texts.RECAP.render(
            language,
            tips=len(week_tips),
            tried=sum(1 for tip_id in week_tips if tip_id in tried),
            streak=streak_of(
                {at.astimezone(zone).date() for at in tried.values()},
                {day for day, _ in rows},
                today,
                since,
            ),
        )
    ]
    for tip_id in week_tips:
        tip = localized.tips.get(tip_id)
        if tip is not None:
            short = tip.text if len(tip.text) <= 70 else tip.text[:69].rstrip() + "…"
            mark = " ✅" if tip_id in tried else ""
            lines.append(f"{TOPIC_EMOJI.get(tip.topic, '💡')} {html.escape(short)}{mark}")
    revisit = next((t for t in liked if t not in week_tips and t in localized.tips), None)
    if revisit is not None:
        lines.append(
            "\n"
            + texts.RECAP_REVISIT.render(language, text=html.escape(localized.tips[revisit].text))
        )
    chosen = set(chosen_topics(person, library))
    new_topic = next((t for t in localized.topics.values() if t.id not in chosen), None)
    if new_topic is not None:
        lines.append("\n" + texts.RECAP_TOPIC.render(language, title=html.escape(new_topic.title)))
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.BUTTON_RECAP_OFF.render(language),
                    callback_data=RecapSwitch("off").pack(),
                )
            ]
        ]
    )
    return "\n".join(lines), keyboard


def _set_recap(on: bool):
    def change(row: Subscriber, _now: datetime) -> None:
        row.recap_on = on

    return change


async def recap_command(update: Update, context: Context) -> None:
    language = context.language
    word = " ".join(context.args or []).strip().casefold()
    if word not in _ON | _OFF:
        await update.effective_message.reply_text(texts.RECAP_USAGE.render(language))
        return
    on = word in _ON
    if await change_subscriber(update, context, _set_recap(on)):
        done = texts.RECAP_ON if on else texts.RECAP_OFF
        await update.effective_message.reply_text(done.render(language))


async def recap_button(update: Update, context: Context) -> None:
    query, language = update.callback_query, context.language
    button = RecapSwitch.parse(query.data)
    if button is None:
        await query.answer(texts.BUTTON_NOT_VALID.render(language))
        return
    on = button.state == "on"
    if await change_subscriber(update, context, _set_recap(on)):
        await query.answer((texts.RECAP_ON if on else texts.RECAP_OFF).render(language))
        await query.edit_message_reply_markup(None)


def button_handlers() -> list[BaseHandler]:
    return [CallbackQueryHandler(recap_button, pattern=RecapSwitch.pattern())]
