"""The daily prune: deliveries older than the retention go, in chunks of short transactions."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.db.models import Delivery
from tipbot.core.runtime import Deps

log = logging.getLogger("tipbot.delivery")  # the logger these lines were always under


async def prune_deliveries(
    session: AsyncSession, *, now: datetime, retention: timedelta, chunk: int = 10_000
) -> int:
    """Delete up to ``chunk`` deliveries older than ``retention``; returns how many."""
    old = (
        select(Delivery.id)
        .where(Delivery.created_at < now - retention)
        .order_by(Delivery.created_at)
        .limit(chunk)
        .scalar_subquery()
    )
    result = await session.execute(delete(Delivery).where(Delivery.id.in_(old)))
    return result.rowcount or 0


async def prune_all(deps: Deps) -> int:
    """Delete deliveries older than the retention, in chunks of short transactions."""
    retention = timedelta(days=deps.settings.delivery_retention_days)
    now = deps.clock.now()
    total = 0
    while True:
        async with deps.db.session() as session:
            deleted = await prune_deliveries(session, now=now, retention=retention)
        total += deleted
        if not deleted:
            break
    if total:
        log.info("pruned %d deliveries older than %d days", total, retention.days)
    return total
