"""Unit tests of the subscriber services and the flood guard, without Telegram."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfoNotFoundError

import pytest
from sqlalchemy import func, select

from tipbot.consult.erase import forget_requests
from tipbot.core.db import Database
from tipbot.core.db.models import (
    ConsultRequest,
    Subscriber,
    SubscriptionStatus,
    TipView,
    TipVote,
)
from tipbot.core.erasure import Eraser
from tipbot.subscriber.floodguard import COOL_DOWN, FloodGuard, Verdict
from tipbot.subscriber.ondemand_service import VoteOutcome, give_tip, record_vote
from tipbot.subscriber.service import (
    SubscribeOutcome,
    TopicToggle,
    forget_person,
    pause,
    personal_data,
    resume,
    resume_if_pause_over,
    set_send_time,
    set_timezone,
    stop,
    subscribe,
    toggle_topic,
)

NOW = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


async def _subscribe(db, settings, library, user_id=1):
    async with db.session() as session:
        return (
            await subscribe(session, user_id, settings=settings, library=library, now=NOW)
        ).subscriber


async def test_settings_changes_recompute_next_send(db, settings, library):
    subscriber = await _subscribe(db, settings, library)
    set_send_time(subscriber, time(7, 30), NOW)
    assert subscriber.next_send_at == datetime(2026, 6, 1, 7, 30, tzinfo=UTC)
    set_timezone(subscriber, "Asia/Tokyo", NOW)  # 15:00 there: 07:30 is tomorrow
    assert subscriber.next_send_at == datetime(2026, 6, 1, 22, 30, tzinfo=UTC)
    with pytest.raises(ZoneInfoNotFoundError):
        set_timezone(subscriber, "Mars/Olympus", NOW)
    assert subscriber.timezone == "Asia/Tokyo"


async def test_timed_pause_resumes_by_itself_and_keeps_the_first_send(db, settings, library):
    subscriber = await _subscribe(db, settings, library)
    pause(subscriber, NOW, 3)
    assert subscriber.status is SubscriptionStatus.PAUSED
    assert subscriber.paused_until == NOW + timedelta(days=3)
    assert subscriber.next_send_at == datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
    assert not resume_if_pause_over(subscriber, NOW + timedelta(days=2))
    assert resume_if_pause_over(subscriber, NOW + timedelta(days=3, hours=3))
    assert subscriber.status is SubscriptionStatus.ACTIVE
    assert subscriber.paused_until is None
    # the sweep calls this with the row due: the due send must not move to the next day
    assert subscriber.next_send_at == datetime(2026, 6, 4, 9, 0, tzinfo=UTC)
    assert not resume_if_pause_over(subscriber, NOW + timedelta(days=4))


async def test_open_pause_resume_and_stop(db, settings, library):
    subscriber = await _subscribe(db, settings, library)
    pause(subscriber, NOW, None)
    assert subscriber.next_send_at is None and subscriber.paused_until is None
    assert not resume_if_pause_over(subscriber, NOW + timedelta(days=400))
    resume(subscriber, NOW)
    assert subscriber.status is SubscriptionStatus.ACTIVE and subscriber.next_send_at
    with pytest.raises(ValueError, match="1-365 days"):
        pause(subscriber, NOW, 366)
    stop(subscriber, NOW)
    assert subscriber.status is SubscriptionStatus.STOPPED and subscriber.next_send_at is None


async def test_the_last_topic_stays_on(db, settings, library):
    subscriber = await _subscribe(db, settings, library)
    topics = list(library.topics)
    for topic in topics[1:]:
        assert toggle_topic(subscriber, topic, library) is TopicToggle.OFF
    assert toggle_topic(subscriber, topics[0], library) is TopicToggle.LAST_ONE
    assert subscriber.topics == topics[:1]
    assert toggle_topic(subscriber, topics[-1], library) is TopicToggle.ON
    assert subscriber.topics == [topics[0], topics[-1]]


async def test_on_demand_tip_does_not_subscribe(db, settings, library):
    async with db.session() as session:
        tip, vote, _variant = await give_tip(
            session, 5, topic_id="omega3", settings=settings, library=library, now=NOW
        )
    assert tip.topic == "omega3" and vote is None
    async with db.session() as session:
        person = await session.get(Subscriber, 5)
        assert person.status is SubscriptionStatus.STOPPED and person.next_send_at is None
        assert (await session.get(TipView, 5)).on_demand == 1
        assert person.tip_cursors == {"omega3": 1}
        result = await subscribe(session, 5, settings=settings, library=library, now=NOW)
    assert result.outcome is SubscribeOutcome.NEW  # first real subscription gets the welcome
    assert result.subscriber.next_send_at is not None


async def test_on_demand_tips_do_not_repeat_until_all_seen(db, settings, library):
    count = len(library.tips_by_topic["stress"])
    seen = []
    for _ in range(count):
        async with db.session() as session:
            tip, _vote, _variant = await give_tip(
                session, 5, topic_id="stress", settings=settings, library=library, now=NOW
            )
        seen.append(tip.id)
    assert len(set(seen)) == count


async def test_votes_are_replaced_not_added(db, settings, library):
    await _subscribe(db, settings, library)
    tip = next(iter(library.tips.values()))
    async with db.session() as session:
        assert await record_vote(session, 1, tip, 1) is VoteOutcome.STORED
    async with db.session() as session:
        assert await record_vote(session, 1, tip, 1) is VoteOutcome.UNCHANGED
        assert await record_vote(session, 1, tip, -1) is VoteOutcome.STORED
        assert await record_vote(session, 999, tip, 1) is VoteOutcome.NOT_KNOWN
        with pytest.raises(ValueError, match="vote"):
            await record_vote(session, 1, tip, 2)
    async with db.session() as session:
        votes = (await session.scalars(select(TipVote))).all()
    assert [(v.subscriber_id, v.tip_id, v.vote) for v in votes] == [(1, tip.id, -1)]


async def test_forget_person_and_personal_data(db, settings, library):
    await _subscribe(db, settings, library)
    await _subscribe(db, settings, library, user_id=2)
    async with db.session() as session:
        await give_tip(session, 1, topic_id=None, settings=settings, library=library, now=NOW)
        session.add(
            ConsultRequest(
                user_id=1, name="A", contact_kind="telegram", preferred_time="any", consent_at=NOW
            )
        )
    async with db.session() as session:
        data = await personal_data(session, 1)
        assert data.on_demand_tips == 1 and len(data.consult_requests) == 1
        assert await forget_person(session, 1, now=NOW, erasers=[Eraser(forget_requests)])
    async with db.session() as session:
        assert (await personal_data(session, 1)).is_empty
        assert not await forget_person(session, 1, now=NOW)
        assert await session.scalar(select(func.count()).select_from(Subscriber)) == 1


def test_flood_guard_warns_once_then_drops_until_the_cool_down_ends():
    guard = FloodGuard(per_minute=3)
    verdicts = [guard.check(1, NOW) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN] + [Verdict.DROP] * 2
    assert guard.check(2, NOW) is Verdict.ALLOW  # others are not affected
    assert guard.check(1, NOW + COOL_DOWN - timedelta(seconds=1)) is Verdict.DROP
    assert guard.check(1, NOW + COOL_DOWN) is Verdict.ALLOW


def test_flood_guard_window_slides():
    guard = FloodGuard(per_minute=2)
    assert guard.check(1, NOW) is Verdict.ALLOW
    assert guard.check(1, NOW + timedelta(seconds=40)) is Verdict.ALLOW
    assert guard.check(1, NOW + timedelta(seconds=61)) is Verdict.ALLOW  # the first left
    assert guard.check(1, NOW + timedelta(seconds=62)) is Verdict.WARN


def test_flood_guard_memory_is_bounded():
    guard = FloodGuard(per_minute=5, max_tracked=100)
    for user_id in range(100):
        guard.check(user_id, NOW)
    guard.check(1000, NOW + timedelta(minutes=2))
    assert len(guard) == 1


async def test_two_replicas_starting_the_same_new_person_subscribe_once(
    database_url, settings, library
):
    """The second /start waits for the first, then finds the row: no error, one subscriber."""

    async def start_in(db: Database) -> SubscribeOutcome:
        async with db.session() as session:
            result = await subscribe(session, 7, settings=settings, library=library, now=NOW)
            return result.outcome

    first_db, second_db = Database(database_url), Database(database_url)
    try:
        async with first_db.session() as first:
            result = await subscribe(first, 7, settings=settings, library=library, now=NOW)
            assert result.outcome is SubscribeOutcome.NEW
            second = asyncio.create_task(start_in(second_db))
            await asyncio.sleep(0.3)  # let the second replica reach the database and wait
            assert not second.done()
        assert await second is SubscribeOutcome.ALREADY
        async with first_db.session() as session:
            assert await session.scalar(select(func.count()).select_from(Subscriber)) == 1
    finally:
        await first_db.dispose()
        await second_db.dispose()
