"""Blocking the bot: one rule (the subscriber service's ``mark_blocked``) keeps a person's own
/stop, whoever learns of the block first: the ``my_chat_member`` update, a daily tip's 403 or
a broadcast's 403. End to end through the fake Bot API, then the rule itself."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from fakegram import Errors
from tests.helpers.delivery import sweep, tips_of
from tipbot.core.db.models import Subscriber, SubscriptionStatus
from tipbot.subscriber.service import mark_blocked, mark_unblocked

HOLD = 2.5  # seconds a send is held by the fake: the person acts meanwhile (PTB waits 5 s)
DUE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # the default 09:00 UTC of a /start at 06:00


@pytest.fixture
def dana(tg, staff_group):
    """A clinic staff member, in the staff group."""
    user = tg.user("Dana")
    staff_group.add_member(user, "member")
    return user


async def _stored(bot, user) -> Subscriber | None:
    async with bot.deps.db.session() as session:
        return await session.get(Subscriber, user.id)


async def _status(bot, user) -> SubscriptionStatus:
    return (await _stored(bot, user)).status


async def _stop(tg, person) -> None:
    """/stop and "Yes, unsubscribe", as the person does it."""
    await person.send("/stop")
    confirm = await person.wait_for("unsubscribe")
    await person.press(confirm, "Yes, unsubscribe")
    await tg.wait_for_call("editMessageText")


async def _eventually(condition) -> None:
    for _ in range(250):  # up to 5 s
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise TimeoutError("condition still false after 5 s")


@pytest.mark.parametrize("block", ["my_chat_member and 403", "403 only"])
async def test_stop_then_block_within_the_sweeps_send_keeps_the_stop(bot, clock, tg, alice, block):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    clock.set(DUE)
    held = tg.delay("sendMessage", HOLD, chat_id=alice.id, times=1)
    if block == "403 only":  # Telegram sent no my_chat_member update (or it came late)
        tg.fail("sendMessage", error=Errors.blocked(), chat_id=alice.id, times=1)
    sweeping = asyncio.create_task(sweep(bot))
    await tg.wait_until(lambda: held.hits == 1)  # the tip was claimed and is on its way

    await _stop(tg, alice)
    if block == "my_chat_member and 403":
        await alice.block_bot()  # its send is now answered 403; the update is queued
    assert not sweeping.done()  # all of that happened while the tip was held
    report = await sweeping
    await tg.wait_idle()  # the my_chat_member update was handled too
    assert (report.claimed, report.blocked) == (1, 1)  # the send was answered 403
    subscriber = await _stored(bot, alice)
    assert (subscriber.status, subscriber.next_send_at) == (SubscriptionStatus.STOPPED, None)

    await alice.unblock_bot()
    await tg.wait_idle()
    assert await _status(bot, alice) is SubscriptionStatus.STOPPED  # not signed up again
    clock.advance(days=1)
    await sweep(bot)
    assert tips_of(alice) == []


async def test_stop_then_block_with_no_sweep_keeps_the_stop(bot, tg, alice):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    await _stop(tg, alice)
    await alice.block_bot()
    await alice.unblock_bot()
    await tg.wait_idle()
    subscriber = await _stored(bot, alice)
    assert (subscriber.status, subscriber.next_send_at) == (SubscriptionStatus.STOPPED, None)


async def test_a_broadcasts_403_after_a_stop_keeps_the_stop(bot, tg, dana, staff_group, alice):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    held = tg.delay("sendMessage", HOLD, chat_id=alice.id, times=1)
    await dana.send("/broadcast Closed on Friday", chat=staff_group)
    await dana.press(await staff_group.wait_for("Preview"), "Send to 1")
    await tg.wait_until(lambda: held.hits == 1)  # alice is in the snapshot, her copy on its way

    await _stop(tg, alice)
    await alice.block_bot()
    await tg.wait_until(lambda: "finished" in staff_group.messages[-1].text, timeout=10)
    assert staff_group.messages[-1].text.endswith("0 / 1 sent, 1 blocked, 0 failed.")
    assert await _status(bot, alice) is SubscriptionStatus.STOPPED
    await alice.unblock_bot()
    await tg.wait_idle()
    assert await _status(bot, alice) is SubscriptionStatus.STOPPED


async def test_a_pause_still_running_comes_back_after_unblocking(bot, clock, alice):
    await alice.send("/start")
    await alice.wait_for("Welcome")
    await alice.send("/pause 3")
    await alice.wait_for("Paused for 3 days")
    paused = await _stored(bot, alice)

    await alice.block_bot()
    await _eventually(lambda: _blocked(bot, alice))
    blocked = await _stored(bot, alice)
    assert (blocked.next_send_at, blocked.paused_until) == (None, paused.paused_until)

    clock.advance(days=1)
    await alice.unblock_bot()
    await _eventually(lambda: _paused(bot, alice))
    back = await _stored(bot, alice)
    assert (back.paused_until, back.next_send_at) == (paused.paused_until, paused.next_send_at)


async def test_an_open_pause_or_one_that_ended_comes_back_as_daily_tips(bot, clock, tg, alice):
    bob = tg.user("Bob")
    for person, pause in ((alice, "/pause"), (bob, "/pause 1")):
        await person.send("/start")
        await person.wait_for("Welcome")
        await person.send(pause)
        await person.wait_for("Paused")
        await person.block_bot()
        await _eventually(lambda person=person: _blocked(bot, person))
    clock.advance(days=2)  # Bob's pause ended while he had the bot blocked
    for person in (alice, bob):
        await person.unblock_bot()
        await _eventually(lambda person=person: _active(bot, person))
        subscriber = await _stored(bot, person)
        assert subscriber.paused_until is None
        assert subscriber.next_send_at == DUE + timedelta(days=2)


async def _blocked(bot, user) -> bool:
    return await _status(bot, user) is SubscriptionStatus.BLOCKED


async def _paused(bot, user) -> bool:
    return await _status(bot, user) is SubscriptionStatus.PAUSED


async def _active(bot, user) -> bool:
    return await _status(bot, user) is SubscriptionStatus.ACTIVE


# ----------------------------------------------------------------------------- the rule


async def test_mark_blocked_changes_active_and_paused_only(db, clock):
    now = clock.now()
    until = now + timedelta(days=3)
    rows = {
        1: (SubscriptionStatus.ACTIVE, None),
        2: (SubscriptionStatus.PAUSED, until),
        3: (SubscriptionStatus.STOPPED, None),
        4: (SubscriptionStatus.BLOCKED, None),
    }
    async with db.session() as session:
        for user_id, (status, paused_until) in rows.items():
            session.add(
                Subscriber(
                    user_id=user_id,
                    status=status,
                    timezone="UTC",
                    send_time=DUE.time(),
                    paused_until=paused_until,
                    next_send_at=None if status is SubscriptionStatus.STOPPED else DUE,
                )
            )
    async with db.session() as session:
        assert await mark_blocked(session, [1, 2, 3, 4, 99]) == 2  # 99: nobody
        assert await mark_blocked(session, []) == 0
    async with db.session() as session:
        found = {
            user_id: await session.get(Subscriber, user_id, populate_existing=True)
            for user_id in rows
        }
        assert {user_id: s.status for user_id, s in found.items()} == {
            1: SubscriptionStatus.BLOCKED,
            2: SubscriptionStatus.BLOCKED,
            3: SubscriptionStatus.STOPPED,
            4: SubscriptionStatus.BLOCKED,
        }
        assert [found[n].next_send_at for n in (1, 2, 3)] == [None, None, None]
        assert found[2].paused_until == until  # kept, for unblocking
        # Unblocking: the pause comes back, the active person gets tips, the stop stays.
        assert await mark_unblocked(session, 2, now)
        assert await mark_unblocked(session, 1, now)
        assert not await mark_unblocked(session, 3, now)
        assert (found[2].status, found[2].next_send_at) == (
            SubscriptionStatus.PAUSED,
            datetime(2026, 6, 4, 9, 0, tzinfo=UTC),
        )
        assert (found[1].status, found[1].next_send_at) == (SubscriptionStatus.ACTIVE, DUE)
