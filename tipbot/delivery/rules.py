"""The sweep's rules as plain functions: what is due, the grace window, what a claimed row
becomes, and what Telegram's answer means. No database and no Telegram here: the claim
(``claims.py``) and the recording (``outcomes.py``) apply them, tests call them directly.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from functools import lru_cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from tipbot.core.content import Library
from tipbot.core.db.models import DeliveryStatus, SubscriptionStatus
from tipbot.core.schedule import local_date_of, next_occurrence
from tipbot.core.sender import Outcome, SendResult
from tipbot.subscriber.picker import pick_tip, shown_variant
from tipbot.subscriber.service import compute_next_send, resume_if_pause_over

#: Sweeps that may try one delivery (each with the sweep's own tries), spaced by
#: ``RETRY_STEP * attempts**2`` after the due time, and only within the grace window.
MAX_DELIVERY_ATTEMPTS = 5
RETRY_STEP = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery committed as ``pending``: what a worker needs to send it."""

    delivery_id: int
    chat_id: int
    tip_id: str | None
    attempts: int
    language: str | None = None  # the person's: the tip is rendered in it
    variant: int = 0  # the wording of the tip the person sees (``Delivery.variant``)
    resend: bool = False  # a snoozed tip coming again: no "⏰ Later", not counted again
    welcome: str | None = None  # the welcome series' step that follows the tip
    recap: bool = False  # the weekly recap follows the tip (the week's last tip day)


@dataclass(slots=True)
class DueSubscriber:
    """The columns of a due subscriber that a claim reads and writes, as plain values.

    The fields are the ``subscribers`` columns the claim selects, in this order. The picker
    and the subscription rules read attributes, so they work on this as on the ORM model;
    loading and flushing 1,000 ORM instances would cost more than the claim.
    """

    user_id: int
    status: SubscriptionStatus
    timezone: str
    send_time: dt_time
    topics: list[str]
    next_send_at: datetime
    paused_until: datetime | None
    tip_seed: int
    tip_cursors: dict[str, int]
    last_topic: str | None
    language: str | None
    # Issue 24 (defaults: every day, no snooze, no welcome series).
    send_days: int = 0b1111111
    snooze_delivery_id: int | None = None
    snoozed_until: datetime | None = None
    welcome_day: int | None = None
    recap_on: bool = True
    recap_week: int | None = None


#: The columns a claim reads (``DueSubscriber``'s fields) and those it writes back: the
#: dialect adapters build their statements from these names and the table's own types.
DUE_COLUMNS: tuple[str, ...] = tuple(DueSubscriber.__dataclass_fields__)
ADVANCED_COLUMNS = (
    "status",
    "paused_until",
    "next_send_at",
    "tip_cursors",
    "last_topic",
    "snooze_delivery_id",
    "snoozed_until",
    "welcome_day",
    "recap_week",
)


class NewDelivery(NamedTuple):
    """A ``deliveries`` row a claim inserts (``created_at`` is the claim's time)."""

    subscriber_id: int
    local_date: date
    tip_id: str | None
    status: DeliveryStatus
    attempts: int
    due_at: datetime
    variant: int = 0


@lru_cache(maxsize=8192)
def _next_occurrence(send_time: dt_time, timezone: str, after: datetime, days: int) -> datetime:
    # Subscribers due together mostly share a time, zone and days: few computations a batch.
    return next_occurrence(send_time, ZoneInfo(timezone), after, days)


@lru_cache(maxsize=8192)
def _local_date(due: datetime, send_time: dt_time, timezone: str) -> date:
    return local_date_of(due, send_time, timezone)


def new_delivery(
    subscriber: DueSubscriber,
    due: datetime,
    status: DeliveryStatus,
    tip_id: str | None,
    variant: int = 0,
) -> NewDelivery:
    """The row of one person's day: keyed by the local date of ``due`` (one tip a day)."""
    return NewDelivery(
        subscriber.user_id,
        _local_date(due, subscriber.send_time, subscriber.timezone),
        tip_id,
        status,
        1 if status is DeliveryStatus.PENDING else 0,
        due,
        variant,
    )


