"""The staff area: /stats, /broadcast and /reload in the staff group; linking the group.
Its commands are in ``tipbot.commands``; ``tipbot.app`` places its handlers in the pipeline."""

from __future__ import annotations

from telegram.ext import Application

from tipbot.core.runtime import run_at_start
from tipbot.staff import broadcast
from tipbot.staff.handlers import button_handlers
from tipbot.staff.setup import joined_group_handler

__all__ = ["button_handlers", "joined_group_handler", "schedule"]


def schedule(application: Application) -> None:
    """Broadcasts a restart interrupted go on; scheduled campaigns start when due."""
    run_at_start(application.job_queue, broadcast.resume_broadcasts, name="resume-broadcasts")
    run_at_start(application.job_queue, broadcast.campaign_tick, name="campaign-tick-at-start")
    application.job_queue.run_repeating(
        broadcast.campaign_tick,
        interval=broadcast.TICK_SECONDS,
        first=broadcast.TICK_SECONDS,
        name="campaign-tick",
    )
