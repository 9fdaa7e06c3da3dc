"""Telegram unreachable, the token rejected, another copy polling: what the operator sees.

The runner runs in this event loop against the fake Bot API, which is stopped, failing or
dropping connections on cue; short backoffs keep the tests quick (the defaults are 1 → 60 s).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
import traceback
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest
from aiohttp import web
from telegram.error import Conflict, InvalidToken, NetworkError

from fakegram import Errors
from tests.conftest import TOKEN
from tests.helpers.net import free_port
from tests.helpers.waiting import eventually
from tipbot.app import build_application, deps_of
from tipbot.core.api_health import BotApiMonitor
from tipbot.core.config import PROJECT_CONTENT, ConfigError
from tipbot.runner import Runner

TOKEN_SECRET = TOKEN.split(":")[1]
FAST = (0.05, 0.2)


@pytest.fixture
async def runners(clock, library_for) -> AsyncIterator[Callable[..., Runner]]:
    """Make runners (not started); all are stopped at the end."""
    made: list[Runner] = []

    def make(settings, **kwargs) -> Runner:
        application = build_application(settings, clock=clock, library=library_for(settings))
        runner = Runner(application, settings, **kwargs)
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.request_stop()
        await runner.stop()


@pytest.fixture
def quiet_log(caplog) -> Callable[[], list[logging.LogRecord]]:
    """The records so far, after checking none carries a traceback or the token."""
    caplog.set_level(logging.INFO)

    def records() -> list[logging.LogRecord]:
        for record in caplog.records:
            assert record.exc_info is None, record.getMessage()
            assert TOKEN_SECRET not in record.getMessage()
        return caplog.records

    return records


def messages(records: list[logging.LogRecord], fragment: str) -> list[str]:
    return [r.getMessage() for r in records if fragment in r.getMessage()]


async def healthz(port: int) -> tuple[int, dict]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/healthz") as response,
    ):
        return response.status, await response.json()


async def test_start_waits_for_telegram_and_healthz_says_why(tg, make_settings, runners, quiet_log):
    url, port = tg.url, free_port()
    runner = runners(make_settings(port=port), backoff=FAST)
    await tg.stop()  # the network is "unplugged": nothing listens on the port
    starting = asyncio.create_task(runner.start())
    await eventually(
        lambda: len(messages(quiet_log(), "cannot reach the Bot API")) >= 3, timeout=10
    )
    status, body = await healthz(port)  # the web server is up meanwhile
    assert status == 503
    assert body["problems"][-1].startswith("the Bot API has not answered yet (last error: getMe")
    assert body["last_bot_api_success_at"] is None
    lines = messages(quiet_log(), "cannot reach the Bot API")
    assert lines[0].startswith(f"cannot reach the Bot API at {url}: aiohttp.ClientConnector")
    assert [line.rsplit("retrying in ", 1)[1] for line in lines[:4]] == [
        "0.05 s",
        "0.1 s",
        "0.2 s",
        "0.2 s",
    ][: len(lines[:4])]
    assert not starting.done()

    await tg.start()  # Telegram is back, on the same port
    assert await asyncio.wait_for(starting, 5)
    alice = tg.user("Alice")
    await alice.send("/start")
    await alice.wait_for("Welcome", timeout=10)
    status, body = await healthz(port)
    assert status == 200, body
    assert body["last_bot_api_success_at"] is not None
    quiet_log()


async def test_a_name_that_does_not_resolve_is_retried(make_settings, runners, quiet_log):
    url = "http://bot-api.tipbot-test.invalid"  # .invalid never resolves (RFC 2606)
    runner = runners(make_settings(bot_api_url=url), backoff=FAST)
    starting = asyncio.create_task(runner.start())
    await eventually(
        lambda: messages(quiet_log(), f"cannot reach the Bot API at {url}: "), timeout=10
    )
    runner.request_stop()
    assert await asyncio.wait_for(starting, 10) is False


async def test_server_errors_at_start_are_retried(tg, make_settings, runners, quiet_log):
    tg.fail("getMe", error=Errors.bad_gateway(), times=2)
    runner = runners(make_settings(), backoff=FAST)
    assert await runner.start()
    lines = messages(quiet_log(), "cannot reach the Bot API")
    assert lines == [
        f"cannot reach the Bot API at {tg.url}: Bad Gateway; retrying in 0.05 s",
        f"cannot reach the Bot API at {tg.url}: Bad Gateway; retrying in 0.1 s",
    ]


async def test_a_stop_while_waiting_for_telegram_ends_cleanly(tg, make_settings, runners):
    runner = runners(make_settings(), backoff=(5.0, 5.0))
    await tg.stop()
    serving = asyncio.create_task(runner.serve())
    await asyncio.sleep(0.3)
    runner.request_stop()
    await asyncio.wait_for(serving, 5)


@pytest.mark.parametrize("status", [401, 404])
async def test_a_rejected_token_is_one_config_error_line(make_settings, runners, status):
    async def reject(_request: web.Request) -> web.Response:
        description = "Unauthorized" if status == 401 else "Not Found"
        body = {"ok": False, "error_code": status, "description": description}
        return web.json_response(body, status=status)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", reject)
    server = web.AppRunner(app, access_log=None)
    await server.setup()
    port = free_port()
    await web.TCPSite(server, "127.0.0.1", port).start()
    try:
        runner = runners(make_settings(bot_api_url=f"http://127.0.0.1:{port}"), backoff=FAST)
        with pytest.raises(ConfigError) as info:
            await runner.start()
    finally:
        await server.cleanup()
    assert str(info.value) == (
        "Telegram rejected TIPBOT_TOKEN (ends …0001): get a new one from @BotFather"
    )
    assert TOKEN_SECRET not in "".join(traceback.format_exception(info.value))


async def test_wrong_token_at_the_fake_api(make_settings, runners):
    wrong = "123456789:WRONG-token-for-the-fake-bot-api-XYZ1"
    runner = runners(make_settings(token=wrong), backoff=FAST)
    with pytest.raises(ConfigError, match="ends …XYZ1") as info:
        await runner.start()
    assert "WRONG-token" not in "".join(traceback.format_exception(info.value))


async def test_outage_while_running_is_counted_not_traced(tg, make_settings, runners, quiet_log):
    port = free_port()
    runner = runners(make_settings(port=port), backoff=FAST)
    await runner.start()
    monitor: BotApiMonitor = deps_of(runner.application).state.bot_api
    monitor.window = timedelta(seconds=1)
    tg.drop("getUpdates", times=None)
    tg.fail("sendMessage", error=Errors.bad_gateway(), times=None)
    with pytest.raises(NetworkError):  # a send fails too: counted under its own name
        await runner.application.bot.send_message(tg.user("Alice").id, "hello")
    await eventually(lambda: messages(quiet_log(), "failed getUpdates in the last"), timeout=10)
    lines = messages(quiet_log(), "Bot API unreachable")
    assert (
        "Bot API unreachable: sendMessage failed (Bad Gateway); retrying, counts follow "
        "once a minute" in lines
    )
    assert "Bot API unreachable: 1 failed sendMessage in the last 1 s (Bad Gateway)" in lines
    first = messages(quiet_log(), "getUpdates failed (")
    assert first == [  # once; then counts only
        "Bot API unreachable: getUpdates failed (aiohttp.ServerDisconnectedError: Server "
        "disconnected); retrying, counts follow once a minute"
    ]

    # Two minutes without an answer: /healthz says so.
    monitor.last_success_at = datetime.now(UTC) - timedelta(minutes=3)
    status, body = await healthz(port)
    assert status == 503
    assert body["problems"] == [
        "last successful Bot API call 180 s ago (last error: getUpdates: "
        "aiohttp.ServerDisconnectedError: Server disconnected)"
    ]

    tg.clear_failures()
    await runner.application.bot.send_message(tg.user("Bob").id, "hello")  # any answer counts
    assert messages(quiet_log(), "Bot API answers again after ")
    assert (await healthz(port))[0] == 200
    quiet_log()


async def test_a_reply_lost_to_an_outage_is_a_warning_not_a_traceback(bot, tg, caplog):
    caplog.set_level(logging.INFO)
    tg.fail("sendMessage", error=Errors.bad_gateway(), times=None)
    alice = tg.user("Alice")
    await alice.send("/help")
    await tg.wait_for_call("sendMessage")
    await eventually(lambda: messages(caplog.records, "could not send the apology"), timeout=10)
    [failed] = [r for r in caplog.records if "handler failed" in r.getMessage()]
    assert failed.levelno == logging.WARNING and failed.exc_info is None
    assert failed.getMessage().endswith(": Bot API unreachable (Bad Gateway)")


async def test_webhook_mode_probes_telegram_so_a_quiet_bot_stays_healthy(
    tg, make_settings, runners
):
    port = free_port()
    settings = make_settings(port=port, webhook_url=f"http://127.0.0.1:{port}/telegram")
    runner = runners(settings, backoff=FAST)
    await runner.start()
    application = runner.application
    [probe] = application.job_queue.get_jobs_by_name("bot-api-probe")
    monitor: BotApiMonitor = deps_of(application).state.bot_api
    monitor.last_success_at = datetime.now(UTC) - timedelta(minutes=3)
    assert (await healthz(port))[0] == 503  # nobody wrote, nothing was sent
    await probe.run(application)
    assert (await healthz(port))[0] == 200
    assert tg.calls_to("getWebhookInfo")


async def test_a_token_revoked_while_running_is_one_error_line(tg, make_settings, runners, caplog):
    caplog.set_level(logging.INFO)
    runner = runners(make_settings(), backoff=FAST)
    await runner.start()
    tg.fail("sendMessage", error=Errors.unauthorized(), times=None)
    for _ in range(2):  # the second is counted, not logged
        with pytest.raises(InvalidToken):
            await runner.application.bot.send_message(tg.user("Alice").id, "hello")
    errors = messages(caplog.records, "Telegram rejected TIPBOT_TOKEN (revoked?)")
    assert errors == [
        "Telegram rejected TIPBOT_TOKEN (revoked?) on sendMessage: get a new one from "
        "@BotFather and restart"
    ]


async def test_another_copy_polling_is_named_once(tg, make_settings, runners, quiet_log):
    first = runners(make_settings(), backoff=FAST)
    await first.start()
    second = runners(make_settings(), backoff=FAST)
    await second.start()  # the fake answers the older poll with 409, as Telegram does
    await eventually(
        lambda: messages(quiet_log(), "another copy of this bot is running with the same token"),
        timeout=10,
    )
    await asyncio.sleep(1.5)  # a few conflicts more: counted, not logged one by one
    lines = messages(quiet_log(), "another copy of this bot is running")
    assert 1 <= len(lines) <= 2  # at most one per runner
    assert tg.error_counts["getUpdates"] >= 2


def test_monitor_summarises_each_failure_class_once_a_window(caplog):
    caplog.set_level(logging.INFO)
    now = datetime(2026, 6, 1, tzinfo=UTC)
    monitor = BotApiMonitor(lambda: now)
    monitor.failed("getMe", NetworkError("down"))  # before the first answer: the runner logs
    assert caplog.records == []
    assert monitor.problem(timedelta(minutes=2)) == (
        "the Bot API has not answered yet (last error: getMe: down)"
    )
    monitor.succeeded()
    for _ in range(57):
        now += timedelta(seconds=1)
        monitor.failed("getUpdates", NetworkError("Bad Gateway"))
    monitor.failed("getUpdates", Conflict("Conflict: terminated by other getUpdates request"))
    now += timedelta(seconds=5)
    monitor.failed("getUpdates", NetworkError("Bad Gateway"))
    assert [r.getMessage() for r in caplog.records] == [
        "Bot API unreachable: getUpdates failed (Bad Gateway); retrying, counts follow once a "
        "minute",
        "another copy of this bot is running with the same token (Telegram answered getUpdates "
        "with 409 Conflict): stop the other copy; retrying",
        "another copy of this bot is running with the same token: 1 getUpdates refused in the "
        "last 61 s (409 Conflict)",
        "Bot API unreachable: 57 failed getUpdates in the last 61 s (Bad Gateway)",
    ]
    assert monitor.problem(timedelta(minutes=2)) is None
    now += timedelta(minutes=2)
    assert monitor.problem(timedelta(minutes=2)).startswith("last successful Bot API call 182 s")
    monitor.succeeded()
    assert caplog.records[-1].getMessage() == "Bot API answers again after 181 s of failures"


# ----------------------------------------------------------------------------- tipbot run


def run_env(database_url: str, api_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIPBOT_")}
    env.update(
        TIPBOT_TOKEN=TOKEN,
        TIPBOT_BOT_API_URL=api_url,
        TIPBOT_DATABASE_URL=database_url,
        TIPBOT_CONTENT=str(PROJECT_CONTENT),
        **extra,
    )
    return env


async def tipbot_run(
    env: dict[str, str], cwd
) -> tuple[asyncio.subprocess.Process, list[str], asyncio.Task[None]]:
    """``python -m tipbot run``; its stderr lines are collected as they come (until the
    returned task ends)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tipbot", "run", cwd=cwd, env=env, stderr=asyncio.subprocess.PIPE
    )
    lines: list[str] = []

    async def collect() -> None:
        assert process.stderr is not None
        async for line in process.stderr:
            lines.append(line.decode().rstrip("\n"))

    return process, lines, asyncio.create_task(collect())


