"""The inbox with several replicas (PostgreSQL, webhook behind a load balancer): any replica
takes any update, a chat's updates still run one at a time and in order, each once, and the
updates of a replica that stopped beating are taken over."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from sqlalchemy import func, select

from tests.db_support import using_postgres
from tests.helpers.net import free_port
from tests.test_inbox import command, keep
from tests.test_ops_web import SECRET, run_bot  # noqa: F401 - the runner fixture
from tipbot.core.db.models import InboxUpdate

pytestmark = pytest.mark.skipif(
    not using_postgres(), reason="replicas share PostgreSQL; SQLite is one process"
)

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


async def two_replicas(run_bot, make_settings):  # noqa: F811
    urls = []
    for _ in range(2):
        port = free_port()
        url = f"http://127.0.0.1:{port}/hook/tipbot"
        await run_bot(make_settings(webhook_url=url, webhook_secret=SECRET, port=port))
        urls.append(url)
    return urls


def kinds(person) -> list[str]:
    return ["help" if "/consult" in m.text else "mydata" for m in person.messages]


async def test_a_chat_split_across_replicas_runs_in_order_once_each(
    run_bot,  # noqa: F811
    make_settings,
    tg,
    db,
):
    urls = await two_replicas(run_bot, make_settings)
    alice, bob = tg.user("Alice"), tg.user("Bob")
    tg.delay("sendMessage", 0.1)  # answers take a while: the next update comes meanwhile
    sent = []
    async with aiohttp.ClientSession() as http:
        for n in range(12):
            name = "/help" if n % 2 == 0 else "/mydata"
            for person, offset in ((alice, 0), (bob, 100)):
                body = command(person, name, 1000 + offset + n, message_id=10 + n)
                # The load balancer alternates; Telegram retries one update on the other.
                for url in (urls[n % 2], urls[(n + 1) % 2]) if n == 5 else (urls[n % 2],):
                    async with http.post(url, json=body, headers=HEADERS) as response:
                        assert response.status == 200
            sent.append(name.lstrip("/"))
    await tg.wait_until(lambda: len(alice.messages) >= 12 and len(bob.messages) >= 12, timeout=20)
    await asyncio.sleep(0.5)  # a second answer to the retried update would be here by now
    await tg.wait_idle()
    assert kinds(alice) == sent and kinds(bob) == sent


async def test_the_updates_of_a_replica_gone_are_taken_over(
    run_bot,  # noqa: F811
    make_settings,
    tg,
    db,
):
    await two_replicas(run_bot, make_settings)
    alice = tg.user("Alice")
    # Stored by a replica that was killed (it never beats again), never handled.
    await keep(db, command(alice, "/help", 50), command(alice, "/mydata", 51), owner="gone-1")
    await tg.wait_until(lambda: len(alice.messages) >= 2, timeout=10)
    await asyncio.sleep(0.5)
    assert kinds(alice) == ["help", "mydata"]  # once each, in order, by one of the two
    async with db.session() as session:
        left = await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.handled_at.is_(None))
        )
    assert left == 0
