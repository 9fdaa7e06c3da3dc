"""Tips asked for on demand, and the 👍/👎 votes under any tip.

On-demand tips go through the same picker as the daily tip, so they advance the same
per-topic cursors: what a person asked for today is not sent again tomorrow.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.config import Settings
from tipbot.core.content import Library, Tip
from tipbot.core.db.models import Subscriber, TipView, TipVote
from tipbot.subscriber.picker import pick_tip, variant_of
from tipbot.subscriber.service import person_for_on_demand

VOTE_VALUES = (1, -1)


@dataclass(slots=True)
class _PickerRow:
    """The picker's columns of a person's row as plain values (the picker reads attributes,
    so it works on this as on the ORM model, like the sweep's ``DueSubscriber``)."""

    topics: list[str]
    tip_seed: int
    tip_cursors: dict[str, int]
    last_topic: str | None


# /tip is the busiest command: Core statements built once, not ORM loads and flushes.
# Loading, locking and flushing the ORM row plus the identity-map bookkeeping cost more CPU
# than the rest of the handler (``bench/README.md``, "Updates").
_SUBSCRIBERS, _VIEWS, _VOTES = Subscriber.__table__, TipView.__table__, TipVote.__table__
_READ_PICKER = (
    select(*(_SUBSCRIBERS.c[name] for name in _PickerRow.__dataclass_fields__))
    .where(_SUBSCRIBERS.c.user_id == bindparam("user_id"))
    .with_for_update()
)
_ADVANCE_PICKER = (
    update(_SUBSCRIBERS)
    .where(_SUBSCRIBERS.c.user_id == bindparam("person"))
    .values(tip_cursors=bindparam("cursors"), last_topic=bindparam("topic"))
)
_COUNT_VIEW = (
    update(_VIEWS)
    .where(_VIEWS.c.subscriber_id == bindparam("person"))
    .values(on_demand=_VIEWS.c.on_demand + 1)
)
_FIRST_VIEW = insert(_VIEWS).values(subscriber_id=bindparam("person"), daily=0, on_demand=1)
_READ_VOTE = select(_VOTES.c.vote).where(
    _VOTES.c.subscriber_id == bindparam("user_id"), _VOTES.c.tip_id == bindparam("tip_id")
)


async def give_tip(
    session: AsyncSession,
    user_id: int,
    *,
    topic_id: str | None,
    settings: Settings,
    library: Library,
    now: datetime,
    language_code: str | None = None,
) -> tuple[Tip, int | None, int]:
    """Pick the person's next tip (of ``topic_id``, or from their topics) and count it seen.

    Returns the tip, the person's earlier vote on it (a tip comes round again once every
    tip of the topic has been seen) and the wording they see (their seed's, as daily).
    """
    connection = await session.connection()
    row = (await connection.execute(_READ_PICKER, {"user_id": user_id})).one_or_none()
    if row is None:  # first contact: the row is made (unsubscribed) the ORM way, once
        subscriber = await person_for_on_demand(
            session,
            user_id,
            settings=settings,
            library=library,
            now=now,
            language_code=language_code,
        )
        tip = pick_tip(subscriber, library, topic_id)
        seed = subscriber.tip_seed
        await session.flush()
    else:
        state = _PickerRow(*row)
        tip = pick_tip(state, library, topic_id)
        seed = state.tip_seed
        await connection.execute(
            _ADVANCE_PICKER,
            {"person": user_id, "cursors": state.tip_cursors, "topic": state.last_topic},
        )
    if (await connection.execute(_COUNT_VIEW, {"person": user_id})).rowcount == 0:
        await connection.execute(_FIRST_VIEW, {"person": user_id})
    vote = await connection.scalar(_READ_VOTE, {"user_id": user_id, "tip_id": tip.id})
    return tip, vote, variant_of(tip, seed)


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
