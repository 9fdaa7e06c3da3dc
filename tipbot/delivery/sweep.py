"""The delivery sweep: claim what is due, commit, then send, then record the outcome.

Why this order gives "at most one tip a day" across crashes and replicas:

1. **Claim** (one short transaction, about a second of sending at a time; see
   ``core/bulk.py``): lock due subscribers (``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so replicas take disjoint rows; SQLite serialises writers), insert the
   ``deliveries`` row under its unique (subscriber, local date) key, advance the picker's
   cursor and ``next_send_at``. COMMIT. A row that already exists for that day means the
   tip was already handled: nothing is sent.
2. **Send**, with no lock or transaction open during network I/O.
3. **Record** the outcome (sent / retry / failed / blocked), at least twice a second.

A crash after 1 leaves a ``pending`` row and an advanced ``next_send_at``: that tip is
lost, never repeated (``/stats`` counts such rows as "fate unknown"). A crash after 2
leaves the same state: the tip arrived, and no later sweep sends it again. Passing
failures become ``retry`` rows that a later sweep sends again (same row, same tip) while
the due time is within the grace window; so do the claimed tips a graceful stop leaves
unsent.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from functools import lru_cache
from itertools import chain
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Column, Dialect, Row, bindparam, delete, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from telegram import Bot

from tipbot import i18n
from tipbot.core import metrics
from tipbot.core.bulk import BulkSend
from tipbot.core.content import Library
from tipbot.core.db.models import (
    Delivery,
    DeliveryStatus,
    Subscriber,
    SubscriptionStatus,
    TipView,
    utcnow,
)
from tipbot.core.runtime import Deps
from tipbot.core.schedule import local_date_of, next_occurrence
from tipbot.core.sender import Outcome, Prepared, SendResult
from tipbot.subscriber.picker import pick_tip, render_tip
from tipbot.subscriber.service import compute_next_send, resume_if_pause_over

log = logging.getLogger(__name__)

#: Tries of one send within a sweep (the first and 3 retries with exponential backoff).
SEND_ATTEMPTS = 4
SEND_BACKOFF = 0.5
#: Sweeps that may try one delivery (each with ``SEND_ATTEMPTS`` tries), spaced by
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


@dataclass
class ClaimedBatch:
    claims: list[Claim]
    examined: int  # due rows looked at (a full batch means: look again)
    skipped: int = 0
    oldest_due: datetime | None = None


@dataclass
class SweepReport:
    claimed: int = 0
    sent: int = 0
    retry: int = 0
    failed: int = 0
    blocked: int = 0
    skipped: int = 0
    lag_seconds: float = 0.0


def _insert(session: AsyncSession) -> Any:
    """The dialect's INSERT, which has ``on_conflict_do_nothing``/``_update``."""
    dialect = postgresql if session.bind.dialect.name == "postgresql" else sqlite
    return dialect.insert


async def claim_retries(
    session: AsyncSession, *, now: datetime, grace: timedelta, limit: int
) -> list[Claim]:
    """Take ``retry`` deliveries whose next try has come; give up on those past the grace."""
    await session.execute(
        update(Delivery)
        .where(Delivery.status == DeliveryStatus.RETRY, Delivery.due_at <= now - grace)
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
        Claim(row.id, row.subscriber_id, row.tip_id, row.attempts + 1, row.language)
        for row in rows
        if row.due_at + RETRY_STEP * row.attempts**2 <= now
    ]
    if claims:
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_([claim.delivery_id for claim in claims]))
            .values(status=DeliveryStatus.PENDING, attempts=Delivery.attempts + 1)
        )
    return claims


