"""Whether Telegram answers: ``/healthz``'s "last successful Bot API call", and outages
logged once per failure class and then counted once a minute instead of PTB's traceback per
retry. Both HTTP clients (``core/transport.py``) report every call here."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, TelegramError, TimedOut

log = logging.getLogger(__name__)


def failure_class(error: TelegramError) -> str:
    """A short label for grouping failures: the client's error class, else Telegram's text."""
    if isinstance(error, Conflict):
        return "409 Conflict"
    cause = error.__cause__
    if cause is not None:
        return type(cause).__name__
    if isinstance(error, TimedOut):
        return "TimedOut"
    return error.message[:80]


def is_outage(error: TelegramError) -> bool:
    """Whether ``error`` means Telegram did not (usefully) answer; other errors are answers."""
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB, but an answer
        return False
    return isinstance(error, NetworkError | InvalidToken | Conflict)


def _log_first(method: str, error: TelegramError) -> None:
    """The line for the first failure of its class; later ones are counted."""
    if isinstance(error, Conflict):
        log.warning(
            "another copy of this bot is running with the same token (Telegram answered %s "
            "with 409 Conflict): stop the other copy; retrying",
            method,
        )
    elif isinstance(error, InvalidToken):
        log.error(
            "Telegram rejected TIPBOT_TOKEN (revoked?) on %s: get a new one from @BotFather "
            "and restart",
            method,
        )
    else:
        log.warning(
            "Bot API unreachable: %s failed (%s); retrying, counts follow once a minute",
            method,
            error.message[:200],
        )


class BotApiMonitor:
    """When the Bot API last answered, and failures summarised once a minute per class.

    Before the first answer the runner reports each start-up attempt itself, so nothing is
    logged here; afterwards a failure class is logged once when it appears and then as one
    count per ``window``, instead of PTB's traceback per retry.
    """

    def __init__(
        self,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        window: timedelta = timedelta(seconds=60),
    ) -> None:
        self._now = now
        self.window = window
        self.last_success_at: datetime | None = None
        self.last_failure: str | None = None
        self.failing_since: datetime | None = None
        self._counts: Counter[tuple[str, str]] = Counter()
        self._window_start: datetime | None = None
        self._logged_at: dict[tuple[str, str], datetime] = {}

    def succeeded(self) -> None:
        now = self._now()
        self.last_success_at = now
        if self.failing_since is not None:
            self._flush(now)
            seconds = (now - self.failing_since).total_seconds()
            log.info("Bot API answers again after %d s of failures", seconds)
            self.failing_since = None
            self.last_failure = None
        elif self._window_start is not None and now - self._window_start >= self.window:
            self._flush(now)

    def failed(self, method: str, error: TelegramError) -> None:
        now = self._now()
        kind = failure_class(error)
        self.last_failure = f"{method}: {error.message}"[:300]
        if self.last_success_at is None:
            return
        if not isinstance(error, Conflict) and self.failing_since is None:
            self.failing_since = now
        if self._window_start is not None and now - self._window_start >= self.window:
            self._flush(now)  # the window is over: its counts; this failure opens the next
        key = (method, kind)
        logged = self._logged_at.get(key)
        if logged is None or now - logged > self.window:
            _log_first(method, error)
            self._logged_at[key] = now
        self._counts[key] += 1
        if self._window_start is None:
            self._window_start = now

    def _flush(self, now: datetime) -> None:
        seconds = (now - self._window_start).total_seconds() if self._window_start else 0
        for (method, kind), count in sorted(self._counts.items()):
            self._logged_at[method, kind] = now
            if kind == "409 Conflict":
                log.warning(
                    "another copy of this bot is running with the same token: "
                    "%d %s refused in the last %d s (409 Conflict)",
                    count,
                    method,
                    seconds,
                )
            else:
                log.warning(
                    "Bot API unreachable: %d failed %s in the last %d s (%s)",
                    count,
                    method,
                    seconds,
                    kind,
                )
        self._counts.clear()
        self._window_start = None

    def problem(self, max_age: timedelta) -> str | None:
        """Why the bot cannot count on Telegram now, for ``/healthz``; ``None`` when it can."""
        if self.last_success_at is None:
            reason = f" (last error: {self.last_failure})" if self.last_failure else ""
            return f"the Bot API has not answered yet{reason}"
        age = self._now() - self.last_success_at
        if age > max_age:
            reason = f" (last error: {self.last_failure})" if self.last_failure else ""
            return f"last successful Bot API call {int(age.total_seconds())} s ago{reason}"
        return None
