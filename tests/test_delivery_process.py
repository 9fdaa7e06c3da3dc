"""Delivery in a real ``tipbot run`` process: start-up, SIGKILL, SIGTERM (issue 15).

Subscribers are made due at the real clock's now; the process sends at the default 30/s.
"""

from __future__ import annotations

import asyncio
import signal
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from tests.helpers.delivery import tips_of
from tests.helpers.process import spawn_tipbot, tipbot_env
from tests.helpers.waiting import eventually
from tipbot.core.db.models import Delivery, DeliveryStatus, Subscriber
from tipbot.core.sender import SendPolicy
from tipbot.staff import broadcast
from tipbot.subscriber.service import subscribe

RATE = 30  # the default TIPBOT_MAX_MESSAGES_PER_SECOND
#: Claimed and not yet recorded at any moment (core/bulk.py): two slices of a second,
#: the sends in flight, the outcomes since the last record (every 0.5 s; a second here, for
#: a loaded machine whose record may wait for the claim's write lock).
IN_FLIGHT_BOUND = 2 * RATE + SendPolicy(RATE).in_flight + RATE


async def make_due(db, settings, library, people) -> None:
    now = datetime.now(UTC)
    async with db.session() as session:
        for person in people:
            await subscribe(session, person.id, settings=settings, library=library, now=now)
        # Subscribers of some standing: no welcome series (issue 24) doubling the sends.
        await session.execute(
            update(Subscriber).values(next_send_at=now - timedelta(seconds=1), welcome_day=None)
        )


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


async def test_two_kills_lose_at_most_what_was_in_flight_and_never_send_twice(
    tg, db, settings, library, tmp_path
):
    people = [tg.user(f"Reader{i}") for i in range(300)]
    await make_due(db, settings, library, people)
    env = tipbot_env(tg, settings.database_url)
    log = (tmp_path / "tipbot.log").open("ab")

    def arrived() -> int:
        return sum(len(tips_of(person)) for person in people)

    unknown_after_kill: list[set[int]] = []

    async def all_handled_and_recorded() -> bool:
        due = await count(db, Delivery.status == DeliveryStatus.RETRY)
        async with db.session() as session:
            due += await session.scalar(
                select(func.count()).where(Subscriber.next_send_at <= datetime.now(UTC))
            )
        return not due and await pending_ids(db) == unknown_after_kill[-1]

    for run in range(3):
        before = arrived()
        started = time.monotonic()
        process = await spawn_tipbot(env, tmp_path, stderr=log)
        try:
            await tg.wait_until(lambda before=before: arrived() > before, timeout=30)
            assert time.monotonic() - started < 15, f"run {run}: delivery resumed too late"
            if run < 2:
                await tg.wait_until(lambda before=before: arrived() >= before + 80, timeout=30)
                process.kill()
                await process.wait()
                unknown_after_kill.append(await pending_ids(db))
                continue
            # The last run: until everyone was handled and everything recorded.
            await eventually(
                all_handled_and_recorded, timeout=60, interval=0.1, what="the last run's end"
            )
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()

    received = {person.id: len(tips_of(person)) for person in people}
    assert max(received.values()) == 1  # never twice
    first, both = unknown_after_kill
    assert first <= both  # a row of unknown fate is never sent again
    for unknown in (first, both - first):
        assert len(unknown) <= IN_FLIGHT_BOUND  # no more than was in flight
        lost = [user for user in unknown if not received[user]]
        assert len(lost) <= 2 * RATE + SendPolicy(RATE).in_flight  # about 60 at 30/s
    assert await pending_ids(db) == both  # the runs after a kill left nothing unrecorded
    sent = await count(db, Delivery.status == DeliveryStatus.SENT)
    arrived_unknown = sum(received[user] for user in both)
    assert sent + arrived_unknown == arrived()  # every tip that arrived is recorded or unknown
    assert sent + len(both) == 300  # everyone got a tip, or has a row of unknown fate


async def test_sigterm_mid_sweep_exits_within_5_s_with_everything_recorded(
    tg, db, settings, library, tmp_path
):
    people = [tg.user(f"Reader{i}") for i in range(300)]
    await make_due(db, settings, library, people)
    tg.delay("sendMessage", 0.05)  # Telegram's round trip
    env = tipbot_env(tg, settings.database_url)
    process = await spawn_tipbot(env, tmp_path, stderr=asyncio.subprocess.DEVNULL)
    try:
        await tg.wait_until(
            lambda: sum(len(tips_of(person)) for person in people) >= 60, timeout=30
        )
        signalled = time.monotonic()
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=30)
        took = time.monotonic() - signalled
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    assert took < 5
    received = {person.id for person in people if tips_of(person)}
    assert 0 < len(received) < 300
    async with db.session() as session:
        rows = dict((await session.execute(select(Delivery.subscriber_id, Delivery.status))).all())
    assert DeliveryStatus.PENDING not in rows.values()  # nothing left of unknown fate
    assert {user for user, status in rows.items() if status is DeliveryStatus.SENT} == received
    # Claimed and not sent: sent after the restart, by a later sweep.
    assert {status for user, status in rows.items() if user not in received} <= {
        DeliveryStatus.RETRY
    }
