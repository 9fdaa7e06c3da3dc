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
from dataclasses import dataclass
from functools import cache
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp import web

from .actors import FakeChat, FakeGroup, FakeUser
from .errors import ApiError, Errors
from .formatting import command_entity
from .methods import NO_OP_METHODS, BotApiMethods, PendingQuery, api, embed, member_dict
from .models import (
    Call,
    CallbackAnswer,
    FaultRule,
    StoredMessage,
    WebhookDelivery,
    normalize,
    params_match,
)
from .params import read_params

log = logging.getLogger("fakegram")

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
#: Update types Telegram only sends when explicitly listed in ``allowed_updates``.
OPT_IN_UPDATE_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFIGURED: Any = object()  # "use the secret configured with setWebhook"
_TELEGRAM_SERVICE_USER = {"id": 777000, "is_bot": False, "first_name": "Telegram"}


class _DropConnection(Exception):
    """Raised by a ``drop()`` rule: the connection is closed instead of answered."""


class _Signal:
    """Wake every waiter on ``notify()``; cheap when nobody waits (hot path friendly)."""

    __slots__ = ("_event",)

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def notify(self) -> None:
        event, self._event = self._event, None
        if event is not None:
            event.set()

    async def wait(self, timeout: float | None) -> None:  # noqa: ASYNC109
        """Return on the next ``notify()`` or after ``timeout`` seconds (``None``: no limit)."""
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            pass


@dataclass
class WebhookConfig:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


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