@dataclass(slots=True)
class DueSubscriber:
    """The columns of a due subscriber that a claim reads and writes, as plain values.

    The picker and the subscription rules read attributes, so they work on this as on the
    ORM model; loading and flushing 1,000 ORM instances would cost more than the claim.
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


@lru_cache(maxsize=8192)
def _next_occurrence(send_time: dt_time, timezone: str, after: datetime) -> datetime:
    # Subscribers due together mostly share a time and zone: one computation per batch.
    return next_occurrence(send_time, ZoneInfo(timezone), after)


@lru_cache(maxsize=8192)
def _local_date(due: datetime, send_time: dt_time, timezone: str) -> date:
    return local_date_of(due, send_time, timezone)


_DUE_COLUMNS = [getattr(Subscriber, name) for name in DueSubscriber.__dataclass_fields__]
_SUBSCRIBERS = Subscriber.__table__
_DELIVERIES = Delivery.__table__
# PostgreSQL: one statement per step, whatever the batch size. Each column travels as one
# array parameter and ``unnest`` turns the arrays back into rows, so the server runs one
# short statement instead of an ``executemany`` UPDATE (1,000 executions) and a multi-row
# INSERT of 7,000 parameters, each processed by SQLAlchemy. ``text()`` skips SQLAlchemy's
# type processing, so the values are passed as asyncpg takes them: aware UTC datetimes,
# plain strings, and JSON as ``json.dumps`` text (what the JSON column type would send).
_PG_INSERT_DELIVERIES = text(
    """
    INSERT INTO deliveries (subscriber_id, local_date, tip_id, status, attempts, due_at, created_at)
    SELECT v.*, CAST(:created_at AS timestamptz)
    FROM unnest(
        CAST(:subscriber_id AS bigint[]), CAST(:local_date AS date[]),
        CAST(:tip_id AS varchar[]), CAST(:status AS varchar[]),
        CAST(:attempts AS smallint[]), CAST(:due_at AS timestamptz[])
    ) AS v
    ON CONFLICT (subscriber_id, local_date) DO NOTHING
    RETURNING id, subscriber_id, status, tip_id
    """
)
_PG_ADVANCE = text(
    """
    UPDATE subscribers AS s
    SET status = v.status, paused_until = v.paused_until, next_send_at = v.next_send_at,
        tip_cursors = CAST(v.tip_cursors AS json), last_topic = v.last_topic,
        updated_at = CAST(:updated_at AS timestamptz)
    FROM unnest(
        CAST(:user_id AS bigint[]), CAST(:status AS varchar[]),
        CAST(:paused_until AS timestamptz[]), CAST(:next_send_at AS timestamptz[]),
        CAST(:tip_cursors AS text[]), CAST(:last_topic AS varchar[])
    ) AS v (user_id, status, paused_until, next_send_at, tip_cursors, last_topic)
    WHERE s.user_id = v.user_id
    """
)


def _pg_columns(deliveries: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The delivery rows as one list per column (``_PG_INSERT_DELIVERIES``'s parameters)."""
    return {
        "subscriber_id": [d["subscriber_id"] for d in deliveries],
        "local_date": [d["local_date"] for d in deliveries],
        "tip_id": [d["tip_id"] for d in deliveries],
        "status": [d["status"].value for d in deliveries],
        "attempts": [d["attempts"] for d in deliveries],
        "due_at": [d["due_at"] for d in deliveries],
        "created_at": now,
    }


def _pg_advance_columns(subscribers: list[DueSubscriber]) -> dict[str, Any]:
    """The advanced subscribers as one list per column (``_PG_ADVANCE``'s parameters)."""
    return {
        "user_id": [s.user_id for s in subscribers],
        "status": [s.status.value for s in subscribers],
        "paused_until": [s.paused_until for s in subscribers],
        "next_send_at": [s.next_send_at for s in subscribers],
        "tip_cursors": [json.dumps(s.tip_cursors) for s in subscribers],
        "last_topic": [s.last_topic for s in subscribers],
        # What the column's ``onupdate=utcnow`` would have set.
        "updated_at": utcnow(),
    }


