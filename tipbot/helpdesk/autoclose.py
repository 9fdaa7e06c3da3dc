"""Auto-close with a nudge: when the clinic wrote last and the person has been silent for
``TIPBOT_CONSULT_AUTOCLOSE`` (default 7 days), the person is asked "Do you still need help?"
(yes / no); with no answer (a button or any message) in 2 more days, the request is closed
through ``consult.service.staff_action``, the function the card's Close button calls, so the
card, the person's notice and the rating question follow as after a press.

A repeating job, like the reminders; each step is one transaction with its outbox rows.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from tipbot import i18n, texts
from tipbot.consult import outbox
from tipbot.consult.cards import CLOSE
from tipbot.consult.service import ACTIVE, ActionOutcome, person_language, staff_action
from tipbot.core.callbacks import StillNeedHelp
from tipbot.core.db.models import ConsultRequest
from tipbot.core.runtime import Context, Deps

log = logging.getLogger(__name__)

JOB_NAME = "helpdesk-autoclose"
CHECK_SECONDS = 300
GRACE = timedelta(days=2)  # after the nudge, before the close
AUTO_STAFF_ID = 0  # "closed by" of an auto-close: no person


def _clinic_last():
    return or_(
        ConsultRequest.last_person_at.is_(None),
        ConsultRequest.last_person_at < ConsultRequest.last_staff_at,
    )


async def queue_nudges(session: AsyncSession, *, now: datetime, after: timedelta) -> int:
    """Ask the person of each request the clinic answered last, ``after`` ago, if they still
    need help (once per clinic message)."""
    due = await session.scalars(
        select(ConsultRequest)
        .where(
            ConsultRequest.status.in_(ACTIVE),
            ConsultRequest.last_staff_at <= now - after,
            _clinic_last(),
            or_(
                ConsultRequest.nudged_at.is_(None),
                ConsultRequest.nudged_at < ConsultRequest.last_staff_at,
            ),
        )
        .order_by(ConsultRequest.id)
        .with_for_update()
    )
    count = 0
    for request in due:
        language = await person_language(session, request)
        yes, no = StillNeedHelp(request.id, "yes"), StillNeedHelp(request.id, "no")
        buttons = [
            [[texts.BUTTON_STILL_NEED_YES.render(language), yes.pack()]],
            [[texts.BUTTON_STILL_NEED_NO.render(language), no.pack()]],
        ]
        outbox.enqueue(
            session,
            outbox.Kind.PERSON,
            now=now,
            request_id=request.id,
            chat_id=request.user_id,
            text=texts.NUDGE_STILL_NEED_HELP.render(language, number=request.id),
            buttons=buttons,
        )
        request.nudged_at = now
        count += 1
    return count


async def close_silent(session: AsyncSession, *, now: datetime) -> list[int]:
    """Close the requests whose person did not answer the nudge within ``GRACE``."""
    numbers = list(
        await session.scalars(
            select(ConsultRequest.id)
            .where(
                ConsultRequest.status.in_(ACTIVE),
                ConsultRequest.nudged_at <= now - GRACE,
                ConsultRequest.nudged_at >= ConsultRequest.last_staff_at,
                or_(
                    ConsultRequest.last_person_at.is_(None),
                    ConsultRequest.last_person_at < ConsultRequest.nudged_at,
                ),
            )
            .order_by(ConsultRequest.id)
        )
    )
    closed = []
    for number in numbers:
        result = await staff_action(
            session,
            number,
            CLOSE,
            staff_id=AUTO_STAFF_ID,
            staff_name=texts.AUTOCLOSE_NAME.render(i18n.staff_language()),
            now=now,
        )
        if result.outcome is ActionOutcome.DONE:
            text = texts.THREAD_AUTOCLOSED.render(i18n.staff_language(), number=number)
            outbox.enqueue(session, outbox.Kind.THREAD, now=now, request_id=number, text=text)
            closed.append(number)
    return closed


async def run_autoclose(deps: Deps) -> tuple[int, int]:
    """One pass: (nudges queued, requests closed)."""
    now = deps.clock.now()
    async with deps.db.session() as session:
        nudged = await queue_nudges(session, now=now, after=deps.settings.consult_autoclose)
    async with deps.db.session() as session:
        closed = await close_silent(session, now=now)
    return nudged, len(closed)


async def autoclose_job(context: Context) -> None:
    if any(await run_autoclose(context.deps)):
        outbox.kick(context.application)


async def still_need_help_button(update: Update, context: Context) -> None:
    """The person's answer to the nudge: yes keeps the request open (and tells staff), no
    closes it as the card's Close button would."""
    query, deps, language = update.callback_query, context.deps, context.language
    button = StillNeedHelp.parse(query.data)
    now = deps.clock.now()
    async with deps.db.session() as session:
        request = (
            await session.get(ConsultRequest, button.request_id, with_for_update=True)
            if button
            else None
        )
        if (
            request is None
            or request.user_id != update.effective_user.id
            or (request.status not in ACTIVE)
        ):
            request = None
        elif button.answer == "yes":
            request.last_person_at = now
            text = texts.THREAD_STILL_NEEDS_HELP.render(
                i18n.staff_language(), number=request.id, name=html.escape(request.name)
            )
            outbox.enqueue(session, outbox.Kind.THREAD, now=now, request_id=request.id, text=text)
            reply = texts.NUDGE_YES.render(language)
        else:
            await staff_action(
                session,
                request.id,
                CLOSE,
                staff_id=request.claimed_by or AUTO_STAFF_ID,
                staff_name=request.claimed_by_name
                or texts.AUTOCLOSE_NAME.render(i18n.staff_language()),
                now=now,
            )
            reply = None
    if request is None:
        await query.answer(texts.CONSULT_REQUEST_GONE.render(language), show_alert=True)
        return
    outbox.kick(context.application)
    await query.answer()
    await query.edit_message_reply_markup(None)
    if reply:
        await update.effective_chat.send_message(reply)
