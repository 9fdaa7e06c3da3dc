"""``tipbot run`` as the operator starts it: a real process, signals, a clean exit."""

from __future__ import annotations

import asyncio
import signal

import pytest

from tests.conftest import TOKEN
from tests.helpers.net import free_port
from tests.helpers.process import spawn_tipbot, tipbot_env, wait_healthy
from tests.helpers.waiting import eventually
from tipbot.core.db.status import describe_location


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_run_serves_and_stops_cleanly_on_sigterm(
    tg, staff_group, database_url, tmp_path, mode
):
    port = free_port()
    env = tipbot_env(
        tg, database_url, TIPBOT_STAFF_CHAT_ID=str(staff_group.id), TIPBOT_PORT=str(port)
    )
    if mode == "webhook":
        env["TIPBOT_WEBHOOK_URL"] = f"http://127.0.0.1:{port}/telegram"
    process = await spawn_tipbot(
        env, tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        await wait_healthy(f"http://127.0.0.1:{port}/healthz", process)
        alice = tg.user("Alice")
        await alice.send("/start")
        await alice.wait_for("Welcome", timeout=10)
        if mode == "webhook":
            assert tg.webhook is not None and tg.webhook.secret_token  # generated
        process.send_signal(signal.SIGHUP)  # reload the library
        await asyncio.sleep(0.5)

        # An update in flight when SIGTERM arrives is still answered.
        held = tg.delay("sendMessage", 1.0, times=1)
        await alice.send("/help")
        await eventually(lambda: held.hits, what="the /help reply being held")  # fetched
        assert "/consult" not in alice.messages[-1].text
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "/consult" in alice.messages[-1].text  # the /help answer
    assert "tip library reloaded" in log
    assert '"message": "stopped"' in log
    assert TOKEN.split(":")[1] not in log
    assert f"database: {describe_location(database_url)}" in log  # the resolved location
    if mode == "webhook":
        assert tg.webhook.secret_token not in log
        assert "secret token set" in log
