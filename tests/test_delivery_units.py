"""The delivery engine's plain functions, called directly (no bot)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from tipbot.core.db.models import Delivery, DeliveryStatus, Subscriber, SubscriptionStatus
from tipbot.core.sender import SendPolicy
from tipbot.delivery.sweep import claim_due, prune_deliveries
from tipbot.subscriber.picker import _order

NOW = datetime(2026, 6, 1, 2, 30, tzinfo=UTC)
GRACE = timedelta(hours=3)


def test_send_workers_follow_the_rate_within_bounds():
    assert SendPolicy(1).in_flight == 4
    assert SendPolicy(30).in_flight == 4
    assert SendPolicy(1000).in_flight == 50
    assert SendPolicy(10_000).in_flight == 64


def test_tip_order_is_a_stable_permutation_that_keeps_its_order_when_tips_are_added():
    tips = tuple(f"tip-{n}" for n in range(20))
    order = _order(tips, 12345)
    assert sorted(order) == sorted(tips)
    assert _order(tips, 12345) == order
    assert _order(tips, 54321) != order
    grown = _order((*tips, "tip-new"), 12345)
    assert tuple(tip for tip in grown if tip != "tip-new") == order


def test_tip_order_of_a_seed_never_changes():
    # Stored cursors point into this order: a faster implementation must keep it exactly.
    tips = tuple(f"tip-{n:02d}" for n in range(8))
    assert _order(tips, 12345) == (
        "tip-02", "tip-06", "tip-07", "tip-01", "tip-03", "tip-00", "tip-04", "tip-05",
    )  # fmt: skip


async def add_due(db, user_id: int, due: datetime, **fields) -> None:
    async with db.session() as session:
        values = {
            "status": SubscriptionStatus.ACTIVE,
            "timezone": "Asia/Kolkata",
            "send_time": time(8, 0),
            "topics": ["omega3"],
            "tip_seed": 7,
            "tip_cursors": {},
            "created_at": due - timedelta(days=1),
        }
        subscriber = Subscriber(user_id=user_id, **{**values, **fields})
        subscriber.next_send_at = due
        session.add(subscriber)


async def test_a_claim_records_advances_and_is_not_repeated(db, library):
    await add_due(db, 1, NOW)
    async with db.session() as session:
        batch = await claim_due(session, library, now=NOW, grace=GRACE, limit=10)
    (claim,) = batch.claims
    assert (claim.chat_id, claim.attempts) == (1, 1)
    assert claim.tip_id in {tip.id for tip in library.tips_by_topic["omega3"]}
    async with db.session() as session:
        again = await claim_due(session, library, now=NOW, grace=GRACE, limit=10)
        subscriber = await session.get(Subscriber, 1)
        delivery = await session.scalar(select(Delivery))
    assert again.claims == [] and again.examined == 0
    assert subscriber.next_send_at == NOW + timedelta(days=1)
    assert subscriber.tip_cursors == {"omega3": 1}
    assert (delivery.status, delivery.tip_id) == (DeliveryStatus.PENDING, claim.tip_id)


async def test_a_claim_beyond_the_grace_records_a_skip_and_waits_for_the_next_time(db, library):
    await add_due(db, 1, NOW)
    later = NOW + timedelta(hours=5)
    async with db.session() as session:
        batch = await claim_due(session, library, now=later, grace=GRACE, limit=10)
    assert batch.claims == [] and batch.skipped == 1
    async with db.session() as session:
        subscriber = await session.get(Subscriber, 1)
        delivery = await session.scalar(select(Delivery))
    assert subscriber.next_send_at == NOW + timedelta(days=1)
    assert subscriber.tip_cursors == {}
    assert delivery.status is DeliveryStatus.SKIPPED


async def test_a_claim_takes_at_most_its_batch_oldest_first(db, library):
    for user_id in range(1, 6):
        await add_due(db, user_id, NOW - timedelta(minutes=user_id))
    async with db.session() as session:
        batch = await claim_due(session, library, now=NOW, grace=GRACE, limit=3)
    assert [claim.chat_id for claim in batch.claims] == [5, 4, 3]
    assert batch.examined == 3
    assert batch.oldest_due == NOW - timedelta(minutes=5)


async def test_a_stopped_row_left_due_is_cleared_not_sent(db, library):
    await add_due(db, 1, NOW, status=SubscriptionStatus.STOPPED)
    async with db.session() as session:
        batch = await claim_due(session, library, now=NOW, grace=GRACE, limit=10)
        subscriber = await session.get(Subscriber, 1)
    assert batch.claims == []
    assert subscriber.next_send_at is None


async def test_prune_deletes_in_chunks(db, library):
    await add_due(db, 1, NOW)
    async with db.session() as session:
        session.add_all(
            Delivery(
                subscriber_id=1,
                local_date=(NOW - timedelta(days=500 - day)).date(),
                status=DeliveryStatus.SENT,
                attempts=1,
                due_at=NOW - timedelta(days=500 - day),
                created_at=NOW - timedelta(days=500 - day),
            )
            for day in range(10)
        )
    async with db.session() as session:
        deleted = await prune_deliveries(session, now=NOW, retention=timedelta(days=495), chunk=3)
    assert deleted == 3
    async with db.session() as session:
        assert await session.scalar(select(func.count()).select_from(Delivery)) == 7
