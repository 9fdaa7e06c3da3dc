"""Issue 24 in a real ``tipbot run`` process: a restart (kill -9) in the middle of a welcome
series and of a snoozed tip loses nothing and sends nothing twice."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from tests.helpers.delivery import tips_of
from tests.helpers.process import spawn_tipbot, tipbot_env
from tests.helpers.waiting import eventually
from tipbot.core.db.models import Delivery, DeliveryStatus, Subscriber
from tipbot.subscriber.service import subscribe


def _welcome_steps(user) -> list[str]:
    return [m.text[:1] for m in user.messages if m.text.startswith(("🧭", "📖", "💬", "🌱"))]


async def _due_now(db) -> None:
    """Everyone due now; the tips already sent belong to yesterday (as if a day had passed)."""
    now = datetime.now(UTC)
    async with db.session() as session:
        await session.execute(update(Subscriber).values(next_send_at=now - timedelta(seconds=1)))
        await session.execute(
            update(Delivery).values(local_date=Delivery.local_date - timedelta(days=1))
            if db.engine.dialect.name == "postgresql"
            else update(Delivery).values(local_date=(now - timedelta(days=1)).date())
        )


async def _run_until(tg, env, tmp_path, condition):
    process = await spawn_tipbot(env, tmp_path, stderr=asyncio.subprocess.DEVNULL)
    try:
        await tg.wait_until(condition, timeout=30)
    finally:
        process.kill()  # kill -9: no graceful stop
        await process.wait()


async def test_a_restart_mid_welcome_series_continues_it_once(tg, db, settings, library, tmp_path):
    people = [tg.user(f"New{i}") for i in range(5)]
    async with db.session() as session:
        for person in people:
            await subscribe(
                session, person.id, settings=settings, library=library, now=datetime.now(UTC)
            )
    await _due_now(db)
    env = tipbot_env(tg, settings.database_url)
    # Day 1: the tip and the first step, then kill -9.
    await _run_until(tg, env, tmp_path, lambda: all(len(_welcome_steps(p)) == 1 for p in people))
    async with db.session() as session:
        days = set(await session.scalars(select(Subscriber.welcome_day)))
    assert days == {1}
    # Day 2 in a new process: the second step, once.
    await _due_now(db)
    await _run_until(tg, env, tmp_path, lambda: all(len(_welcome_steps(p)) == 2 for p in people))
    await asyncio.sleep(1)  # a late duplicate would have arrived by now
    for person in people:
        assert len(tips_of(person)) == 2
        assert _welcome_steps(person) == ["🧭", "📖"]


async def test_a_restart_with_a_snoozed_tip_sends_it_once(tg, db, settings, library, tmp_path):
    alice = tg.user("Alice")
    async with db.session() as session:
        result = await subscribe(
            session, alice.id, settings=settings, library=library, now=datetime.now(UTC)
        )
        result.subscriber.welcome_day = None
    await _due_now(db)
    env = tipbot_env(tg, settings.database_url)
    process = await spawn_tipbot(env, tmp_path, stderr=asyncio.subprocess.DEVNULL)
    try:
        await tg.wait_until(lambda: tips_of(alice), timeout=30)
        (tip,) = tips_of(alice)
        await alice.press(tip, "⏰ Later")
        await tg.wait_until(lambda: "+1 h" in tip.buttons, timeout=10)
        await alice.press(tip, "+1 h")
        await tg.wait_until(lambda: tip.text.startswith("⏰"), timeout=10)
    finally:
        process.kill()
        await process.wait()
    async with db.session() as session:
        person = await session.get(Subscriber, alice.id)
        assert person.snooze_delivery_id is not None
        # The hour passes while the bot is down.
        person.snoozed_until = person.next_send_at = datetime.now(UTC) - timedelta(seconds=1)

    async def recorded() -> bool:
        async with db.session() as session:
            (delivery,) = (await session.scalars(select(Delivery))).all()
            return delivery.status is DeliveryStatus.SENT and delivery.snoozed_at is not None

    process = await spawn_tipbot(env, tmp_path, stderr=asyncio.subprocess.DEVNULL)
    try:
        await tg.wait_until(lambda: tips_of(alice), timeout=30)
        await eventually(recorded, timeout=10, interval=0.1, what="the resend recorded")
    finally:
        process.kill()
        await process.wait()
    # Once more in another process: nothing more comes.
    process = await spawn_tipbot(env, tmp_path, stderr=asyncio.subprocess.DEVNULL)
    try:
        await asyncio.sleep(4)
    finally:
        process.kill()
        await process.wait()
    (again,) = tips_of(alice)
    assert "⏰ Later" not in again.buttons and "👍" in again.buttons
    async with db.session() as session:
        person = await session.get(Subscriber, alice.id)
    assert person.snooze_delivery_id is None and person.next_send_at > datetime.now(UTC)
