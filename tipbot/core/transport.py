"""The HTTP client under every Bot API call: PTB's ``BaseRequest`` over one aiohttp session.

PTB's default ``HTTPXRequest`` spends 4–5× the CPU per call (see bench/README.md, "Transport").
``AiohttpRequest`` mirrors its semantics: the same default timeouts, the same mapping of
timeouts to ``TimedOut`` and of other client errors to ``NetworkError``, multipart uploads of
``InputFile``, a proxy, and ``initialize``/``shutdown``. ``TIPBOT_HTTP_CLIENT=httpx`` keeps
PTB's own client.

Both clients also (a) scrub the bot token out of every exception they raise
(``core/redaction.py``) and (b) tell a ``BotApiMonitor`` whether Telegram answered
(``core/api_health.py``), which ``/healthz`` and the outage log lines are built from. One
contract (``tests/test_transport.py``) runs every behaviour against both clients.
"""

from __future__ import annotations

import asyncio
import functools
import math
from typing import Any

import aiohttp
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from tipbot.core.api_health import BotApiMonitor, is_outage
from tipbot.core.config import ConfigError
from tipbot.core.redaction import redact, scrub

#: What PTB passes for a timeout the caller left unset (``BaseRequest.DEFAULT_NONE``, a
#: ``DefaultValue``): its class, read off the public attribute instead of ``telegram._utils``.
_Unset = type(BaseRequest.DEFAULT_NONE)
#: A timeout argument of ``do_request``: seconds, ``None`` (no limit) or ``DEFAULT_NONE``.
Timeout = float | None | Any

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


def pool_size_for(rate: int) -> int:
    """Connections for ``rate`` sends/s at a slow round trip, plus room for handlers' replies."""
    return min(MAX_POOL_SIZE, math.ceil(rate * SLOW_ROUND_TRIP) + HANDLER_CONNECTIONS)


class _Guarded(BaseRequest):
    """Scrubs the token from errors and reports answers and failures to the monitor."""

    monitor: BotApiMonitor | None = None

    async def post(self, url: str, *args: Any, **kwargs: Any) -> Any:
        try:
            result = await super().post(url, *args, **kwargs)
        except TelegramError as error:
            self._report(url, scrub(error))
            raise
        if self.monitor is not None:
            self.monitor.succeeded()
        return result

    async def retrieve(self, url: str, *args: Any, **kwargs: Any) -> bytes:
        try:
            return await super().retrieve(url, *args, **kwargs)
        except TelegramError as error:
            scrub(error)
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
        read_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        write_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        connect_timeout: Timeout = BaseRequest.DEFAULT_NONE,
        pool_timeout: Timeout = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session, slots = self._session, self._slots
        if session is None or session.closed or slots is None:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        default_read, default_write, default_connect, default_pool = self._timeouts
        if isinstance(read_timeout, _Unset):
            read_timeout = default_read
        if isinstance(connect_timeout, _Unset):
            connect_timeout = default_connect
        if isinstance(pool_timeout, _Unset):
            pool_timeout = default_pool
        if isinstance(write_timeout, _Unset):
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
