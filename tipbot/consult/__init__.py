"""Consultation handoff: the form, the staff group's cards and actions, the outbox."""

from __future__ import annotations

from telegram.ext import Application


def register_form(application: Application) -> None:
    """The form goes first: while it is open, its answers (a contact, a location, text)
    must not reach the other areas' handlers."""
    from tipbot.consult.form import build_conversation

    application.add_handler(build_conversation())


def register(application: Application) -> None:
    """Handlers (before the generic fallbacks) and the outbox and reminder jobs."""
    from tipbot.consult import outbox
    from tipbot.consult.form import person_handlers
    from tipbot.consult.service import forget_requests
    from tipbot.consult.staff_side import (
        REMINDER_CHECK_SECONDS,
        REMINDER_JOB_NAME,
        reminder_job,
        staff_handlers,
    )
    from tipbot.core.erasure import Eraser
    from tipbot.core.runtime import deps_of

    deps = deps_of(application)
    settings = deps.settings
    # /forget (run by the subscriber area) deletes the person's requests too.
    deps.erasers.append(Eraser(forget_requests, after_commit=outbox.kick))
    for handler in person_handlers() + staff_handlers(settings.staff_chat_id):
        application.add_handler(handler)
    outbox.schedule(application)
    application.job_queue.run_repeating(
        reminder_job,
        interval=REMINDER_CHECK_SECONDS,
        first=REMINDER_CHECK_SECONDS,
        name=REMINDER_JOB_NAME,
    )
