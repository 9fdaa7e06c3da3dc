"""Subscription services: plain async functions over a session and plain values.

Handlers, jobs and the CLI call these; tests call them directly. ``next_send_at`` is
recomputed here whenever something it depends on changes, so the delivery sweep only
ever has to compare it with the clock.
"""

from __future__ import annotations

import enum
import random
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from tipbot.config import Settings
from tipbot.content import Library
from tipbot.db.models import Subscriber, SubscriptionStatus
from tipbot.schedule import next_occurrence


class SubscribeOutcome(enum.Enum):
    NEW = "new"
    RESUBSCRIBED = "resubscribed"
    ALREADY = "already"


@dataclass(frozen=True)
class SubscribeResult:
    subscriber: Subscriber
    outcome: SubscribeOutcome


def compute_next_send(subscriber: Subscriber, now: datetime) -> datetime | None:
    """When the sweep should next look at this person (None: never, until they return)."""
    if subscriber.status in {SubscriptionStatus.STOPPED, SubscriptionStatus.BLOCKED}:
        return None
    if subscriber.status is SubscriptionStatus.PAUSED:
        if subscriber.paused_until is None:
            return None
        now = max(now, subscriber.paused_until)
    return next_occurrence(subscriber.send_time, ZoneInfo(subscriber.timezone), now)


async def get_subscriber(session: AsyncSession, user_id: int) -> Subscriber | None:
    return await session.get(Subscriber, user_id)


async def subscribe(
    session: AsyncSession,
    user_id: int,
    *,
    settings: Settings,
    library: Library,
    now: datetime,
    source: str | None = None,
    language_code: str | None = None,
) -> SubscribeResult:
    """Subscribe a person, or reactivate them; a second /start changes nothing."""
    subscriber = await session.get(Subscriber, user_id, with_for_update=True)
    if subscriber is None:
        subscriber = Subscriber(
            user_id=user_id,
            status=SubscriptionStatus.ACTIVE,
            timezone=settings.default_timezone,
            send_time=settings.default_send_time,
            topics=list(library.topics),
            source=source,
            language_code=language_code,
            tip_seed=random.getrandbits(31),
            tip_cursors={},
            created_at=now,
        )
        subscriber.next_send_at = compute_next_send(subscriber, now)
        session.add(subscriber)
        await session.flush()
        return SubscribeResult(subscriber, SubscribeOutcome.NEW)
    if subscriber.status is SubscriptionStatus.ACTIVE:
        return SubscribeResult(subscriber, SubscribeOutcome.ALREADY)
    subscriber.status = SubscriptionStatus.ACTIVE
    subscriber.paused_until = None
    subscriber.stopped_at = None
    subscriber.next_send_at = compute_next_send(subscriber, now)
    return SubscribeResult(subscriber, SubscribeOutcome.RESUBSCRIBED)


def format_time(value: time) -> str:
    return value.strftime("%H:%M")


def describe_when(due: datetime | None, zone: str, now: datetime) -> str:
    """'today', 'tomorrow' or a date, in the person's own calendar."""
    if due is None:
        return "not scheduled"
    tz = ZoneInfo(zone)
    days = (due.astimezone(tz).date() - now.astimezone(tz).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    return due.astimezone(tz).strftime("on %a %d %b")


def resume_if_pause_over(subscriber: Subscriber, now: datetime) -> bool:
    """End a timed pause whose day has come; True if the subscriber was resumed.

    ``next_send_at`` is left as it is: it was computed at pause time as the first send
    after the pause, so the sweep that calls this with that row due still sends it.
    """
    if (
        subscriber.status is SubscriptionStatus.PAUSED
        and subscriber.paused_until is not None
        and subscriber.paused_until <= now
    ):
        subscriber.status = SubscriptionStatus.ACTIVE
        subscriber.paused_until = None
        if subscriber.next_send_at is None:
            subscriber.next_send_at = compute_next_send(subscriber, now)
        return True
    return False
