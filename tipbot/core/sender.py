"""How the bot sends: one sending policy, and one message's answer sorted into what to do next.

Shared by replies, daily tips, broadcasts and the outbox. :class:`SendPolicy` holds the
overall rate (``TIPBOT_MAX_MESSAGES_PER_SECOND``), paid broadcast above Telegram's free
30/s, the sends in flight and the claim slices of bulk senders; :class:`SendLimiter`, the
Application's rate limiter, keeps the rate for every call and lets interactive replies go
before bulk sends (daily tips, broadcasts), so nobody waits behind the morning sweep.
429s are waited out by the limiter (``max_retries``) before they reach us; what is left is
classified: the person is gone (stop sending), a passing failure (retry later), or a
permanent one.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import inspect
import logging
import math
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.constants import FloodLimit
from telegram.error import (
    BadRequest,
    ChatMigrated,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import BaseRateLimiter, ExtBot
from telegram.warnings import PTBUserWarning

log = logging.getLogger(__name__)

GONE_REASONS = ("chat not found", "user is deactivated", "bot was blocked", "bot was kicked")


class Outcome(enum.Enum):
    SENT = "sent"
    GONE = "gone"  # blocked, deactivated, chat not found: stop sending to this chat
    TRANSIENT = "transient"  # network, 5xx, flood: try again later
    FAILED = "failed"  # anything else: record and move on


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: Outcome
    message_id: int | None = None
    reason: str | None = None  # short, for logs/metrics; never message content
    migrate_to_chat_id: int | None = None  # the group became this supergroup (ChatMigrated)


#: A claimed message left unsent because the process is stopping: it goes back to be sent
#: after the restart (never counted as sent, never lost).
NOT_SENT = SendResult(Outcome.TRANSIENT, None, "shutdown")


def classify(error: TelegramError) -> tuple[Outcome, str]:
    """What a Telegram error means for the next attempt, and a short reason label."""
    if isinstance(error, SendAborted):
        return Outcome.TRANSIENT, "shutdown"
    message = str(error).lower()
    if isinstance(error, Forbidden) or (
        isinstance(error, BadRequest) and any(reason in message for reason in GONE_REASONS)
    ):
        reason = "chat_not_found" if "chat not found" in message else "blocked"
        if "deactivated" in message:
            reason = "deactivated"
        return Outcome.GONE, reason
    if isinstance(error, RetryAfter):
        return Outcome.TRANSIENT, "rate_limited"
    if isinstance(error, EndPointNotFound):  # do_api_request's name for a rejected token
        return Outcome.FAILED, "InvalidToken"
    if isinstance(error, ChatMigrated):  # the caller follows error.new_chat_id
        return Outcome.FAILED, "chat_migrated"
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB, but never passing
        return Outcome.FAILED, type(error).__name__
    if isinstance(error, TimedOut | NetworkError):
        return Outcome.TRANSIENT, "network"
    return Outcome.FAILED, type(error).__name__


def _seconds(value: object) -> float:
    """``RetryAfter.retry_after`` is an int in PTB 22, a timedelta in later versions."""
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value) if isinstance(value, int | float) else 1.0


async def send_text(
    bot: Bot,
    chat_id: int,
    text: str,
    *,
    reply_markup: InlineKeyboardMarkup | None = None,
    attempts: int = 3,
    backoff: float = 0.5,
    **kwargs: Any,
) -> SendResult:
    """Send HTML text; retry passing failures a few times with exponential backoff."""

    async def send() -> int:
        message = await bot.send_message(chat_id, text, reply_markup=reply_markup, **kwargs)
        return message.message_id

    return await _with_retries(send, chat_id, attempts, backoff)


@dataclass(frozen=True, slots=True)
class Prepared:
    """One message for many chats (a daily tip, a broadcast), in Bot API fields, built once.

    ``Bot.send_message`` serializes the keyboard and parses Telegram's answer into a
    ``Message`` on every call: with the defaults it applies, 44 % of the sweep's CPU per tip
    (``bench/README.md``). A bulk send needs neither, only the message id. The text and
    keyboard are kept too, for the stock path (``send_prepared(..., prepared=False)``).
    """

    fields: dict[str, Any]
    text: str = ""
    reply_markup: InlineKeyboardMarkup | None = None
    photo: str | None = None  # a file id or URL: sent as sendPhoto, ``text`` its caption

    @classmethod
    def of(cls, bot: Bot, text: str, reply_markup: InlineKeyboardMarkup | None = None) -> Prepared:
        """The fields ``send_message`` would send, the bot's defaults (HTML, no link
        previews) included; objects as the JSON text PTB sends for them."""
        fields: dict[str, Any] = {"text": text}
        defaults = getattr(bot, "defaults", None)
        if defaults is not None and defaults.parse_mode:
            fields["parse_mode"] = defaults.parse_mode
        if defaults is not None and defaults.link_preview_options:
            fields["link_preview_options"] = defaults.link_preview_options.to_json()
        if reply_markup is not None:
            fields["reply_markup"] = reply_markup.to_json()
        return cls(fields, text, reply_markup)

    @classmethod
    def photo_with_caption(
        cls,
        bot: Bot,
        photo: str,
        caption: str,
        reply_markup: InlineKeyboardMarkup | None = None,
    ) -> Prepared:
        """A photo (file id or URL) with an HTML caption, as ``send_photo`` would send it."""
        message = cls.of(bot, caption, reply_markup)
        fields = {
            k: v for k, v in message.fields.items() if k not in ("text", "link_preview_options")
        }
        fields |= {"photo": photo, "caption": caption}
        return cls(fields, caption, reply_markup, photo)

    @property
    def method(self) -> str:
        return "sendPhoto" if self.photo else "sendMessage"


# ----------------------------------------------------- prepared sends: the one boundary
# The fast path calls PTB's public ``Bot.do_api_request("sendMessage", ...)``, which warns
# (a ``PTBUserWarning``, attributed to its caller) that ``Bot.send_message`` exists. Only
# that warning, from this module, is silenced: ``warnings.catch_warnings()`` around the call
# would not do, as it swaps the process's filters for the length of an ``await`` while other
# tasks run. Where ``do_api_request`` is not the one this was written for, bulk sends take
# the stock path, ``bot.send_message``: the same request (tests/test_sender_contract.py).

_PREPARED_WARNING = r"Please use 'Bot\.send(Message|Photo)' instead of 'Bot\.do_api_request"


def _prepared_sends_supported() -> bool:
    """Whether ``ExtBot.do_api_request`` is the coroutine, with the arguments, used here."""
    method = getattr(ExtBot, "do_api_request", None)
    if not inspect.iscoroutinefunction(method):
        return False
    return {"endpoint", "api_kwargs", "rate_limit_args"} <= inspect.signature(
        method
    ).parameters.keys()


#: Whether bulk sends may take the prepared path (else ``bot.send_message``, with a warning).
PREPARED_SENDS = _prepared_sends_supported()


def _silence_prepared_warning() -> None:
    warnings.filterwarnings(
        "ignore", message=_PREPARED_WARNING, category=PTBUserWarning, module=rf"{__name__}\Z"
    )


_silence_prepared_warning()  # for every caller of send_prepared (the bot, tests, bench)


def allow_prepared_sends() -> None:
    """Silence ``do_api_request``'s "use Bot.sendMessage" warning for this module's calls
    only (message, category and module), again if the filters were reset; and say so when
    bulk sends must take the stock path. Called when the bot is built; idempotent."""
    _silence_prepared_warning()
    if not PREPARED_SENDS:
        log.warning(
            "this python-telegram-bot's Bot.do_api_request is not the one tipbot's prepared "
            "sends were written for: daily tips and broadcasts use Bot.send_message (slower)"
        )


async def send_prepared(
    bot: ExtBot,
    chat_id: int,
    message: Prepared,
    *,
    attempts: int = 3,
    backoff: float = 0.5,
    prepared: bool = True,
    **fields: Any,
) -> SendResult:
    """``send_text`` for a prepared message, marked bulk for the rate limiter.

    ``prepared=False`` (or a PTB without the expected ``do_api_request``) sends it through
    ``bot.send_message`` instead: the same request, built and answered the stock way."""
    if prepared and PREPARED_SENDS:

        async def send() -> int:
            answer = await bot.do_api_request(
                message.method,
                api_kwargs={"chat_id": chat_id, **message.fields, **fields},
                rate_limit_args=BULK,
            )
            return answer["message_id"]

    elif message.photo:

        async def send() -> int:
            sent = await bot.send_photo(
                chat_id,
                message.photo,
                caption=message.text,
                reply_markup=message.reply_markup,
                rate_limit_args=BULK,
                **fields,
            )
            return sent.message_id

    else:

        async def send() -> int:
            sent = await bot.send_message(
                chat_id,
                message.text,
                reply_markup=message.reply_markup,
                rate_limit_args=BULK,
                **fields,
            )
            return sent.message_id

    return await _with_retries(send, chat_id, attempts, backoff)


async def _with_retries(
    send: Callable[[], Coroutine[Any, Any, int]], chat_id: int, attempts: int, backoff: float
) -> SendResult:
    for attempt in range(1, attempts + 1):
        try:
            message_id = await send()
        except SendAborted:  # stopping: the caller's row goes back, no attempt counted
            return NOT_SENT
        except RetryAfter as error:
            # The rate limiter already retried; wait as told once more before giving up.
            outcome, reason = Outcome.TRANSIENT, "rate_limited"
            delay = _seconds(error.retry_after)
        except ChatMigrated as error:  # no retry here: the same id will never work again
            return SendResult(Outcome.FAILED, None, "chat_migrated", error.new_chat_id)
        except TelegramError as error:
            outcome, reason = classify(error)
            delay = backoff * 2 ** (attempt - 1)
        else:
            return SendResult(Outcome.SENT, message_id)
        if outcome is not Outcome.TRANSIENT or attempt == attempts:
            log.info("send failed chat_id=%s outcome=%s reason=%s", chat_id, outcome.value, reason)
            return SendResult(outcome, None, reason)
        await asyncio.sleep(float(delay))
    raise AssertionError("unreachable")


# ----------------------------------------------------------------------------- the policy

#: ``rate_limit_args`` of a bulk send: it waits behind interactive replies for the rate.
BULK = "bulk"
#: ``rate_limit_args`` of an outbox send: interactive priority, but its row is durable, so on
#: stop it gives its rate slot back rather than wait (sent after the restart).
QUEUED = "queued"
#: 429s that PTB's limiter waits out (``retry_after``) before a send reports one.
MAX_RETRIES = 3
#: Bot API methods without a ``parse_mode`` parameter to which PTB still adds the
#: ``Defaults(parse_mode=...)`` (its shared ``_send_message`` fills it in for every method).
#: Telegram ignores it there; the fake refuses it (fakegram/signatures.py).
WITHOUT_PARSE_MODE = frozenset(
    {"editMessageReplyMarkup", "forwardMessage", "sendContact", "sendLocation", "sendSticker"}
)
#: Sends in flight = rate x Telegram's round trip (about 50 ms), so the rate, not the
#: latency, sets the pace; at most 64 of PTB's 256 pooled connections
#: (``ApplicationBuilder.connection_pool_size``), leaving the rest to handlers. More is not
#: free: httpcore's pool spends CPU per request in proportion to the requests in flight.
SEND_LATENCY = 0.05
MIN_IN_FLIGHT, MAX_IN_FLIGHT = 4, 64
#: A bulk sender claims one slice (this long at the rate) at a time, and the next one when
#: the unsent backlog is down to a slice: claimed and unsent never exceeds ~2 s of sending.
SLICE_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class SendPolicy:
    """One policy for every sender, from the configured overall rate."""

    rate: int
    #: Bulk sends as prepared ``do_api_request`` calls (fast); ``False``: ``bot.send_message``.
    prepared: bool = True

    @property
    def paid(self) -> bool:
        """Above Telegram's free 30/s, bulk sends are paid broadcasts (up to 1,000/s)."""
        return self.rate > FloodLimit.MESSAGES_PER_SECOND

    @property
    def in_flight(self) -> int:
        return max(MIN_IN_FLIGHT, min(MAX_IN_FLIGHT, round(self.rate * SEND_LATENCY)))

    #: This replica's rate when it shares the budget (``tipbot.core.budget``); else ``rate``.
    shared: SharedRate | None = field(default=None, compare=False)

    def slice_size(self, cap: int) -> int:
        """Claims per slice of a bulk sender: about a second of sending at this replica's
        current rate, at most ``cap`` (a replica sending at a third of the rate claims a
        third: at the end of a sweep no replica holds others' share of the work)."""
        rate = self.shared.rate if self.shared is not None else self.rate
        return max(1, min(cap, math.ceil(rate * SLICE_SECONDS)))

    def limiter(self) -> SendLimiter:
        return SendLimiter(self.rate)

    async def send_bulk(
        self, bot: ExtBot, chat_id: int, message: Prepared, **kwargs: Any
    ) -> SendResult:
        """A daily tip or a broadcast: yields to replies, paid above the free rate."""
        if self.paid:
            kwargs["allow_paid_broadcast"] = True
        return await send_prepared(bot, chat_id, message, prepared=self.prepared, **kwargs)


