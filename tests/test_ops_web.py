"""The runner's web server: webhook with its secret, /healthz and /metrics."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

import aiohttp
import pytest

from tests.harness import swept_at_start
from tests.helpers.net import free_port
from tipbot.app import build_application
from tipbot.core.db import Database
from tipbot.core.runtime import deps_of
from tipbot.runner import Runner

SECRET = "s3cret-Token_for-tests"


@pytest.fixture
async def run_bot(clock, tg, library_for) -> AsyncIterator[Callable[..., Awaitable[Runner]]]:
    """Start the real runner (webhook or polling + web server) in this event loop."""
    runners: list[Runner] = []

    async def start(settings) -> Runner:
        application = build_application(settings, clock=clock, library=library_for(settings))
        runner = Runner(application, settings)
        await runner.start()
        runners.append(runner)
        await tg.wait_idle()
        await swept_at_start(deps_of(runner.application))
        return runner

    yield start
    for runner in runners:
        await runner.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def help_update(user) -> dict:
    return {
        "message": {
            "message_id": 900,
            "date": 1780000000,
            "chat": user.chat_dict,
            "from": user.user_dict,
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        }
    }


async def webhook_bot(run_bot, make_settings) -> Runner:
    port = free_port()
    settings = make_settings(
        webhook_url=f"http://127.0.0.1:{port}/hook/tipbot", webhook_secret=SECRET, port=port
    )
    return await run_bot(settings)


async def test_webhook_mode_registers_secret_and_processes_updates(run_bot, make_settings, tg):
    alice = tg.user("Alice")
    runner = await webhook_bot(run_bot, make_settings)
    assert tg.webhook is not None
    assert tg.webhook.url.endswith("/hook/tipbot") and tg.webhook.secret_token == SECRET
    assert not runner.application.updater.running  # no long polling in webhook mode

    await alice.send("/start")
    assert "Welcome" in (await alice.wait_for("Welcome")).text
    assert tg.webhook_deliveries[-1].status == 200


@pytest.mark.parametrize("secret", ["wrong-secret", None])
async def test_webhook_without_the_right_secret_is_refused(run_bot, make_settings, tg, secret):
    alice = tg.user("Alice")
    await webhook_bot(run_bot, make_settings)
    assert await tg.post_to_webhook(help_update(alice), secret=secret) == 403
    await asyncio.sleep(0.3)
    await tg.wait_idle()
    assert alice.messages == []  # not processed

    assert await tg.post_to_webhook(help_update(alice)) == 200  # the configured secret
    assert "/consult" in (await alice.wait_for()).text


async def test_webhook_secret_is_generated_when_not_configured(run_bot, make_settings, tg):
    port = free_port()
    runner = await run_bot(make_settings(webhook_url=f"http://127.0.0.1:{port}/t", port=port))
    assert runner.secret and len(runner.secret) >= 32
    assert tg.webhook.secret_token == runner.secret


async def polling_bot_with_port(run_bot, make_settings) -> tuple[Runner, str]:
    port = free_port()
    runner = await run_bot(make_settings(port=port))
    return runner, f"http://127.0.0.1:{port}"


async def test_healthz_ok_then_503_when_the_sweep_stalls(run_bot, make_settings, http, clock):
    runner, base = await polling_bot_with_port(run_bot, make_settings)
    assert runner.application.updater.running  # polling mode
    async with http.get(f"{base}/healthz") as response:
        assert response.status == 200
        assert (await response.json())["status"] == "ok"  # no sweep yet: start-up grace

    deps = deps_of(runner.application)
    deps.state.last_sweep_at = clock.now()
    clock.advance(minutes=1)
    async with http.get(f"{base}/healthz") as response:
        assert response.status == 200

    clock.advance(minutes=2)
    async with http.get(f"{base}/healthz") as response:
        assert response.status == 503
        body = await response.json()
    assert body["status"] == "unhealthy"
    assert body["problems"] == ["last delivery sweep ran 3 minutes ago"]


async def test_healthz_503_without_any_sweep_after_the_grace(run_bot, make_settings, http, clock):
    runner, base = await polling_bot_with_port(run_bot, make_settings)
    # As if the sweep at start had never finished.
    deps_of(runner.application).state.last_sweep_at = None
    clock.advance(minutes=4)
    async with http.get(f"{base}/healthz") as response:
        assert response.status == 503
        assert (await response.json())["problems"] == ["no delivery sweep has run since start"]


async def test_healthz_503_when_the_database_is_down(run_bot, make_settings, http, tmp_path):
    runner, base = await polling_bot_with_port(run_bot, make_settings)
    deps = deps_of(runner.application)
    real_db, deps.db = deps.db, Database(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db")
    try:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 503
            body = await response.json()
        assert body["problems"][0].startswith("database unreachable")
        async with http.get(f"{base}/metrics") as response:  # still answers, minus state
            assert response.status == 200
    finally:
        await deps.db.dispose()
        deps.db = real_db
    async with http.get(f"{base}/healthz") as response:
        assert response.status == 200


async def test_metrics_expose_every_family(run_bot, make_settings, http, tg):
    alice = tg.user("Alice")
    _, base = await polling_bot_with_port(run_bot, make_settings)
    await alice.send("/start")
    await alice.wait_for("Welcome")
    await tg.wait_idle()
    async with http.get(f"{base}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        body = await response.text()
    for family in (
        "tipbot_tips_sent_total",
        "tipbot_tips_failed_total",
        "tipbot_sweep_duration_seconds",
        "tipbot_sweep_lag_seconds",
        "tipbot_updates_total",
        "tipbot_handler_latency_seconds",
        "tipbot_subscribers",
        "tipbot_consult_requests",
        "tipbot_outbox_backlog",
        "tipbot_tips_unknown",
    ):
        assert f"# TYPE {family} " in body, family
    assert 'tipbot_subscribers{status="active"} 1.0' in body
    assert 'tipbot_consult_requests{status="open"} 0.0' in body
    assert "tipbot_outbox_backlog 0.0" in body
    assert "tipbot_tips_unknown 0.0" in body
    assert 'tipbot_updates_total{kind="message"}' in body
    assert "tipbot_handler_latency_seconds_count" in body


async def test_no_web_server_in_polling_mode_without_port(run_bot, make_settings):
    runner = await run_bot(make_settings())
    assert runner.port is None


def test_healthz_grace_is_longer_than_a_sweep_period():
    from tipbot.core.health import STARTUP_GRACE, SWEEP_MAX_AGE

    assert STARTUP_GRACE > SWEEP_MAX_AGE >= timedelta(minutes=2)


async def test_the_dockerfile_healthcheck_follows_healthz(run_bot, make_settings, clock):
    """The image's HEALTHCHECK command, run as Docker would: exit 0 on 200, non-zero on 503."""
    import json
    import os
    import re
    import sys
    from pathlib import Path

    dockerfile = (Path(__file__).parent.parent / "Dockerfile").read_text()
    command = re.search(r"HEALTHCHECK .*\\\n\s+CMD (.+)", dockerfile).group(1)
    argv = json.loads(command)  # exec form (hadolint DL3025)
    assert argv[0] == "python"
    runner, _ = await polling_bot_with_port(run_bot, make_settings)
    env = {**os.environ, "TIPBOT_PORT": str(runner.port)}

    async def healthcheck() -> int:
        process = await asyncio.create_subprocess_exec(
            sys.executable, *argv[1:], env=env, stderr=asyncio.subprocess.DEVNULL
        )
        return await process.wait()

    assert await healthcheck() == 0
    clock.advance(minutes=10)  # no sweep for too long
    assert await healthcheck() != 0


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"update_id": "x", "message": 5}'])
async def test_webhook_with_a_malformed_body_is_refused(run_bot, make_settings, http, body):
    runner = await webhook_bot(run_bot, make_settings)
    url = runner.settings.webhook_url
    async with http.post(url, data=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as r:
        assert r.status == 400
    async with http.get(f"http://127.0.0.1:{runner.port}/healthz") as response:
        assert response.status == 200  # still serving


async def test_port_in_use_is_a_one_line_configuration_error(run_bot, make_settings, tg):
    from tipbot.core.config import ConfigError

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104 - where the runner listens too
        taken.listen()
        port = taken.getsockname()[1]
        settings = make_settings(port=port)
        runner = Runner(build_application(settings), settings)
        with pytest.raises(ConfigError, match=f"TIPBOT_PORT: cannot listen on port {port}"):
            await runner.start()
        await runner.stop()
