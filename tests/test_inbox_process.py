"""The inbox in a real ``tipbot run`` (issue 21 §1): a burst Telegram has been told we
received, then kill -9 before the handlers are through; after the restart everyone is
answered, and only what was in flight at the kill can be answered twice."""

from __future__ import annotations

import asyncio
import signal

import pytest
from sqlalchemy import func, select

from tests.helpers.net import free_port
from tests.helpers.process import spawn_tipbot, tipbot_env
from tests.helpers.waiting import eventually
from tipbot.core.db.models import InboxUpdate

PEOPLE = 80
#: Handlers running at once (TIPBOT_MAX_CONCURRENT_UPDATES here): what can be in flight.
RUNNING = 8


def answered(person) -> int:
    return sum("/consult" in m.text for m in person.messages)


async def unhandled(db) -> int:
    async with db.session() as session:
        return await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
        )


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_burst_killed_mid_way_is_answered_after_the_restart(
    tg, db, settings, tmp_path, mode
):
    """Polling: the next getUpdates confirmed the burst; webhook: each update got its 200."""
    people = [tg.user(f"Person{i}") for i in range(PEOPLE)]
    env = tipbot_env(tg, settings.database_url, TIPBOT_MAX_CONCURRENT_UPDATES=str(RUNNING))
    if mode == "webhook":
        port = free_port()
        env.update(TIPBOT_PORT=str(port), TIPBOT_WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram")
    log = (tmp_path / "tipbot.log").open("ab")
    process = await spawn_tipbot(env, tmp_path, stderr=log)
    try:
        await tg.wait_for_call("getUpdates" if mode == "polling" else "setWebhook", timeout=30)
        await asyncio.sleep(0.3)  # the webhook's server is up before setWebhook
        tg.latency = 0.4  # a slow Bot API: each answer takes a while
        for person in people:
            await person.send("/help")
        # Telegram has handed over the whole burst, and been told it was received.
        await tg.wait_until(lambda: not tg.pending_updates, timeout=30)
        await asyncio.sleep(0.1)
        process.send_signal(signal.SIGKILL)
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    before = {person.id: answered(person) for person in people}
    assert sum(before.values()) < PEOPLE / 2, "the kill came too late to prove anything"
    assert await unhandled(db) >= PEOPLE - sum(before.values()) - RUNNING

    tg.latency = 0.0
    process = await spawn_tipbot(env, tmp_path, stderr=log)
    try:  # PostgreSQL, webhook: taken over once the killed replica's beat is stale (3 s)
        await tg.wait_until(lambda: all(answered(p) for p in people), timeout=60)
        await eventually(
            lambda: _none_unhandled(db), timeout=10, interval=0.1, what="every update handled"
        )
        await asyncio.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    twice = [p for p in people if answered(p) > 1]
    # At most what was being answered at the kill, and what was answered in the 50 ms
    # before it (MARK_DELAY: the marks are written together); about 20 answers a second here.
    assert len(twice) <= RUNNING + 2
    assert all(answered(p) == 1 for p in people if before[p.id] == 0)


async def _none_unhandled(db) -> bool:
    return await unhandled(db) == 0
