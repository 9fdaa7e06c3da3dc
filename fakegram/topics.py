"""Forum topics as records: what a topic is, Telegram's constants, the bot's default rights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

GENERAL_TOPIC_ID = 1
#: createForumTopic's ``icon_color``: "must be one of" these RGB values (the default first).
TOPIC_ICON_COLORS = (0x6FB9F0, 0xFFD67E, 0xCB86DB, 0x8EEE98, 0xFF93B2, 0xFB6F5F)
MAX_TOPIC_NAME_LENGTH = 128
#: What getForumTopicIconStickers offers (made-up custom emoji ids, stable).
TOPIC_ICONS: dict[str, str] = {
    "5312536423851630001": "📰",
    "5312536423851630002": "💡",
    "5312536423851630003": "✅",
    "5312536423851630004": "❗",
    "5312536423851630005": "⏳",
    "5312536423851630006": "🔥",
}
#: The rights of a bot made administrator without further detail (getChatMember shows them).
DEFAULT_ADMIN_RIGHTS: dict[str, bool] = {
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_restrict_members": True,
    "can_change_info": True,
    "can_invite_users": True,
    "can_pin_messages": True,
    "can_manage_topics": False,
}


@dataclass
class ForumTopic:
    """A topic of a forum supergroup, as the emulator keeps it (live: edits apply to it)."""

    chat_id: int
    message_thread_id: int
    name: str
    icon_color: int
    icon_custom_emoji_id: str | None = None
    closed: bool = False
    deleted: bool = False
    creator_id: int | None = None  #: who created it (the bot's id for the bot)

    @property
    def id(self) -> int:
        return self.message_thread_id

    def to_dict(self) -> dict[str, Any]:
        """The Bot API ``ForumTopic`` object."""
        data: dict[str, Any] = {
            "message_thread_id": self.message_thread_id,
            "name": self.name,
            "icon_color": self.icon_color,
        }
        if self.icon_custom_emoji_id:
            data["icon_custom_emoji_id"] = self.icon_custom_emoji_id
        return data


def thread_id(topic: ForumTopic | int | None) -> int | None:
    """A topic given as ForumTopic or id (``None``/General: the chat itself)."""
    if isinstance(topic, ForumTopic):
        return topic.message_thread_id
    return None if topic in (None, GENERAL_TOPIC_ID) else topic
