"""Who counts as clinic staff. Checked on every staff action; callback data is never trusted.

Staff are the members of the staff group (asked of Telegram with getChatMember, cached
briefly so a busy group does not cost one API call per button) plus the optional
allow-list ``TIPBOT_STAFF_USER_IDS``.

The staff group is ``TIPBOT_STAFF_CHAT_ID`` until Telegram upgrades it to a supergroup (a new
chat id). The bot then stores the new id (``bot_settings``), and from then on the stored id
wins over the environment. Each replica reads it at start and on every outbox run, so one
that did not see the migration itself follows within seconds.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Bot, Message, Update
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError
from telegram.ext import filters

from tipbot import texts
from tipbot.core.config import Settings
from tipbot.core.db.models import BotSetting, StaffMember

if TYPE_CHECKING:
    from tipbot.core.runtime import Context

log = logging.getLogger(__name__)

MEMBER_STATUSES = {
    ChatMemberStatus.OWNER,
    ChatMemberStatus.ADMINISTRATOR,
    ChatMemberStatus.MEMBER,
}
CACHE_SECONDS = 60.0


class StaffDirectory:
    """Answers 'is this user staff?' with a short-lived cache of getChatMember answers."""

    def __init__(self, settings: Settings, *, ttl: float = CACHE_SECONDS) -> None:
        self._settings = settings
        self._ttl = ttl
        self._cache: dict[int, tuple[float, bool]] = {}
        self._moved_to: int | None = None  # the supergroup the configured group became

    @property
    def chat_id(self) -> int | None:
        """The staff group's id now: the stored supergroup id wins over the environment."""
        return self._moved_to or self._settings.staff_chat_id

    @property
    def moved_to(self) -> int | None:
        return self._moved_to

    def is_staff_chat(self, chat_id: int | None) -> bool:
        return chat_id is not None and chat_id == self.chat_id

    def follow(self, chat_id: int | None) -> bool:
        """Use ``chat_id`` as the staff group (None: the configured one); True if it changed."""
        moved = chat_id if chat_id != self._settings.staff_chat_id else None
        if moved == self._moved_to:
            return False
        self._moved_to = moved
        self._cache.clear()  # membership answers were about the old group
        return True

    async def is_staff(self, bot: Bot, user_id: int) -> bool:
        if user_id in self._settings.staff_user_ids:
            return True
        chat_id = self.chat_id
        if chat_id is None:
            return False
        cached = self._cache.get(user_id)
        now = time.monotonic()
        if cached and now - cached[0] < self._ttl:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
            allowed = member.status in MEMBER_STATUSES or (
                member.status == ChatMemberStatus.RESTRICTED and getattr(member, "is_member", False)
            )
        except TelegramError as exc:
            log.warning("getChatMember failed for user_id=%s: %s", user_id, exc)
            return False  # not cached: ask again next time
        self._cache[user_id] = (now, allowed)
        return allowed


class StaffChat(filters.MessageFilter):
    """Messages in the staff group, whichever id it has now (it can change at run time)."""

    def __init__(self, directory: StaffDirectory) -> None:
        super().__init__(name="StaffChat")
        self._directory = directory

    def filter(self, message: Message) -> bool:
        return self._directory.is_staff_chat(message.chat_id)


def _migration_key(chat_id: int) -> str:
    return f"staff_chat:{chat_id}"


async def stored_staff_chat(session: AsyncSession, configured: int | None) -> int | None:
    """The supergroup the configured staff group became, if Telegram migrated it."""
    if configured is None:
        return None
    row = await session.get(BotSetting, _migration_key(configured))
    return int(row.value) if row else None


async def store_staff_chat(
    session: AsyncSession, configured: int, new_chat_id: int, *, now: datetime
) -> bool:
    """Record that the configured staff group is now ``new_chat_id``; False if known already.

    Locks the row (PostgreSQL) so that replicas hitting the same migration record it once.
    """
    key = _migration_key(configured)
    row = await session.get(BotSetting, key, with_for_update=True)
    if row is not None and row.value == str(new_chat_id):
        return False
    if row is not None:
        row.value, row.updated_at = str(new_chat_id), now
        return True
    try:
        async with session.begin_nested():
            session.add(BotSetting(key=key, value=str(new_chat_id), updated_at=now))
    except IntegrityError:  # another replica recorded it a moment ago
        return False
    return True


Handler = Callable[[Update, "Context"], Awaitable[None]]


async def is_staff_here(update: Update, context: Context) -> bool:
    """A staff member, writing in the staff group (where staff tools work)."""
    staff, chat, user = context.deps.staff, update.effective_chat, update.effective_user
    return bool(
        chat
        and user
        and staff.is_staff_chat(chat.id)
        and await staff.is_staff(context.bot, user.id)
    )


async def refuse(update: Update, context: Context) -> None:
    """Tell a non-staff asker, in their own language, that the tool is the staff's."""
    log.info(
        "staff tool refused user_id=%s chat_id=%s",
        update.effective_user and update.effective_user.id,
        update.effective_chat and update.effective_chat.id,
    )
    text = texts.STAFF_ONLY.render(context.language)
    if update.callback_query:
        await update.callback_query.answer(text, show_alert=True)
    elif update.effective_message:
        await update.effective_message.reply_text(text)


def staff_only(handler: Handler) -> Handler:
    """Run ``handler`` only for a staff member in the staff group; refuse anyone else. Checked
    on every command and button press, never inferred from callback data. The staff member
    is remembered (``note_staff``)."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: Context) -> None:
        if not await is_staff_here(update, context):
            await refuse(update, context)
            return
        await note_staff(update, context)
        await handler(update, context)

    return guarded


async def note_staff(update: Update, context: Context) -> None:
    """Remember a staff member who acted in the group (whom /assign offers): name, @username
    and when, updated on each action."""
    user, deps = update.effective_user, context.deps
    async with deps.db.session() as session:
        await remember_staff(session, user.id, user.first_name, user.username, now=deps.clock.now())


async def remember_staff(
    session: AsyncSession, user_id: int, first_name: str, username: str | None, *, now: datetime
) -> None:
    member = await session.get(StaffMember, user_id)
    if member is None:
        try:
            async with session.begin_nested():
                session.add(
                    StaffMember(
                        user_id=user_id,
                        first_name=first_name[:128],
                        username=username,
                        last_acted_at=now,
                    )
                )
        except IntegrityError:  # the same person acting on another replica a moment ago
            pass
        return
    member.first_name, member.username, member.last_acted_at = first_name[:128], username, now