class SendAborted(TelegramError):
    """A send that waited for a rate slot and gave it back, because the process is stopping.

    Only durable sends (``BULK``, ``QUEUED``: their row is in the database and goes back to
    be sent after the restart) give up at once; an interactive reply still waits, up to
    ``STOP_GRACE`` seconds. ``classify`` calls it a passing failure ("shutdown")."""

    def __init__(self) -> None:
        super().__init__("shutdown: the send gave its rate slot back")


#: After a stop, how long an interactive reply may still wait for a slot (a group's may be
#: a minute away); the stop must end within Docker's 10 s grace, and is meant to in 5.
STOP_GRACE = 2.0


class SharedRate:
    """A token bucket of ``rate`` per second in which waiting interactive sends go first.

    Priority rather than a fixed share: the sweep uses the whole rate while nobody writes,
    and a reply waits at most for the next token, never behind the sweep's queue.

    ``burst`` is how many seconds' worth may go at once: 1 s (aiolimiter's ``AsyncLimiter``)
    with one process; shared between replicas it is small (``SHARED_BURST``), since a full
    bucket plus a second's refill is twice the rate in one second. ``set_rate`` changes the
    rate (this replica's share of the budget); ``stop`` fails the durable waiters.
    """

    def __init__(self, rate: float, *, burst: float = 1.0) -> None:
        self.rate = float(rate)
        self.burst = burst
        self._tokens = self._capacity()
        self._stamp = time.monotonic()
        self._waiting: tuple[deque[tuple[asyncio.Future[None], bool]], ...] = (deque(), deque())
        self._timer: asyncio.TimerHandle | None = None
        self.stopping = False

    def _capacity(self) -> float:
        return max(1.0, self.rate * self.burst)

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self._capacity(), self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def set_rate(self, rate: float) -> None:
        """This replica's share changed: waiters are served at the new rate."""
        if rate == self.rate:
            return
        self._refill()
        self.rate = float(rate)
        self._tokens = min(self._tokens, self._capacity())
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        with contextlib.suppress(RuntimeError):  # no running loop: set before the bot runs
            self._grant()

    async def acquire(self, *, bulk: bool = False, durable: bool = False) -> None:
        if durable and self.stopping:
            raise SendAborted
        self._refill()
        interactive, bulk_waiting = self._waiting
        if self._tokens >= 1 and not interactive and not (bulk and bulk_waiting):
            self._tokens -= 1
            return
        future = asyncio.get_running_loop().create_future()
        self._waiting[bulk].append((future, durable))
        self._wake_later()
        await future  # a cancelled waiter is skipped by _grant

    def stop(self) -> None:
        """The process is stopping: durable waiters give their place back."""
        self.stopping = True
        for queue in self._waiting:
            for future, durable in list(queue):
                if durable and not future.done():
                    future.set_exception(SendAborted())
            kept = [(future, durable) for future, durable in queue if not future.done()]
            queue.clear()
            queue.extend(kept)

    def _wake_later(self) -> None:
        if self._timer is None and any(self._waiting) and self.rate > 0:
            delay = max(0.0, (1 - self._tokens) / self.rate)
            self._timer = asyncio.get_running_loop().call_later(delay, self._grant)

    def _grant(self) -> None:
        self._timer = None
        self._refill()
        for queue in self._waiting:  # interactive first
            while queue and self._tokens >= 1:
                future, _durable = queue.popleft()
                if not future.done():
                    future.set_result(None)
                    self._tokens -= 1
        self._wake_later()


