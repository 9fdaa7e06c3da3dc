"""The emulated world: users, groups and their chats, and what users do in them.

A mixin of :class:`~fakegram.server.FakeTelegram`: creating actors (``user()``, ``group()``),
storing the messages users send and queueing their updates (with group privacy mode),
callback queries, membership changes and group → supergroup migration.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

from .actors import FakeChat, FakeGroup, FakeUser
from .chats import member_dict
from .formatting import command_entity
from .methods import PendingQuery, embed
from .models import StoredMessage
from .topics import ForumTopic, thread_id

if TYPE_CHECKING:
    from .signal import Signal

_TELEGRAM_SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


class World:
    """Users, groups and user actions (mixed into ``FakeTelegram``)."""

    bot_id: int
    bot_username: str
    privacy_mode: bool
    record_messages: bool
    _bot_from: dict[str, Any]
    _chats: dict[int, FakeChat]
    _usernames: dict[str, FakeChat]
    _users: dict[int, FakeUser]
    _user_ids: itertools.count[int]
    _supergroup_ids: itertools.count[int]
    _group_ids: itertools.count[int]
    _query_ids: itertools.count[int]
    _file_numbers: itertools.count[int]
    _queries: dict[str, PendingQuery]
    _changed: Signal

    if TYPE_CHECKING:  # provided by FakeTelegram and the other mixins

        def _next_seq(self) -> int:
            raise NotImplementedError

        def _now(self) -> int:
            raise NotImplementedError

        def _new_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
            raise NotImplementedError

        def _require_recording(self, what: str) -> None:
            raise NotImplementedError

        def _in_thread(
            self, chat: FakeChat, message: dict[str, Any], thread: int | None
        ) -> None: ...

    def user(
        self,
        first_name: str | None = None,
        *,
        user_id: int | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        phone_number: str | None = None,
        is_premium: bool | None = None,
        started: bool = True,
    ) -> FakeUser:
        """Create a user (and their private chat, same id). ``started=False``: the user never
        wrote to the bot, so sending to them answers 403 until they do."""
        user_id = user_id if user_id is not None else self._free_id(self._user_ids)
        user = FakeUser(
            self,
            user_id,
            first_name or f"User{user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number,
            is_premium=is_premium,
            started=started,
        )
        self._register(user, username)
        self._users[user_id] = user
        return user

    def group(
        self,
        title: str = "Group",
        chat_id: int | None = None,
        *,
        username: str | None = None,
        supergroup: bool = True,
        bot_status: str = "administrator",
        forum: bool = False,
    ) -> FakeGroup:
        """Create a (super)group the bot is in with ``bot_status`` (default administrator).
        ``forum=True``: a supergroup with Topics on, where the administrator bot may also
        manage topics (``group.promote_bot(...)`` to set its rights otherwise)."""
        ids = self._supergroup_ids if supergroup else self._group_ids
        chat_id = chat_id if chat_id is not None else self._free_id(ids)
        group = FakeGroup(
            self, chat_id, title, username=username, supergroup=supergroup, bot_status=bot_status
        )
        if forum:
            group.set_forum(True)
            group.bot_rights["can_manage_topics"] = True
        self._register(group, username)
        return group

    def chat(self, chat_id: int) -> FakeChat:
        """The user or group with this chat id (``KeyError`` if unknown)."""
        return self._chats[chat_id]

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    @property
    def groups(self) -> list[FakeGroup]:
        return [chat for chat in self._chats.values() if isinstance(chat, FakeGroup)]

    def _free_id(self, ids: itertools.count[int]) -> int:
        return next(i for i in ids if i not in self._chats)

    def _register(self, chat: FakeChat, username: str | None) -> None:
        if chat.id in self._chats:
            raise ValueError(f"chat id {chat.id} is already used by {self._chats[chat.id]!r}")
        self._chats[chat.id] = chat
        if username:
            self._usernames[username.lower()] = chat

    def _user_message(
        self,
        user: FakeUser,
        chat: FakeChat,
        content: dict[str, Any],
        *,
        reply_to: StoredMessage | None = None,
        topic: ForumTopic | int | None = None,
    ) -> StoredMessage:
        """Store a message a user sends and queue it for the bot (if the bot may see it).
        ``topic``: post in that topic of a forum (a reply goes to the replied message's)."""
        if isinstance(chat, FakeUser) and chat is not user:
            raise ValueError(f"{user!r} can't write in {chat!r}'s private chat")
        if chat is user and user.blocked:
            raise RuntimeError(f"{user!r} blocked the bot; await unblock_bot() first")
        if getattr(chat, "migrated_to", None) is not None:
            raise RuntimeError(f"{chat!r} became supergroup {chat.migrated_to}; write there")
        message: dict[str, Any] = {
            "message_id": chat._new_message_id(),
            "from": user.user_dict,
            "chat": chat.chat_dict,
            "date": self._now(),
        }
        if reply_to is not None:
            message["reply_to_message"] = embed(self._current(reply_to))
        thread = self._user_thread(user, chat, topic, message.get("reply_to_message"))
        self._in_thread(chat, message, thread)
        message.update(content)
        record = StoredMessage(message, self._next_seq(), outgoing=False)
        if self.record_messages:
            chat._store(record)
        if chat is user:
            user.started = True
        if self._bot_receives(chat, message):
            self._new_update("message", message)
        return record

    def _user_thread(
        self,
        user: FakeUser,
        chat: FakeChat,
        topic: ForumTopic | int | None,
        reply_to: dict[str, Any] | None,
    ) -> int | None:
        wanted = thread_id(topic)
        if wanted is None:
            wanted = (reply_to or {}).get("message_thread_id")
        if wanted is None:
            return None
        if not isinstance(chat, FakeGroup) or not chat.is_forum:
            raise ValueError(f"{chat!r} has no topics (set_forum() first)")
        found = chat.topics.get(wanted)
        if found is None or found.deleted:
            raise LookupError(f"{chat!r} has no topic {wanted} (deleted or never created)")
        status = chat.members.get(user.id, ("member", {}))[0]
        if found.closed and status not in ("creator", "administrator"):
            raise RuntimeError(f"topic {found.name!r} is closed; only admins can post there")
        return wanted

    def _user_edit(self, user: FakeUser, message: Any, changes: dict[str, Any]) -> StoredMessage:
        """A user edits their message: stored in place, ``edited_message`` queued."""
        record = self._current(message)
        if record.outgoing or record.get("from", {}).get("id") != user.id:
            raise ValueError(f"{user!r} can only edit their own messages, not {record!r}")
        record.history.append(record.data)
        data = {**record.data, **changes, "edit_date": self._now()}
        record.data = {key: value for key, value in data.items() if value is not None}
        chat = self.chat(record.chat_id)
        if self._bot_receives(chat, record.data):
            self._new_update("edited_message", record.data)
        return record

    def _next_file_id(self) -> int:
        return next(self._file_numbers)

    def _migrate_group(
        self, old: FakeGroup, by: FakeUser | None, *, service_messages: bool
    ) -> FakeGroup:
        if old.type != "group" or old.migrated_to is not None:
            raise ValueError(f"{old!r} is not a basic group that can be upgraded")
        new = self.group(old.title, bot_status=old.bot_status)
        new.members = dict(old.members)
        old.migrated_to = new.id
        actor = by.user_dict if by is not None else self._some_admin(old)
        for chat, field, value in (
            (old, "migrate_to_chat_id", new.id),
            (new, "migrate_from_chat_id", old.id),
        ):
            message = {
                "message_id": chat._new_message_id(),
                "from": actor,
                "chat": chat.chat_dict,
                "date": self._now(),
                field: value,
            }
            if self.record_messages:
                chat._store(StoredMessage(message, self._next_seq(), outgoing=False))
            if service_messages:
                self._new_update("message", message)  # service messages pass privacy mode
        return new

    def _bot_receives(self, chat: FakeChat, message: dict[str, Any]) -> bool:
        """Telegram's group privacy mode: what a non-admin bot gets to see."""
        if not isinstance(chat, FakeGroup):
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.privacy_mode or chat.bot_status in ("administrator", "creator"):
            return True
        text = message.get("text", "")
        reply = message.get("reply_to_message") or {}
        if reply.get("from", {}).get("id") == self.bot_id:
            return True
        if f"@{self.bot_username}".lower() in text.lower():
            return True
        command = command_entity(text)
        if command is None:
            return False
        _, _, addressee = text[: command["length"]].partition("@")
        return not addressee or addressee.lower() == self.bot_username.lower()

    def _current(self, message: Any) -> StoredMessage:
        """The stored (current) version of a message given as StoredMessage, dict or PTB object."""
        self._require_recording("pressing buttons / replying")
        if isinstance(message, StoredMessage):
            chat_id, message_id = message.chat_id, message.message_id
        elif isinstance(message, dict):
            chat_id, message_id = message["chat"]["id"], message["message_id"]
        else:  # duck-typed telegram.Message
            chat_id, message_id = message.chat_id, message.message_id
        record = self.chat(chat_id).get(message_id)
        if record is None:
            raise LookupError(f"message {message_id} is not stored in chat {chat_id}")
        if record.deleted:
            raise LookupError(f"message {message_id} in chat {chat_id} was deleted")
        return record

    def _callback_query(self, user: FakeUser, record: StoredMessage, data: str) -> str:
        query_id = str(next(self._query_ids))
        query = {
            "id": query_id,
            "from": user.user_dict,
            "message": dict(record.data),
            "chat_instance": f"{abs(record.chat_id)}{self.bot_id}",
            "data": data,
        }
        self._queries[query_id] = PendingQuery(user.id, record, data)
        self._new_update("callback_query", query)
        return query_id

    def _bot_membership_update(
        self, chat: FakeChat, by: FakeUser | None, old: str, new: str
    ) -> dict[str, Any]:
        if by is not None:
            actor = by.user_dict
        elif isinstance(chat, FakeUser):
            actor = chat.user_dict
        else:
            actor = self._some_admin(chat)
        change = {
            "chat": chat.chat_dict,
            "from": actor,
            "date": self._now(),
            "old_chat_member": member_dict(self._bot_from, old),
            "new_chat_member": member_dict(self._bot_from, new),
        }
        return self._new_update("my_chat_member", change)

    def _some_admin(self, chat: FakeChat) -> dict[str, Any]:
        for user_id, (status, _) in getattr(chat, "members", {}).items():
            if status in ("creator", "administrator") and user_id in self._users:
                return self._users[user_id].user_dict
        return _TELEGRAM_SERVICE_USER

    def _store_outgoing(self, chat: FakeChat, message: dict[str, Any]) -> StoredMessage:
        record = StoredMessage(message, self._next_seq(), outgoing=True)
        chat.sent_count += 1
        if self.record_messages:
            chat._store(record)
        self._changed.notify()
        return record
