"""A fake Telegram Bot API server over real HTTP, for end-to-end tests and the terminal demo.

Point a python-telegram-bot ``Application`` at it::

    async with FakeTelegram() as tg:
        app = (Application.builder().token(tg.token)
               .base_url(tg.base_url).base_file_url(tg.base_file_url).build())
        alice = tg.user("Alice")
        await alice.send("/start")
        reply = await alice.wait_for()

Requests arrive as ``POST {url}/bot{TOKEN}/{method}``; answers have Telegram's JSON shapes and
error strings. Users and groups (see :mod:`.actors`) cause updates, which the bot fetches with
``getUpdates`` or receives on its webhook. Everything the bot does is recorded for assertions.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
import logging
import socket
import time
from collections import Counter, deque
from collections.abc import Callable
from functools import cache
from typing import Any

import aiohttp
from aiohttp import web

from .actors import FakeChat, FakeUser
from .chats import Chats
from .errors import ApiError, Errors
from .faults import DropConnection, Faults
from .forums import Forums
from .media import Media, Upload
from .methods import NO_OP_METHODS, BotApiMethods, PendingQuery
from .models import Call, CallbackAnswer, FaultRule, WebhookDelivery
from .params import read_params
from .profile import Profile
from .reactions import Reaction, Reactions
from .recorder import Recorder
from .signal import Signal
from .signatures import unknown_parameters
from .updates import SECRET_HEADER, Updates, WebhookConfig
from .world import World

__all__ = ["SECRET_HEADER", "FakeTelegram", "WebhookConfig"]

log = logging.getLogger("fakegram")


@cache
def _api_table(cls: type) -> dict[str, tuple[str, str]]:
    """lower-cased method name -> (canonical name, attribute) for methods marked with @api."""
    table = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            name = getattr(value, "_api_name", None)
            if isinstance(name, str):
                table[name.lower()] = (name, attr)
    return table


class FakeTelegram(
    Faults, Updates, World, Recorder, Forums, Reactions, Profile, Media, Chats, BotApiMethods
):
    """The emulated Bot API server plus the test-side API (users, groups, failures, waits).

    ``record_messages=False`` keeps only counters (no message storage) and ``max_calls`` bounds
    ``calls`` (``0`` disables it) so benchmarks can send 100k messages cheaply.
    ``privacy_mode`` mirrors Telegram's default: in groups where the bot is *not* an admin it
    only receives commands, replies to its messages and @mentions.
    """

    def __init__(
        self,
        token: str = "1000:TEST-TOKEN",  # noqa: S107 - a fake bot token
        *,
        bot_id: int = 1000,
        bot_first_name: str = "TipBot",
        bot_username: str = "tipbot_test_bot",
        host: str = "127.0.0.1",
        port: int = 0,
        record_messages: bool = True,
        max_calls: int | None = None,
        privacy_mode: bool = True,
        clock: Callable[[], float] = time.time,
        webhook_retry_delays: tuple[float, ...] = (0.05, 0.1, 0.2),
        latency: float = 0.0,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.bot_first_name = bot_first_name
        self.bot_username = bot_username
        self.host = host
        self.port = port
        self.record_messages = record_messages
        self.privacy_mode = privacy_mode
        self.webhook_retry_delays = webhook_retry_delays
        #: seconds every call (but getUpdates) takes, like the round trip to real Telegram
        self.latency = latency
        self._clock = clock

        self._bot_from = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._chats: dict[int, FakeChat] = {}
        self._usernames: dict[str, FakeChat] = {}
        self._users: dict[int, FakeUser] = {}
        self._user_ids = itertools.count(10_001)
        self._supergroup_ids = itertools.count(-1_001_000_000_001, -1)
        self._group_ids = itertools.count(-500_001, -1)
        self._query_ids = itertools.count(4_000_000_000_000_001)
        self._file_numbers = itertools.count(1)

        self._seq = 0
        self._last_action_seq = 0
        self._call_consumed_seq = 0
        self._changed = Signal()  # any state change (for test-side waits)
        self._update_signal = Signal()  # new updates / webhook or poll changes

        self._updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 0
        self._fetched_upto = 0
        self._allowed_updates: frozenset[str] | None = None
        self._poll_generation = 0
        self._webhook: WebhookConfig | None = None
        self._webhook_task: asyncio.Task[None] | None = None

        self._calls: deque[Call] = deque(maxlen=max_calls)
        #: number of answered requests per canonical method name (always kept)
        self.counts: Counter[str] = Counter()
        #: number of requests answered with an error, per method
        self.error_counts: Counter[str] = Counter()
        self._faults: list[FaultRule] = []
        self._group_limit: int | None = None
        self._group_sends: dict[int, deque[float]] = {}
        self._queries: dict[str, PendingQuery] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.reaction_log: list[Reaction] = []
        self._reactions: dict[tuple[int, int], tuple[str, ...]] = {}
        self.webhook_deliveries: list[WebhookDelivery] = []
        #: exceptions raised inside method implementations (answered as 500); assert it's empty
        self.internal_errors: list[Exception] = []
        #: updates discarded because their type wasn't in allowed_updates
        self.dropped_updates: list[dict[str, Any]] = []
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        #: files the bot uploaded (sendPhoto, sendDocument) by file_id, for reuse and assertions
        self.files: dict[str, dict[str, Any]] = {}
        #: the bytes of every upload by file_id (what a picture the bot sent looks like)
        self.uploads: dict[str, Upload] = {}
        self._descriptions: dict[tuple[str, str], str] = {}
        self._default_menu_button: dict[str, Any] | None = None

        self._inflight = 0
        #: the most calls in flight at once (tests of concurrency bounds; reset freely)
        self.peak_in_flight = 0
        self._last_activity = time.monotonic()
        self._closing = False
        self._tasks: set[asyncio.Future[Any]] = set()  # calls running (shielded from clients)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

        self._handlers: dict[str, tuple[str, Callable[..., Any], bool]] = {}
        for key, (name, attr) in _api_table(type(self)).items():
            handler = getattr(self, attr)
            self._handlers[key] = (name, handler, inspect.iscoroutinefunction(handler))
        for name in NO_OP_METHODS:
            self._handlers[name.lower()] = (name, lambda p: True, False)

    # ================================================================== lifecycle
    async def start(self) -> FakeTelegram:
        """Serve on ``host`` (default 127.0.0.1) at ``port`` (default: a free one)."""
        if self._runner is not None:
            return self
        app = web.Application(client_max_size=64 * 2**20)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        await web.SockSite(runner, sock).start()
        self.port = sock.getsockname()[1]
        self._runner = runner
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
        self._closing = False
        log.debug("fake Telegram listening on %s", self.url)
        return self

    async def stop(self) -> None:
        """Answer pending long polls, stop webhook delivery and the server. State is kept."""
        self._closing = True
        self._update_signal.notify()
        self._changed.notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            await asyncio.gather(self._webhook_task, return_exceptions=True)
            self._webhook_task = None
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def __aenter__(self) -> FakeTelegram:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (only once started)."""
        if self._runner is None:
            raise RuntimeError("FakeTelegram is not started; await tg.start() first")
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder.base_url()`` / ``Bot(base_url=...)``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder.base_file_url()`` (file downloads are not emulated)."""
        return f"{self.url}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        """The bot's ``User`` as getMe returns it."""
        return {
            **self._bot_from,
            "can_join_groups": True,
            "can_read_all_group_messages": not self.privacy_mode,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # ================================================================== HTTP layer
    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path
        if path == "/_emulator/stats":  # for a bot running in another process (benchmarks)
            return web.json_response(self.stats())
        if not path.startswith("/bot"):
            return web.json_response(Errors.not_found().payload(), status=404)
        token, _, method = path[4:].partition("/")
        if token != self.token:
            return web.json_response(Errors.unauthorized().payload(), status=401)
        if not method or "/" in method:
            return web.json_response(Errors.not_found().payload(), status=404)
        try:
            params = await read_params(request)
        except ApiError as exc:
            self._record(method, {}, exc)
            return web.json_response(exc.payload(), status=exc.code)
        try:
            if not self._faults or method.lower() == "getupdates":
                # Nothing here can suspend (no scripted delay), or it's a poll that may simply end.
                status, payload = await self._dispatch(method, params)
            else:  # like Telegram, finish the call even if the client gave up waiting
                task = asyncio.ensure_future(self._dispatch(method, params))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
                status, payload = await asyncio.shield(task)
        except DropConnection:
            if request.transport is not None:
                request.transport.close()
            raise asyncio.CancelledError from None
        return web.json_response(payload, status=status)

    async def _dispatch(self, name: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Run one API call (faults, then the method) and record it; return (status, body)."""
        entry = self._handlers.get(name.lower())
        method = entry[0] if entry else name
        long_poll = method == "getUpdates"  # waiting for updates is not "bot activity"
        if not long_poll:
            self._begin()
        try:
            error: ApiError | None = None
            result: Any = None
            try:
                if self.latency and not long_poll:
                    await asyncio.sleep(self.latency)
                await self._apply_faults(method, params)
                if entry is None:
                    raise Errors.not_found()
                unknown = unknown_parameters(method, params)
                if unknown:
                    raise Errors.unknown_parameters(method, unknown)
                _, handler, is_async = entry
                result = await handler(params) if is_async else handler(params)
            except ApiError as exc:
                error = exc
            except DropConnection:
                self._record(method, params, ApiError(499, "connection dropped by the emulator"))
                raise
            except Exception as exc:  # an emulator bug or unforeseen input: keep serving
                log.exception("emulator failed on %s %s", method, params)
                self.internal_errors.append(exc)
                error = ApiError(500, f"Internal Server Error: emulator failed: {exc!r}")
            payload = error.payload() if error else {"ok": True, "result": result}
            self._record(method, params, error, payload)
            return (error.code if error else 200), payload
        finally:
            if not long_poll:
                self._end()

    def _begin(self) -> None:
        self._inflight += 1
        self.peak_in_flight = max(self.peak_in_flight, self._inflight)
        self._last_activity = time.monotonic()

    def _end(self) -> None:
        self._inflight -= 1
        self._last_activity = time.monotonic()
        self._changed.notify()

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _now(self) -> int:
        return int(self._clock())

    def _changed_notify(self) -> None:
        self._changed.notify()
