"""The HTTP client under every Bot API call: PTB's ``BaseRequest`` over one aiohttp session.

PTB's default ``HTTPXRequest`` spends 4–5× the CPU per call (see bench/README.md, "Transport").
``AiohttpRequest`` mirrors its semantics: the same default timeouts, the same mapping of
timeouts to ``TimedOut`` and of other client errors to ``NetworkError``, multipart uploads of
``InputFile``, a proxy, and ``initialize``/``shutdown``. ``TIPBOT_HTTP_CLIENT=httpx`` keeps
PTB's own client.

Both clients also (a) scrub the bot token out of every exception they raise (Bot API URLs
are ``…/bot<token>/method``, and client errors quote URLs) and (b) tell a ``BotApiMonitor``
whether Telegram answered, which ``/healthz`` and the outage log lines are built from.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import BadRequest, Conflict, InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from tipbot.core.config import ConfigError

log = logging.getLogger(__name__)

#: A bot token: the bot id, a colon and (from @BotFather) 35 letters, digits, '-' or '_'.
TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
REDACTED = "[redacted]"

#: PTB's defaults (``HTTPXRequest``, ``ApplicationBuilder``), kept so both clients behave alike.
READ_TIMEOUT = WRITE_TIMEOUT = CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0
MEDIA_WRITE_TIMEOUT = 20.0
MAX_POOL_SIZE = 256  # PTB's default pool
#: Round trip to Telegram assumed when sizing the pool, and connections kept for handlers.
SLOW_ROUND_TRIP = 0.25
HANDLER_CONNECTIONS = 64
_JSON_HEADERS = {"Content-Type": "application/json"}

POOL_TIMEOUT_MESSAGE = (
    "Pool timeout: All connections in the connection pool are occupied. "
    "Request was *not* sent to Telegram. Consider adjusting the connection "
    "pool size or the pool timeout."
)


def redact(text: str) -> str:
    """``text`` with every bot token replaced by '[redacted]'."""
    return TOKEN_PATTERN.sub(REDACTED, text)


def pool_size_for(rate: int) -> int:
    """Connections for ``rate`` sends/s at a slow round trip, plus room for handlers' replies."""
    return min(MAX_POOL_SIZE, math.ceil(rate * SLOW_ROUND_TRIP) + HANDLER_CONNECTIONS)


def _scrub(error: TelegramError) -> TelegramError:
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


class _Guarded(BaseRequest):
    """Scrubs the token from errors and reports answers and failures to the monitor."""

    monitor: BotApiMonitor | None = None

    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await super().post(url, *args, **kwargs)
        except TelegramError as error:
            self._report(url, _scrub(error))
            raise
        if self.monitor is not None:
            self.monitor.succeeded()
        return result

    async def retrieve(self, url: str, *args: Any, **kwargs: Any) -> bytes:
        try:
            return await super().retrieve(url, *args, **kwargs)
        except TelegramError as error:
            _scrub(error)
            raise

    def _report(self, url: str, error: TelegramError) -> None:
        if self.monitor is None:
            return
        if is_outage(error):
            self.monitor.failed(url.rsplit("/", 1)[-1], error)
        else:
            self.monitor.succeeded()


class AiohttpRequest(_Guarded):
    """``BaseRequest`` over one ``aiohttp.ClientSession``, with ``HTTPXRequest``'s semantics.

    The pool is a semaphore (so a full pool raises PTB's "Pool timeout" ``TimedOut`` after
    ``pool_timeout``, as httpx does) in front of a connector of the same size. The connect and
    read timeouts are aiohttp's ``sock_connect`` and ``sock_read`` (which, like httpx's read
    timeout, starts once the body is sent). aiohttp has no per-write timeout: an upload is
    bounded by ``connect + write + read`` in total instead (other bodies are a few KB).
    """

    def __init__(
        self,
        connection_pool_size: int = MAX_POOL_SIZE,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
        proxy: str | None = None,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
        *,
        monitor: BotApiMonitor | None = None,
    ) -> None:
        if proxy and not proxy.startswith(("http://", "https://")):
            raise ValueError("aiohttp supports http:// and https:// proxies only")
        self._pool_size = connection_pool_size
        self._timeouts = (read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self.monitor = monitor

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts[0]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(
                connector=connector,
                proxy=self._proxy,
                headers={"User-Agent": self.USER_AGENT},
                timeout=aiohttp.ClientTimeout(total=None),
                skip_auto_headers=("Accept-Encoding",),
            )
            self._slots = asyncio.Semaphore(self._pool_size)

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session, slots = self._session, self._slots
        if session is None or session.closed or slots is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        default_read, default_write, default_connect, default_pool = self._timeouts
        if isinstance(read_timeout, DefaultValue):
            read_timeout = default_read
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = default_connect
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = default_pool
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if files else default_write
        timeout = _timeout(connect_timeout, read_timeout, write_timeout if files else None)
        data: Any = None
        headers = None
        if files:
            data = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mime_type) in files.items():
                data.add_field(name, content, filename=filename, content_type=mime_type)
        elif request_data is not None:
            # One JSON body (the Bot API takes one), not a url-encoded form: percent-encoding
            # every field was the largest share of this method's CPU per send.
            data, headers = request_data.json_payload, _JSON_HEADERS
        if slots.locked():  # a free slot is taken at once, without arming a timer
            try:
                async with asyncio.timeout(pool_timeout):
                    await slots.acquire()
            except TimeoutError:
                raise TimedOut(message=POOL_TIMEOUT_MESSAGE) from None
        else:
            await slots.acquire()
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's ServerTimeoutError is one too
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(redact(f"aiohttp.{err.__class__.__name__}: {err}")) from err
        finally:
            slots.release()


@functools.lru_cache(maxsize=64)
def _timeout(
    connect: float | None, read: float | None, upload_write: float | None
) -> aiohttp.ClientTimeout:
    """Connect and read timeouts; an upload (the only body that can stall while being
    written) is also bounded in total by connect + write + read. Each bound is a timer per
    request, and the sweep sends a thousand requests a second."""
    total = None
    if upload_write is not None and connect is not None and read is not None:
        total = connect + upload_write + read
    return aiohttp.ClientTimeout(total=total, sock_connect=connect, sock_read=read)


class GuardedHTTPXRequest(_Guarded, HTTPXRequest):
    """PTB's own client, with the same token scrubbing and monitoring as ``AiohttpRequest``."""

    def __init__(self, *args: Any, monitor: BotApiMonitor | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.monitor = monitor


def make_request(
    client: str,
    *,
    pool_size: int,
    proxy: str | None = None,
    monitor: BotApiMonitor | None = None,
) -> BaseRequest:
    """The configured client (``aiohttp`` or ``httpx``) with PTB's default timeouts."""
    if client == "httpx":
        return GuardedHTTPXRequest(connection_pool_size=pool_size, proxy=proxy, monitor=monitor)
    try:
        return AiohttpRequest(connection_pool_size=pool_size, proxy=proxy, monitor=monitor)
    except ValueError as exc:
        raise ConfigError(f"TIPBOT_PROXY_URL: {exc}; or set TIPBOT_HTTP_CLIENT=httpx") from None
