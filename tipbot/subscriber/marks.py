"""What a person does with a tip besides voting: "✅ I tried it", "⭐ Save", "⏰ Later".

Plain async functions over a session and plain values (handlers in ``tip_buttons.py``).
A snooze moves the day's tip once: the delivery row keeps the day (the unique
(subscriber, local date) key still says "that day's tip"), the person's row holds the
instant it comes again as ``next_send_at``, so the sweep's one indexed query picks it up,
also after a restart.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.core.content import Library, Tip
from tipbot.core.db.models import (
    Delivery,
    DeliveryStatus,
    SavedTip,
    StopReason,
    Subscriber,
    SubscriptionStatus,
    TipTried,
    TipVote,
)
from tipbot.core.schedule import occurrence
from tipbot.subscriber.service import compute_next_send

EVENING = time(19, 0)
SAVED_PAGE_SIZE = 5
STOP_REASONS = ("often", "relevant", "known", "other")


@dataclass(frozen=True)
class TipState:
    """The person's own marks on one tip, as the buttons under it show them."""

    vote: int | None = None
    tried: bool = False
    saved: bool = False


async def tip_state(session: AsyncSession, user_id: int, tip_id: str) -> TipState:
    vote = await session.scalar(
        select(TipVote.vote).where(TipVote.subscriber_id == user_id, TipVote.tip_id == tip_id)
    )
    tried = await session.get(TipTried, (user_id, tip_id)) is not None
    saved = await session.get(SavedTip, (user_id, tip_id)) is not None
    return TipState(vote, tried, saved)


async def _toggle(
    session: AsyncSession, model: type[TipTried | SavedTip], user_id: int, tip: Tip, now: datetime
) -> bool | None:
    """Add the mark, or take it back; None when the person has no row (e.g. after /forget)."""
    if await session.get(Subscriber, user_id) is None:
        return None
    existing = await session.get(model, (user_id, tip.id), with_for_update=True)
    if existing is not None:
        await session.delete(existing)
        return False
    session.add(model(user_id=user_id, tip_id=tip.id, created_at=now))
    return True


async def toggle_tried(session: AsyncSession, user_id: int, tip: Tip, now: datetime) -> bool | None:
    """True: now ticked; False: taken back; None: not known."""
    return await _toggle(session, TipTried, user_id, tip, now)


async def toggle_saved(session: AsyncSession, user_id: int, tip: Tip, now: datetime) -> bool | None:
    return await _toggle(session, SavedTip, user_id, tip, now)


@dataclass(frozen=True)
class SavedPage:
    tips: list[Tip]
    page: int
    total: int

    @property
    def has_older(self) -> bool:
        return (self.page + 1) * SAVED_PAGE_SIZE < self.total


async def saved_page(session: AsyncSession, user_id: int, library: Library, page: int) -> SavedPage:
    """One page of the person's saved tips, newest first (tips the library lost are left out)."""
    ids = list(
        await session.scalars(
            select(SavedTip.tip_id)
            .where(SavedTip.user_id == user_id)
            .order_by(SavedTip.created_at.desc(), SavedTip.tip_id)
        )
    )
    known = [library.tips[tip_id] for tip_id in ids if tip_id in library.tips]
    last_page = max(0, (len(known) - 1) // SAVED_PAGE_SIZE)
    page = min(max(page, 0), last_page)
    start = page * SAVED_PAGE_SIZE
    return SavedPage(known[start : start + SAVED_PAGE_SIZE], page, len(known))


@dataclass(frozen=True)
class TriedCounts:
    """How often each tip, and each topic, was marked "tried" (for the clinic's figures)."""

    by_tip: dict[str, int]
    by_topic: dict[str, int]


async def tried_counts(session: AsyncSession, library: Library) -> TriedCounts:
    rows = (
        await session.execute(select(TipTried.tip_id, func.count()).group_by(TipTried.tip_id))
    ).all()
    by_tip: dict[str, int] = dict(rows)
    by_topic: dict[str, int] = {}
    for tip_id, count in by_tip.items():
        tip = library.tips.get(tip_id)
        if tip is not None:
            by_topic[tip.topic] = by_topic.get(tip.topic, 0) + count
    return TriedCounts(by_tip, by_topic)


# ----------------------------------------------------------------------------- snooze


class SnoozeOutcome(enum.Enum):
    SNOOZED = "snoozed"
    ONCE = "once"  # this tip was moved already
    TOO_LATE = "too_late"  # the chosen time is past, or not before the next tip
    NOT_TODAY = "not_today"  # not the person's latest daily tip
    NOT_SUBSCRIBED = "not_subscribed"


@dataclass(frozen=True)
class SnoozeResult:
    outcome: SnoozeOutcome
    at: datetime | None = None
    timezone: str | None = None


def snooze_instant(choice: str, now: datetime, zone: str) -> datetime:
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "3h":
        return now + timedelta(hours=3)
    return occurrence(now.astimezone(ZoneInfo(zone)).date(), EVENING, ZoneInfo(zone))


async def snooze(
    session: AsyncSession, user_id: int, tip_id: str, choice: str, now: datetime
) -> SnoozeResult:
    """Move the person's latest daily tip (if it is ``tip_id``) to ``choice``, once."""
    subscriber = await session.get(Subscriber, user_id, with_for_update=True)
    if subscriber is None or subscriber.status is not SubscriptionStatus.ACTIVE:
        return SnoozeResult(SnoozeOutcome.NOT_SUBSCRIBED)
    delivery = await session.scalar(
        select(Delivery)
        .where(Delivery.subscriber_id == user_id)
        .order_by(Delivery.local_date.desc())
        .limit(1)
        .with_for_update()
    )
    if (
        delivery is None
        or delivery.tip_id != tip_id
        or delivery.sent_at is None
        or delivery.sent_at < now - timedelta(hours=24)
    ):
        return SnoozeResult(SnoozeOutcome.NOT_TODAY)
    if delivery.snoozed_at is not None or delivery.status is not DeliveryStatus.SENT:
        return SnoozeResult(SnoozeOutcome.ONCE)
    at = snooze_instant(choice, now, subscriber.timezone)
    regular = compute_next_send(subscriber, now)
    if at <= now or (regular is not None and at >= regular):
        return SnoozeResult(SnoozeOutcome.TOO_LATE)
    delivery.snoozed_at = now
    subscriber.snooze_delivery_id = delivery.id
    subscriber.snoozed_until = at
    subscriber.next_send_at = at
    return SnoozeResult(SnoozeOutcome.SNOOZED, at, subscriber.timezone)


# ----------------------------------------------------------------------------- leaving


async def count_stop_reason(session: AsyncSession, reason: str) -> None:
    """One more for ``reason``: a counter only, nothing that says who."""
    if reason not in STOP_REASONS:
        raise ValueError("unknown reason")
    row = await session.get(StopReason, reason, with_for_update=True)
    if row is None:
        try:
            async with session.begin_nested():  # two first counts at once: one inserts
                session.add(StopReason(reason=reason, count=1))
            return
        except IntegrityError:
            row = await session.get(
                StopReason, reason, with_for_update=True, populate_existing=True
            )
    row.count += 1


async def stop_reason_counts(session: AsyncSession) -> dict[str, int]:
    return dict((await session.execute(select(StopReason.reason, StopReason.count))).all())
