"""Records the emulator keeps so tests can read what the bot did."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import ApiError


class ButtonNotFound(LookupError):
    """``press()`` could not find the requested inline button (message lists what exists)."""


class StoredMessage:
    """A message in a chat as the emulator stores it — a *live* view.

    ``data`` is the Telegram ``Message`` dict; edits are applied to it in place, so a reference
    kept by a test always shows what users see now. Previous versions are kept in ``history``.
    Also usable like a dict (``msg["text"]``, ``msg.get("reply_markup")``).
    """

    __slots__ = ("data", "deleted", "history", "outgoing", "reply_keyboard", "seq")

    def __init__(self, data: dict[str, Any], seq: int, *, outgoing: bool) -> None:
        self.data = data
        self.seq = seq  #: global emulator sequence number at the time it was sent
        self.outgoing = outgoing  #: True when sent by the bot
        self.deleted = False
        self.history: list[dict[str, Any]] = []  #: earlier versions, oldest first
        #: a ReplyKeyboardMarkup sent with the message (Telegram doesn't echo it in ``data``)
        self.reply_keyboard: dict[str, Any] | None = None

    # -- dict-like access ----------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __contains__(self, key: object) -> bool:
        return key in self.data

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    # -- convenient fields -----------------------------------------------------------------
    @property
    def message_id(self) -> int:
        return self.data["message_id"]

    @property
    def chat_id(self) -> int:
        return self.data["chat"]["id"]

    @property
    def text(self) -> str:
        """Visible text (markup already stripped by ``parse_mode``); ``""`` if none."""
        return self.data.get("text") or self.data.get("caption") or ""

    @property
    def entities(self) -> list[dict[str, Any]]:
        return self.data.get("entities") or self.data.get("caption_entities") or []

    @property
    def reply_markup(self) -> dict[str, Any] | None:
        """The inline keyboard markup dict (``None`` if the message has none)."""
        return self.data.get("reply_markup")

    @property
    def edited(self) -> bool:
        return bool(self.history)

    @property
    def button_rows(self) -> list[list[str]]:
        """Button texts per row: the inline keyboard, else the reply keyboard sent with it."""
        return [[button["text"] for button in row] for row in self._keyboard()]

    @property
    def buttons(self) -> list[str]:
        """All button texts, flattened (see :attr:`button_rows`)."""
        return [text for row in self.button_rows for text in row]

    @property
    def inline_buttons(self) -> list[dict[str, Any]]:
        """All inline button dicts, flattened."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    def _keyboard(self) -> list[list[dict[str, Any]]]:
        markup = self.reply_markup or {}
        if markup.get("inline_keyboard"):
            return markup["inline_keyboard"]
        return (self.reply_keyboard or {}).get("keyboard", [])

    def find_button(self, label: str) -> dict[str, Any]:
        """Inline button by exact text, exact callback_data, or unique substring of its text."""
        buttons = self.inline_buttons
        for test in (
            lambda b: b.get("text") == label,
            lambda b: b.get("callback_data") == label,
        ):
            found = [b for b in buttons if test(b)]
            if found:
                return found[0]
        partial = [b for b in buttons if label in b.get("text", "")]
        if len(partial) == 1:
            return partial[0]
        available = [(b.get("text"), b.get("callback_data")) for b in buttons]
        reason = "is ambiguous" if partial else "matches no inline button"
        raise ButtonNotFound(
            f"{label!r} {reason} of message {self.message_id} in chat {self.chat_id} "
            f"(text {self.text[:60]!r}); buttons (text, callback_data): {available}"
        )

    def __repr__(self) -> str:
        flags = (" deleted" if self.deleted else "") + (" edited" if self.edited else "")
        who = "bot" if self.outgoing else "user"
        return (
            f"<StoredMessage {self.chat_id}/{self.message_id} from {who}{flags}: "
            f"{self.text[:80]!r} buttons={self.buttons}>"
        )


@dataclass(slots=True)
class Call:
    """One Bot API request the bot made (recorded when answered, failures included)."""

    seq: int
    method: str  #: canonical camelCase name (as sent, if the method is unknown)
    params: dict[str, Any]  #: decoded and typed parameters
    time: float  #: unix time of the answer
    status: int  #: HTTP status answered
    response: dict[str, Any]  #: the JSON body answered
    error: ApiError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def result(self) -> Any:
        return self.response.get("result")


@dataclass(slots=True)
class CallbackAnswer:
    """An ``answerCallbackQuery`` made for a button a user pressed."""

    query_id: str
    user_id: int
    data: str | None  #: callback_data of the pressed button
    message: StoredMessage | None  #: the message whose button was pressed
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None
    time: float


@dataclass(slots=True)
class WebhookDelivery:
    """One attempt to POST an update to a webhook."""

    update_id: int
    url: str
    attempt: int
    status: int | None  #: HTTP status, ``None`` when the connection failed
    error: str | None
    secret: str | None  #: the X-Telegram-Bot-Api-Secret-Token sent (``None``: header omitted)
    time: float

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(eq=False)
class FaultRule:
    """A scripted failure or delay, returned by ``fail()``/``delay()``; ``cancel()`` to remove."""

    method: str | None  #: lower-cased method name, ``None`` for any method
    match: dict[str, Any]
    error: ApiError | None = None
    delay: float = 0.0
    drop: bool = False  #: close the connection without an answer
    times: int | None = None  #: remaining applications, ``None`` = until cleared
    hits: int = field(default=0)

    def applies(self, method: str, params: dict[str, Any]) -> bool:
        if self.times is not None and self.times <= 0:
            return False
        if self.method is not None and self.method != method.lower():
            return False
        return params_match(params, self.match)

    def consume(self) -> None:
        self.hits += 1
        if self.times is not None:
            self.times -= 1

    def cancel(self) -> None:
        self.times = 0

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.times <= 0


def normalize(value: Any) -> Any:
    """Let tests pass a FakeUser/FakeGroup/StoredMessage where an id is expected."""
    if isinstance(value, StoredMessage):
        return value.message_id
    chat_id = getattr(value, "id", None)
    if isinstance(chat_id, int) and not isinstance(value, int):
        return chat_id
    return value


def params_match(params: dict[str, Any], expected: dict[str, Any]) -> bool:
    """True if every expected key matches (callables are predicates; ints match digit strings)."""
    for key, want in expected.items():
        have = params.get(key)
        want = normalize(want)
        if callable(want):
            if not want(have):
                return False
        elif have != want and (have is None or str(have) != str(want)):
            return False
    return True


MessagePredicate = Callable[[StoredMessage], Any]
