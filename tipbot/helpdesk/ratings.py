"""The rating after a close: the close notice asks "How did we do?" with 1-5 buttons
(``Rate``, added by ``consult.service.staff_action``); a press stores the rating once, a
rating of 1-2 is posted to the request's staff thread (outbox, bound to the request) so
someone follows up, and the person may reply to the thanks with a comment.

The press is checked anew: the presser must be the request's person, the request closed
and not yet rated. /forget deletes the request, and with it the rating.
"""

from __future__ import annotations

import enum
import html
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ForceReply, Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from tipbot import i18n, texts
from tipbot.consult import outbox
from tipbot.core.callbacks import Rate
from tipbot.core.db.models import ConsultRequest, RequestStatus
from tipbot.core.runtime import Context
from tipbot.fallback import free_text

LOW = 2  # this rating or lower is posted to staff
COMMENT_WINDOW = timedelta(days=7)  # a reply to the thanks counts as a comment this long
COMMENT_LIMIT = 1000


class Rated(enum.Enum):
    DONE = "done"
    GONE = "gone"  # not this person's, not closed, or no such request
    ALREADY = "already"


async def rate(
    session: AsyncSession, request_id: int, user_id: int, score: int, *, now: datetime
) -> Rated:
    request = await session.get(ConsultRequest, request_id, with_for_update=True)
    if request is None or request.user_id != user_id or request.status is not RequestStatus.CLOSED:
        return Rated.GONE
    if request.rating is not None:
        return Rated.ALREADY
    request.rating = score
    request.updated_at = now
    if score <= LOW:
        text = texts.THREAD_LOW_RATING.render(
            i18n.staff_language(), number=request.id, name=html.escape(request.name), rating=score
        )
        outbox.enqueue(session, outbox.Kind.THREAD, now=now, request_id=request.id, text=text)
    return Rated.DONE


async def rating_button(update: Update, context: Context) -> None:
    query, deps, language = update.callback_query, context.deps, context.language
    button = Rate.parse(query.data)
    if button is None:
        await query.answer(texts.RATING_GONE.render(language), show_alert=True)
        return
    async with deps.db.session() as session:
        outcome = await rate(
            session,
            button.request_id,
            update.effective_user.id,
            button.score,
            now=deps.clock.now(),
        )
    if outcome is Rated.GONE:
        await query.answer(texts.RATING_GONE.render(language), show_alert=True)
        return
    if outcome is Rated.ALREADY:
        await query.answer(texts.RATING_ALREADY.render(language), show_alert=True)
        return
    outbox.kick(context.application)
    await query.answer()
    await query.edit_message_reply_markup(None)
    stars = "⭐" * button.score
    await update.effective_chat.send_message(
        texts.RATING_THANKS.render(language, stars=stars), reply_markup=ForceReply()
    )


async def commented_request(
    session: AsyncSession, user_id: int, *, now: datetime
) -> ConsultRequest | None:
    """The person's request rated lately and not yet commented on, if any."""
    return await session.scalar(
        select(ConsultRequest)
        .where(
            ConsultRequest.user_id == user_id,
            ConsultRequest.rating.is_not(None),
            ConsultRequest.rating_comment.is_(None),
            ConsultRequest.closed_at >= now - COMMENT_WINDOW,
        )
        .order_by(ConsultRequest.id.desc())
        .limit(1)
        .with_for_update()
    )


async def rating_comment(update: Update, context: Context) -> None:
    """A reply to the bot's thanks is the rating's comment; any other reply to the bot gets
    the fallback's answer, as it would without this handler."""
    message, deps = update.effective_message, context.deps
    replied = message.reply_to_message
    if not (replied.from_user and replied.from_user.id == context.bot.id):
        await free_text(update, context)
        return
    now, text = deps.clock.now(), message.text.strip()[:COMMENT_LIMIT]
    async with deps.db.session() as session:
        request = await commented_request(session, update.effective_user.id, now=now)
        if request is None or not text:
            request = None
        else:
            request.rating_comment = text
            request.updated_at = now
            staff = texts.THREAD_RATING_COMMENT.render(
                i18n.staff_language(),
                number=request.id,
                name=html.escape(request.name),
                rating=request.rating,
                text=html.escape(text),
            )
            if request.rating <= LOW:  # someone follows up: they read what went wrong
                outbox.enqueue(
                    session, outbox.Kind.THREAD, now=now, request_id=request.id, text=staff
                )
    if request is None:
        await free_text(update, context)
        return
    outbox.kick(context.application)
    await message.reply_text(texts.RATING_COMMENT_THANKS.render(context.language))


def rating_handlers() -> list[BaseHandler]:
    private_reply = filters.ChatType.PRIVATE & filters.REPLY & filters.TEXT & ~filters.COMMAND
    return [
        CallbackQueryHandler(rating_button, pattern=Rate.pattern()),
        MessageHandler(private_reply & filters.UpdateType.MESSAGE, rating_comment),
    ]
