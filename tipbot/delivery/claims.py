"""The claim: one short transaction that takes what is due and commits it as ``pending``.

The rules (what is due, the grace window, what a claimed row becomes) are ``rules.py``;
the two writes are the dialect's adapter (``sql_postgresql.py``, ``sql_sqlite.py``). Due
rows are locked with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so replicas take disjoint
rows; SQLite serialises writers and ignores the clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from tipbot.core.content import Library
from tipbot.core.db.models import Delivery, DeliveryStatus, Subscriber, SubscriptionStatus
from tipbot.delivery import sql_postgresql, sql_sqlite
from tipbot.delivery.rules import (
    DUE_COLUMNS,
    Claim,
    DueSubscriber,
    plan_claim,
    retries_expire_before,
    retry_is_due,
)

_DUE_COLUMNS = [getattr(Subscriber, name) for name in DUE_COLUMNS]


@dataclass
class ClaimedBatch:
    claims: list[Claim]
    examined: int  # due rows looked at (a full batch means: look again)
    skipped: int = 0
    oldest_due: datetime | None = None


def _sql(connection: AsyncConnection) -> ModuleType:
    """The dialect's adapter: ``insert_deliveries`` and ``advance``."""
    return sql_postgresql if connection.dialect.name == "postgresql" else sql_sqlite


async def claim_retries(
    session: AsyncSession, *, now: datetime, grace: timedelta, limit: int
) -> list[Claim]:
    """Take ``retry`` deliveries whose next try has come; give up on those past the grace."""
    await session.execute(
        update(Delivery)
        .where(
            Delivery.status == DeliveryStatus.RETRY,
            Delivery.due_at <= retries_expire_before(now, grace),
        )
        .values(status=DeliveryStatus.FAILED)
    )
    rows = (
        await session.execute(
            select(
                Delivery.id,
                Delivery.subscriber_id,
                Delivery.tip_id,
                Delivery.attempts,
                Delivery.due_at,
                Subscriber.language,
                Delivery.variant,
            )
            .join(Subscriber, Subscriber.user_id == Delivery.subscriber_id)
            .where(
                Delivery.status == DeliveryStatus.RETRY,
                Subscriber.status == SubscriptionStatus.ACTIVE,
            )
            .order_by(Delivery.due_at)
            .limit(limit)
            .with_for_update(of=Delivery, skip_locked=True)
        )
    ).all()
    claims = [
        Claim(row.id, row.subscriber_id, row.tip_id, row.attempts + 1, row.language, row.variant)
        for row in rows
        if retry_is_due(row.due_at, row.attempts, now)
    ]
    if claims:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_([claim.delivery_id for claim in claims]))
            .values(status=DeliveryStatus.PENDING, attempts=Delivery.attempts + 1)
        )
    return claims


async def claim_due(
    session: AsyncSession, library: Library, *, now: datetime, grace: timedelta, limit: int
) -> ClaimedBatch:
    """Claim up to ``limit`` due subscribers: record their deliveries and advance them."""
    connection = await session.connection()
    due_rows = (
        await connection.execute(
            select(*_DUE_COLUMNS)
            .where(Subscriber.next_send_at <= now)
            .order_by(Subscriber.next_send_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    batch = ClaimedBatch(claims=[], examined=len(due_rows))
    if not due_rows:
        return batch
    subscribers = [DueSubscriber(*row) for row in due_rows]
    batch.oldest_due = subscribers[0].next_send_at
    plan = plan_claim(subscribers, library, now=now, grace=grace)
    batch.skipped = plan.skipped
    sql = _sql(connection)
    inserted = (
        await sql.insert_deliveries(connection, plan.deliveries, now) if plan.deliveries else []
    )
    batch.claims = plan.settle(inserted)
    if plan.resends:
        batch.claims += await _claim_resends(session, plan.resends)
    await sql.advance(connection, subscribers)
    return batch


async def _claim_resends(
    session: AsyncSession, resends: dict[int, tuple[int, str | None]]
) -> list[Claim]:
    """Snoozed tips whose time has come: their sent delivery goes back to ``pending`` (the
    same row: the day keeps its one tip) and is sent again. The person's snooze is cleared
    in the same transaction, so a crash loses it at most, never sends it twice."""
    ids = {delivery_id: user_id for user_id, (delivery_id, _) in resends.items()}
    rows = (
        await session.execute(
            select(Delivery.id, Delivery.subscriber_id, Delivery.tip_id, Delivery.variant).where(
                Delivery.id.in_(list(ids)),
                Delivery.status == DeliveryStatus.SENT,
                Delivery.snoozed_at.is_not(None),
            )
        )
    ).all()
    rows = [row for row in rows if ids[row.id] == row.subscriber_id and row.tip_id]
    if not rows:
        return []
    await session.execute(
        update(Delivery)
        .where(Delivery.id.in_([row.id for row in rows]))
        .values(status=DeliveryStatus.PENDING)
    )
    return [
        Claim(
            row.id,
            row.subscriber_id,
            row.tip_id,
            1,
            resends[row.subscriber_id][1],
            row.variant,  # the same wording again
            resend=True,
        )
        for row in rows
    ]
