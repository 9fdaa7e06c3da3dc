"""Sending one message to one person, with Telegram's answers sorted into what to do next.

Shared by daily tips, broadcasts and the outbox. 429s are waited out by PTB's
``AIORateLimiter`` (``max_retries``) before they reach us; what is left is classified:
the person is gone (stop sending), a passing failure (retry later), or a permanent one.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Bot, InlineKeyboardMarkup
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

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


def classify(error: TelegramError) -> tuple[Outcome, str]:
    """What a Telegram error means for the next attempt, and a short reason label."""
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
    for attempt in range(1, attempts + 1):
        try:
            message = await bot.send_message(
                chat_id,
                text,
                reply_markup=reply_markup,
                **kwargs,
            )
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
            return SendResult(Outcome.SENT, message.message_id)
        if outcome is not Outcome.TRANSIENT or attempt == attempts:
            log.info("send failed chat_id=%s outcome=%s reason=%s", chat_id, outcome.value, reason)
            return SendResult(outcome, None, reason)
        await asyncio.sleep(float(delay))
    raise AssertionError("unreachable")
