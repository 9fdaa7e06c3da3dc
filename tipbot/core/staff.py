"""Who counts as clinic staff. Checked on every staff action; callback data is never trusted.

Staff are the members of the staff group (asked of Telegram with getChatMember, cached
briefly so a busy group does not cost one API call per button) plus the optional
allow-list ``TIPBOT_STAFF_USER_IDS``.
"""

from __future__ import annotations

import logging
import time

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from tipbot.core.config import Settings

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

    def is_staff_chat(self, chat_id: int | None) -> bool:
        return chat_id is not None and chat_id == self._settings.staff_chat_id

    async def is_staff(self, bot: Bot, user_id: int) -> bool:
        if user_id in self._settings.staff_user_ids:
            return True
        chat_id = self._settings.staff_chat_id
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
