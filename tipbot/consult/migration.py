"""Following the staff group when Telegram upgrades it to a supergroup.

Telegram does this when an admin turns on topics, visible history or some admin rights: the
group gets a new id, and every call naming the old one answers ``ChatMigrated``. The bot
learns it from that error (any outbox send) or from the ``migrate_to_chat_id`` /
``migrate_from_chat_id`` service messages, whichever comes first, and then:

- stores the new id (``bot_settings``); it wins over ``TIPBOT_STAFF_CHAT_ID`` from then on;
- posts the card of every request still in play in the new group (the old group is
  read-only, so its cards can no longer be pressed or edited) and points that request's
  pending relays, reminders and acknowledgements at the new card;
- sets the staff command menu there.

Everything is idempotent: replicas that meet the same migration change nothing more.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Update
from telegram.ext import MessageHandler, filters

from tipbot.commands import set_staff_menu
from tipbot.consult import outbox
from tipbot.consult.service import ACTIVE
from tipbot.core.db.models import ConsultRequest, OutboxMessage, OutboxStatus
from tipbot.core.staff import store_staff_chat

if TYPE_CHECKING:
    from datetime import datetime

    from tipbot.core.runtime import Context, Deps

log = logging.getLogger(__name__)


async def follow_migration(deps: Deps, bot: Bot, old_chat_id: int, new_chat_id: int) -> bool:
    """Make ``new_chat_id`` the staff group if ``old_chat_id`` is it; True if this call
    recorded the change (only one replica does)."""
    configured = deps.settings.staff_chat_id
    if configured is None or old_chat_id not in (configured, deps.staff.chat_id):
        return False
    now = deps.clock.now()
    async with deps.db.session() as session:
        recorded = await store_staff_chat(session, configured, new_chat_id, now=now)
        moved = await move_requests(session, old_chat_id, new_chat_id, now=now)
    deps.staff.follow(new_chat_id)
    if recorded:
        log.warning(
            "the staff group %s became supergroup %s: the new id is stored in the database "
            "and used from now on instead of TIPBOT_STAFF_CHAT_ID (set it to %s); "
            "%s request card(s) will be posted there",
            old_chat_id,
            new_chat_id,
            new_chat_id,
            moved,
        )
        await set_staff_menu(bot, new_chat_id, deps.library)
    return recorded


async def move_requests(
    session: AsyncSession, old_chat_id: int, new_chat_id: int, *, now: datetime
) -> int:
    """Repost, in the new group, the card of each request that is open or still has
    something to send; return how many. Their pending messages then follow the new card."""
    pending = OutboxMessage.status == OutboxStatus.PENDING
    requests = await session.scalars(
        select(ConsultRequest)
        .where(
            ConsultRequest.staff_chat_id == old_chat_id,
            or_(
                ConsultRequest.status.in_(ACTIVE),
                ConsultRequest.id.in_(select(OutboxMessage.request_id).where(pending)),
            ),
        )
        .order_by(ConsultRequest.id)
        .with_for_update()
    )
    count = 0
    for request in requests:
        request.staff_chat_id, request.staff_message_id = new_chat_id, None
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.request_id == request.id, pending)
        )
        card_queued = False
        for row in rows:
            card_queued |= row.kind == outbox.Kind.CARD
            # Message ids of the old group mean nothing in the new one: reply to the card.
            if "reply_to" in row.payload:
                row.payload = {k: v for k, v in row.payload.items() if k != "reply_to"}
            if row.payload.get("ack_reply_to") is not None:
                row.payload = {**row.payload, "ack_reply_to": None}
        if not card_queued:
            outbox.enqueue(session, outbox.Kind.CARD, now=now, request_id=request.id)
        count += 1
    return count


async def on_migration_message(update: Update, context: Context) -> None:
    """``migrate_to_chat_id`` in the old group, or ``migrate_from_chat_id`` in the new one."""
    message = update.effective_message
    if message.migrate_to_chat_id:
        old, new = message.chat_id, message.migrate_to_chat_id
    else:
        old, new = message.migrate_from_chat_id, message.chat_id
    if await follow_migration(context.deps, context.bot, old, new):
        outbox.kick(context.application)


def migration_handler() -> MessageHandler:
    return MessageHandler(filters.StatusUpdate.MIGRATE, on_migration_message)
