"""Bot API methods about chats and messages, implemented on the emulator's state.

This is a mixin of :class:`~fakegram.server.FakeTelegram`; it only holds the method
semantics (validation, Telegram's error strings, result shapes). Each method takes the decoded
parameter dict and returns the ``result`` or raises :class:`ApiError`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .actors import FakeChat, FakeGroup, FakeUser
from .errors import Errors
from .formatting import render_text
from .models import CallbackAnswer, StoredMessage
from .signatures import Params, api

#: Bots may delete a message only within 48 hours of sending (then only edit it).
DELETE_WINDOW_SECONDS = 48 * 3600
#: answerCallbackQuery's text: 0-200 characters.
MAX_CALLBACK_ANSWER_LENGTH = 200

#: Methods accepted and recorded without further effect (answer ``true``).
NO_OP_METHODS = ("setMyDefaultAdministratorRights", "setMyName")


_BUTTON_ACTIONS = (
    "callback_data",
    "callback_game",
    "copy_text",
    "login_url",
    "pay",
    "switch_inline_query",
    "switch_inline_query_chosen_chat",
    "switch_inline_query_current_chat",
    "url",
    "web_app",
)

#: Message fields that describe the envelope, not the content (not copied by copyMessage).
ENVELOPE_KEYS = frozenset(
    {
        "author_signature",
        "chat",
        "date",
        "edit_date",
        "external_reply",
        "forward_origin",
        "from",
        "has_protected_content",
        "is_topic_message",
        "media_group_id",
        "message_id",
        "message_thread_id",
        "quote",
        "reply_markup",
        "reply_to_message",
        "sender_chat",
        "via_bot",
    }
)


@dataclass(slots=True)
class PendingQuery:
    """A callback query a user caused, waiting for answerCallbackQuery."""

    user_id: int
    message: StoredMessage | None
    data: str | None
    answered: bool = False


class BotApiMethods:
    """Sending, copying, editing and deleting messages; callback answers (mixed into
    ``FakeTelegram``). Holds the helpers the other method mixins share."""

    # State provided by FakeTelegram (declared for readers and type checkers).
    bot_id: int
    bot_user: dict[str, Any]
    record_messages: bool
    callback_answers: list[CallbackAnswer]
    _bot_from: dict[str, Any]
    _chats: dict[int, FakeChat]
    _usernames: dict[str, FakeChat]
    _users: dict[int, FakeUser]
    _queries: dict[str, PendingQuery]

    def _now(self) -> int:
        raise NotImplementedError

    def _store_outgoing(self, chat: FakeChat, message: dict[str, Any]) -> StoredMessage:
        raise NotImplementedError

    def _changed_notify(self) -> None:
        raise NotImplementedError

    if TYPE_CHECKING:  # provided by the Forums and Faults mixins

        def _count_group_send(self, chat_id: int) -> None: ...

        def has_right(self, chat: FakeChat, right: str) -> bool: ...

        def _thread_of(
            self, chat: FakeChat, p: Params, reply_to: dict[str, Any] | None
        ) -> int | None: ...

        def _in_thread(
            self, chat: FakeChat, message: dict[str, Any], thread: int | None
        ) -> None: ...

    # ------------------------------------------------------------------ helpers
    def _chat_param(self, p: Params, key: str = "chat_id") -> FakeChat:
        """Resolve a chat id (int or ``@username``) the emulator knows, else "chat not found"."""
        value = p.get(key)
        if value is None or value == "":
            raise Errors.bad_request(f"{key} is empty")
        chat: FakeChat | None = None
        if isinstance(value, int):
            chat = self._chats.get(value)
        elif isinstance(value, str) and value.startswith("@"):
            chat = self._usernames.get(value[1:].lower())
        if chat is None:
            raise Errors.chat_not_found()
        migrated_to = getattr(chat, "migrated_to", None)
        if migrated_to is not None:
            raise Errors.migrated(migrated_to)
        return chat

    def _ensure_can_send(self, chat: FakeChat) -> None:
        """Refuse like Telegram does when the user blocked the bot or it left the group."""
        if isinstance(chat, FakeUser):
            if chat.blocked:
                raise Errors.blocked()
            if chat.deactivated:
                raise Errors.deactivated()
            if not chat.started:
                raise Errors.cant_initiate()
        elif isinstance(chat, FakeGroup):
            if chat.bot_status == "kicked":
                raise Errors.kicked(chat.type)
            if chat.bot_status == "left":
                raise Errors.not_a_member(chat.type)
            if chat.bot_status == "member" and not chat.permissions.get("can_send_messages"):
                raise Errors.not_enough_rights()

    @staticmethod
    def _check_markup(markup: Any) -> dict[str, Any] | None:
        """Validate ``reply_markup``; return it if it is an inline keyboard to echo back."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise Errors.bad_request("can't parse reply keyboard markup JSON object")
        rows = markup.get("inline_keyboard")
        if rows is None:
            return None
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise Errors.bad_request("can't parse inline keyboard markup JSON object")
        for button in (b for row in rows for b in row):
            if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                raise Errors.bad_request("can't parse inline keyboard button: Text is missing")
            if not any(action in button for action in _BUTTON_ACTIONS):
                raise Errors.bad_request("text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise Errors.bad_request("BUTTON_DATA_INVALID")
        return markup if any(rows) else None

    def _reply_target(self, chat: FakeChat, p: Params) -> dict[str, Any] | None:
        """The ``reply_to_message`` for reply_parameters / reply_to_message_id, if any."""
        params = p.get("reply_parameters")
        if params is None and p.get("reply_to_message_id"):
            params = {"message_id": p["reply_to_message_id"]}
        if not params:
            return None
        if not isinstance(params, dict) or "message_id" not in params:
            raise Errors.bad_request("can't parse reply parameters JSON object")
        record = chat.get(params["message_id"])
        if record is None or record.deleted:
            lenient = params.get("allow_sending_without_reply") or p.get(
                "allow_sending_without_reply"
            )
            if lenient or not self.record_messages:
                return None
            raise Errors.bad_request("message to be replied not found")
        return embed(record)

    def _bot_message(self, chat: FakeChat, content: dict[str, Any], p: Params) -> StoredMessage:
        """Create, store and return a message the bot sends to ``chat``."""
        self._ensure_can_send(chat)
        markup = p.get("reply_markup")
        inline = self._check_markup(markup)
        reply_to = self._reply_target(chat, p)
        thread = self._thread_of(chat, p, reply_to)
        if isinstance(chat, FakeGroup):
            self._count_group_send(chat.id)
        message: dict[str, Any] = {
            "message_id": chat._new_message_id(),
            "from": self._bot_from,
            "chat": chat.chat_dict,
            "date": self._now(),
        }
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        self._in_thread(chat, message, thread)
        message.update(content)
        if inline is not None:
            message["reply_markup"] = inline
        if p.get("protect_content"):
            message["has_protected_content"] = True
        record = self._store_outgoing(chat, message)
        if isinstance(markup, dict) and "keyboard" in markup:
            chat.reply_keyboard = record.reply_keyboard = markup
        elif isinstance(markup, dict) and markup.get("remove_keyboard"):
            chat.reply_keyboard = None
        return record

    def _editable(self, p: Params) -> StoredMessage | None:
        """The bot message an edit targets (``None`` only when messages aren't recorded)."""
        chat = self._chat_param(p)
        self._ensure_can_send(chat)
        message_id = p.get("message_id")
        if message_id is None:
            raise Errors.bad_request("message identifier is not specified")
        record = chat.get(message_id)
        if record is None or record.deleted:
            if not self.record_messages:
                return None
            raise Errors.message_to_edit_not_found()
        if not record.outgoing:
            raise Errors.bad_request("message can't be edited")
        return record

    def _apply_edit(self, record: StoredMessage, changes: dict[str, Any]) -> dict[str, Any]:
        """Replace fields of ``record`` (``None`` removes); "not modified" if nothing changes."""
        if all(_same(record.data.get(key), value) for key, value in changes.items()):
            raise Errors.message_not_modified()
        record.history.append(record.data)
        data = {**record.data, **changes, "edit_date": self._now()}
        record.data = {key: value for key, value in data.items() if value is not None}
        self._changed_notify()
        return record.data

    def _synthetic(self, chat: FakeChat, message_id: int, **content: Any) -> dict[str, Any]:
        """A plausible result when messages aren't recorded (benchmark mode)."""
        now = self._now()
        return {
            "message_id": message_id,
            "from": self._bot_from,
            "chat": chat.chat_dict,
            "date": now,
            "edit_date": now,
            **{k: v for k, v in content.items() if v is not None},
        }

    def _require(self, p: Params, *keys: str) -> None:
        for key in keys:
            if p.get(key) in (None, ""):
                raise Errors.bad_request(f"{key} is empty")

    # ------------------------------------------------------------------ sending
    @api("sendMessage")
    def _send_message(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        text, entities = render_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        content: dict[str, Any] = {"text": text}
        if entities:
            content["entities"] = entities
        if p.get("link_preview_options"):
            content["link_preview_options"] = p["link_preview_options"]
        return self._bot_message(chat, content, p).data

    @api("sendContact")
    def _send_contact(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        self._require(p, "phone_number", "first_name")
        keys = ("phone_number", "first_name", "last_name", "vcard")
        contact = {k: p[k] for k in keys if p.get(k)}
        return self._bot_message(chat, {"contact": contact}, p).data

    @api("sendLocation")
    def _send_location(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        self._require(p, "latitude", "longitude")
        keys = ("latitude", "longitude", "horizontal_accuracy", "live_period", "heading")
        location = {k: p[k] for k in keys if p.get(k) is not None}
        return self._bot_message(chat, {"location": location}, p).data

    @api("copyMessage")
    def _copy_message(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        content = self._source_content(p, "copy")
        if p.get("caption") is not None and "text" not in content:
            caption, entities = render_text(p["caption"], p.get("parse_mode"), None)
            content["caption"] = caption
            content["caption_entities"] = entities or p.get("caption_entities")
        return {"message_id": self._bot_message(chat, content, p).message_id}

    @api("forwardMessage")
    def _forward_message(self, p: Params) -> dict[str, Any]:
        chat = self._chat_param(p)
        content = self._source_content(p, "forward")
        return self._bot_message(chat, content, p).data

    def _source_content(self, p: Params, verb: str) -> dict[str, Any]:
        """Content of ``from_chat_id``/``message_id`` (plus forward_origin for forwards)."""
        source_chat = self._chat_param(p, "from_chat_id")
        self._require(p, "message_id")
        record = source_chat.get(p["message_id"])
        if record is None or record.deleted:
            if not self.record_messages:
                return {"text": f"({verb} of message {p['message_id']})"}
            raise Errors.bad_request(f"message to {verb} not found")
        content = {k: v for k, v in record.data.items() if k not in ENVELOPE_KEYS}
        if verb == "forward":
            sender = record.data.get("from")
            origin = {"type": "user", "sender_user": sender, "date": record.data["date"]}
            content = {"forward_origin": origin, **content}
        return content

    @api("sendChatAction")
    def _send_chat_action(self, p: Params) -> bool:
        chat = self._chat_param(p)
        self._require(p, "action")
        self._ensure_can_send(chat)
        return True

    # ------------------------------------------------------------------ editing & deleting
    @api("editMessageText")
    def _edit_message_text(self, p: Params) -> dict[str, Any] | bool:
        text, entities = render_text(p.get("text"), p.get("parse_mode"), p.get("entities"))
        markup = self._check_markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            return True
        record = self._editable(p)
        if record is None:
            return self._synthetic(self._chat_param(p), p["message_id"], text=text)
        if "text" not in record.data:
            raise Errors.bad_request("there is no text in the message to edit")
        changes = {"text": text, "entities": entities, "reply_markup": markup}
        if p.get("link_preview_options"):
            changes["link_preview_options"] = p["link_preview_options"]
        return self._apply_edit(record, changes)

    @api("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, p: Params) -> dict[str, Any] | bool:
        markup = self._check_markup(p.get("reply_markup"))
        if p.get("inline_message_id"):
            return True
        record = self._editable(p)
        if record is None:
            return self._synthetic(self._chat_param(p), p["message_id"], reply_markup=markup)
        return self._apply_edit(record, {"reply_markup": markup})

    @api("deleteMessage")
    def _delete_message(self, p: Params) -> bool:
        chat = self._chat_param(p)
        self._require(p, "message_id")
        record = chat.get(p["message_id"])
        if record is None or record.deleted:
            if not self.record_messages:
                return True
            raise Errors.message_to_delete_not_found()
        if not self._deletable(chat, record):
            raise Errors.message_cant_be_deleted()
        record.deleted = True
        self._changed_notify()
        return True

    @api("deleteMessages")
    def _delete_messages(self, p: Params) -> bool:
        """Like Telegram: messages that can't be found or deleted are skipped."""
        chat = self._chat_param(p)
        for message_id in p.get("message_ids") or []:
            record = chat.get(message_id)
            if record is not None and self._deletable(chat, record):
                record.deleted = True
        self._changed_notify()
        return True

    def _deletable(self, chat: FakeChat, record: StoredMessage) -> bool:
        """Telegram's rules for bots: only messages younger than 48 hours; in groups only the
        bot's own unless it is an administrator (private chats: both sides)."""
        if self._now() - record.data["date"] >= DELETE_WINDOW_SECONDS:
            return False
        if "forum_topic_created" in record.data:  # the topic's first message stays with it
            return False
        if isinstance(chat, FakeGroup) and not record.outgoing:
            return self.has_right(chat, "can_delete_messages")
        return True

    # ------------------------------------------------------------------ callback queries
    @api("answerCallbackQuery")
    def _answer_callback_query(self, p: Params) -> bool:
        query_id = str(p.get("callback_query_id", ""))
        if len(p.get("text") or "") > MAX_CALLBACK_ANSWER_LENGTH:
            raise Errors.bad_request("MESSAGE_TOO_LONG")
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise Errors.query_too_old()
        query.answered = True
        self.callback_answers.append(
            CallbackAnswer(
                query_id=query_id,
                user_id=query.user_id,
                data=query.data,
                message=query.message,
                text=p.get("text"),
                show_alert=bool(p.get("show_alert")),
                url=p.get("url"),
                cache_time=p.get("cache_time"),
                time=float(self._now()),
            )
        )
        self._changed_notify()
        return True


def embed(record: StoredMessage) -> dict[str, Any]:
    """A message as nested in another one (Telegram doesn't nest reply_to_message twice)."""
    return {k: v for k, v in record.data.items() if k != "reply_to_message"}


def _same(current: Any, new: Any) -> bool:
    """Equality where "absent", ``None`` and empty lists/keyboards are the same."""
    return (current or None) == (new or None)
