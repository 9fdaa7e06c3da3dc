"""Replies during the morning sweep: they go before the sweep's sends (issue 15, item 3).

A slow Bot API (50 ms a call) and 300 tips due at the default 30/s: the sweep takes about
ten seconds, during which ten people ask for thirty tips, five a second. Generous bounds,
not timing: ``bench/bench_delivery.py --only 5`` measures it.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from tests.helpers.delivery import add_subscriber, sweep, tips_of
from tipbot.core.sender import SharedRate


async def test_replies_during_a_sweep_do_not_wait_behind_it(bot, clock, tg):
    readers = [tg.user(f"Reader{i}") for i in range(300)]
    for reader in readers:
        due = await add_subscriber(bot.deps, reader, timezone="UTC")
    clock.set(due)
    askers = [tg.user(f"Asker{i}") for i in range(10)]
    tg.delay("sendMessage", 0.05, times=None)
    waits: list[float] = []

    async def ask(person) -> None:
        since = tg.mark()
        asked = time.monotonic()
        await person.send("/tip")
        await person.wait_for("Source:", since=since, timeout=30)
        waits.append(time.monotonic() - asked)

    sweeping = asyncio.create_task(sweep(bot))
    await tg.wait_until(lambda: sum(len(tips_of(r)) for r in readers) >= 30)
    asking = []
    for turn in range(30):  # five a second, each person every two seconds
        asking.append(asyncio.create_task(ask(askers[turn % len(askers)])))
        await asyncio.sleep(0.2)
    await asyncio.gather(*asking)
    during = sum(len(tips_of(r)) for r in readers)
    report = await sweeping
    assert report.sent == 300
    assert during < 300  # the replies were measured while the sweep ran
    p95 = statistics.quantiles(waits, n=20)[-1]
    assert p95 < 1.0, sorted(waits)


async def test_waiting_interactive_sends_take_the_next_token_before_bulk_ones():
    rate = SharedRate(10)
    for _ in range(10):  # the burst of a second
        await rate.acquire(bulk=True)
    order: list[str] = []

    async def take(kind: str) -> None:
        await rate.acquire(bulk=kind == "bulk")
        order.append(kind)

    bulk = [asyncio.create_task(take("bulk")) for _ in range(3)]
    await asyncio.sleep(0)  # the bulk sends queue first
    await take("reply")
    await asyncio.gather(*bulk)
    assert order == ["reply", "bulk", "bulk", "bulk"]
