"""Daily delivery: the sweep every minute (and at start), the daily prune, and the
``my_chat_member`` handler. No job per subscriber: what is due lives in the database."""

from __future__ import annotations

from datetime import time

from telegram.ext import Application

from tipbot.core.runtime import Context, run_at_start
from tipbot.delivery.membership import membership_handler
from tipbot.delivery.pruning import prune_all
from tipbot.delivery.sweep import SweepReport, run_sweep

__all__ = ["SweepReport", "membership_handler", "prune_all", "run_sweep", "schedule"]

SWEEP_INTERVAL = 60  # seconds
PRUNE_AT = time(3, 17)  # UTC, a quiet hour for most audiences


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
