"""``/block`` and ``/unblock``, replying to a request's card or relayed message: the person's
messages are no longer relayed to the staff group (``consult.service.relay_from_person``
reads ``consult_blocks``; they are told once, politely) until unblocked. The daily tips go
on: a block is about the consultation channel only.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update

from tipbot import i18n, texts
from tipbot.consult import outbox
from tipbot.consult.service import request_referred_to
from tipbot.core.db.models import ConsultBlock
from tipbot.core.runtime import Context
from tipbot.core.staff import staff_only


async def block(session: AsyncSession, user_id: int, *, by: int, now: datetime) -> bool:
    """Block the person; False if they already were."""
    if await session.get(ConsultBlock, user_id) is not None:
        return False
    session.add(ConsultBlock(user_id=user_id, blocked_by=by, notice_sent=False, created_at=now))
    return True


async def unblock(session: AsyncSession, user_id: int) -> bool:
    """Unblock the person; False if they were not blocked."""
    result = await session.execute(delete(ConsultBlock).where(ConsultBlock.user_id == user_id))
    return bool(result.rowcount)


async def _toggle(update: Update, context: Context, *, blocking: bool) -> None:
    message, deps, staff = update.effective_message, context.deps, i18n.staff_language()
    now = deps.clock.now()
    async with deps.db.session() as session:
        request = await request_referred_to(session, message)
        if request is None:
            await message.reply_text(texts.BLOCK_USAGE.render(staff))
            return
        if blocking:
            changed = await block(session, request.user_id, by=update.effective_user.id, now=now)
            done, same = texts.THREAD_BLOCKED_PERSON, texts.BLOCK_ALREADY
        else:
            changed = await unblock(session, request.user_id)
            done, same = texts.THREAD_UNBLOCKED_PERSON, texts.UNBLOCK_NOT_BLOCKED
        text = (done if changed else same).render(staff, number=request.id)
        outbox.enqueue(
            session,
            outbox.Kind.THREAD,
            now=now,
            request_id=request.id,
            text=text,
            reply_to=message.message_id,
        )
    outbox.kick(context.application)


@staff_only
async def block_command(update: Update, context: Context) -> None:
    await _toggle(update, context, blocking=True)


@staff_only
async def unblock_command(update: Update, context: Context) -> None:
    await _toggle(update, context, blocking=False)
