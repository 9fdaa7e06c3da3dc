"""Consultation handoff: the form, the staff group's cards and actions, the outbox."""

from __future__ import annotations

from telegram.ext import Application

from tipbot.consult import outbox
from tipbot.consult.form import build_conversation, person_handlers
from tipbot.consult.service import forget_requests
from tipbot.consult.staff_side import (
    REMINDER_CHECK_SECONDS,
    REMINDER_JOB_NAME,
    reminder_job,
    staff_handlers,
)
from tipbot.core.erasure import Eraser
from tipbot.core.runtime import deps_of


def register(application: Application) -> None:
    """The form first, then the person's buttons and relay, the staff group's handlers, the
    outbox and reminder jobs, and the eraser /forget runs.

    The form goes before every other area's handlers: while it is open, its answers (text,
    a contact, a location, a sticker to re-ask) must not reach them. The relay of a person's
    free text to staff hands over to the fallback (tipbot.core.fallback) when no request
    is open.
    """
    deps = deps_of(application)
    application.add_handler(build_conversation())
    for handler in person_handlers() + staff_handlers(deps.settings.staff_chat_id):
        application.add_handler(handler)
    outbox.schedule(application)
    application.job_queue.run_repeating(
        reminder_job,
        interval=REMINDER_CHECK_SECONDS,
        first=REMINDER_CHECK_SECONDS,
        name=REMINDER_JOB_NAME,
    )
    # /forget (run by the subscriber area) deletes the person's requests too.
    deps.erasers.append(Eraser(forget_requests, after_commit=outbox.kick))