#: A bucket shared between replicas holds this many seconds' worth (at least one token).
SHARED_BURST = 0.02
#: Telegram's limit for one group: this many messages in any ``GROUP_WINDOW`` seconds
#: (PTB's ``FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP``), plus a margin for the network's
#: jitter between our send and Telegram's count.
GROUP_MESSAGES = FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP
GROUP_WINDOW = 60.0
GROUP_MARGIN = 0.5


def next_group_slot(slots: list[float], now: float, per_window: int) -> float:
    """When a group may get its next message: now, unless the ``per_window`` latest sends
    (taken or reserved, sorted) span less than a window; never before the latest (FIFO)."""
    slot = now
    if len(slots) >= per_window:
        slot = max(slot, slots[-per_window] + GROUP_WINDOW + GROUP_MARGIN)
    if slots:
        slot = max(slot, slots[-1])
    return slot


def keep_group_slots(slots: list[float], now: float, per_window: int) -> list[float]:
    """The slots that can still matter: the last ``per_window``, none older than a window."""
    return [slot for slot in slots[-per_window:] if slot > now - GROUP_WINDOW - GROUP_MARGIN]


class GroupSlots:
    """Each group's send times, in this process (the slots' clock: ``time.time``).

    ``reserve`` returns a wall-clock time at which the caller may send (and counts it);
    ``release`` gives a reserved slot back (the caller did not send). ``tipbot.core.budget``
    keeps them in the database instead, shared by every replica and kept across restarts.
    """

    def __init__(self) -> None:
        self.per_window = GROUP_MESSAGES
        self._slots: dict[int | str, list[float]] = {}

    async def reserve(self, chat_id: int | str) -> tuple[float, float]:
        """(the slot, now) on the slots' clock."""
        now = time.time()
        slots = keep_group_slots(self._slots.get(chat_id, []), now, self.per_window)
        slot = next_group_slot(slots, now, self.per_window)
        slots.append(slot)
        self._slots[chat_id] = slots
        if len(self._slots) > 512:  # forget idle groups
            for key in [k for k, v in self._slots.items() if not v or v[-1] < now - 120]:
                del self._slots[key]
        return slot, now

    async def release(self, chat_id: int | str, slot: float) -> None:
        with contextlib.suppress(KeyError, ValueError):
            self._slots[chat_id].remove(slot)


