"""The staff group's side: card buttons, replies to the person, /requests, /request N.

Authority is ``deps.staff.is_staff`` on every press, reply and command; callback data only
names a request, whose state is re-read before anything changes. Commands in the staff
group from non-staff get a short refusal; in any other group they are ignored (the bot
stays quiet in chats that are not its business).
"""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler, MessageHandler, filters

from tipbot import i18n, texts
from tipbot.consult import outbox
from tipbot.consult.cards import (
    CLAIM,
    CLOSE,
    UNCLAIM,
    clinic_time,
    format_age,
    status_label,
)
from tipbot.consult.media import media_of
from tipbot.consult.service import (
    STAFF_REPLY_LIMIT,
    ActionOutcome,
    active_requests,
    queue_reminders,
    reply_to_person,
    repost_card,
    request_for_staff_message,
    request_named_in,
    staff_action,
)
from tipbot.core.callbacks import CardAction
from tipbot.core.db.models import ConsultRequest
from tipbot.core.ids import parse_id
from tipbot.core.runtime import Context, Deps
from tipbot.core.staff import (
    StaffChat,
    StaffDirectory,
    is_staff_here,
    note_staff,
    refuse,
    staff_only,
)

log = logging.getLogger(__name__)

REMINDER_JOB_NAME = "consult-reminders"
REMINDER_CHECK_SECONDS = 60
# Message ids, not texts: a text is read when it is sent, in the staff's language.
_DONE_TOAST = {
    CLAIM: texts.STAFF_CLAIMED,
    UNCLAIM: texts.STAFF_UNCLAIMED,
    CLOSE: texts.STAFF_CLOSED,
}


@staff_only
async def card_button(update: Update, context: Context) -> None:
    query, staff = update.callback_query, i18n.staff_language()
    button = CardAction.parse(query.data)
    if button is None:
        await query.answer(texts.STAFF_UNKNOWN_REQUEST.render(staff, number="?"), show_alert=True)
        return
    action, number = button.action, button.request_id
    deps = context.deps
    async with deps.db.session() as session:
        result = await staff_action(
            session,
            number,
            action,
            staff_id=update.effective_user.id,
            staff_name=update.effective_user.first_name,
            now=deps.clock.now(),
        )
        status = status_label(result.request, staff) if result.request else ""
        holder = html.escape(result.request.claimed_by_name or "") if result.request else ""
    if result.outcome is ActionOutcome.DONE:
        outbox.kick(context.application)
        await query.answer(_DONE_TOAST[action].render(staff, number=number))
    elif result.outcome is ActionOutcome.UNKNOWN:
        await query.answer(
            texts.STAFF_UNKNOWN_REQUEST.render(staff, number=number), show_alert=True
        )
    elif result.outcome is ActionOutcome.ALREADY_CLAIMED:
        text = texts.STAFF_ALREADY_CLAIMED.render(staff, number=number, staff=holder)
        await query.answer(text, show_alert=True)
    else:
        text = texts.STAFF_NOT_POSSIBLE.render(staff, number=number, status=status)
        await query.answer(text, show_alert=True)


async def staff_reply(update: Update, context: Context) -> None:
    """A reply to a card (or a relayed message) is written to the person."""
    message = update.effective_message
    deps = context.deps
    async with deps.db.session() as session:
        replied = message.reply_to_message
        request = await request_for_staff_message(session, message.chat_id, replied.message_id)
        if request is None and replied.from_user and replied.from_user.id == context.bot.id:
            request = await request_named_in(session, replied.text or replied.caption) or (
                # the worker may have recorded it between the two look-ups
                await request_for_staff_message(session, message.chat_id, replied.message_id)
            )
    if request is None:  # staff talking among themselves
        return
    # The checks call Telegram, so they run between transactions, never inside one.
    if not await is_staff_here(update, context):
        await refuse(update, context)
        return
    await note_staff(update, context)
    staff = i18n.staff_language()
    media = media_of(message)  # a photo, voice note, …: copied; its caption counts as text
    if media is None and message.text is None:
        await message.reply_text(texts.STAFF_UNSUPPORTED_KIND.render(staff, number=request.id))
        return
    if media is None and len(message.text) > STAFF_REPLY_LIMIT:
        await message.reply_text(texts.STAFF_REPLY_TOO_LONG.render(staff, limit=STAFF_REPLY_LIMIT))
        return
    async with deps.db.session() as session:
        request = await session.get(ConsultRequest, request.id, with_for_update=True)
        if request is None:  # forgotten meanwhile: its card says so
            return
        queued = await reply_to_person(
            session,
            request,
            message.text,
            staff_message_id=message.message_id,
            now=deps.clock.now(),
            media=media,
        )
        number, status = request.id, status_label(request, staff)
    if not queued:
        text = texts.THREAD_REQUEST_NOT_OPEN.render(staff, number=number, status=status)
        await message.reply_text(text)
        return
    outbox.kick(context.application)


@staff_only
async def list_requests(update: Update, context: Context) -> None:
    staff, now = i18n.staff_language(), context.deps.clock.now()
    async with context.deps.db.session() as session:
        requests = await active_requests(session)
    if not requests:
        await update.effective_message.reply_text(texts.STAFF_NO_OPEN_REQUESTS.render(staff))
        return
    lines = [
        texts.STAFF_OPEN_REQUEST_LINE.render(
            staff,
            number=request.id,
            name=html.escape(request.name),
            age=format_age(now - request.created_at),
            since=clinic_time(request.created_at, context.deps.settings.clinic_zone, now),
            holder=html.escape(request.claimed_by_name or texts.STAFF_HOLDER_NOBODY.render(staff)),
        )
        for request in requests
    ]
    await update.effective_message.reply_text(
        texts.STAFF_OPEN_REQUESTS.render(staff, lines="\n".join(lines))
    )


@staff_only
async def show_request(update: Update, context: Context) -> None:
    staff = i18n.staff_language()
    args = context.args or []
    number = parse_id(args[0].removeprefix("#"), ConsultRequest.id) if len(args) == 1 else None
    if number is None:
        await update.effective_message.reply_text(texts.STAFF_REQUEST_USAGE.render(staff))
        return
    deps = context.deps
    async with deps.db.session() as session:
        request = await repost_card(session, number, now=deps.clock.now())
    if request is None:
        await update.effective_message.reply_text(
            texts.STAFF_UNKNOWN_REQUEST.render(staff, number=number)
        )
        return
    outbox.kick(context.application)


async def send_reminders(deps: Deps) -> int:
    """Queue reminders for requests nobody claimed in time; returns how many."""
    if deps.staff.chat_id is None:
        return 0
    async with deps.db.session() as session:
        return await queue_reminders(
            session,
            now=deps.clock.now(),
            interval=deps.settings.consult_reminder,
            zone=deps.settings.clinic_zone,
            hours=deps.settings.business_hours,
        )


async def reminder_job(context: Context) -> None:
    if await send_reminders(context.deps):
        outbox.kick(context.application)


def staff_handlers(directory: StaffDirectory) -> list[BaseHandler]:
    """The card buttons, and staff replies to cards (the staff commands are in
    ``tipbot.commands``)."""
    if directory.chat_id is None:
        return []
    staff_chat = StaffChat(directory)  # follows the group when it becomes a supergroup
    return [
        CallbackQueryHandler(card_button, pattern=CardAction.pattern()),
        MessageHandler(
            staff_chat & filters.REPLY & ~filters.COMMAND & ~filters.StatusUpdate.ALL, staff_reply
        ),
    ]
