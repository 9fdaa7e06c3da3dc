"""/forget of consultation requests: the requests, what waits to be sent about them, and
their messages in the staff group (the person's relayed messages and the staff's replies too).

The card itself is edited to say the request was removed (the outbox's ``card_edit``); every
other message of the request's thread is queued as an ``erase`` outbox row, so a crash or an
outage does not leave it behind. Telegram lets a bot delete a message for 48 hours (someone
else's message in a group only as an administrator); an older message of the bot is edited
to the same "removed" line, and an older staff message is beyond any bot's reach.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot
from telegram.error import BadRequest

from tipbot.consult import outbox
from tipbot.consult.cards import card_removed
from tipbot.core.db.models import ConsultRequest, OutboxMessage, StaffThreadMessage

log = logging.getLogger(__name__)

_GONE = ("not found",)
_NOT_DELETABLE = ("can't be deleted",)
_NOT_EDITABLE = ("not found", "can't be edited", "not modified")


async def thread_messages(
    session: AsyncSession, requests: list[ConsultRequest]
) -> list[tuple[int, int, int]]:
    """(request id, chat id, message id) of each staff-group message of these requests but
    their cards: the bot's thread messages (relayed messages, reminders, receipts) and the
    staff's replies (each reply to the person is kept in its outbox row as ``ack_reply_to``)."""
    cards = {(r.staff_chat_id, r.staff_message_id) for r in requests}
    chats = {r.id: r.staff_chat_id for r in requests if r.staff_chat_id is not None}
    found = {
        (request_id, chat_id, message_id)
        for chat_id, message_id, request_id in await session.execute(
            select(
                StaffThreadMessage.chat_id,
                StaffThreadMessage.message_id,
                StaffThreadMessage.request_id,
            ).where(StaffThreadMessage.request_id.in_(chats))
        )
    }
    replies = await session.execute(
        select(OutboxMessage.request_id, OutboxMessage.payload).where(
            OutboxMessage.request_id.in_(chats)
        )
    )
    for request_id, payload in replies:
        if (payload or {}).get("ack_reply_to"):
            found.add((request_id, chats[request_id], payload["ack_reply_to"]))
    return sorted(message for message in found if message[1:] not in cards)


def _says(error: BadRequest, phrases: tuple[str, ...]) -> bool:
    return any(phrase in str(error).lower() for phrase in phrases)


async def erase(bot: Bot, chat_id: int, message_id: int, removed: str) -> None:
    """Delete the message, or (older than 48 hours) edit it to ``removed``; raises only the
    errors worth a retry (the outbox classifies them)."""
    try:
        await bot.delete_message(chat_id, message_id)
        return
    except BadRequest as error:
        if _says(error, _GONE):
            return
        if not _says(error, _NOT_DELETABLE):
            raise
    try:
        await bot.edit_message_text(removed, chat_id=chat_id, message_id=message_id)
    except BadRequest as error:
        if not _says(error, _NOT_EDITABLE):
            raise
        log.info("staff message beyond reach chat_id=%s message_id=%s", chat_id, message_id)


async def forget_requests(session: AsyncSession, user_id: int, *, now: datetime) -> int:
    """Delete the person's requests (and what waits to be sent about them); posted cards are
    edited to say the request was removed at the person's request. Returns how many."""
    requests = list(
        await session.scalars(select(ConsultRequest).where(ConsultRequest.user_id == user_id))
    )
    ids = [request.id for request in requests]
    for number, chat_id, message_id in await thread_messages(session, requests):
        outbox.enqueue(
            session,
            outbox.Kind.ERASE,
            now=now,
            text=card_removed(number),
            card_chat_id=chat_id,
            message_id=message_id,
        )
    await session.execute(
        delete(OutboxMessage).where(
            or_(OutboxMessage.request_id.in_(ids), OutboxMessage.chat_id == user_id)
        )
    )
    for request in requests:
        if request.staff_message_id is not None:
            outbox.enqueue(
                session,
                outbox.Kind.CARD_EDIT,
                now=now,
                text=card_removed(request.id),
                card_chat_id=request.staff_chat_id,
                message_id=request.staff_message_id,
            )
    await session.execute(delete(ConsultRequest).where(ConsultRequest.id.in_(ids)))
    return len(ids)
