"""The transport contract: aiohttp (the default) and httpx (``TIPBOT_HTTP_CLIENT=httpx``)
behave alike for every answer Telegram can give.

Each test runs PTB's real ``Bot`` over both clients (the ``client`` fixture), against the fake
Bot API or a small aiohttp server on 127.0.0.1, and checks the PTB exception and that its text
(with its whole traceback) never holds the token: timeouts, network errors, 5xx, 429's
``retry_after``, uploads, a proxy, the token kept out of the logs, and what the Bot API
monitor (``core/api_health.py``) counts and logs.
"""

from __future__ import annotations

import ast
import asyncio
import io
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from telegram import Bot, InputFile
from telegram.error import (
    BadRequest,
    Conflict,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import BaseRequest

import tipbot
from fakegram import Errors
from tests.conftest import TOKEN
from tests.helpers.net import free_port
from tests.helpers.png import tiny_png
from tests.helpers.waiting import eventually
from tipbot.core.api_health import BotApiMonitor
from tipbot.core.logs import OutageTracebackFilter, RedactingFilter
from tipbot.core.transport import AiohttpRequest, GuardedHTTPXRequest, make_request

CLIENTS = ["aiohttp", "httpx"]
TOKEN_SECRET = TOKEN.split(":")[1]
PNG = tiny_png(64, 48)


@pytest.fixture(params=CLIENTS)
def client(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def make_bot(client) -> AsyncIterator[Callable[..., Awaitable[Bot]]]:
    """A started ``Bot`` over ``client`` talking to ``url``; shut down at the end."""
    bots: list[Bot] = []

    async def make(url: str, *, request: BaseRequest | None = None) -> Bot:
        request = request or make_request(client, pool_size=8)
        bot = Bot(TOKEN, base_url=f"{url}/bot", request=request, get_updates_request=request)
        await request.initialize()
        bots.append(bot)
        return bot

    yield make
    for bot in bots:
        await bot.request.shutdown()


async def serve(handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.AppRunner:
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.1)
    await runner.setup()
    return runner


@pytest.fixture
async def http_server() -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """Serve one handler on 127.0.0.1; returns the base URL."""
    runners: list[web.AppRunner] = []

    async def start(handler, port: int = 0) -> str:
        runner = await serve(handler)
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()


def answer(status: int, description: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handler(_request: web.Request) -> web.Response:
        body = {"ok": False, "error_code": status, "description": description}
        return web.json_response(body, status=status)

    return handler


async def raises(
    expected: type[TelegramError], call: Awaitable[object], match: str | None = None
) -> TelegramError:
    """The error ``call`` raises; asserts its type, its text, and no token anywhere in it."""
    with pytest.raises(expected, match=match) as info:
        await call
    text = "".join(traceback.format_exception(info.value))
    assert TOKEN_SECRET not in text
    return info.value


async def test_send_message_round_trip(tg, make_bot):
    alice = tg.user("Alice")
    bot = await make_bot(tg.url)
    message = await bot.send_message(alice.id, "<b>Hello</b> there", parse_mode="HTML")
    assert message.text == "Hello there"
    assert alice.messages[-1].text == "Hello there"


async def test_multipart_uploads_reach_telegram(tg, make_bot):
    alice = tg.user("Alice")
    bot = await make_bot(tg.url)
    photo = await bot.send_photo(alice.id, InputFile(PNG, filename="gut.png"), caption="Fibre")
    assert photo.photo[-1].file_size == len(PNG)
    assert photo.caption == "Fibre"
    document = await bot.send_document(
        alice.id, InputFile(b"a,b\n1,2\n", filename="notes.csv"), caption="<i>Notes</i>"
    )
    assert (document.document.file_name, document.document.file_size) == ("notes.csv", 8)
    assert document.document.mime_type == "text/csv"
    # A file already uploaded is sent again by its file_id, without a new upload.
    again = await bot.send_photo(alice.id, photo.photo[-1].file_id)
    assert again.photo[-1].file_id == photo.photo[-1].file_id
    await raises(BadRequest, bot.send_photo(alice.id, "no-such-file"), "(?i)wrong file identifier")
    await raises(BadRequest, bot.send_document(alice.id, b"x", caption="x" * 1025), "too long")


async def test_flood_wait_is_retry_after(tg, make_bot):
    alice = tg.user("Alice")
    tg.fail("sendMessage", error=Errors.too_many_requests(7))
    bot = await make_bot(tg.url)
    error = await raises(RetryAfter, bot.send_message(alice.id, "hi"))
    assert error.retry_after.total_seconds() == 7


async def test_bad_request(tg, make_bot):
    bot = await make_bot(tg.url)
    await raises(BadRequest, bot.send_message(424242, "hi"), "(?i)chat not found")


@pytest.mark.parametrize("status", [401, 404])
async def test_rejected_token_is_invalid_token(http_server, make_bot, status):
    url = await http_server(answer(status, "Unauthorized" if status == 401 else "Not Found"))
    bot = await make_bot(url)
    await raises(InvalidToken, bot.send_message(1, "hi"))


async def test_wrong_token_at_the_fake_api(tg, client):
    request = make_request(client, pool_size=1)
    bot = Bot("999:" + TOKEN_SECRET, base_url=tg.base_url, request=request)
    await request.initialize()
    await raises(InvalidToken, bot.send_message(1, "hi"))
    await request.shutdown()


async def test_conflict(tg, make_bot):
    tg.fail("getUpdates", error=Errors.conflict_polling())
    bot = await make_bot(tg.url)
    await raises(Conflict, bot.get_updates(timeout=0), "(?i)other getUpdates request")


@pytest.mark.parametrize("error", [Errors.server_error(), Errors.bad_gateway()])
async def test_server_errors_are_network_errors(tg, make_bot, error):
    tg.fail("sendMessage", error=error)
    bot = await make_bot(tg.url)
    alice = tg.user("Alice")
    error = await raises(NetworkError, bot.send_message(alice.id, "hi"))
    assert not isinstance(error, TimedOut | BadRequest)


async def test_slow_server_times_out(tg, make_bot):
    tg.delay("sendMessage", 2.0, times=1)
    bot = await make_bot(tg.url)
    await raises(TimedOut, bot.send_message(tg.user("Alice").id, "hi", read_timeout=0.3))


async def test_connection_refused_is_network_error(make_bot):
    bot = await make_bot(f"http://127.0.0.1:{free_port()}")
    error = await raises(NetworkError, bot.send_message(1, "hi"))
    assert not isinstance(error, TimedOut)


async def test_dropped_connection_is_network_error(tg, make_bot):
    alice = tg.user("Alice")
    tg.drop("sendMessage")
    bot = await make_bot(tg.url)
    error = await raises(NetworkError, bot.send_message(alice.id, "hi"))
    assert not isinstance(error, TimedOut)
    assert alice.messages == []
    assert (await bot.send_message(alice.id, "again")).text == "again"


async def test_errors_quoting_the_url_do_not_leak_the_token(make_bot):
    bot = await make_bot("http://127.0.0.1:99999")  # invalid port: the client quotes the URL
    await raises(NetworkError, bot.send_message(1, "hi"))


@pytest.mark.parametrize("request_class", [AiohttpRequest, GuardedHTTPXRequest])
async def test_full_pool_times_out_like_httpx(tg, request_class):
    held = tg.delay("sendMessage", 1.0, times=1)
    request = request_class(connection_pool_size=1, pool_timeout=0.2)
    bot = Bot(TOKEN, base_url=tg.base_url, request=request)
    await request.initialize()
    alice = tg.user("Alice")
    slow = asyncio.create_task(bot.send_message(alice.id, "first"))
    await eventually(lambda: held.hits, what="the first send holding the one connection")
    await raises(TimedOut, bot.send_message(alice.id, "second"), "Pool timeout")
    await slow
    await request.shutdown()


async def test_requests_go_through_the_proxy(tg, make_bot, client, http_server):
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(request.path.rsplit("/", 1)[-1])
        async with (
            ClientSession() as session,
            session.request(
                request.method,
                f"{tg.url}{request.path}",
                data=await request.read(),
                headers={"Content-Type": request.headers["Content-Type"]},
            ) as upstream,
        ):
            return web.Response(
                body=await upstream.read(), status=upstream.status, content_type="application/json"
            )

    proxy_url = await http_server(proxy)
    bot = await make_bot(tg.url, request=make_request(client, pool_size=2, proxy=proxy_url))
    await bot.send_message(tg.user("Alice").id, "via the proxy")
    assert seen == ["sendMessage"]


def test_client_and_proxy_settings(make_settings):
    from tipbot.app import build_application
    from tipbot.core.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="TIPBOT_PROXY_URL: expected a proxy URL"):
        load_settings(proxy_url="proxy:3128", _env_file=None)
    with pytest.raises(ConfigError, match="TIPBOT_HTTP_CLIENT"):
        load_settings(http_client="requests", _env_file=None)
    socks = make_settings(proxy_url="socks5://127.0.0.1:1080")
    with pytest.raises(ConfigError, match="TIPBOT_PROXY_URL: aiohttp supports http"):
        build_application(socks)
    application = build_application(make_settings(http_client="httpx"))
    assert isinstance(application.bot.request, GuardedHTTPXRequest)
    application = build_application(make_settings())
    assert isinstance(application.bot.request, AiohttpRequest)


class ManualTime:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


async def test_the_monitor_counts_answers_and_outages_alike(tg, make_bot, client, caplog):
    """What ``/healthz`` and the outage log lines are built from: answers (an error Telegram
    answered included) and outages (5xx, no connection), summarised once a window."""
    caplog.set_level(logging.INFO, logger="tipbot")
    time = ManualTime()
    monitor = BotApiMonitor(time)
    alice = tg.user("Alice")
    bot = await make_bot(tg.url, request=make_request(client, pool_size=4, monitor=monitor))
    await bot.send_message(alice.id, "hi")
    assert monitor.last_success_at == time.now
    assert monitor.problem(timedelta(minutes=2)) is None
    time.now += timedelta(seconds=1)
    await raises(BadRequest, bot.send_message(424242, "hi"))  # an answer, not an outage
    assert (monitor.last_success_at, monitor.failing_since) == (time.now, None)
    tg.fail("sendMessage", error=Errors.server_error(), times=3)
    for _ in range(3):
        time.now += timedelta(seconds=1)
        await raises(NetworkError, bot.send_message(alice.id, "hi"))
    assert monitor.failing_since == time.now - timedelta(seconds=2)
    assert monitor.last_failure == "sendMessage: Internal Server Error"
    time.now += timedelta(minutes=3)
    assert monitor.problem(timedelta(minutes=2)) == (
        "last successful Bot API call 183 s ago (last error: sendMessage: Internal Server Error)"
    )
    await bot.send_message(alice.id, "again")
    assert [r.getMessage() for r in caplog.records if r.name.startswith("tipbot")] == [
        "Bot API unreachable: sendMessage failed (Internal Server Error); retrying, "
        "counts follow once a minute",
        "Bot API unreachable: 3 failed sendMessage in the last 182 s (Internal Server Error)",
        "Bot API answers again after 182 s of failures",
    ]
    assert monitor.problem(timedelta(minutes=2)) is None


async def test_the_monitor_counts_a_refused_connection(make_bot, client):
    time = ManualTime()
    monitor = BotApiMonitor(time)
    monitor.succeeded()
    url = f"http://127.0.0.1:{free_port()}"
    bot = await make_bot(url, request=make_request(client, pool_size=2, monitor=monitor))
    time.now += timedelta(seconds=1)
    await raises(NetworkError, bot.send_message(1, "hi"))
    assert monitor.failing_since == time.now
    assert monitor.last_failure.startswith("sendMessage: ")
    assert TOKEN_SECRET not in monitor.last_failure


async def test_the_token_never_reaches_the_logs(tg, make_bot, client, caplog):
    """Everything logged at DEBUG while the bot sends, uploads, is refused, times out and
    finds no server: tipbot's own lines never hold the token; httpx's request lines do, and
    the log handler's filter (``core/logs.py``, as ``setup_logging`` installs it) removes it."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    raw: list[tuple[str, str]] = []  # (logger, message) as logged, before any filter
    recorder = logging.Handler()
    recorder.emit = lambda record: raw.append((record.name, record.getMessage()))
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    handler.addFilter(OutageTracebackFilter())
    handler.addFilter(RedactingFilter([TOKEN]))
    logging.getLogger().addHandler(recorder)
    logging.getLogger().addHandler(handler)
    monitor = BotApiMonitor()
    monitor.succeeded()
    try:
        alice = tg.user("Alice")
        bot = await make_bot(tg.url, request=make_request(client, pool_size=4, monitor=monitor))
        await bot.send_message(alice.id, "hi")
        await bot.send_document(alice.id, InputFile(b"a,b\n", filename="notes.csv"))
        tg.fail("sendMessage", error=Errors.bad_gateway())
        await raises(NetworkError, bot.send_message(alice.id, "hi"))
        tg.fail("sendMessage", error=Errors.too_many_requests(3))
        await raises(RetryAfter, bot.send_message(alice.id, "hi"))
        tg.delay("sendMessage", 1.0, times=1)
        await raises(TimedOut, bot.send_message(alice.id, "hi", read_timeout=0.2))
        refused = await make_bot(f"http://127.0.0.1:{free_port()}")
        await raises(NetworkError, refused.send_message(1, "hi"))
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().removeHandler(recorder)
    ours = [message for name, message in raw if name.startswith("tipbot")]
    assert ours, "the monitor logged the outage"
    assert all(TOKEN_SECRET not in message for message in ours)
    if client == "httpx":  # it logs each request's URL, the token in it
        assert any(TOKEN_SECRET in message for name, message in raw if name == "httpx")
    assert "sendMessage" in written.getvalue()
    assert TOKEN_SECRET not in written.getvalue()


def test_no_module_imports_ptb_private_modules():
    """``telegram._utils`` and the like change without notice between PTB releases: tipbot
    uses PTB's public names only (the transport reads ``BaseRequest.DEFAULT_NONE``'s class)."""
    private: list[str] = []
    for path in Path(tipbot.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            private += [f"{path.name}: {n}" for n in names if n.startswith("telegram._")]
    assert private == []