class FakeTelegram(BotApiMethods):
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
        self._changed = _Signal()  # any state change (for test-side waits)
        self._update_signal = _Signal()  # new updates / webhook or poll changes

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
        self._queries: dict[str, PendingQuery] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.webhook_deliveries: list[WebhookDelivery] = []
        #: exceptions raised inside method implementations (answered as 500); assert it's empty
        self.internal_errors: list[Exception] = []
        #: updates discarded because their type wasn't in allowed_updates
        self.dropped_updates: list[dict[str, Any]] = []
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        #: files the bot uploaded (sendPhoto, sendDocument) by file_id, for reuse and assertions
        self.files: dict[str, dict[str, Any]] = {}
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
        except _DropConnection:
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
                _, handler, is_async = entry
                result = await handler(params) if is_async else handler(params)
            except ApiError as exc:
                error = exc
            except _DropConnection:
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

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        error: ApiError | None,
        payload: dict[str, Any] | None = None,
    ) -> None:
        self.counts[method] += 1
        if error is not None:
            self.error_counts[method] += 1
        if log.isEnabledFor(logging.DEBUG):
            log.debug("%s %s -> %s", method, params, error or "ok")
        if self._calls.maxlen != 0:
            status = error.code if error else 200
            body = payload if payload is not None else (error.payload() if error else {})
            call = Call(self._next_seq(), method, params, self._clock(), status, body, error)
            self._calls.append(call)
        self._changed.notify()

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

    # ================================================================== scripted failures
    def fail(
        self,
        method: str | None,
        *,
        error: ApiError,
        times: int | None = 1,
        **match: Any,
    ) -> FaultRule:
        """Answer the next ``times`` calls of ``method`` (``None``/``"*"``: any) whose params
        match ``match`` with ``error`` instead of running them (``times=None``: until cleared).
        Match values may be users/groups (their id) or predicates. The failed call is recorded
        in ``calls`` with its error and has no effect."""
        rule = FaultRule(_method_key(method), match, error=error, times=times)
        self._faults.append(rule)
        return rule

    def delay(
        self, method: str | None, seconds: float, *, times: int | None = None, **match: Any
    ) -> FaultRule:
        """Hold matching calls for ``seconds`` before answering (``times=None``: until cleared)."""
        rule = FaultRule(_method_key(method), match, delay=seconds, times=times)
        self._faults.append(rule)
        return rule

    def drop(self, method: str | None, *, times: int | None = 1, **match: Any) -> FaultRule:
        """Close the connection of matching calls without answering, like a network failure
        between the bot and Telegram (``times=None``: until cleared); the call has no effect."""
        rule = FaultRule(_method_key(method), match, drop=True, times=times)
        self._faults.append(rule)
        return rule

    def clear_failures(self) -> None:
        """Remove all ``fail()``, ``delay()`` and ``drop()`` rules."""
        self._faults.clear()

    async def _apply_faults(self, method: str, params: dict[str, Any]) -> None:
        if not self._faults:
            return
        delay, error, drop = 0.0, None, False
        for rule in self._faults:
            if not rule.applies(method, params):
                continue
            if rule.drop:
                drop = True
                rule.consume()
            elif rule.error is None:
                delay += rule.delay
                rule.consume()
            elif error is None:
                error = rule.error
                rule.consume()
        self._faults = [rule for rule in self._faults if not rule.exhausted]
        if delay:
            await asyncio.sleep(delay)
        if drop:
            raise _DropConnection
        if error is not None:
            raise error

    # ================================================================== updates: polling
    def _new_update_id(self) -> int:
        self._next_update_id += 1
        return self._next_update_id

    def _enqueue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for the bot; it counts as the latest user action for waits."""
        self._updates.append(update)
        self._last_action_seq = self._next_seq()
        self._last_activity = time.monotonic()
        self._update_signal.notify()
        self._changed.notify()
        if self._webhook is not None and self._runner is not None:
            self._ensure_webhook_worker()
        return update

    def _new_update(self, kind: str, payload: dict[str, Any]) -> dict[str, Any]:
        return self._enqueue({"update_id": self._new_update_id(), kind: payload})

    def _wants(self, update: dict[str, Any]) -> bool:
        kind = _update_type(update)
        if self._allowed_updates is None:
            return kind not in OPT_IN_UPDATE_TYPES
        return kind in self._allowed_updates

    def _set_allowed_updates(self, allowed: Any) -> None:
        self._allowed_updates = frozenset(allowed) if allowed else None

    def _take_allowed(self, limit: int) -> list[dict[str, Any]]:
        """The first ``limit`` pending updates the bot wants; unwanted ones are discarded."""
        batch: list[dict[str, Any]] = []
        unwanted = False
        for update in self._updates:
            if self._wants(update):
                batch.append(update)
                if len(batch) >= limit:
                    break
            else:
                unwanted = True
        if unwanted:
            kept: deque[dict[str, Any]] = deque()
            for update in self._updates:
                (kept if self._wants(update) else self.dropped_updates).append(update)
            self._updates = kept
        return batch

    def _confirm(self, offset: Any) -> None:
        """Forget updates below ``offset`` (negative: keep only the last ``-offset``)."""
        if not isinstance(offset, int) or offset == 0:
            return
        if offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()
        else:
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()

    @api("getUpdates")
    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self._webhook is not None:
            raise Errors.conflict_webhook()
        if "allowed_updates" in p:
            self._set_allowed_updates(p["allowed_updates"])
        self._confirm(p.get("offset"))
        limit = min(max(_int(p.get("limit"), 100), 1), 100)
        timeout = max(_int(p.get("timeout"), 0), 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._update_signal.notify()  # an older long poll now answers 409, like Telegram
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._take_allowed(limit)
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                break
            await self._update_signal.wait(remaining)
            if generation != self._poll_generation:
                raise Errors.conflict_polling()
        if batch:
            self._fetched_upto = max(self._fetched_upto, batch[-1]["update_id"])
            self._last_activity = time.monotonic()
        return batch

    # ================================================================== updates: webhook
    @api("setWebhook")
    def _set_webhook(self, p: dict[str, Any]) -> bool:
        url = p.get("url") or ""
        if p.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in p:
            self._set_allowed_updates(p["allowed_updates"])
        if not url:
            self._webhook = None
            self._update_signal.notify()
            return True
        if not url.startswith(("http://", "https://")):
            raise Errors.bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = p.get("secret_token") or None
        if secret is not None and not all(c.isalnum() or c in "_-" for c in secret):
            raise Errors.bad_request("secret token contains unallowed characters")
        self._webhook = WebhookConfig(
            url, secret, _int(p.get("max_connections"), 40), p.get("ip_address")
        )
        self._ensure_webhook_worker()
        self._update_signal.notify()
        return True

    @api("deleteWebhook")
    def _delete_webhook(self, p: dict[str, Any]) -> bool:
        if p.get("drop_pending_updates"):
            self._updates.clear()
        self._webhook = None
        self._update_signal.notify()
        return True

    @api("getWebhookInfo")
    def _get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        config = self._webhook
        info: dict[str, Any] = {
            "url": config.url if config else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if config is not None:
            info["max_connections"] = config.max_connections
            optional = {
                "ip_address": config.ip_address,
                "last_error_date": config.last_error_date,
                "last_error_message": config.last_error_message,
            }
            info.update({k: v for k, v in optional.items() if v is not None})
            if self._allowed_updates is not None:
                info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    def _ensure_webhook_worker(self) -> None:
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.get_running_loop().create_task(self._webhook_loop())

    async def _webhook_loop(self) -> None:
        """Deliver pending updates one at a time, in order, while a webhook is set."""
        while not self._closing and self._webhook is not None:
            batch = self._take_allowed(1)
            if not batch:
                await self._update_signal.wait(None)
                continue
            update, config = batch[0], self._webhook
            self._begin()
            try:
                await self._deliver(update, config)
            finally:
                if self._updates and self._updates[0] is update:
                    self._updates.popleft()  # delivered, or given up after the retries
                self._end()

    async def _deliver(self, update: dict[str, Any], config: WebhookConfig) -> bool:
        for attempt, backoff in enumerate((0.0, *self.webhook_retry_delays), start=1):
            if backoff:
                await asyncio.sleep(backoff)
            delivery = await self._post_update(config.url, update, config.secret_token, attempt)
            if delivery.ok:
                return True
            config.last_error_date = self._now()
            config.last_error_message = delivery.error
        log.warning("webhook gave up on update %s: %s", update["update_id"], delivery.error)
        return False

    async def _post_update(
        self, url: str, update: dict[str, Any], secret: str | None, attempt: int
    ) -> WebhookDelivery:
        if self._session is None:
            raise RuntimeError("FakeTelegram is not started")
        headers = {SECRET_HEADER: secret} if secret else {}
        status: int | None = None
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                status = response.status
                error = (
                    None
                    if 200 <= status < 300
                    else (f"Wrong response from the webhook: {status} {_reason(status)}")
                )
        except (aiohttp.ClientError, TimeoutError) as exc:
            error = f"Connection failed: {exc.__class__.__name__}: {exc}"
        delivery = WebhookDelivery(
            update["update_id"], url, attempt, status, error, secret, self._clock()
        )
        self.webhook_deliveries.append(delivery)
        self._changed.notify()
        return delivery

    async def post_to_webhook(
        self, update: dict[str, Any], *, secret: str | None = _CONFIGURED, url: str | None = None
    ) -> int | None:
        """POST one update straight to the webhook (bypassing the queue); return the status.

        ``secret`` defaults to the configured one; pass a wrong one (or ``None`` to omit the
        header) for negative tests. ``url`` defaults to the configured webhook. Recorded in
        ``webhook_deliveries``; ``None`` if the connection failed.
        """
        config = self._webhook
        target = url or (config.url if config else None)
        if not target:
            raise RuntimeError("no webhook is set; pass url=")
        if secret is _CONFIGURED:
            secret = config.secret_token if config else None
        update = {"update_id": self._new_update_id(), **update}
        return (await self._post_update(target, update, secret, attempt=1)).status

    # ================================================================== actors & updates
    def user(
        self,
        first_name: str | None = None,
        *,
        user_id: int | None = None,
        username: str | None = None,
        last_name: str | None = None,
        language_code: str | None = "en",
        phone_number: str | None = None,
        is_premium: bool | None = None,
        started: bool = True,
    ) -> FakeUser:
        """Create a user (and their private chat, same id). ``started=False``: the user never
        wrote to the bot, so sending to them answers 403 until they do."""
        user_id = user_id if user_id is not None else self._free_id(self._user_ids)
        user = FakeUser(
            self,
            user_id,
            first_name or f"User{user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
            phone_number=phone_number,
            is_premium=is_premium,
            started=started,
        )
        self._register(user, username)
        self._users[user_id] = user
        return user

    def group(
        self,
        title: str = "Group",
        chat_id: int | None = None,
        *,
        username: str | None = None,
        supergroup: bool = True,
        bot_status: str = "administrator",
    ) -> FakeGroup:
        """Create a (super)group the bot is in with ``bot_status`` (default administrator)."""
        ids = self._supergroup_ids if supergroup else self._group_ids
        chat_id = chat_id if chat_id is not None else self._free_id(ids)
        group = FakeGroup(
            self, chat_id, title, username=username, supergroup=supergroup, bot_status=bot_status
        )
        self._register(group, username)
        return group

    def chat(self, chat_id: int) -> FakeChat:
        """The user or group with this chat id (``KeyError`` if unknown)."""
        return self._chats[chat_id]

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    @property
    def groups(self) -> list[FakeGroup]:
        return [chat for chat in self._chats.values() if isinstance(chat, FakeGroup)]

    def _free_id(self, ids: itertools.count[int]) -> int:
        return next(i for i in ids if i not in self._chats)

    def _register(self, chat: FakeChat, username: str | None) -> None:
        if chat.id in self._chats:
            raise ValueError(f"chat id {chat.id} is already used by {self._chats[chat.id]!r}")
        self._chats[chat.id] = chat
        if username:
            self._usernames[username.lower()] = chat

    async def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue any raw update (``update_id`` is assigned when missing); return it."""
        update = dict(update)
        if "update_id" in update:
            self._next_update_id = max(self._next_update_id, update["update_id"])
        else:
            update["update_id"] = self._new_update_id()
        return self._enqueue(update)

    def _user_message(
        self,
        user: FakeUser,
        chat: FakeChat,
        content: dict[str, Any],
        *,
        reply_to: StoredMessage | None = None,
    ) -> StoredMessage:
        """Store a message a user sends and queue it for the bot (if the bot may see it)."""
        if isinstance(chat, FakeUser) and chat is not user:
            raise ValueError(f"{user!r} can't write in {chat!r}'s private chat")
        if chat is user and user.blocked:
            raise RuntimeError(f"{user!r} blocked the bot; await unblock_bot() first")
        if getattr(chat, "migrated_to", None) is not None:
            raise RuntimeError(f"{chat!r} became supergroup {chat.migrated_to}; write there")
        message: dict[str, Any] = {
            "message_id": chat._new_message_id(),
            "from": user.user_dict,
            "chat": chat.chat_dict,
            "date": self._now(),
        }
        if reply_to is not None:
            message["reply_to_message"] = embed(self._current(reply_to))
        message.update(content)
        record = StoredMessage(message, self._next_seq(), outgoing=False)
        if self.record_messages:
            chat._store(record)
        if chat is user:
            user.started = True
        if self._bot_receives(chat, message):
            self._new_update("message", message)
        return record

    def _next_file_id(self) -> int:
        return next(self._file_numbers)

    def _migrate_group(
        self, old: FakeGroup, by: FakeUser | None, *, service_messages: bool
    ) -> FakeGroup:
        if old.type != "group" or old.migrated_to is not None:
            raise ValueError(f"{old!r} is not a basic group that can be upgraded")
        new = self.group(old.title, bot_status=old.bot_status)
        new.members = dict(old.members)
        old.migrated_to = new.id
        actor = by.user_dict if by is not None else self._some_admin(old)
        for chat, field, value in (
            (old, "migrate_to_chat_id", new.id),
            (new, "migrate_from_chat_id", old.id),
        ):
            message = {
                "message_id": chat._new_message_id(),
                "from": actor,
                "chat": chat.chat_dict,
                "date": self._now(),
                field: value,
            }
            if self.record_messages:
                chat._store(StoredMessage(message, self._next_seq(), outgoing=False))
            if service_messages:
                self._new_update("message", message)  # service messages pass privacy mode
        return new

    def _bot_receives(self, chat: FakeChat, message: dict[str, Any]) -> bool:
        """Telegram's group privacy mode: what a non-admin bot gets to see."""
        if not isinstance(chat, FakeGroup):
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.privacy_mode or chat.bot_status in ("administrator", "creator"):
            return True
        text = message.get("text", "")
        reply = message.get("reply_to_message") or {}
        if reply.get("from", {}).get("id") == self.bot_id:
            return True
        if f"@{self.bot_username}".lower() in text.lower():
            return True
        command = command_entity(text)
        if command is None:
            return False
        _, _, addressee = text[: command["length"]].partition("@")
        return not addressee or addressee.lower() == self.bot_username.lower()

    def _current(self, message: Any) -> StoredMessage:
        """The stored (current) version of a message given as StoredMessage, dict or PTB object."""
        self._require_recording("pressing buttons / replying")
        if isinstance(message, StoredMessage):
            chat_id, message_id = message.chat_id, message.message_id
        elif isinstance(message, dict):
            chat_id, message_id = message["chat"]["id"], message["message_id"]
        else:  # duck-typed telegram.Message
            chat_id, message_id = message.chat_id, message.message_id
        record = self.chat(chat_id).get(message_id)
        if record is None:
            raise LookupError(f"message {message_id} is not stored in chat {chat_id}")
        if record.deleted:
            raise LookupError(f"message {message_id} in chat {chat_id} was deleted")
        return record

    def _callback_query(self, user: FakeUser, record: StoredMessage, data: str) -> str:
        query_id = str(next(self._query_ids))
        query = {
            "id": query_id,
            "from": user.user_dict,
            "message": dict(record.data),
            "chat_instance": f"{abs(record.chat_id)}{self.bot_id}",
            "data": data,
        }
        self._queries[query_id] = PendingQuery(user.id, record, data)
        self._new_update("callback_query", query)
        return query_id

    def _bot_membership_update(
        self, chat: FakeChat, by: FakeUser | None, old: str, new: str
    ) -> dict[str, Any]:
        if by is not None:
            actor = by.user_dict
        elif isinstance(chat, FakeUser):
            actor = chat.user_dict
        else:
            actor = self._some_admin(chat)
        change = {
            "chat": chat.chat_dict,
            "from": actor,
            "date": self._now(),
            "old_chat_member": member_dict(self._bot_from, old),
            "new_chat_member": member_dict(self._bot_from, new),
        }
        return self._new_update("my_chat_member", change)

    def _some_admin(self, chat: FakeChat) -> dict[str, Any]:
        for user_id, (status, _) in getattr(chat, "members", {}).items():
            if status in ("creator", "administrator") and user_id in self._users:
                return self._users[user_id].user_dict
        return _TELEGRAM_SERVICE_USER

    def _store_outgoing(self, chat: FakeChat, message: dict[str, Any]) -> StoredMessage:
        record = StoredMessage(message, self._next_seq(), outgoing=True)
        chat.sent_count += 1
        if self.record_messages:
            chat._store(record)
        self._changed.notify()
        return record

    # ================================================================== reading
    @property
    def calls(self) -> list[Call]:
        """Every answered request, oldest first (bounded by ``max_calls``)."""
        return list(self._calls)

    def calls_to(self, method: str | None = None, **params: Any) -> list[Call]:
        """Recorded calls of ``method`` (case-insensitive; ``None``: any) matching ``params``."""
        key = _method_key(method)
        return [
            call
            for call in self._calls
            if (key is None or call.method.lower() == key) and params_match(call.params, params)
        ]

    def stats(self) -> dict[str, Any]:
        """Counters (also served as JSON at ``{url}/_emulator/stats``)."""
        return {
            "counts": dict(self.counts),
            "error_counts": dict(self.error_counts),
            "messages_sent": self.messages_sent,
            "pending_updates": len(self._updates),
            "webhook_deliveries": len(self.webhook_deliveries),
        }

    @property
    def messages_sent(self) -> int:
        """Messages the bot created (sent, copied, forwarded) across all chats."""
        return sum(chat.sent_count for chat in self._chats.values())

    def answers(self, user: FakeUser | int | None = None) -> list[CallbackAnswer]:
        """answerCallbackQuery calls (optionally for queries of ``user``), oldest first."""
        user_id = normalize(user)
        return [a for a in self.callback_answers if user_id is None or a.user_id == user_id]

    def alerts(self, user: FakeUser | int | None = None) -> list[CallbackAnswer]:
        """Like :meth:`answers`, only those shown as an alert (``show_alert=True``)."""
        return [a for a in self.answers(user) if a.show_alert]

    def commands(
        self, scope: dict[str, Any] | str | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """Commands set for ``scope`` (dict, or its type like ``"all_private_chats"``)."""
        if isinstance(scope, str):
            scope = {"type": scope}
        if scope is not None:
            scope = {key: normalize(value) for key, value in scope.items()}
        return self._get_my_commands({"scope": scope, "language_code": language_code})

    def description(self, language_code: str = "", *, short: bool = False) -> str:
        """The description (or short description) set for ``language_code`` ("" = default)."""
        kind = "short_description" if short else "description"
        return self._descriptions.get((kind, language_code), "")

    def menu_button(self, chat: FakeChat | None = None) -> dict[str, Any]:
        """The menu button for ``chat`` (or the default one)."""
        params = {"chat_id": chat.id} if chat is not None else {}
        return self._get_chat_menu_button(params)

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates queued and not yet confirmed by the bot (or delivered to the webhook)."""
        return list(self._updates)

    @property
    def webhook(self) -> WebhookConfig | None:
        """The webhook set with setWebhook (``None`` when polling)."""
        return self._webhook

    # ================================================================== waiting
    def mark(self) -> int:
        """A point in time for ``wait_for(since=...)`` / ``wait_for_call(since=...)``."""
        return self._seq

    async def _wait(
        self,
        check: Callable[[], Any],
        timeout: float,  # noqa: ASYNC109 - deadline shared by the re-checks
        describe: Callable[[], str],
    ) -> Any:
        """Re-run ``check`` on every state change until it returns non-None; else TimeoutError."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = check()
            if result is not None:
                return result
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(describe())
            await self._changed.wait(remaining)

    async def wait_until(
        self,
        condition: Callable[[], Any],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
    ) -> Any:
        """Wait until ``condition()`` is truthy (re-checked on every emulator state change)."""
        return await self._wait(
            lambda: condition() or None,
            timeout,
            lambda: f"condition still false after {timeout}s\n{self._debug_summary()}",
        )

    async def wait_for_call(
        self,
        method: str | None = None,
        predicate: Callable[[Call], Any] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
        since: int | None = None,
        **params: Any,
    ) -> Call:
        """Wait for a *new* recorded call of ``method`` matching ``params``/``predicate``.

        New = after the latest user action and after the call an earlier ``wait_for_call``
        returned (or after ``since=tg.mark()``). Failed calls count too (check ``call.ok``).
        """
        if self._calls.maxlen == 0:
            raise RuntimeError("wait_for_call needs call recording (max_calls != 0)")
        key = _method_key(method)

        def check() -> Call | None:
            threshold = (
                since if since is not None else max(self._call_consumed_seq, self._last_action_seq)
            )
            for call in _after(self._calls, threshold):
                if key is not None and call.method.lower() != key:
                    continue
                if params_match(call.params, params) and (predicate is None or predicate(call)):
                    self._call_consumed_seq = max(self._call_consumed_seq, call.seq)
                    return call
            return None

        what = f"call {method or '(any)'} {params or ''}"
        return await self._wait(
            check, timeout, lambda: f"no new {what} within {timeout}s\n{self._debug_summary()}"
        )

    async def wait_for_answer(
        self,
        query_id: str,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
    ) -> CallbackAnswer:
        """Wait until the bot answers callback query ``query_id`` (as returned by ``press``)."""

        def check() -> CallbackAnswer | None:
            return next((a for a in self.callback_answers if a.query_id == query_id), None)

        return await self._wait(
            check,
            timeout,
            lambda: (
                f"callback query {query_id} not answered in {timeout}s\n" + self._debug_summary()
            ),
        )

    async def wait_idle(
        self,
        *,
        quiet: float = 0.05,
        timeout: float = 5.0,  # noqa: ASYNC109 - part of the readable test API
    ) -> None:
        """Wait until the bot has fetched every queued update, no request (or webhook delivery)
        is in flight, and nothing happened for ``quiet`` seconds.

        The quiet period covers the gap between the bot fetching an update and its handler's
        first request. Handlers that wait on something other than the Bot API for longer than
        ``quiet`` (e.g. a slow database) need a larger value or an explicit ``wait_for``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            busy = self._busy()
            pause: float | None = None
            if busy is None:
                idle_for = time.monotonic() - self._last_activity
                if idle_for >= quiet:
                    return
                pause = quiet - idle_for
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"not idle after {timeout}s: {busy or 'still active'}\n{self._debug_summary()}"
                )
            await self._changed.wait(min(remaining, pause) if pause is not None else remaining)

    def _busy(self) -> str | None:
        if self._inflight:
            return f"{self._inflight} request(s)/webhook deliveries in flight"
        if self._webhook is not None:
            if self._updates:
                return f"{len(self._updates)} update(s) not yet delivered to the webhook"
        elif self._updates and self._updates[-1]["update_id"] > self._fetched_upto:
            unfetched = sum(1 for u in self._updates if u["update_id"] > self._fetched_upto)
            return f"{unfetched} update(s) not fetched by the bot (is it polling?)"
        return None

    def _require_recording(self, what: str) -> None:
        if not self.record_messages:
            raise RuntimeError(f"{what} needs FakeTelegram(record_messages=True)")

    def _debug_summary(self) -> str:
        """What the emulator saw lately; appended to timeout errors to explain them."""
        webhook = self._webhook.url if self._webhook else None
        lines = [f"emulator: {self._busy() or 'idle'}; webhook={webhook}"]
        # Empty long polls are noise here.
        recent = [c for c in self._calls if c.method != "getUpdates" or c.result != []][-8:]
        lines.append("last calls:" if recent else "no calls recorded")
        for call in recent:
            outcome = "ok" if call.ok else f"{call.status} {call.error and call.error.description}"
            lines.append(f"  {call.method} {_short(call.params)} -> {outcome}")
        return "\n".join(lines)


def _method_key(method: str | None) -> str | None:
    return None if method in (None, "*") else method.lower()  # type: ignore[union-attr]


def _update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _after(calls: deque[Call], threshold: int) -> list[Call]:
    """Calls with ``seq > threshold``, oldest first (scans from the newest end)."""
    newer: list[Call] = []
    for call in reversed(calls):
        if call.seq <= threshold:
            break
        newer.append(call)
    newer.reverse()
    return newer


def _short(params: dict[str, Any]) -> str:
    text = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return text if len(text) <= 120 else text[:117] + "..."
