"""Subscription services: plain async functions over a session and plain values.

Handlers, jobs and the CLI call these; tests call them directly. ``next_send_at`` is
recomputed here whenever something it depends on changes, so the delivery sweep only
ever has to compare it with the clock.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from tipbot import i18n
from tipbot.core.config import Settings
from tipbot.core.content import Library
from tipbot.core.db.models import (
    BroadcastRecipient,
    ConsultRequest,
    Delivery,
    OutboxMessage,
    SavedTip,
    Subscriber,
    SubscriptionStatus,
    TipTried,
    TipView,
    TipVote,
)
from tipbot.core.erasure import Eraser
from tipbot.core.schedule import EVERY_DAY, next_occurrence
from tipbot.subscriber.picker import chosen_topics

MAX_PAUSE_DAYS = 365


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
    regular = next_occurrence(
        subscriber.send_time, ZoneInfo(subscriber.timezone), now, subscriber.send_days
    )
    snoozed = subscriber.snoozed_until
    if subscriber.status is SubscriptionStatus.ACTIVE and snoozed is not None:
        return min(snoozed, regular)  # the snoozed tip comes first
    return regular


def clear_snooze(subscriber: Subscriber) -> None:
    subscriber.snooze_delivery_id = None
    subscriber.snoozed_until = None


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
        new = _new_subscriber(
            user_id, SubscriptionStatus.ACTIVE, settings, library, now, language_code
        )
        new.source = source
        new.welcome_day = 0  # the welcome series comes with the first daily tips
        new.next_send_at = compute_next_send(new, now)
        subscriber = await _insert_or_get(session, new)
        if subscriber is new:
            return SubscribeResult(subscriber, SubscribeOutcome.NEW)
    if subscriber.status is SubscriptionStatus.ACTIVE:
        return SubscribeResult(subscriber, SubscribeOutcome.ALREADY)
    # A row made for on-demand tips only (never subscribed) gets the first-time welcome.
    never_subscribed = subscriber.status is SubscriptionStatus.STOPPED and not subscriber.stopped_at
    subscriber.status = SubscriptionStatus.ACTIVE
    subscriber.paused_until = None
    subscriber.stopped_at = None
    subscriber.source = subscriber.source or source
    subscriber.next_send_at = compute_next_send(subscriber, now)
    if never_subscribed:
        subscriber.welcome_day = 0
        return SubscribeResult(subscriber, SubscribeOutcome.NEW)
    return SubscribeResult(subscriber, SubscribeOutcome.RESUBSCRIBED)


def _new_subscriber(
    user_id: int,
    status: SubscriptionStatus,
    settings: Settings,
    library: Library,
    now: datetime,
    language_code: str | None,
) -> Subscriber:
    return Subscriber(
        user_id=user_id,
        status=status,
        timezone=settings.default_timezone,
        send_time=settings.default_send_time,
        topics=list(library.topics),
        language_code=language_code,
        language=i18n.resolve(language_code),
        tip_seed=random.getrandbits(31),
        tip_cursors={},
        created_at=now,
        send_days=EVERY_DAY,
    )


async def person_for_on_demand(
    session: AsyncSession,
    user_id: int,
    *,
    settings: Settings,
    library: Library,
    now: datetime,
    language_code: str | None = None,
) -> Subscriber:
    """The person's row, locked; created unsubscribed if they never sent /start.

    On-demand tips need the picker's seed and cursors (so nothing repeats) and votes need a
    row to belong to, but asking for a tip must not sign anyone up for daily messages:
    the row is ``stopped`` with no ``stopped_at`` ("never subscribed") and no ``next_send_at``.
    """
    subscriber = await session.get(Subscriber, user_id, with_for_update=True)
    if subscriber is None:
        new = _new_subscriber(
            user_id, SubscriptionStatus.STOPPED, settings, library, now, language_code
        )
        new.next_send_at = None
        subscriber = await _insert_or_get(session, new)
    return subscriber


async def _insert_or_get(session: AsyncSession, new: Subscriber) -> Subscriber:
    """Insert a new person's row, or return (locked) the row another replica inserted first.

    Two replicas handling the same person's first update both find no row; the second
    insert then fails on the primary key, and only its savepoint is rolled back.
    """
    try:
        async with session.begin_nested():
            session.add(new)
    except IntegrityError:
        return await session.get(
            Subscriber, new.user_id, with_for_update=True, populate_existing=True
        )
    return new


def is_subscribed(subscriber: Subscriber | None) -> bool:
    return subscriber is not None and subscriber.status in {
        SubscriptionStatus.ACTIVE,
        SubscriptionStatus.PAUSED,
    }


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


def set_send_time(subscriber: Subscriber, value: time, now: datetime) -> None:
    subscriber.send_time = value
    subscriber.next_send_at = compute_next_send(subscriber, now)


def set_timezone(subscriber: Subscriber, zone: str, now: datetime) -> None:
    ZoneInfo(zone)  # refuse a name zoneinfo cannot load before storing it
    subscriber.timezone = zone
    subscriber.next_send_at = compute_next_send(subscriber, now)


class TopicToggle(enum.Enum):
    ON = "on"
    OFF = "off"
    LAST_ONE = "last_one"  # refused: at least one topic stays on


def toggle_topic(subscriber: Subscriber, topic_id: str, library: Library) -> TopicToggle:
    """Switch one topic on or off, keeping the library's order and at least one topic."""
    chosen = set(chosen_topics(subscriber, library))
    if topic_id in chosen:
        if len(chosen) == 1:
            return TopicToggle.LAST_ONE
        chosen.remove(topic_id)
        outcome = TopicToggle.OFF
    else:
        chosen.add(topic_id)
        outcome = TopicToggle.ON
    subscriber.topics = [topic for topic in library.topics if topic in chosen]
    return outcome


