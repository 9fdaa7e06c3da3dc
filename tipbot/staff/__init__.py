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
    """Broadcasts a restart interrupted go on."""
    run_at_start(application.job_queue, broadcast.resume_broadcasts, name="resume-broadcasts")
