"""Per-wording figures of one tip (issue 25): how many got each wording, and how they voted,
so the clinic keeps the better one. One SQL aggregate; ``/stats tip ID`` can show it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.db.models import Delivery, DeliveryStatus, TipVote


@dataclass(frozen=True)
class VariantFigures:
    variant: int  # 0: the tip's text; n: its n-th variant
    sent: int
    up: int
    down: int


async def variant_figures(session: AsyncSession, tip_id: str) -> list[VariantFigures]:
    """Daily sends of ``tip_id`` per wording, with the votes of the people who got each."""
    rows = await session.execute(
        select(
            Delivery.variant,
            func.count(),
            func.coalesce(func.sum(case((TipVote.vote == 1, 1), else_=0)), 0),
            func.coalesce(func.sum(case((TipVote.vote == -1, 1), else_=0)), 0),
        )
        .outerjoin(
            TipVote,
            and_(
                TipVote.subscriber_id == Delivery.subscriber_id, TipVote.tip_id == Delivery.tip_id
            ),
        )
        .where(Delivery.tip_id == tip_id, Delivery.status == DeliveryStatus.SENT)
        .group_by(Delivery.variant)
        .order_by(Delivery.variant)
    )
    return [VariantFigures(*row) for row in rows.all()]