def pause(subscriber: Subscriber, now: datetime, days: int | None) -> None:
    """Pause for ``days`` (the bot resumes by itself) or, with None, until /resume."""
    if days is not None and not 1 <= days <= MAX_PAUSE_DAYS:
        raise ValueError(f"a pause lasts 1-{MAX_PAUSE_DAYS} days")
    subscriber.status = SubscriptionStatus.PAUSED
    clear_snooze(subscriber)
    subscriber.paused_until = now + timedelta(days=days) if days is not None else None
    subscriber.next_send_at = compute_next_send(subscriber, now)


def resume(subscriber: Subscriber, now: datetime) -> None:
    subscriber.status = SubscriptionStatus.ACTIVE
    subscriber.paused_until = None
    subscriber.next_send_at = compute_next_send(subscriber, now)


def set_language(subscriber: Subscriber, language: str) -> str:
    """Store the person's choice (resolved to a language the bot has); returns it."""
    subscriber.language = i18n.resolve(language)
    return subscriber.language


def stop(subscriber: Subscriber, now: datetime) -> None:
    subscriber.status = SubscriptionStatus.STOPPED
    subscriber.paused_until = None
    subscriber.stopped_at = now
    subscriber.welcome_day = None  # never again after /stop and /start
    clear_snooze(subscriber)
    subscriber.next_send_at = None


#: What blocking the bot replaces. A person's own /stop is kept: blocking a bot one has left
#: says nothing new, and unblocking must not sign them up again.
BLOCKABLE = (SubscriptionStatus.ACTIVE, SubscriptionStatus.PAUSED)


async def mark_blocked(session: AsyncSession, user_ids: Collection[int]) -> int:
    """Send nothing more to people who blocked the bot; returns how many changed.

    The one rule for all who learn of a block (the ``my_chat_member`` update, a daily tip's
    or a broadcast's 403), as one statement for any number of people: ACTIVE and PAUSED
    become BLOCKED with no ``next_send_at``; STOPPED and BLOCKED stay as they are. A pause's
    ``paused_until`` is kept, so that :func:`unblock` can give the pause back.
    """
    if not user_ids:
        return 0
    result = await session.execute(
        update(Subscriber)
        .where(Subscriber.user_id.in_(user_ids), Subscriber.status.in_(BLOCKABLE))
        .values(status=SubscriptionStatus.BLOCKED, next_send_at=None)
    )
    return result.rowcount or 0