def _group_of(chat_id: Any) -> int | str | None:
    """Groups, supergroups and channels (negative ids, or @usernames), as PTB counts them."""
    if isinstance(chat_id, str):
        try:
            chat_id = int(chat_id)
        except ValueError:
            return chat_id
    if isinstance(chat_id, int) and chat_id < 0:
        return chat_id
    return None


class SendLimiter(BaseRateLimiter[str]):
    """The Application's rate limiter: the overall rate (``SharedRate``: replies before
    sends marked ``BULK``), each group's 20 a minute (``GroupSlots``), and 429s waited out
    (``MAX_RETRIES``), as PTB's ``AIORateLimiter`` does; but every wait can be given up.

    ``stop()`` (SIGTERM): durable sends (``BULK``, ``QUEUED``) waiting for a slot raise
    ``SendAborted`` at once, interactive ones after ``STOP_GRACE``; sends already made are
    never interrupted (the request is on its way: its answer is recorded).
    """

    def __init__(self, rate: float, *, burst: float = 1.0, groups: GroupSlots | None = None):
        self.shared = SharedRate(rate, burst=burst)
        self.groups = groups or GroupSlots()
        self._retry_after = asyncio.Event()
        self._retry_after.set()
        self._stopped = asyncio.Event()
        self._stopped_at: float | None = None

    async def initialize(self) -> None:
        """Nothing to set up (the budget's heartbeat is started by the application)."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    @property
    def stopping(self) -> bool:
        return self._stopped_at is not None

    def stop(self) -> None:
        if self._stopped_at is None:
            self._stopped_at = time.monotonic()
            self._stopped.set()
            self.shared.stop()

    async def _sleep(self, seconds: float, *, durable: bool) -> None:
        """Sleep, unless the process stops meanwhile and this send should give up."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if self._stopped_at is not None:
                if durable or deadline > self._stopped_at + STOP_GRACE:
                    raise SendAborted
                await asyncio.sleep(left)
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), left)

    async def _wait_group(self, group: int | str, *, durable: bool) -> float | None:
        """Wait for the group's slot; ``None`` when there is no limit."""
        if self.stopping and durable:
            raise SendAborted
        slot, now = await self.groups.reserve(group)
        try:
            await self._sleep(slot - now, durable=durable)
        except BaseException:
            await asyncio.shield(self.groups.release(group, slot))
            raise
        return slot

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Any]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: str | None,
    ) -> Any:
        if endpoint in WITHOUT_PARSE_MODE:  # the dict PTB sends (args carries it too)
            data.pop("parse_mode", None)
        chat_id = data.get("chat_id")
        bulk = rate_limit_args == BULK
        durable = bulk or rate_limit_args == QUEUED
        group = _group_of(chat_id) if self.groups.per_window else None
        for attempt in range(MAX_RETRIES + 1):
            if group is not None:
                await self._wait_group(group, durable=durable)
            if chat_id is not None:  # what Telegram's overall limit counts
                await self.shared.acquire(bulk=bulk, durable=durable)
            if not self._retry_after.is_set():
                await self._sleep_until_retry(durable=durable)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt == MAX_RETRIES:
                    log.warning("rate limited after %d retries", MAX_RETRIES)
                    raise
                self._retry_after.clear()
                try:
                    await self._sleep(_seconds(error.retry_after) + 0.1, durable=durable)
                finally:
                    self._retry_after.set()
        raise AssertionError("unreachable")

    async def _sleep_until_retry(self, *, durable: bool) -> None:
        """Another send was told to wait (429): everyone waits with it, as in PTB."""
        while not self._retry_after.is_set():
            await self._sleep(0.1, durable=durable)
