"""``/stats``: the numbers staff ask about, in a few aggregate queries."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.db.models import (
    ConsultRequest,
    Delivery,
    DeliveryStatus,
    Subscriber,
    TipVote,
)
from tipbot.core.health import unknown_fate

WEEK = timedelta(days=7)
TOP_SOURCES = 10
LEAST_LIKED = 5
CLAIM_SAMPLE = 1000  # the median over the latest claims is enough, and bounded


@dataclass(frozen=True)
class TopicVotes:
    topic: str
    up: int
    down: int


@dataclass(frozen=True)
class TipScore:
    tip_id: str
    up: int
    down: int


@dataclass(frozen=True)
class Stats:
    subscribers: dict[str, int]
    new_this_week: int
    sources: list[tuple[str | None, int]]
    tips_sent_week: int
    tips_unknown_week: int  # left pending by a crash: maybe sent, never sent again
    votes_by_topic: list[TopicVotes]
    least_liked: list[TipScore]
    requests: dict[str, int]
    median_time_to_claim: timedelta | None


async def gather_stats(session: AsyncSession, now: datetime) -> Stats:
    week_ago = now - WEEK
    subscribers = await _count_by(session, Subscriber.status)
    new_this_week = await session.scalar(
        select(func.count()).where(Subscriber.created_at >= week_ago)
    )
    sources = await session.execute(
        select(Subscriber.source, func.count())
        .group_by(Subscriber.source)
        .order_by(func.count().desc(), Subscriber.source)
        .limit(TOP_SOURCES)
    )
    tips_sent = await session.scalar(
        select(func.count()).where(
            Delivery.status == DeliveryStatus.SENT, Delivery.sent_at >= week_ago
        )
    )
    tips_unknown = await session.scalar(select(func.count()).where(unknown_fate(now)))
    up = func.sum(case((TipVote.vote > 0, 1), else_=0))
    down = func.sum(case((TipVote.vote < 0, 1), else_=0))
    by_topic = await session.execute(
        select(TipVote.topic, up, down).group_by(TipVote.topic).order_by(TipVote.topic)
    )
    least_liked = await session.execute(
        select(TipVote.tip_id, up, down)
        .group_by(TipVote.tip_id)
        .having(down > 0)
        .order_by((up - down).asc(), down.desc(), TipVote.tip_id)
        .limit(LEAST_LIKED)
    )
    claims = await session.execute(
        select(ConsultRequest.created_at, ConsultRequest.claimed_at)
        .where(ConsultRequest.claimed_at.is_not(None))
        .order_by(ConsultRequest.claimed_at.desc())
        .limit(CLAIM_SAMPLE)
    )
    waits = [claimed - created for created, claimed in claims]
    return Stats(
        subscribers=subscribers,
        new_this_week=new_this_week or 0,
        sources=list(sources),
        tips_sent_week=tips_sent or 0,
        tips_unknown_week=tips_unknown or 0,
        votes_by_topic=[TopicVotes(t, int(u), int(d)) for t, u, d in by_topic],
        least_liked=[TipScore(t, int(u), int(d)) for t, u, d in least_liked],
        requests=await _count_by(session, ConsultRequest.status),
        median_time_to_claim=statistics.median(waits) if waits else None,
    )


async def _count_by(session: AsyncSession, column) -> dict[str, int]:
    rows = await session.execute(select(column, func.count()).group_by(column))
    return {str(getattr(key, "value", key)): count for key, count in rows}