# SQLite: the same two steps as plain driver SQL (a multi-row INSERT, an ``executemany``
# UPDATE, both run in C by sqlite3): SQLAlchemy's Core statements spent more on per-value
# work (type processing, building the multi-row INSERT) than SQLite on the statements
# (bench/README.md, figure 3, has the numbers). The values are converted once by the
# columns' own bind processors, so they are stored exactly as SQLAlchemy stores them: the
# text timestamps that ``next_send_at <= now`` compares.
_SQLITE_MAX_VARIABLES = 32_766  # SQLITE_MAX_VARIABLE_NUMBER's default since SQLite 3.32
_SQLITE_INSERT_DELIVERIES = (
    "INSERT INTO deliveries "
    "(subscriber_id, local_date, tip_id, status, attempts, due_at, created_at) VALUES {} "
    "ON CONFLICT (subscriber_id, local_date) DO NOTHING "
    "RETURNING id, subscriber_id, status, tip_id"
)
_SQLITE_ADVANCE = (
    "UPDATE subscribers SET status = ?, paused_until = ?, next_send_at = ?, tip_cursors = ?, "
    "last_topic = ?, updated_at = ? WHERE user_id = ?"
)


def _to_driver(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    """The column type's own conversion of a Python value to what the driver is given."""
    return column.type.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


async def _sqlite_insert_deliveries(
    connection: AsyncConnection, deliveries: list[dict[str, Any]]
) -> list[Row[Any]]:
    # Rows due together share a handful of instants and dates: convert each one once.
    to_time = lru_cache(maxsize=None)(_to_driver(_DELIVERIES.c.due_at, connection.dialect))
    to_date = lru_cache(maxsize=None)(_to_driver(_DELIVERIES.c.local_date, connection.dialect))
    rows = [
        (
            d["subscriber_id"],
            to_date(d["local_date"]),
            d["tip_id"],
            d["status"].value,
            d["attempts"],
            to_time(d["due_at"]),
            to_time(d["created_at"]),
        )
        for d in deliveries
    ]
    inserted: list[Row[Any]] = []
    per_statement = _SQLITE_MAX_VARIABLES // 7
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        values = ", ".join(["(?, ?, ?, ?, ?, ?, ?)"] * len(chunk))
        result = await connection.exec_driver_sql(
            _SQLITE_INSERT_DELIVERIES.format(values), tuple(chain.from_iterable(chunk))
        )
        inserted.extend(result.all())
    return inserted


async def _sqlite_advance(connection: AsyncConnection, subscribers: list[DueSubscriber]) -> None:
    to_time = lru_cache(maxsize=None)(_to_driver(_SUBSCRIBERS.c.next_send_at, connection.dialect))
    updated_at = to_time(utcnow())  # what the column's ``onupdate=utcnow`` would have set
    await connection.exec_driver_sql(
        _SQLITE_ADVANCE,
        [
            (
                s.status.value,
                to_time(s.paused_until),
                to_time(s.next_send_at),
                json.dumps(s.tip_cursors),
                s.last_topic,
                updated_at,
                s.user_id,
            )
            for s in subscribers
        ],
    )


_RECORD = (
    update(_DELIVERIES)
    .where(_DELIVERIES.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"), error=bindparam("b_error"), sent_at=bindparam("b_sent_at")
    )
)


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
    deliveries: list[dict[str, Any]] = []
    picked: dict[int, tuple[DueSubscriber, dict[str, int], str | None]] = {}
    for subscriber in subscribers:
        due = subscriber.next_send_at
        resume_if_pause_over(subscriber, now)
        if subscriber.status is not SubscriptionStatus.ACTIVE:
            subscriber.next_send_at = compute_next_send(subscriber, now)
            continue
        if due < now - grace:
            # Missed while the bot was down: note the day, never send it late.
            deliveries.append(_delivery_row(subscriber, due, now, DeliveryStatus.SKIPPED, None))
            batch.skipped += 1
            due = _next_occurrence(subscriber.send_time, subscriber.timezone, now - grace)
            if due > now:  # today's time is still to come (or also missed): wait for it
                subscriber.next_send_at = due
                continue
        subscriber.next_send_at = _next_occurrence(subscriber.send_time, subscriber.timezone, now)
        picked[subscriber.user_id] = (subscriber, subscriber.tip_cursors, subscriber.last_topic)
        tip = pick_tip(subscriber, library)
        deliveries.append(_delivery_row(subscriber, due, now, DeliveryStatus.PENDING, tip.id))
    postgres = session.bind.dialect.name == "postgresql"
    if deliveries:
        if postgres:
            inserted = await connection.execute(_PG_INSERT_DELIVERIES, _pg_columns(deliveries, now))
        else:
            inserted = await _sqlite_insert_deliveries(connection, deliveries)
        for row in inserted:
            if row.status == DeliveryStatus.PENDING:  # plain str: the statements are text
                language = picked[row.subscriber_id][0].language
                batch.claims.append(Claim(row.id, row.subscriber_id, row.tip_id, 1, language))
                del picked[row.subscriber_id]
    # That day's delivery existed already (e.g. a fall-back hour): nothing sent, no tip used.
    for subscriber, cursors, last_topic in picked.values():
        subscriber.tip_cursors, subscriber.last_topic = cursors, last_topic
    if postgres:
        await connection.execute(_PG_ADVANCE, _pg_advance_columns(subscribers))
    else:
        await _sqlite_advance(connection, subscribers)
    return batch


def _delivery_row(
    subscriber: DueSubscriber,
    due: datetime,
    now: datetime,
    status: DeliveryStatus,
    tip_id: str | None,
) -> dict[str, Any]:
    return {
        "subscriber_id": subscriber.user_id,
        "local_date": _local_date(due, subscriber.send_time, subscriber.timezone),
        "tip_id": tip_id,
        "status": status,
        "attempts": 1 if status is DeliveryStatus.PENDING else 0,
        "due_at": due,
        "created_at": now,
    }


async def record_outcomes(
    session: AsyncSession, outcomes: Iterable[tuple[Claim, SendResult]], *, now: datetime
) -> None:
    """Write what Telegram answered: sent, retry later, failed, or the person is gone."""
    deliveries: list[dict[str, Any]] = []
    gone: list[int] = []
    shown: list[int] = []
    for claim, result in outcomes:
        row: dict[str, Any] = {"b_id": claim.delivery_id, "b_error": result.reason}
        if result.outcome is Outcome.SENT:
            row.update(b_status=DeliveryStatus.SENT, b_sent_at=now)
            shown.append(claim.chat_id)
        elif result.outcome is Outcome.TRANSIENT and claim.attempts < MAX_DELIVERY_ATTEMPTS:
            row.update(b_status=DeliveryStatus.RETRY, b_sent_at=None)
        else:
            row.update(b_status=DeliveryStatus.FAILED, b_sent_at=None)
            if result.outcome is Outcome.GONE:
                gone.append(claim.chat_id)
        deliveries.append(row)
    connection = await session.connection()
    if deliveries:
        await connection.execute(_RECORD, deliveries)
    if gone:
        await connection.execute(
            update(Subscriber)
            .where(Subscriber.user_id.in_(gone))
            .values(status=SubscriptionStatus.BLOCKED, next_send_at=None)
        )
    if shown:
        insert = _insert(session)(TipView.__table__)
        await connection.execute(
            insert.on_conflict_do_update(
                index_elements=["subscriber_id"],
                set_={"daily": TipView.__table__.c.daily + insert.excluded.daily},
            ),
            [
                {"subscriber_id": user_id, "daily": count, "on_demand": 0}
                for user_id, count in Counter(shown).items()
            ],
        )


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


async def run_sweep(
    deps: Deps,
    bot: Bot,
    *,
    workers: int | None = None,
    send_attempts: int = SEND_ATTEMPTS,
    send_backoff: float = SEND_BACKOFF,
) -> SweepReport:
    """Deliver everything due now; one replica runs one sweep at a time.

    Claiming, sending and recording overlap (``core/bulk.py``): the next slice is claimed
    while the current one is sent, so the rate limiter never starves.
    """
    async with deps.state.sweep_lock:
        started = time.perf_counter()
        sweep = _Sweep(deps, bot, send_attempts, send_backoff)
        await BulkSend(
            slice_size=deps.sending.slice_size(deps.settings.sweep_batch_size),
            workers=workers or deps.sending.in_flight,
            claim=sweep.claim,
            send=sweep.send,
            record=sweep.record,
            stopping=lambda: deps.state.stopping,
        ).run()
        report = sweep.report
        metrics.SWEEP_DURATION.observe(time.perf_counter() - started)
        metrics.SWEEP_LAG.set(report.lag_seconds)
        deps.state.last_sweep_at = deps.clock.now()
    if report.claimed or report.skipped:
        log.info(
            "sweep claimed=%d sent=%d retry=%d failed=%d blocked=%d skipped=%d lag=%.0fs",
            report.claimed,
            report.sent,
            report.retry,
            report.failed,
            report.blocked,
            report.skipped,
            report.lag_seconds,
        )
    return report


class _Sweep:
    """What one sweep claims, sends and records; ``BulkSend`` runs it."""

    def __init__(self, deps: Deps, bot: Bot, send_attempts: int, send_backoff: float) -> None:
        self.deps = deps
        self.bot = bot
        self.send_attempts = send_attempts
        self.send_backoff = send_backoff
        self.retries_claimed = False
        # Per (tip, language): the message, and whether it fell back to English.
        self.rendered: dict[tuple[str, str], tuple[Prepared, bool]] = {}
        self.report = SweepReport()

    async def claim(self, limit: int) -> tuple[list[Claim], bool]:
        """The retries whose time has come first (once), then the due subscribers."""
        deps, grace = self.deps, self.deps.settings.delivery_grace
        now = deps.clock.now()
        if not self.retries_claimed:
            self.retries_claimed = True
            async with deps.db.session() as session:
                retries = await claim_retries(session, now=now, grace=grace, limit=limit)
            if retries:
                self.report.claimed += len(retries)
                return retries, True
        async with deps.db.session() as session:
            batch = await claim_due(session, deps.library, now=now, grace=grace, limit=limit)
        self.report.claimed += len(batch.claims)
        self.report.skipped += batch.skipped
        if batch.oldest_due is not None:
            lag = (now - batch.oldest_due).total_seconds()
            self.report.lag_seconds = max(self.report.lag_seconds, lag)
        return batch.claims, batch.examined >= limit

    async def send(self, claim: Claim) -> SendResult:
        tip_id, library = claim.tip_id, self.deps.library
        language = i18n.resolve(claim.language)  # the subscriber's, stored
        key = (tip_id, language)
        if key in self.rendered:
            message, fallback = self.rendered[key]
            if fallback:
                metrics.TIP_FALLBACKS.labels(language=language).inc()
        else:
            tip = library.tips.get(tip_id) if tip_id else None
            if tip is None:  # removed from the library by a reload since the claim
                return SendResult(Outcome.FAILED, None, "unknown_tip")
            text, keyboard = render_tip(library, tip, language)  # counts a fallback itself
            message = Prepared.of(self.bot, text, keyboard)
            self.rendered[key] = (message, tip_id in library.localized(language).missing)
        return await self.deps.sending.send_bulk(
            self.bot,
            claim.chat_id,
            message,
            attempts=self.send_attempts,
            backoff=self.send_backoff,
        )

    async def record(self, outcomes: list[tuple[Claim, SendResult]]) -> None:
        async with self.deps.db.session() as session:
            await record_outcomes(session, outcomes, now=self.deps.clock.now())
        for claim, result in outcomes:
            self._count(claim, result)

    def _count(self, claim: Claim, result: SendResult) -> None:
        report = self.report
        if result.outcome is Outcome.SENT:
            report.sent += 1
            metrics.TIPS_SENT.labels(kind="daily").inc()
            return
        metrics.TIPS_FAILED.labels(reason=result.reason or result.outcome.value).inc()
        if result.outcome is Outcome.GONE:
            report.blocked += 1
        elif result.outcome is Outcome.TRANSIENT and claim.attempts < MAX_DELIVERY_ATTEMPTS:
            report.retry += 1
        else:
            report.failed += 1
