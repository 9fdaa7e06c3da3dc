"""Delivery in a real ``tipbot run`` process (issue 15).

Subscribers are made due at the real clock's now; the process sends at the default 30/s.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from tests.process_support import spawn_tipbot, tipbot_env
from tests.test_delivery import tips_of
from tipbot.core.db.models import Delivery, DeliveryStatus, Subscriber
from tipbot.staff import broadcast
from tipbot.subscriber.service import subscribe


async def make_due(db, settings, library, people) -> None:
    now = datetime.now(UTC)
    async with db.session() as session:
        for person in people:
            await subscribe(session, person.id, settings=settings, library=library, now=now)
        await session.execute(update(Subscriber).values(next_send_at=now - timedelta(seconds=1)))


async def count(db, *where) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.count()).select_from(Delivery).where(*where))


async def pending_ids(db) -> set[int]:
    async with db.session() as session:
        rows = await session.scalars(
            select(Delivery.subscriber_id).where(Delivery.status == DeliveryStatus.PENDING)
        )
        return set(rows)


async def test_first_tip_and_a_broadcast_resume_come_right_after_start(
    tg, db, settings, library, staff_group, tmp_path
):
    alice, bob = tg.user("Alice"), tg.user("Bob")
    await make_due(db, settings, library, [alice])
    async with db.session() as session:
        await subscribe(session, bob.id, settings=settings, library=library, now=datetime.now(UTC))
        draft = await broadcast.create_draft(session, "Open day on Friday", 1, datetime.now(UTC))
    async with db.session() as session:
        assert await broadcast.confirm(session, draft.id, staff_group.id)
    # Start-up takes over a second between building the app and starting its job queue.
    tg.delay("setMyCommands", 1.5, times=1)
    env = tipbot_env(tg, settings.database_url, TIPBOT_STAFF_CHAT_ID=str(staff_group.id))
    started = time.monotonic()
    process = await spawn_tipbot(env, tmp_path, stderr=asyncio.subprocess.DEVNULL)
    try:
        await tg.wait_until(lambda: tips_of(alice), timeout=30)
        tip_after = time.monotonic() - started
        await tg.wait_until(lambda: any("Open day" in m.text for m in bob.messages), timeout=30)
        broadcast_after = time.monotonic() - started
    finally:
        process.kill()
        await process.wait()
    # A minute before (the first sweep one interval after start; the resume job dropped).
    assert tip_after < 15 and broadcast_after < 15
