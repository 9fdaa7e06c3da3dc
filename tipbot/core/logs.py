"""Logging set-up: one line per event, and secrets scrubbed before anything is written."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable

from telegram.error import TelegramError

from tipbot.core.api_health import is_outage


class RedactingFilter(logging.Filter):
    """Replaces each secret with '[redacted]' in every record that passes a handler.

    The bot token is part of every Bot API URL, and libraries below us (httpx) log URLs.
    """

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        for secret in self._secrets:
            message = message.replace(secret, "[redacted]")
            if record.exc_text:
                record.exc_text = record.exc_text.replace(secret, "[redacted]")
        record.msg, record.args = message, None
        return True


class OutageTracebackFilter(logging.Filter):
    """Turns PTB's tracebacks for Bot API outages into one line.

    PTB logs a traceback when, for example, the updater's last getUpdates at shutdown fails;
    when Telegram is unreachable (or refuses the token) the reason is all there is to say,
    and the transport's monitor already counts these failures.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if (
            record.name.startswith("telegram")
            and isinstance(error, TelegramError)
            and is_outage(error)
        ):
            record.msg, record.args = f"{record.getMessage()} ({error})", None
            record.exc_info = record.exc_text = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            entry["error"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str = "INFO", *, fmt: str = "text", secrets: Iterable[str] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(OutageTracebackFilter())
    handler.addFilter(RedactingFilter(secrets))
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL (which contains the token) at INFO; keep it quiet.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    # At DEBUG these log whole updates (names, texts), SQL parameters or request details:
    # keep them at INFO or above so personal data never reaches the log.
    for noisy in ("telegram", "aiosqlite", "httpcore", "asyncpg"):
        logging.getLogger(noisy).setLevel(max(logging.INFO, root.level))
