"""Tips asked for on demand, and the 👍/👎 votes under any tip.

On-demand tips go through the same picker as the daily tip, so they advance the same
per-topic cursors: what a person asked for today is not sent again tomorrow.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.config import Settings
from tipbot.core.content import Library, Tip
from tipbot.core.db.models import Subscriber, TipView, TipVote
from tipbot.subscriber.picker import pick_tip
from tipbot.subscriber.service import person_for_on_demand

VOTE_VALUES = (1, -1)


async def give_tip(
    session: AsyncSession,
    user_id: int,
    *,
    topic_id: str | None,
    settings: Settings,
    library: Library,
    now: datetime,
    language_code: str | None = None,
) -> tuple[Tip, int | None]:
    """Pick the person's next tip (of ``topic_id``, or from their topics) and count it seen.

    Returns the tip and the person's earlier vote on it (a tip comes round again once
    every tip of the topic has been seen).
    """
    subscriber = await person_for_on_demand(
        session, user_id, settings=settings, library=library, now=now, language_code=language_code
    )
    tip = pick_tip(subscriber, library, topic_id)
    # Core statements, not ORM loads: /tip is the busiest command, and two identity-map
    # round trips plus a flush cost more CPU than the rest of the handler.
    counted = await session.execute(
        update(TipView)
        .where(TipView.subscriber_id == user_id)
        .values(on_demand=TipView.on_demand + 1)
        .execution_options(synchronize_session=False)
    )
    if counted.rowcount == 0:
        session.add(TipView(subscriber_id=user_id, daily=0, on_demand=1))
    vote = await session.scalar(
        select(TipVote.vote).where(TipVote.subscriber_id == user_id, TipVote.tip_id == tip.id)
    )
    return tip, vote


class VoteOutcome(enum.Enum):
    STORED = "stored"
    UNCHANGED = "unchanged"
    NOT_KNOWN = "not_known"  # no row for this person (e.g. after /forget): nothing stored


async def record_vote(session: AsyncSession, user_id: int, tip: Tip, vote: int) -> VoteOutcome:
    """Store or replace the person's vote on ``tip``."""
    if vote not in VOTE_VALUES:
        raise ValueError("a vote is +1 or -1")
    if await session.get(Subscriber, user_id) is None:
        return VoteOutcome.NOT_KNOWN
    existing = await session.get(TipVote, (user_id, tip.id), with_for_update=True)
    if existing is None:
        session.add(TipVote(subscriber_id=user_id, tip_id=tip.id, topic=tip.topic, vote=vote))
        return VoteOutcome.STORED
    if existing.vote == vote:
        return VoteOutcome.UNCHANGED
    existing.vote = vote
    return VoteOutcome.STORED
