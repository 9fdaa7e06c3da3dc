"""Users and groups that tests act through (``tg.user(...)``, ``tg.group(...)``).

A :class:`FakeUser` is both a Telegram user and its private chat with the bot (same id, as in
Telegram). Actions (``send``, ``press``, ...) build the update a real client would cause and
queue it for the bot; reading helpers (``messages``, ``wait_for``) show what the bot sent.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .content import media_object
from .formatting import command_entity, render_text
from .models import ButtonNotFound, MessagePredicate, StoredMessage
from .topics import DEFAULT_ADMIN_RIGHTS, ForumTopic, thread_id
from .user_actions import UserActions

if TYPE_CHECKING:
    from .server import FakeTelegram

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
_STATUS_ALIASES = {"owner": "creator", "admin": "administrator", "banned": "kicked"}
_SELF: Any = object()  # "the acting user's own id" default for share_contact(user_id=...)


def normalize_status(status: str) -> str:
    status = _STATUS_ALIASES.get(status, status)
    if status not in MEMBER_STATUSES:
        raise ValueError(f"unknown chat member status {status!r}; use one of {MEMBER_STATUSES}")
    return status


class FakeChat:
    """A chat with the bot: stores its messages and offers the reading/waiting helpers."""

    type: str

    def __init__(self, tg: FakeTelegram, chat_id: int) -> None:
        self.tg = tg
        self.id = chat_id
        self._by_id: dict[int, StoredMessage] = {}
        self._log: list[StoredMessage] = []
        self._outgoing: list[StoredMessage] = []
        self._next_message_id = 1
        self._consumed_seq = 0
        self.sent_count = 0  #: messages the bot sent here (counted even without recording)
        #: the ReplyKeyboardMarkup currently shown (set/removed by the bot's messages)
        self.reply_keyboard: dict[str, Any] | None = None
        self.menu_button: dict[str, Any] | None = None
        self.pinned: list[int] = []  #: ids of pinned messages, the latest last

    @property
    def chat_dict(self) -> dict[str, Any]:
        """This chat as a Telegram ``Chat`` object."""
        raise NotImplementedError

    # -- storage (used by the server) --------------------------------------------------------
    def _new_message_id(self) -> int:
        message_id = self._next_message_id
        self._next_message_id += 1
        return message_id

    def _store(self, record: StoredMessage) -> None:
        self._by_id[record.message_id] = record
        self._log.append(record)
        if record.outgoing:
            self._outgoing.append(record)

    def get(self, message_id: int) -> StoredMessage | None:
        """The stored message with this id (deleted ones included), or ``None``."""
        return self._by_id.get(message_id)

    # -- reading ----------------------------------------------------------------------------
    @property
    def messages(self) -> list[StoredMessage]:
        """Bot messages in this chat as users see them now (edits applied, deleted removed)."""
        return [m for m in self._outgoing if not m.deleted]

    @property
    def last(self) -> StoredMessage | None:
        """The latest bot message still present in this chat."""
        for message in reversed(self._outgoing):
            if not message.deleted:
                return message
        return None

    @property
    def history(self) -> list[StoredMessage]:
        """Every stored message of the chat, both directions, in order (deleted included)."""
        return list(self._log)

    async def wait_for(
        self,
        predicate: MessagePredicate | str | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
        count: int = 1,
        since: int | None = None,
    ) -> Any:
        """Wait for *new* bot messages in this chat and return them.

        "New" means sent after the latest user action anywhere in the emulator (any update
        queued for the bot) and after the last message an earlier ``wait_for`` returned here;
        pass ``since=tg.mark()`` to choose the point yourself. ``predicate`` is a callable on
        :class:`StoredMessage` or a substring of its text. Returns one message, or a list when
        ``count > 1``. Raises ``TimeoutError`` describing what the chat did receive.
        """
        self.tg._require_recording("wait_for")
        match = _as_predicate(predicate)

        def check() -> list[StoredMessage] | None:
            threshold = (
                since if since is not None else max(self._consumed_seq, self.tg._last_action_seq)
            )
            start = bisect.bisect_right(self._outgoing, threshold, key=lambda m: m.seq)
            found = [m for m in self._outgoing[start:] if match(m)][:count]
            if len(found) < count:
                return None
            self._consumed_seq = max(self._consumed_seq, found[-1].seq)
            return found

        found = await self.tg._wait(check, timeout, lambda: self._timeout_report(timeout, count))
        return found[0] if count == 1 else found

    def _timeout_report(self, timeout: float, count: int) -> str:
        recent = [f"  {m!r}" for m in self._outgoing[-5:]]
        return (
            f"no {count} new matching bot message(s) in {self!r} within {timeout}s.\n"
            f"Latest bot messages here:\n"
            + ("\n".join(recent) or "  (none)")
            + "\n"
            + self.tg._debug_summary()
        )


class FakeUser(FakeChat, UserActions):
    """A Telegram user and their private chat with the bot (chat id == user id)."""

    type = "private"

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        phone_number: str | None = None,
        is_premium: bool | None = None,
        started: bool = True,
    ) -> None:
        super().__init__(tg, user_id)
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self.is_premium = is_premium
        self.phone_number = phone_number or f"+1555{user_id % 10_000_000:07d}"
        #: False until the user writes to the bot; sending to them then answers 403
        self.started = started
        self.blocked = False  #: set by block_bot(): sends answer 403 "bot was blocked"
        self.deactivated = False  #: set to True to answer 403 "user is deactivated"

    @property
    def user_dict(self) -> dict[str, Any]:
        """This user as a Telegram ``User`` object."""
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
            "is_premium": self.is_premium,
        }
        data.update({k: v for k, v in optional.items() if v is not None})
        return data

    @property
    def chat_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": "private", "first_name": self.first_name}
        for key in ("last_name", "username"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    # -- actions ------------------------------------------------------------------------------
    async def send(
        self,
        text: str,
        *,
        chat: FakeChat | None = None,
        reply_to: StoredMessage | None = None,
        entities: list[dict[str, Any]] | None = None,
        parse_mode: str | None = None,
        topic: ForumTopic | int | None = None,
    ) -> StoredMessage:
        """Send a text message (to the bot's private chat, or ``chat``); return it.
        ``topic``: in that topic of a forum ``chat`` (default: General, or the topic of
        ``reply_to``).

        A leading ``/command[@bot]`` gets its ``bot_command`` entity, as Telegram adds it.
        ``parse_mode`` (e.g. ``"HTML"``) stands for the client's formatting: the text is
        parsed into plain text and entities as the server would, a command entity added.
        """
        if parse_mode is not None:
            text, entities = render_text(text, parse_mode)
            command = command_entity(text)
            entities = [*([command] if command else []), *(entities or [])]
        content: dict[str, Any] = {"text": text}
        if entities is None:
            command = command_entity(text)
            entities = [command] if command else None
        if entities:
            content["entities"] = entities
        return self.tg._user_message(self, chat or self, content, reply_to=reply_to, topic=topic)

    async def reply(
        self, to: StoredMessage, text: str, *, chat: FakeChat | None = None
    ) -> StoredMessage:
        """Reply to a message (``reply_to_message`` filled); chat defaults to the message's,
        and in a forum the reply lands in the message's topic, as in Telegram."""
        target = chat or self.tg.chat(to.chat_id)
        return await self.send(text, chat=target, reply_to=to)

    async def press(self, message: StoredMessage, button: str) -> str:
        """Press an inline button of ``message``; return the callback query id.

        ``button`` is the button's exact text, its exact callback_data, or a unique substring
        of its text. The message's *current* keyboard counts (after the bot's edits).
        Raises :class:`ButtonNotFound` if there is no such callback button.
        """
        record = self.tg._current(message)
        found = record.find_button(button)
        if "callback_data" not in found:
            kind = next((k for k in found if k != "text"), "unknown")
            raise ButtonNotFound(f"button {found['text']!r} is a {kind!r} button, not callback")
        return self.tg._callback_query(self, record, found["callback_data"])

    async def press_data(self, message: StoredMessage, data: str) -> str:
        """Send a callback query with arbitrary ``data`` for ``message`` (a forged button)."""
        return self.tg._callback_query(self, self.tg._current(message), data)

    async def share_contact(
        self,
        phone_number: str | None = None,
        *,
        user_id: int | None = _SELF,
        first_name: str | None = None,
        last_name: str | None = None,
        chat: FakeChat | None = None,
    ) -> StoredMessage:
        """Send a contact card. By default it is this user's own (what the "share my contact"
        button sends). Pass another ``user_id`` for someone else's card (names and phone default
        to that user's if the emulator knows them), or ``user_id=None`` for a card without one."""
        if user_id is _SELF:
            user_id = self.id
        owner = self.tg._users.get(user_id) if user_id is not None else None
        phone_number = phone_number or (owner.phone_number if owner else None)
        if not phone_number:
            raise ValueError("phone_number is required for a contact of an unknown user")
        contact: dict[str, Any] = {
            "phone_number": phone_number,
            "first_name": first_name or (owner.first_name if owner else "Contact"),
        }
        last_name = last_name if last_name is not None else (owner and owner.last_name)
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        return self.tg._user_message(self, chat or self, {"contact": contact})

    async def share_location(
        self, latitude: float, longitude: float, *, chat: FakeChat | None = None
    ) -> StoredMessage:
        """Send a location message."""
        location = {"latitude": latitude, "longitude": longitude}
        return self.tg._user_message(self, chat or self, {"location": location})

    async def send_media(
        self,
        kind: str,
        *,
        caption: str | None = None,
        chat: FakeChat | None = None,
        reply_to: StoredMessage | None = None,
        topic: ForumTopic | int | None = None,
        **fields: Any,
    ) -> StoredMessage:
        """Send a photo, document, voice note, video, sticker, location, … as a client would.

        ``kind`` is the Message field (``"photo"``, ``"document"``, ``"voice"``, ``"video"``,
        ``"sticker"``, ``"location"``, ``"video_note"``, ``"audio"``, ``"animation"``,
        ``"dice"``, …); ``fields`` override the generated object. File ids are
        made up but stable per message, as Telegram's are.
        """
        content: dict[str, Any] = {kind: media_object(kind, self.tg._next_file_id(), fields)}
        if caption is not None:
            content["caption"] = caption
        return self.tg._user_message(self, chat or self, content, reply_to=reply_to, topic=topic)

    async def block_bot(self) -> dict[str, Any]:
        """Block the bot: sends answer 403 and a ``my_chat_member`` (kicked) update is queued."""
        self.blocked = True
        return self.tg._bot_membership_update(self, self, "member", "kicked")

    async def unblock_bot(self) -> dict[str, Any]:
        """Unblock the bot: a ``my_chat_member`` (member) update is queued."""
        self.blocked = False
        return self.tg._bot_membership_update(self, self, "kicked", "member")

    def __repr__(self) -> str:
        return f"<FakeUser {self.id} {self.first_name!r}>"


class FakeGroup(FakeChat):
    """A group or supergroup the bot is in; membership answers ``getChatMember``."""

    def __init__(
        self,
        tg: FakeTelegram,
        chat_id: int,
        title: str,
        *,
        username: str | None = None,
        supergroup: bool = True,
        bot_status: str = "administrator",
    ) -> None:
        super().__init__(tg, chat_id)
        self.type = "supergroup" if supergroup else "group"
        self.title = title
        self.username = username
        self.bot_status = normalize_status(bot_status)  #: the bot's own membership here
        self.members: dict[int, tuple[str, dict[str, Any]]] = {}  #: user id -> (status, extra)
        #: What members who are not admins may do (getChat's ``permissions``); a bot that is
        #: a plain member cannot post when ``can_send_messages`` is False.
        self.permissions: dict[str, bool] = {"can_send_messages": True}
        #: set by ``migrate()``: every Bot API call naming this chat then answers ChatMigrated
        self.migrated_to: int | None = None
        #: Topics switched on (``set_forum``); getChat and every message's chat show is_forum.
        self.is_forum = False
        #: topics by message_thread_id, deleted ones included (General, id 1, is not one)
        self.topics: dict[int, ForumTopic] = {}
        #: the bot's administrator rights here (``promote_bot``; getChatMember shows them)
        self.bot_rights: dict[str, bool] = dict(DEFAULT_ADMIN_RIGHTS)

    @property
    def chat_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "type": self.type, "title": self.title}
        if self.username:
            data["username"] = self.username
        if self.is_forum:
            data["is_forum"] = True
        return data

    # -- forums ---------------------------------------------------------------------------
    def set_forum(self, enabled: bool = True) -> FakeGroup:
        """Switch Topics on or off (a supergroup only; ``migrate()`` a basic group first).
        Topics are kept while off, as Telegram keeps them. No update is sent."""
        if enabled and self.type != "supergroup":
            raise ValueError(f"{self!r} is a basic group; migrate() it to a supergroup first")
        self.is_forum = enabled
        # Message id 1 is taken before any topic exists (the group's first service message),
        # as in Telegram: thread id 1 means the General topic, never a created one.
        self._next_message_id = max(self._next_message_id, 2)
        return self

    def topic(self, thread_id: int) -> ForumTopic:
        """The topic with this ``message_thread_id`` (``KeyError`` if there is none)."""
        return self.topics[thread_id]

    @property
    def open_topics(self) -> list[ForumTopic]:
        """Topics neither closed nor deleted, oldest first."""
        return [t for t in self.topics.values() if not (t.closed or t.deleted)]

    def thread(self, topic: ForumTopic | int | None) -> list[StoredMessage]:
        """Every stored message of a topic (``None``: General), both directions, deleted
        excluded, service messages included."""
        wanted = thread_id(topic)
        return [m for m in self._log if not m.deleted and m.get("message_thread_id") == wanted]

    def promote_bot(self, **rights: bool) -> FakeGroup:
        """Make the bot an administrator with ``rights`` over the defaults, e.g.
        ``promote_bot(can_manage_topics=True, can_delete_messages=False)``. No update is sent
        (``add_bot(status="administrator")`` queues one)."""
        self.bot_status = "administrator"
        self.bot_rights = {**DEFAULT_ADMIN_RIGHTS, **rights}
        return self

    def demote_bot(self) -> FakeGroup:
        """Make the bot a plain member (no administrator rights)."""
        self.bot_status = "member"
        return self

    def add_member(self, user: FakeUser, status: str = "member", **fields: Any) -> FakeGroup:
        """Set ``user``'s membership (creator/administrator/member/restricted/left/kicked;
        aliases owner/admin/banned). ``fields`` override ChatMember fields, e.g.
        ``custom_title="Dr"`` or ``can_delete_messages=False``. Returns the group (chainable).
        No update is sent to the bot (use ``tg.inject`` for ``chat_member`` updates)."""
        self.members[user.id] = (normalize_status(status), fields)
        return self

    async def kick_bot(self, by: FakeUser | None = None) -> dict[str, Any]:
        """Remove the bot (sends then answer 403 "bot was kicked"); queues ``my_chat_member``."""
        old, self.bot_status = self.bot_status, "kicked"
        return self.tg._bot_membership_update(self, by, old, "kicked")

    async def add_bot(self, by: FakeUser | None = None, status: str = "member") -> dict[str, Any]:
        """(Re-)add the bot with ``status``; queues ``my_chat_member``."""
        old, self.bot_status = self.bot_status, normalize_status(status)
        return self.tg._bot_membership_update(self, by, old, self.bot_status)

    async def migrate(
        self, by: FakeUser | None = None, *, service_messages: bool = True
    ) -> FakeGroup:
        """Upgrade this basic group to a supergroup, as Telegram does when an admin turns on
        topics or visible history: a new supergroup (new id, same title, members and bot
        status) takes over; calls naming the old id answer 400 with
        ``parameters.migrate_to_chat_id``; the bot gets the ``migrate_to_chat_id`` service
        message in the old group and ``migrate_from_chat_id`` in the new one
        (``service_messages=False``: as if the bot missed them, e.g. it was down longer than
        the 24 hours Telegram keeps updates)."""
        return self.tg._migrate_group(self, by, service_messages=service_messages)

    def __repr__(self) -> str:
        return f"<FakeGroup {self.id} {self.title!r}>"


def _as_predicate(predicate: MessagePredicate | str | None) -> Callable[[StoredMessage], Any]:
    if predicate is None:
        return lambda message: True
    if isinstance(predicate, str):
        return lambda message: predicate in message.text
    return predicate
