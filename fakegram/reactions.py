"""setMessageReaction: the bot's reactions on messages, recorded for tests.

A mixin of :class:`~fakegram.server.FakeTelegram`, after the Bot API documentation: the
``reaction`` list holds ReactionType objects; bots, like non-premium users, may set at most one;
an emoji reaction must be one of Telegram's list (``ReactionTypeEmoji``); custom emoji
reactions need the chat to allow them and paid ones are not for bots, so the fake refuses both;
an empty list removes the reaction. A reaction on a message of an album goes to its first
message, as the documentation says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import Errors
from .signatures import Params, api

if TYPE_CHECKING:
    from .actors import FakeChat
    from .models import StoredMessage
    from .signal import Signal

#: ReactionTypeEmoji's ``emoji``: "Currently, it can be one of" these (Bot API order).
REACTION_EMOJI = frozenset(
    {
        "👍",
        "👎",
        "❤",
        "🔥",
        "🥰",
        "👏",
        "😁",
        "🤔",
        "🤯",
        "😱",
        "🤬",
        "😢",
        "🎉",
        "🤩",
        "🤮",
        "💩",
        "🙏",
        "👌",
        "🕊",
        "🤡",
        "🥱",
        "🥴",
        "😍",
        "🐳",
        "\u2764\ufe0f\u200d\U0001f525",
        "🌚",
        "🌭",
        "💯",
        "🤣",
        "⚡",
        "🍌",
        "🏆",
        "💔",
        "🤨",
        "😐",
        "🍓",
        "🍾",
        "💋",
        "🖕",
        "😈",
        "😴",
        "😭",
        "🤓",
        "👻",
        "\U0001f468\u200d\U0001f4bb",
        "👀",
        "🎃",
        "🙈",
        "😇",
        "😨",
        "🤝",
        "✍",
        "🤗",
        "🫡",
        "🎅",
        "🎄",
        "☃",
        "💅",
        "🤪",
        "🗿",
        "🆒",
        "💘",
        "🙉",
        "🦄",
        "😘",
        "💊",
        "🙊",
        "😎",
        "👾",
        "\U0001f937\u200d\u2642\ufe0f",
        "🤷",
        "\U0001f937\u200d\u2640\ufe0f",
        "😡",
    }
)
#: How many reactions a bot may set on one message.
MAX_BOT_REACTIONS = 1


@dataclass(frozen=True, slots=True)
class Reaction:
    """One setMessageReaction the bot made (``emoji`` empty: it removed its reaction)."""

    chat_id: int
    message_id: int
    emoji: tuple[str, ...]
    is_big: bool
    time: float


class Reactions:
    """setMessageReaction and the record of reactions (mixed into ``FakeTelegram``)."""

    record_messages: bool
    #: every setMessageReaction that succeeded, oldest first
    reaction_log: list[Reaction]
    #: (chat id, message id) -> the bot's current reaction emoji
    _reactions: dict[tuple[int, int], tuple[str, ...]]
    _changed: Signal

    if TYPE_CHECKING:  # provided by FakeTelegram and the other mixins

        def _chat_param(self, p: Params, key: str = "chat_id") -> FakeChat: ...

        def _require(self, p: Params, *keys: str) -> None: ...

        def _now(self) -> int: ...

    def reactions_on(self, message: StoredMessage | dict[str, Any]) -> list[str]:
        """The emoji the bot has set on ``message`` now (``[]``: none)."""
        chat_id = message["chat"]["id"]
        return list(self._reactions.get((chat_id, message["message_id"]), ()))

    @api("setMessageReaction")
    def _set_message_reaction(self, p: Params) -> bool:
        chat = self._chat_param(p)
        self._require(p, "message_id")
        record = chat.get(p["message_id"])
        if record is None or record.deleted:
            if self.record_messages:
                raise Errors.bad_request("message to react not found")  # the fake's wording
        elif record.get("media_group_id") is not None:
            record = _album_head(chat, record)
        reaction = p.get("reaction") or []
        if not isinstance(reaction, list):
            raise Errors.bad_request("can't parse reaction types JSON object")
        if len(reaction) > MAX_BOT_REACTIONS:
            raise Errors.bad_request("REACTIONS_TOO_MANY")
        emoji = []
        for item in reaction:
            if not isinstance(item, dict) or item.get("type") != "emoji":
                raise Errors.bad_request("REACTION_INVALID")
            if item.get("emoji") not in REACTION_EMOJI:
                raise Errors.bad_request("REACTION_INVALID")
            emoji.append(item["emoji"])
        message_id = record.message_id if record is not None else p["message_id"]
        key = (chat.id, message_id)
        if emoji:
            self._reactions[key] = tuple(emoji)
        else:
            self._reactions.pop(key, None)
        self.reaction_log.append(
            Reaction(chat.id, message_id, tuple(emoji), bool(p.get("is_big")), float(self._now()))
        )
        self._changed.notify()
        return True


def _album_head(chat: FakeChat, record: StoredMessage) -> StoredMessage:
    """The first message of ``record``'s album still present."""
    album = record.get("media_group_id")
    for other in chat.history:
        if other.get("media_group_id") == album and not other.deleted:
            return other
    return record