async def test_run_unplugged_retries_then_answers_without_a_restart(tg, database_url, tmp_path):
    url = tg.url
    await tg.stop()
    port = free_port()
    process, lines, reader = await tipbot_run(
        run_env(database_url, url, TIPBOT_PORT=str(port)), tmp_path
    )
    try:
        await eventually(
            lambda: sum("cannot reach the Bot API" in x for x in lines) >= 2, timeout=30
        )
        status, body = await healthz(port)
        assert status == 503 and "has not answered yet" in body["problems"][-1]
        await tg.start()
        alice = tg.user("Alice")
        await alice.send("/start")
        await alice.wait_for("Welcome", timeout=70)
        assert (await healthz(port))[0] == 200

        await tg.stop()  # an outage while running: counted, no traceback, no restart needed
        await eventually(
            lambda: any("Bot API unreachable: getUpdates" in x for x in lines), timeout=30
        )
        await tg.start()
        await alice.send("/help")
        await alice.wait_for("/consult", timeout=70)
        async with (
            aiohttp.ClientSession() as http,
            http.get(f"http://127.0.0.1:{port}/metrics") as response,
        ):
            assert TOKEN_SECRET not in await response.text()
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 30) == 0
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    await reader
    log = "\n".join(lines)
    assert "Traceback" not in log
    assert TOKEN_SECRET not in log
    retries = [line for line in lines if "cannot reach the Bot API" in line]
    assert f"cannot reach the Bot API at {url}: aiohttp.ClientConnectorError" in retries[0]
    assert retries[0].endswith("retrying in 1 s")
    assert retries[1].endswith("retrying in 2 s")
    assert any("Bot API answers again after" in line for line in lines)


async def test_run_with_a_wrong_token_exits_2_with_one_line(tg, database_url, tmp_path):
    env = run_env(database_url, tg.url)
    env["TIPBOT_TOKEN"] = "123456789:WRONG-token-for-the-fake-bot-api-XYZ1"
    process, lines, reader = await tipbot_run(env, tmp_path)
    assert await asyncio.wait_for(process.wait(), 30) == 2
    await reader
    log = "\n".join(lines)
    assert "WRONG-token" not in log
    assert "Traceback" not in log
    assert [line for line in lines if "TIPBOT_TOKEN" in line] == [
        "tipbot: configuration error: Telegram rejected TIPBOT_TOKEN (ends …XYZ1): "
        "get a new one from @BotFather"
    ]
