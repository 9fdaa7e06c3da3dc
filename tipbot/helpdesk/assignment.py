"""Assignment: ``/assign`` replying to a request's card offers the colleagues who have acted
in the staff group as buttons; ``/assign @username`` assigns directly. The assignee then holds
the request (as after a claim: the card, /requests and the person say so) and is mentioned
in the request's thread. ``/mine`` lists one's own open requests.

Whether the assignee is still staff is asked of Telegram each time (``is_staff``); the
buttons' data only names a request and a person.
"""

from __future__ import annotations

import enum
import html
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from tipbot import i18n, texts
from tipbot.consult import outbox
from tipbot.consult.cards import clinic_time, format_age
from tipbot.consult.service import ACTIVE, person_language, request_referred_to
from tipbot.core.callbacks import Assign
from tipbot.core.db.models import ConsultRequest, RequestStatus, StaffMember
from tipbot.core.runtime import Context
from tipbot.core.staff import staff_only

OFFERED = 8  # colleagues offered as buttons, the most recently active first


class Assigned(enum.Enum):
    DONE = "done"
    UNKNOWN = "unknown"
    NOT_OPEN = "not_open"


def mention(user_id: int, name: str) -> str:
    return f'<a href="tg://user?id={user_id}">{html.escape(name)}</a>'


async def assign_request(
    session: AsyncSession,
    request_id: int,
    assignee: StaffMember,
    *,
    by_name: str,
    now: datetime,
) -> Assigned:
    """Give the request to ``assignee``: they hold it; the card is edited, the person told
    who will contact them, the assignee mentioned in the thread (all via the outbox)."""
    request = await session.get(ConsultRequest, request_id, with_for_update=True)
    if request is None:
        return Assigned.UNKNOWN
    if request.status not in ACTIVE:
        return Assigned.NOT_OPEN
    changed = request.claimed_by != assignee.user_id
    request.assigned_to, request.assigned_to_name = assignee.user_id, assignee.first_name
    request.status = RequestStatus.CLAIMED
    request.claimed_by, request.claimed_by_name = assignee.user_id, assignee.first_name
    request.claimed_at = request.claimed_at or now
    request.updated_at = now
    outbox.enqueue(session, outbox.Kind.CARD_EDIT, now=now, request_id=request.id)
    text = texts.THREAD_ASSIGNED.render(
        i18n.staff_language(),
        number=request.id,
        assignee=mention(assignee.user_id, assignee.first_name),
        by=html.escape(by_name),
    )
    outbox.enqueue(session, outbox.Kind.THREAD, now=now, request_id=request.id, text=text)
    if changed:
        person = await person_language(session, request)
        notice = texts.CONSULT_CLAIMED.render(
            person, staff=html.escape(assignee.first_name), number=request.id
        )
        outbox.enqueue(
            session,
            outbox.Kind.PERSON,
            now=now,
            request_id=request.id,
            chat_id=request.user_id,
            text=notice,
        )
    return Assigned.DONE


async def _staff_now(context: Context, members: list[StaffMember]) -> list[StaffMember]:
    bot, staff = context.bot, context.deps.staff
    return [m for m in members if await staff.is_staff(bot, m.user_id)]


@staff_only
async def assign_command(update: Update, context: Context) -> None:
    message, deps, staff = update.effective_message, context.deps, i18n.staff_language()
    args = context.args or []
    if len(args) > 1 or (args and not args[0].startswith("@")):
        await message.reply_text(texts.ASSIGN_USAGE.render(staff))
        return
    async with deps.db.session() as session:
        request = await request_referred_to(session, message)
        if request is None:
            await message.reply_text(texts.ASSIGN_USAGE.render(staff))
            return
        number, active = request.id, request.status in ACTIVE
        if args:
            wanted = args[0][1:33].lower()
            named = await session.scalar(
                select(StaffMember).where(func.lower(StaffMember.username) == wanted)
            )
            members = [named] if named else []
        else:
            members = list(
                await session.scalars(
                    select(StaffMember).order_by(StaffMember.last_acted_at.desc()).limit(OFFERED)
                )
            )
    if not active:
        await message.reply_text(texts.ASSIGN_NOT_OPEN.render(staff, number=number))
        return
    members = await _staff_now(context, members)  # Telegram calls: outside any transaction
    if args and not members:
        name = html.escape(args[0][:33])
        await message.reply_text(texts.ASSIGN_UNKNOWN_STAFF.render(staff, name=name))
        return
    if args:
        await _assign(update, context, number, members[0])
        return
    if not members:  # nobody has acted yet (cannot happen: the asker just did)
        await message.reply_text(texts.ASSIGN_USAGE.render(staff))
        return
    buttons = [[[m.first_name[:40], Assign(number, m.user_id).pack()]] for m in members]
    async with deps.db.session() as session:
        outbox.enqueue(
            session,
            outbox.Kind.THREAD,
            now=deps.clock.now(),
            request_id=number,
            text=texts.ASSIGN_CHOOSE.render(staff, number=number),
            reply_to=message.message_id,
            buttons=buttons,
        )
    outbox.kick(context.application)


async def _assign(update: Update, context: Context, number: int, member: StaffMember) -> bool:
    deps, staff = context.deps, i18n.staff_language()
    async with deps.db.session() as session:
        member = await session.get(StaffMember, member.user_id)
        outcome = await assign_request(
            session,
            number,
            member,
            by_name=update.effective_user.first_name,
            now=deps.clock.now(),
        )
    if outcome is Assigned.DONE:
        outbox.kick(context.application)
        return True
    text = (
        texts.STAFF_UNKNOWN_REQUEST.render(staff, number=number)
        if outcome is Assigned.UNKNOWN
        else texts.ASSIGN_NOT_OPEN.render(staff, number=number)
    )
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await update.effective_message.reply_text(text)
    return False


@staff_only
async def assign_button(update: Update, context: Context) -> None:
    query, staff = update.callback_query, i18n.staff_language()
    button = Assign.parse(query.data)
    async with context.deps.db.session() as session:
        member = await session.get(StaffMember, button.user_id) if button else None
    if button is None or member is None or not await _staff_now(context, [member]):
        await query.answer(texts.ASSIGN_BUTTON_GONE.render(staff), show_alert=True)
        return
    if await _assign(update, context, button.request_id, member):
        await query.answer(texts.ASSIGN_DONE.render(staff, number=button.request_id))
        await query.edit_message_reply_markup(None)


@staff_only
async def mine_command(update: Update, context: Context) -> None:
    staff, deps, me = i18n.staff_language(), context.deps, update.effective_user.id
    now = deps.clock.now()
    async with deps.db.session() as session:
        requests = list(
            await session.scalars(
                select(ConsultRequest)
                .where(
                    ConsultRequest.status.in_(ACTIVE),
                    or_(ConsultRequest.claimed_by == me, ConsultRequest.assigned_to == me),
                )
                .order_by(ConsultRequest.id)
            )
        )
    if not requests:
        await update.effective_message.reply_text(texts.MINE_NONE.render(staff))
        return
    lines = [
        texts.MINE_LINE.render(
            staff,
            number=request.id,
            name=html.escape(request.name),
            age=format_age(now - request.created_at),
            since=clinic_time(request.created_at, deps.settings.clinic_zone, now),
        )
        for request in requests
    ]
    await update.effective_message.reply_text(texts.MINE.render(staff, lines="\n".join(lines)))
