"""Forum supergroups: topics, their service messages, the bot's admin rights and pins.

A mixin of :class:`~fakegram.server.FakeTelegram`, after the Bot API documentation of
createForumTopic, editForumTopic, closeForumTopic, reopenForumTopic, deleteForumTopic,
unpinAllForumTopicMessages, getForumTopicIconStickers, pinChatMessage and unpinChatMessage.

Telegram's model, reproduced here: a topic's ``message_thread_id`` is the id of its
``forum_topic_created`` service message; messages in a topic carry ``message_thread_id`` and
``is_topic_message`` and, when they reply to nothing else, ``reply_to_message`` is that service
message. The General topic (id 1) is the chat itself: its messages have no
``message_thread_id``, and sending with ``message_thread_id=1`` answers "message thread not
found". Each topic change queues its service message for the bot, whoever made it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .actors import FakeChat, FakeGroup, FakeUser
from .errors import ApiError, Errors
from .models import StoredMessage
from .signatures import Params, api
from .topics import (
    GENERAL_TOPIC_ID,
    MAX_TOPIC_NAME_LENGTH,
    TOPIC_ICON_COLORS,
    TOPIC_ICONS,
    ForumTopic,
)

if TYPE_CHECKING:
    from .signal import Signal


class Forums:
    """Forum topics and pins (mixed into ``FakeTelegram``)."""

    bot_id: int
    record_messages: bool
    _bot_from: dict[str, Any]
    _changed: Signal

    if TYPE_CHECKING:  # provided by FakeTelegram and the other mixins

        def _chat_param(self, p: Params, key: str = "chat_id") -> FakeChat: ...

        def _require(self, p: Params, *keys: str) -> None: ...

        def _now(self) -> int: ...

        def _next_seq(self) -> int: ...

        def _new_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]: ...

    # ------------------------------------------------------------------ rights
    def has_right(self, chat: FakeChat, right: str) -> bool:
        """Whether the bot holds administrator ``right`` in ``chat`` (a creator holds all)."""
        if not isinstance(chat, FakeGroup):
            return False
        if chat.bot_status == "creator":
            return True
        return chat.bot_status == "administrator" and bool(chat.bot_rights.get(right))

    # ------------------------------------------------------------------ threads of messages
    def _thread_of(self, chat: FakeChat, p: Params, reply_to: dict[str, Any] | None) -> int | None:
        """Validate ``message_thread_id`` of a send into ``chat``; return the thread to put on
        the message (a reply without one lands in the replied message's topic, like Telegram)."""
        requested = p.get("message_thread_id")
        if requested in (None, "", 0):
            requested = (reply_to or {}).get("message_thread_id")
            if requested is None:
                return None
        if not isinstance(chat, FakeGroup) or not chat.is_forum:
            if isinstance(chat, FakeGroup) and isinstance(requested, int) and chat.get(requested):
                return requested  # a reply thread of a plain supergroup
            raise Errors.thread_not_found()
        topic = chat.topics.get(requested) if isinstance(requested, int) else None
        if topic is None or topic.deleted:
            raise Errors.thread_not_found()
        if topic.closed:
            raise Errors.bad_request("TOPIC_CLOSED")
        return topic.message_thread_id

    def _in_thread(self, chat: FakeChat, message: dict[str, Any], thread: int | None) -> None:
        """Mark ``message`` as posted in topic ``thread`` (reply_to: its creation message)."""
        if thread is None:
            return
        message["message_thread_id"] = thread
        if isinstance(chat, FakeGroup) and chat.is_forum:
            message["is_topic_message"] = True
            if "reply_to_message" not in message:
                created = chat.get(thread)
                if created is not None:
                    message["reply_to_message"] = {
                        k: v for k, v in created.data.items() if k != "reply_to_message"
                    }

    # ------------------------------------------------------------------ topics (shared)
    def _forum_param(self, p: Params) -> FakeGroup:
        chat = self._chat_param(p)
        if not isinstance(chat, FakeGroup) or not chat.is_forum:
            raise Errors.bad_request("the chat is not a forum")
        return chat

    def _topic_param(self, chat: FakeGroup, p: Params) -> ForumTopic:
        self._require(p, "message_thread_id")
        value = p["message_thread_id"]
        if value == GENERAL_TOPIC_ID:
            raise Errors.bad_request("TOPIC_ID_INVALID")
        topic = chat.topics.get(value) if isinstance(value, int) else None
        if topic is None or topic.deleted:
            raise Errors.thread_not_found()
        return topic

    def _may_manage(self, chat: FakeGroup, topic: ForumTopic | None, what: str) -> None:
        """can_manage_topics, or (edit/close/reopen) being the topic's creator."""
        if self.has_right(chat, "can_manage_topics"):
            return
        if topic is not None and topic.creator_id == self.bot_id:
            return
        raise Errors.bad_request(f"not enough rights to {what}")

    def _create_topic(
        self,
        chat: FakeGroup,
        creator: dict[str, Any],
        name: Any,
        icon_color: Any = None,
        icon_custom_emoji_id: Any = None,
    ) -> ForumTopic:
        name = _topic_name(name, required=True)
        if icon_color in (None, ""):
            icon_color = TOPIC_ICON_COLORS[0]
        if icon_color not in TOPIC_ICON_COLORS:
            raise Errors.bad_request("TOPIC_ICON_COLOR_INVALID")  # the fake's wording
        emoji = _icon(icon_custom_emoji_id)
        thread = chat._new_message_id()
        topic = ForumTopic(chat.id, thread, name, icon_color, emoji, creator_id=creator["id"])
        chat.topics[thread] = topic
        created = {"name": name, "icon_color": icon_color}
        if emoji:
            created["icon_custom_emoji_id"] = emoji
        self._topic_service(chat, topic, creator, "forum_topic_created", created, thread)
        return topic

    def _edit_topic(
        self, chat: FakeGroup, topic: ForumTopic, actor: dict[str, Any], name: Any, emoji: Any
    ) -> None:
        changes: dict[str, Any] = {}
        new_name = _topic_name(name, required=False)
        if new_name and new_name != topic.name:
            changes["name"] = new_name
        if emoji is not None:
            icon = _icon(emoji) or ""
            if icon != (topic.icon_custom_emoji_id or ""):
                changes["icon_custom_emoji_id"] = icon
        if not changes:
            raise Errors.bad_request("TOPIC_NOT_MODIFIED")
        topic.name = changes.get("name", topic.name)
        if "icon_custom_emoji_id" in changes:
            topic.icon_custom_emoji_id = changes["icon_custom_emoji_id"] or None
        self._topic_service(chat, topic, actor, "forum_topic_edited", changes)

    def _close_topic(
        self, chat: FakeGroup, topic: ForumTopic, actor: dict[str, Any], *, closed: bool
    ) -> None:
        if topic.closed == closed:
            raise Errors.bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = closed
        kind = "forum_topic_closed" if closed else "forum_topic_reopened"
        self._topic_service(chat, topic, actor, kind, {})

    def _delete_topic(self, chat: FakeGroup, topic: ForumTopic) -> None:
        """The topic and every message in it are gone (at any age); no service message."""
        topic.deleted = True
        for record in chat.history:
            if record.get("message_thread_id") == topic.message_thread_id:
                record.deleted = True
        chat.pinned = [m for m in chat.pinned if not _in_topic(chat, m, topic)]
        self._changed.notify()

    def _topic_service(
        self,
        chat: FakeGroup,
        topic: ForumTopic,
        actor: dict[str, Any],
        kind: str,
        content: dict[str, Any],
        message_id: int | None = None,
    ) -> StoredMessage:
        """Store a forum_topic_* service message in the topic and queue it for the bot."""
        message: dict[str, Any] = {
            "message_id": message_id if message_id is not None else chat._new_message_id(),
            "from": actor,
            "chat": chat.chat_dict,
            "date": self._now(),
            "message_thread_id": topic.message_thread_id,
            "is_topic_message": True,
            kind: content,
        }
        if kind != "forum_topic_created":
            self._in_thread(chat, message, topic.message_thread_id)
        record = StoredMessage(message, self._next_seq(), outgoing=False)
        if self.record_messages:
            chat._store(record)
        if chat.bot_status not in ("left", "kicked"):
            self._new_update("message", message)  # service messages pass privacy mode
        self._changed.notify()
        return record

    # ------------------------------------------------------------------ Bot API: topics
    @api("createForumTopic")
    def _create_forum_topic(self, p: Params) -> dict[str, Any]:
        chat = self._forum_param(p)
        self._may_manage(chat, None, "create a topic")
        topic = self._create_topic(
            chat, self._bot_from, p.get("name"), p.get("icon_color"), p.get("icon_custom_emoji_id")
        )
        return topic.to_dict()

    @api("editForumTopic")
    def _edit_forum_topic(self, p: Params) -> bool:
        chat = self._forum_param(p)
        topic = self._topic_param(chat, p)
        self._may_manage(chat, topic, "edit the topic")
        self._edit_topic(chat, topic, self._bot_from, p.get("name"), p.get("icon_custom_emoji_id"))
        return True

    @api("closeForumTopic")
    def _close_forum_topic(self, p: Params) -> bool:
        chat = self._forum_param(p)
        topic = self._topic_param(chat, p)
        self._may_manage(chat, topic, "close the topic")
        self._close_topic(chat, topic, self._bot_from, closed=True)
        return True

    @api("reopenForumTopic")
    def _reopen_forum_topic(self, p: Params) -> bool:
        chat = self._forum_param(p)
        topic = self._topic_param(chat, p)
        self._may_manage(chat, topic, "reopen the topic")
        self._close_topic(chat, topic, self._bot_from, closed=False)
        return True

    @api("deleteForumTopic")
    def _delete_forum_topic(self, p: Params) -> bool:
        chat = self._forum_param(p)
        topic = self._topic_param(chat, p)
        if not self.has_right(chat, "can_delete_messages"):
            raise Errors.bad_request("not enough rights to delete the topic")
        self._delete_topic(chat, topic)
        return True

    @api("unpinAllForumTopicMessages")
    def _unpin_all_forum_topic_messages(self, p: Params) -> bool:
        chat = self._forum_param(p)
        topic = self._topic_param(chat, p)
        if not self.has_right(chat, "can_pin_messages"):
            raise Errors.bad_request("not enough rights to unpin messages")
        chat.pinned = [m for m in chat.pinned if not _in_topic(chat, m, topic)]
        self._changed.notify()
        return True

    @api("getForumTopicIconStickers")
    def _get_forum_topic_icon_stickers(self, p: Params) -> list[dict[str, Any]]:
        return [
            {
                "file_id": f"FAKE-topic-icon-{emoji_id}",
                "file_unique_id": f"TI{emoji_id[-4:]}",
                "type": "custom_emoji",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": emoji,
                "custom_emoji_id": emoji_id,
            }
            for emoji_id, emoji in TOPIC_ICONS.items()
        ]

    # ------------------------------------------------------------------ Bot API: pins
    def _pinnable(self, p: Params) -> tuple[FakeChat, list[int]]:
        chat = self._chat_param(p)
        if isinstance(chat, FakeGroup) and not self.has_right(chat, "can_pin_messages"):
            raise Errors.bad_request("not enough rights to manage pinned messages in the chat")
        return chat, chat.pinned

    @api("pinChatMessage")
    def _pin_chat_message(self, p: Params) -> bool:
        chat, pinned = self._pinnable(p)
        self._require(p, "message_id")
        record = chat.get(p["message_id"])
        if record is None or record.deleted:
            if not self.record_messages:
                return True
            raise Errors.bad_request("message to pin not found")
        if record.message_id in pinned:
            pinned.remove(record.message_id)
        pinned.append(record.message_id)
        self._changed.notify()
        return True

    @api("unpinChatMessage")
    def _unpin_chat_message(self, p: Params) -> bool:
        chat, pinned = self._pinnable(p)
        message_id = p.get("message_id")
        if message_id is None:
            if pinned:
                pinned.pop()
        elif message_id in pinned:
            pinned.remove(message_id)
        elif self.record_messages and chat.get(message_id) is None:
            raise Errors.bad_request("message to unpin not found")
        self._changed.notify()
        return True

    @api("unpinAllChatMessages")
    def _unpin_all_chat_messages(self, p: Params) -> bool:
        _, pinned = self._pinnable(p)
        pinned.clear()
        self._changed.notify()
        return True

    # ------------------------------------------------------------------ test side
    def _user_topic_action(
        self, user: FakeUser, topic: ForumTopic, action: str, **changes: Any
    ) -> None:
        """A member changes a topic by hand (Telegram's own rules for people are not checked:
        the test decides who may)."""
        chat = self._chats_group(topic.chat_id)
        if topic.deleted:
            raise LookupError(f"topic {topic.message_thread_id} of {chat!r} was deleted")
        try:
            if action == "edit":
                self._edit_topic(chat, topic, user.user_dict, changes["name"], changes["emoji"])
            elif action in ("close", "reopen"):
                self._close_topic(chat, topic, user.user_dict, closed=action == "close")
            else:
                self._delete_topic(chat, topic)
        except ApiError as exc:  # a user's client would not offer it
            raise ValueError(f"{action} {topic}: {exc.description}") from None

    def _chats_group(self, chat_id: int) -> FakeGroup:
        chat = self._chats[chat_id]  # type: ignore[attr-defined]
        assert isinstance(chat, FakeGroup)
        return chat


def _topic_name(value: Any, *, required: bool) -> str:
    name = "" if value is None else str(value)
    if required and not name:
        raise Errors.bad_request("TOPIC_TITLE_EMPTY")  # the fake's wording
    if len(name) > MAX_TOPIC_NAME_LENGTH:
        raise Errors.bad_request("TOPIC_TITLE_TOO_LONG")  # the fake's wording
    return name


def _icon(value: Any) -> str | None:
    if value in (None, ""):
        return None
    if str(value) not in TOPIC_ICONS:
        raise Errors.bad_request("DOCUMENT_INVALID")  # the fake's wording, after MTProto's
    return str(value)


def _in_topic(chat: FakeGroup, message_id: int, topic: ForumTopic) -> bool:
    record = chat.get(message_id)
    return record is not None and record.get("message_thread_id") == topic.message_thread_id