# ----------------------------------------------------------------------------- retries


def retries_expire_before(now: datetime, grace: timedelta) -> datetime:
    """``retry`` rows due before this are given up (``failed``): never a tip sent late."""
    return now - grace


def retry_is_due(due_at: datetime, attempts: int, now: datetime) -> bool:
    """A delivery tried ``attempts`` times is tried again ``RETRY_STEP * attempts**2`` after
    its due time (5, 20, 45, 80 minutes)."""
    return due_at + RETRY_STEP * attempts**2 <= now


# ----------------------------------------------------------------------------- the claim


@dataclass
class ClaimPlan:
    """What a claim inserts, and who was given a tip (to take back if the day was taken)."""

    deliveries: list[NewDelivery] = field(default_factory=list)
    skipped: int = 0
    # Snoozed tips whose time has come: user id -> (delivery id, the person's language).
    resends: dict[int, tuple[int, str | None]] = field(default_factory=dict)
    # user id -> (the subscriber, what the pick changes: cursors, last topic, welcome day,
    # recap week, as they were before it)
    picked: dict[int, tuple[DueSubscriber, dict[str, int], str | None, int | None, int | None]] = (
        field(default_factory=dict)
    )
    # user id -> the welcome step that comes with their tip
    welcome: dict[int, str] = field(default_factory=dict)
    # who gets the weekly recap after their tip
    recaps: set[int] = field(default_factory=set)

    def settle(self, inserted: Iterable[Any]) -> list[Claim]:
        """The claims of the rows that were inserted (``id``, ``subscriber_id``, ``status``,
        ``tip_id``); a person whose day had a row already gets their cursors back."""
        claims: list[Claim] = []
        for row in inserted:
            if row.status == DeliveryStatus.PENDING:  # plain str: the statements are text
                language = self.picked[row.subscriber_id][0].language
                welcome = self.welcome.get(row.subscriber_id)
                recap = row.subscriber_id in self.recaps
                claims.append(
                    Claim(
                        row.id,
                        row.subscriber_id,
                        row.tip_id,
                        1,
                        language,
                        row.variant,
                        welcome=welcome,
                        recap=recap,
                    )
                )
                del self.picked[row.subscriber_id]
        # That day's delivery existed already (e.g. a fall-back hour): nothing sent, no tip used.
        for subscriber, cursors, last_topic, welcome_day, recap_week in self.picked.values():
            subscriber.tip_cursors, subscriber.last_topic = cursors, last_topic
            subscriber.welcome_day, subscriber.recap_week = welcome_day, recap_week
        self.picked.clear()
        return claims


