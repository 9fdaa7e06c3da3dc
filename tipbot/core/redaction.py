"""The bot token out of every error and log line: Bot API URLs are ``…/bot<token>/method``,
and HTTP clients quote URLs in their exceptions (and httpx logs them)."""

from __future__ import annotations

import re

from telegram.error import TelegramError

#: A bot token: the bot id, a colon and (from @BotFather) 35 letters, digits, '-' or '_'.
TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with every bot token replaced by '[redacted]'."""
    return TOKEN_PATTERN.sub(REDACTED, text)


def scrub(error: TelegramError) -> TelegramError:
    """Remove the token from ``error``'s text; drop a cause whose text holds it."""
    error.message = redact(error.message)
    error.args = tuple(redact(a) if isinstance(a, str) else a for a in error.args)
    cause: BaseException | None = error.__cause__ or error.__context__
    while cause is not None:
        if TOKEN_PATTERN.search(f"{cause!s} {cause!r}"):
            error.__cause__ = error.__context__ = None
            error.__suppress_context__ = True
            break
        cause = cause.__cause__ or cause.__context__
    return error
