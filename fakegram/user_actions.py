"""What a user does beyond sending: albums, edits and topics by hand (mixed into FakeUser)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .content import media_object
from .formatting import command_entity

if TYPE_CHECKING:
    from .actors import FakeChat, FakeGroup
    from .models import StoredMessage
    from .server import FakeTelegram
    from .topics import ForumTopic


class UserActions:
    """Albums, edits, and creating/renaming/closing/deleting forum topics."""

    tg: FakeTelegram
    user_dict: dict[str, Any]

    async def send_album(
        self,
        kinds: list[str],
        *,
        caption: str | None = None,
        chat: FakeChat | None = None,
        topic: ForumTopic | int | None = None,
    ) -> list[StoredMessage]:
        """Send an album (a media group: 2-10 ``"photo"``/``"video"``, or all ``"document"``
        or all ``"audio"``) as Telegram delivers it: one message and one update per item,
        sharing a ``media_group_id``; ``caption`` goes on the first item."""
        if not 2 <= len(kinds) <= 10:
            raise ValueError("an album has 2-10 items")
        group_id = self.tg._new_media_group_id()
        sent = []
        for index, kind in enumerate(kinds):
            content: dict[str, Any] = {
                "media_group_id": group_id,
                kind: media_object(kind, self.tg._next_file_id(), {}),
            }
            if caption is not None and index == 0:
                content["caption"] = caption
            sent.append(self.tg._user_message(self, chat or self, content, topic=topic))
        return sent

    async def edit(
        self, message: StoredMessage, text: str | None = None, *, caption: str | None = None
    ) -> StoredMessage:
        """Edit a message this user sent (its text, or a media message's caption): the stored
        message changes and the bot gets an ``edited_message`` update."""
        if (text is None) == (caption is None):
            raise ValueError("pass the new text or the new caption")
        changes: dict[str, Any] = (
            {"text": text, "entities": _entities(text)} if text is not None else {}
        )
        if caption is not None:
            changes = {"caption": caption, "caption_entities": None}
        return self.tg._user_edit(self, message, changes)

    # -- forum topics (by hand, as a member with the right would) -----------------------------
    async def create_topic(
        self,
        group: FakeGroup,
        name: str,
        *,
        icon_color: int | None = None,
        icon_custom_emoji_id: str | None = None,
    ) -> ForumTopic:
        """Create a topic in forum ``group``; the bot gets ``forum_topic_created``."""
        if not group.is_forum:
            raise ValueError(f"{group!r} has no topics (set_forum() first)")
        return self.tg._create_topic(group, self.user_dict, name, icon_color, icon_custom_emoji_id)

    async def rename_topic(
        self, topic: ForumTopic, name: str | None = None, *, icon_custom_emoji_id: str | None = None
    ) -> None:
        """Rename a topic and/or change its icon (``""`` removes it): ``forum_topic_edited``."""
        self.tg._user_topic_action(self, topic, "edit", name=name, emoji=icon_custom_emoji_id)

    async def close_topic(self, topic: ForumTopic) -> None:
        """Close a topic: ``forum_topic_closed``; sends into it then answer TOPIC_CLOSED."""
        self.tg._user_topic_action(self, topic, "close")

    async def reopen_topic(self, topic: ForumTopic) -> None:
        """Reopen a closed topic: ``forum_topic_reopened``."""
        self.tg._user_topic_action(self, topic, "reopen")

    async def delete_topic(self, topic: ForumTopic) -> None:
        """Delete a topic with all its messages; sends into it then answer "message thread
        not found". Telegram tells the bot nothing."""
        self.tg._user_topic_action(self, topic, "delete")


def _entities(text: str) -> list[dict[str, Any]] | None:
    command = command_entity(text)
    return [command] if command else None
