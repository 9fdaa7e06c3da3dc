"""The help desk's staff tools on top of the consultation hand-off: snippets (canned answers
in the person's language), the rating after a close, assignment, blocking and auto-close.
Working hours live in ``tipbot.core.hours`` (the settings validate them and the consultation
area counts reminders in them); the person's history on the card in ``consult.history`` (the
outbox worker renders cards). Commands are in ``tipbot.commands``; ``tipbot.app`` places the
handlers and calls ``schedule``."""

from __future__ import annotations

from telegram.ext import Application, BaseHandler, CallbackQueryHandler

from tipbot.core.callbacks import Assign, StillNeedHelp
from tipbot.helpdesk.assignment import assign_button
from tipbot.helpdesk.autoclose import CHECK_SECONDS, JOB_NAME, autoclose_job, still_need_help_button
from tipbot.helpdesk.ratings import rating_handlers

__all__ = ["button_handlers", "schedule"]


def button_handlers() -> list[BaseHandler]:
    """The rating, nudge and assignment buttons, and the person's comment on a rating
    (before the fallback)."""
    return [
        CallbackQueryHandler(assign_button, pattern=Assign.pattern()),
        CallbackQueryHandler(still_need_help_button, pattern=StillNeedHelp.pattern()),
        *rating_handlers(),
    ]


def schedule(application: Application) -> None:
    application.job_queue.run_repeating(
        autoclose_job, interval=CHECK_SECONDS, first=CHECK_SECONDS, name=JOB_NAME
    )
