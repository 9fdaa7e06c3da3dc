"""The person blocked or unblocked the bot: ``my_chat_member`` updates in private chats.

The rules (a person's own /stop is kept) are the subscriber service's ``mark_blocked``
and ``mark_unblocked``.
"""

from __future__ import annotations

import logging

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import BaseHandler, ChatMemberHandler

from tipbot.core.runtime import Context
from tipbot.subscriber.service import mark_blocked, mark_unblocked

log = logging.getLogger(__name__)

_GONE = {ChatMember.BANNED, ChatMember.LEFT}


async def on_my_chat_member(update: Update, context: Context) -> None:
    change = update.my_chat_member
    if change.chat.type != ChatType.PRIVATE:
        return  # groups (the staff group) are not subscribers
    deps = context.deps
    status = change.new_chat_member.status
    async with deps.db.session() as session:
        if status in _GONE:
            changed = bool(await mark_blocked(session, [change.chat.id]))
        else:
            changed = await mark_unblocked(session, change.chat.id, deps.clock.now())
    if changed:
        log.info("subscriber user_id=%s bot membership now %s", change.chat.id, status)


def membership_handler() -> BaseHandler:
    """In ``HandlerGroup.AREAS``: a person blocked or unblocked the bot."""
    return ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER)
