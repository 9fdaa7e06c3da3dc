"""Daily delivery: the sweep every minute (and at start), the daily prune, and the
``my_chat_member`` handler. No job per subscriber: what is due lives in the database."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from telegram.ext import Application

from tipbot.core.runtime import Context, Deps, run_at_start
from tipbot.delivery.membership import membership_handler
from tipbot.delivery.sweep import SweepReport, prune_deliveries, run_sweep

__all__ = ["SweepReport", "membership_handler", "prune_all", "run_sweep", "schedule"]

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 60  # seconds
PRUNE_AT = time(3, 17)  # UTC, a quiet hour for most audiences


async def prune_all(deps: Deps) -> int:
    """Delete deliveries older than the retention, in chunks of short transactions."""
    retention = timedelta(days=deps.settings.delivery_retention_days)
    now = deps.clock.now()
    total = 0
    while True:
        async with deps.db.session() as session:
            deleted = await prune_deliveries(session, now=now, retention=retention)
        total += deleted
        if not deleted:
            break
    if total:
        log.info("pruned %d deliveries older than %d days", total, retention.days)
    return total


async def _sweep_job(context: Context) -> None:
    await run_sweep(context.deps, context.bot)


async def _prune_job(context: Context) -> None:
    await prune_all(context.deps)


def schedule(application: Application) -> None:
    """The sweep every minute and at start, the daily prune."""
    jobs = application.job_queue
    # APScheduler's max_instances=1 drops a tick while a long sweep still runs.
    jobs.run_repeating(
        _sweep_job, interval=SWEEP_INTERVAL, first=SWEEP_INTERVAL, name="delivery-sweep"
    )
    run_at_start(jobs, _sweep_job, name="delivery-sweep-at-start")
    jobs.run_daily(_prune_job, time=PRUNE_AT, name="delivery-prune")
