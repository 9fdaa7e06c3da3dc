"""Issue 21 §2–3 in units: each replica's share of the budget (on the ManualClock), a group's
slots (never more than 20 in any minute), and the limiter's waits given up on stop."""

from __future__ import annotations

import asyncio
import random
import time

import pytest

from tipbot.core import budget
from tipbot.core.budget import Beat, share
from tipbot.core.sender import (
    BULK,
    GROUP_WINDOW,
    QUEUED,
    STOP_GRACE,
    GroupSlots,
    SendAborted,
    SendLimiter,
    SharedRate,
    keep_group_slots,
    next_group_slot,
)

RATE = 30.0


class Replicas:
    """Replicas beating on the ManualClock, as the ``send_replicas`` table sees them."""

    def __init__(self, clock) -> None:
        self.clock = clock
        self.beats: dict[str, Beat] = {}

    def now(self) -> float:
        return self.clock.now().timestamp()

    def beat(self, name: str) -> float:
        joined = self.beats[name].joined_at if name in self.beats else self.now()
        self.beats[name] = Beat(name, joined, self.now())
        return self.share(name)

    def share(self, name: str) -> float:
        return share(RATE, self.beats.values(), name, self.now())


def test_one_replica_takes_the_whole_rate_at_its_first_beat(clock):
    replicas = Replicas(clock)
    assert replicas.beat("a") == RATE


def test_a_newcomer_settles_then_the_replicas_split_the_rate(clock):
    replicas = Replicas(clock)
    replicas.beat("a")
    clock.advance(seconds=0.5)
    assert replicas.beat("b") == budget.SETTLING_RATE  # a has not seen b yet
    assert replicas.share("a") == RATE / 2  # at a's next beat
    # Never more than the budget while a lowers its rate (plus the settling trickle).
    assert RATE + budget.SETTLING_RATE <= RATE * 1.05
    clock.advance(seconds=budget.SETTLE)
    assert replicas.beat("a") == RATE / 2
    assert replicas.beat("b") == RATE / 2
    clock.advance(seconds=budget.BEAT)
    assert replicas.beat("c") == budget.SETTLING_RATE
    assert replicas.beat("a") == replicas.beat("b") == RATE / 3


def test_a_dead_replicas_share_returns_once_its_beat_is_stale(clock):
    replicas = Replicas(clock)
    for name in ("a", "b", "c"):
        replicas.beat(name)
    clock.advance(seconds=budget.SETTLE)
    for name in ("a", "b", "c"):
        assert replicas.beat(name) == RATE / 3
    for _ in range(int(budget.STALE / budget.BEAT) - 1):  # c is killed: no more beats
        clock.advance(seconds=budget.BEAT)
        assert replicas.beat("a") == replicas.beat("b") == RATE / 3  # a beat may be late
    clock.advance(seconds=budget.BEAT)
    assert replicas.beat("a") == replicas.beat("b") == RATE / 2
    clock.advance(seconds=budget.STALE)  # b too
    assert replicas.beat("a") == RATE


def test_a_replica_the_others_do_not_count_sends_at_the_settling_rate(clock):
    replicas = Replicas(clock)
    replicas.beat("a")
    replicas.beat("b")
    clock.advance(seconds=budget.STALE)  # b's beats fail (the database is away)
    replicas.beat("a")
    assert replicas.share("b") == budget.SETTLING_RATE
    assert replicas.share("a") == RATE


def test_two_replicas_joining_at_the_same_moment_both_settle_but_the_first(clock):
    """Beats are serialised (advisory lock): equal join times still split, none doubles."""
    replicas = Replicas(clock)
    replicas.beat("a")
    replicas.beat("b")  # same clock reading
    assert replicas.share("a") == replicas.share("b") == RATE / 2


def test_group_slots_never_allow_more_than_20_in_any_minute():
    slots: list[float] = []
    now, taken = 1000.0, []
    rng = random.Random(7)
    for _ in range(200):
        now += rng.choice([0.0, 0.1, 1.0, 5.0])
        slots = keep_group_slots(slots, now, 20)
        slot = next_group_slot(slots, now, 20)
        assert slot >= now
        slots.append(slot)
        taken.append(slot)
    assert taken == sorted(taken)  # first come, first served
    for index, start in enumerate(taken):
        assert sum(start <= slot < start + GROUP_WINDOW for slot in taken[index:]) <= 20


async def test_a_durable_send_waiting_for_the_rate_gives_up_on_stop():
    rate = SharedRate(1)
    await rate.acquire()  # the bucket's one token
    waiting = asyncio.ensure_future(rate.acquire(bulk=True, durable=True))
    interactive = asyncio.ensure_future(rate.acquire())
    await asyncio.sleep(0.01)
    rate.stop()
    with pytest.raises(SendAborted):
        await waiting
    await asyncio.wait_for(interactive, 2)  # a reply still gets its turn
    with pytest.raises(SendAborted):
        await rate.acquire(durable=True)


async def test_a_share_change_serves_waiters_at_the_new_rate():
    rate = SharedRate(0.001)
    await rate.acquire()
    waiting = asyncio.ensure_future(rate.acquire())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    rate.set_rate(100)
    await asyncio.wait_for(waiting, 1)


class _Groups(GroupSlots):
    def __init__(self) -> None:
        super().__init__()
        self.released: list[float] = []

    async def release(self, chat_id, slot) -> None:
        self.released.append(slot)
        await super().release(chat_id, slot)


async def _sent() -> dict:
    return {"ok": True}


@pytest.mark.parametrize("mark", [QUEUED, BULK])
async def test_a_durable_group_send_gives_its_slot_back_on_stop(mark):
    groups = _Groups()
    limiter = SendLimiter(100, groups=groups)
    for _ in range(20):  # the group's minute is used up
        await limiter.process_request(_sent, (), {}, "sendMessage", {"chat_id": -5}, None)
    waiting = asyncio.ensure_future(
        limiter.process_request(_sent, (), {}, "sendMessage", {"chat_id": -5}, mark)
    )
    await asyncio.sleep(0.05)
    started = time.monotonic()
    limiter.stop()
    with pytest.raises(SendAborted):
        await waiting
    assert time.monotonic() - started < 0.5
    assert len(groups.released) == 1
    private = {"chat_id": 42}  # a durable send outside the group waits for nothing, but stops
    with pytest.raises(SendAborted):
        await limiter.process_request(_sent, (), {}, "sendMessage", private, mark)


async def test_an_interactive_reply_waits_on_stop_only_if_its_slot_is_close():
    limiter = SendLimiter(100)
    for _ in range(20):
        await limiter.process_request(_sent, (), {}, "sendMessage", {"chat_id": -5}, None)
    waiting = asyncio.ensure_future(
        limiter.process_request(_sent, (), {}, "sendMessage", {"chat_id": -5}, None)
    )
    await asyncio.sleep(0.05)
    limiter.stop()  # its slot is a minute away, beyond STOP_GRACE
    with pytest.raises(SendAborted):
        await asyncio.wait_for(waiting, STOP_GRACE + 1)
    assert await limiter.process_request(_sent, (), {}, "sendMessage", {"chat_id": 7}, None)
