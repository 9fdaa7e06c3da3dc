"""The person blocked or unblocked the bot: ``my_chat_member`` updates in private chats."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler

from tipbot.core.db.models import Subscriber, SubscriptionStatus
from tipbot.core.runtime import Context
from tipbot.subscriber.service import compute_next_send

log = logging.getLogger(__name__)

_GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def mark_blocked(session: AsyncSession, user_id: int) -> bool:
    """Stop sending to a person who blocked the bot; True when something changed."""
    subscriber = await session.get(Subscriber, user_id, with_for_update=True)
    if subscriber is None or subscriber.status is SubscriptionStatus.BLOCKED:
        return False
    if subscriber.status is SubscriptionStatus.STOPPED:
        return False  # they had already left; keep their own choice
    subscriber.status = SubscriptionStatus.BLOCKED
    subscriber.next_send_at = None
    return True


async def mark_unblocked(session: AsyncSession, user_id: int, now: datetime) -> bool:
    """A person who unblocked the bot gets their daily tip again, from the next due time."""
    subscriber = await session.get(Subscriber, user_id, with_for_update=True)
    if subscriber is None or subscriber.status is not SubscriptionStatus.BLOCKED:
        return False
    subscriber.status = SubscriptionStatus.ACTIVE
    subscriber.paused_until = None
    subscriber.next_send_at = compute_next_send(subscriber, now)
    return True


async def on_my_chat_member(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change.chat.type != ChatType.PRIVATE:
        return  # groups (the staff group) are not subscribers
    deps = context.deps
    status = change.new_chat_member.status
    async with deps.db.session() as session:
        if status in _GONE:
            changed = await mark_blocked(session, change.chat.id)
        else:
            changed = await mark_unblocked(session, change.chat.id, deps.clock.now())
    if changed:
        log.info("subscriber user_id=%s bot membership now %s", change.chat.id, status)


def membership_handler() -> BaseHandler:
    """In ``HandlerGroup.AREAS``: a person blocked or unblocked the bot."""
    return ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