def unblock(subscriber: Subscriber, now: datetime) -> None:
    """Give back what blocking replaced: a pause still running, else the daily tip.

    An open-ended pause (no end date) is not told apart from ACTIVE once blocked, so it
    comes back as ACTIVE; Telegram's own unblock offers a "Restart" button that sends
    /start, which resumes any pause too. A STOPPED person never became BLOCKED.
    """
    if subscriber.paused_until is not None and subscriber.paused_until > now:
        subscriber.status = SubscriptionStatus.PAUSED
    else:
        subscriber.status = SubscriptionStatus.ACTIVE
        subscriber.paused_until = None
    subscriber.next_send_at = compute_next_send(subscriber, now)


async def mark_unblocked(session: AsyncSession, user_id: int, now: datetime) -> bool:
    """A person who unblocked the bot gets back what they had; True when something changed."""
    subscriber = await session.get(Subscriber, user_id, with_for_update=True)
    if subscriber is None or subscriber.status is not SubscriptionStatus.BLOCKED:
        return False
    unblock(subscriber, now)
    return True


async def forget_person(
    session: AsyncSession, user_id: int, *, now: datetime, erasers: Iterable[Eraser] = ()
) -> bool:
    """Delete every row about this person; True if there was anything to delete.

    Rows are deleted explicitly rather than left to ``ON DELETE CASCADE``, so the result
    does not depend on the backend enforcing foreign keys. Outbox messages still waiting
    to go to the person's private chat go too: nothing is sent to someone forgotten.
    The other areas' rows go first, through their ``erasers`` (the consultation area's
    also queues the edit that tells staff a request was removed).
    """
    found = False
    for eraser in erasers:
        found = bool(await eraser.erase(session, user_id, now=now)) or found
    for model, column in (
        (TipTried, TipTried.user_id),
        (SavedTip, SavedTip.user_id),
        (TipVote, TipVote.subscriber_id),
        (TipView, TipView.subscriber_id),
        (Delivery, Delivery.subscriber_id),
        (BroadcastRecipient, BroadcastRecipient.subscriber_id),
        (OutboxMessage, OutboxMessage.chat_id),
        (Subscriber, Subscriber.user_id),
    ):
        result = await session.execute(delete(model).where(column == user_id))
        found = found or bool(result.rowcount)
    return found


@dataclass(frozen=True)
class ConsultSummary:
    id: int
    status: str
    created_at: datetime
    topic: str | None


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person, for /mydata."""

    subscriber: Subscriber | None
    daily_tips: int = 0
    on_demand_tips: int = 0
    votes_up: int = 0
    votes_down: int = 0
    tried: int = 0
    saved: int = 0
    consult_requests: list[ConsultSummary] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return self.subscriber is None and not self.consult_requests


async def personal_data(session: AsyncSession, user_id: int) -> PersonalData:
    subscriber = await session.get(Subscriber, user_id)
    requests = [
        ConsultSummary(r.id, str(r.status), r.created_at, r.topic)
        for r in await session.scalars(
            select(ConsultRequest)
            .where(ConsultRequest.user_id == user_id)
            .order_by(ConsultRequest.id)
        )
    ]
    if subscriber is None:
        return PersonalData(None, consult_requests=requests)
    views = await session.get(TipView, user_id)
    votes = dict(
        (
            await session.execute(
                select(TipVote.vote, func.count())
                .where(TipVote.subscriber_id == user_id)
                .group_by(TipVote.vote)
            )
        ).all()
    )
    return PersonalData(
        subscriber,
        daily_tips=views.daily if views else 0,
        on_demand_tips=views.on_demand if views else 0,
        votes_up=votes.get(1, 0),
        votes_down=votes.get(-1, 0),
        tried=await _count(session, TipTried, user_id),
        saved=await _count(session, SavedTip, user_id),
        consult_requests=requests,
    )


async def _count(session: AsyncSession, model: type[TipTried | SavedTip], user_id: int) -> int:
    return await session.scalar(
        select(func.count()).select_from(model).where(model.user_id == user_id)
    )


def format_time(value: time) -> str:
    return value.strftime("%H:%M")
