"""What ``/healthz`` and ``/metrics`` report: the database answers, the sweep keeps running,
Telegram answers."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.exc import SQLAlchemyError

from tipbot.core import metrics
from tipbot.core.db import Database
from tipbot.core.db.models import (
    ConsultRequest,
    Delivery,
    DeliveryStatus,
    OutboxMessage,
    OutboxStatus,
    RequestStatus,
    Subscriber,
    SubscriptionStatus,
)
from tipbot.core.runtime import Deps

log = logging.getLogger(__name__)

SWEEP_MAX_AGE = timedelta(minutes=2)
#: Polling asks Telegram at least every few seconds, and replies are sends: a longer silence
#: means the Bot API cannot be reached (or rejects us).
BOT_API_MAX_AGE = timedelta(minutes=2)
# No sweep yet right after start is normal: the first one runs within a minute.
STARTUP_GRACE = timedelta(minutes=3)
DB_TIMEOUT_SECONDS = 5.0
#: A daily tip is recorded within seconds of its claim (core/bulk.py); one still ``pending``
#: after this long was claimed by a process that died: sent or not, nobody knows.
IN_FLIGHT_AT_MOST = timedelta(minutes=1)
UNKNOWN_WINDOW = timedelta(days=7)  # what /stats reports on


def unknown_fate(now: datetime) -> ColumnElement[bool]:
    """Deliveries of the last week whose fate a crash made unknown (never sent again)."""
    return and_(
        Delivery.status == DeliveryStatus.PENDING,
        Delivery.created_at < now - IN_FLIGHT_AT_MOST,
        Delivery.created_at >= now - UNKNOWN_WINDOW,
    )


@dataclass(frozen=True)
class Health:
    ok: bool
    problems: list[str] = field(default_factory=list)
    last_sweep_at: datetime | None = None
    last_bot_api_success_at: datetime | None = None

    def as_json(self) -> dict[str, object]:
        api = self.last_bot_api_success_at
        return {
            "status": "ok" if self.ok else "unhealthy",
            "problems": self.problems,
            "last_sweep_at": self.last_sweep_at.isoformat() if self.last_sweep_at else None,
            "last_bot_api_success_at": api.isoformat() if api else None,
        }


def mark_started(deps: Deps) -> None:
    if deps.state.started_at is None:
        deps.state.started_at = deps.clock.now()


async def check_health(deps: Deps) -> Health:
    """Healthy when the database answers, the delivery sweep ran within two minutes and the
    Bot API answered within two minutes."""
    problems = []
    try:
        async with asyncio.timeout(DB_TIMEOUT_SECONDS):
            await deps.db.ping()
    except (OSError, SQLAlchemyError, TimeoutError) as exc:
        log.warning("health: database check failed: %s", type(exc).__name__)
        problems.append(f"database unreachable ({type(exc).__name__})")
    now = deps.clock.now()
    last_sweep = deps.state.last_sweep_at
    if last_sweep is None:
        started = deps.state.started_at or now
        if now - started > STARTUP_GRACE:
            problems.append("no delivery sweep has run since start")
    elif now - last_sweep > SWEEP_MAX_AGE:
        minutes = int((now - last_sweep).total_seconds() // 60)
        problems.append(f"last delivery sweep ran {minutes} minutes ago")
    api = deps.state.bot_api
    if problem := api.problem(BOT_API_MAX_AGE):
        problems.append(problem)
    return Health(not problems, problems, last_sweep, api.last_success_at)


async def refresh_state_gauges(db: Database, now: datetime) -> None:
    """Fill the gauges that describe stored state; called at each scrape."""
    async with asyncio.timeout(DB_TIMEOUT_SECONDS), db.session() as session:
        subscribers = dict(
            (
                await session.execute(
                    select(Subscriber.status, func.count()).group_by(Subscriber.status)
                )
            ).all()
        )
        requests = dict(
            (
                await session.execute(
                    select(ConsultRequest.status, func.count()).group_by(ConsultRequest.status)
                )
            ).all()
        )
        backlog = await session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING)
        )
        unknown = await session.scalar(select(func.count()).where(unknown_fate(now)))
    for status in SubscriptionStatus:
        metrics.SUBSCRIBERS.labels(status=status.value).set(subscribers.get(status, 0))
    for status in RequestStatus:
        metrics.CONSULT_REQUESTS.labels(status=status.value).set(requests.get(status, 0))
    metrics.OUTBOX_BACKLOG.set(backlog or 0)
    metrics.TIPS_UNKNOWN.set(unknown or 0)