def plan_claim(
    subscribers: Iterable[DueSubscriber], library: Library, *, now: datetime, grace: timedelta
) -> ClaimPlan:
    """Decide, for each due subscriber, the day's row and the next due time (in place).

    A pause that is over ends; a person not active is only given their next due time. A
    due time missed by more than ``grace`` (the bot was down) is recorded as ``skipped``,
    never sent late, and today's time is claimed if it has come within the grace. Each
    claimed person is given the next tip of their rotation.
    """
    plan = ClaimPlan()
    for subscriber in subscribers:
        due = subscriber.next_send_at
        resume_if_pause_over(subscriber, now)
        if subscriber.status is not SubscriptionStatus.ACTIVE:
            _clear_snooze(subscriber)
            subscriber.next_send_at = compute_next_send(subscriber, now)
            continue
        if _snooze_is_due(subscriber, now):
            # The day's tip comes again, once: the same delivery row, no new day, no pick.
            if subscriber.snoozed_until >= now - grace:
                plan.resends[subscriber.user_id] = (
                    subscriber.snooze_delivery_id,
                    subscriber.language,
                )
            _clear_snooze(subscriber)
            subscriber.next_send_at = compute_next_send(subscriber, now)
            continue
        _clear_snooze(subscriber)  # a new day's tip supersedes a snooze not yet due
        days = subscriber.send_days
        if due < now - grace:
            # Missed while the bot was down: note the day, never send it late.
            plan.deliveries.append(new_delivery(subscriber, due, DeliveryStatus.SKIPPED, None))
            plan.skipped += 1
            due = _next_occurrence(subscriber.send_time, subscriber.timezone, now - grace, days)
            if due > now:  # today's time is still to come (or also missed): wait for it
                subscriber.next_send_at = due
                continue
        subscriber.next_send_at = _next_occurrence(
            subscriber.send_time, subscriber.timezone, now, days
        )
        plan.picked[subscriber.user_id] = (
            subscriber,
            subscriber.tip_cursors,
            subscriber.last_topic,
            subscriber.welcome_day,
            subscriber.recap_week,
        )
        if subscriber.welcome_day is not None:
            _advance_welcome(subscriber, library, plan)
        tip = pick_tip(subscriber, library)
        variant = (
            shown_variant(library, tip, subscriber.language, subscriber.tip_seed)
            if tip.variants
            else 0
        )
        row = new_delivery(subscriber, due, DeliveryStatus.PENDING, tip.id, variant)
        if subscriber.recap_on and _recap_due(subscriber, row.local_date):
            plan.recaps.add(subscriber.user_id)
            subscriber.recap_week = recap_week_of(row.local_date)
        plan.deliveries.append(row)
    return plan


def recap_week_of(day: date) -> int:
    """The ISO week of a local day as one number (2026-W23: 202623)."""
    year, week, _ = day.isocalendar()
    return year * 100 + week


def _recap_due(subscriber: DueSubscriber, day: date) -> bool:
    """The week's last tip day (no chosen day after it this week: Sunday for a daily tip),
    and no recap yet this week."""
    later_this_week = (subscriber.send_days or 0b1111111) >> (day.weekday() + 1)
    return not later_this_week and subscriber.recap_week != recap_week_of(day)


def _advance_welcome(subscriber: DueSubscriber, library: Library, plan: ClaimPlan) -> None:
    """The welcome series counts the person's daily tips; the step of this one (if any)
    follows it. After the last step the series is over for good (``None``)."""
    series = library.welcome
    day = (subscriber.welcome_day or 0) + 1
    step = series.step_on(day) if series is not None else None
    if step is not None:
        plan.welcome[subscriber.user_id] = step.id
    subscriber.welcome_day = day if series is not None and day < series.last_day else None


def _snooze_is_due(subscriber: DueSubscriber, now: datetime) -> bool:
    return (
        subscriber.snooze_delivery_id is not None
        and subscriber.snoozed_until is not None
        and subscriber.snoozed_until <= now
    )


def _clear_snooze(subscriber: DueSubscriber) -> None:
    subscriber.snooze_delivery_id = None
    subscriber.snoozed_until = None


# ----------------------------------------------------------------------------- outcomes


class Verdict(enum.Enum):
    """What one send's answer means for its delivery (the ``SweepReport`` field names)."""

    SENT = "sent"
    RETRY = "retry"  # a passing failure, tried again by a later sweep
    FAILED = "failed"
    BLOCKED = "blocked"  # the person is gone: their row is failed and they are marked blocked


#: The ``deliveries`` status each verdict records.
DELIVERY_STATUS = {
    Verdict.SENT: DeliveryStatus.SENT,
    Verdict.RETRY: DeliveryStatus.RETRY,
    Verdict.FAILED: DeliveryStatus.FAILED,
    Verdict.BLOCKED: DeliveryStatus.FAILED,
}


def verdict(claim: Claim, result: SendResult) -> Verdict:
    """Sent; a passing failure with tries left; the person gone; or failed for good."""
    if result.outcome is Outcome.SENT:
        return Verdict.SENT
    if result.outcome is Outcome.GONE:
        return Verdict.BLOCKED
    if result.outcome is Outcome.TRANSIENT and claim.attempts < MAX_DELIVERY_ATTEMPTS:
        return Verdict.RETRY
    return Verdict.FAILED
