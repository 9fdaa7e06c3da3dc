"""Consultation handoff: the form, the staff group's cards and actions, the outbox. Its
commands are in ``tipbot.commands``; ``tipbot.app`` places its handlers in the pipeline."""

from __future__ import annotations

from telegram.ext import Application, BaseHandler

from tipbot.consult import outbox, outbox_worker
from tipbot.consult.erase import forget_requests
from tipbot.consult.form_runner import (
    EXPIRY_CHECK_SECONDS,
    EXPIRY_JOB_NAME,
    expiry_job,
    form_step_handlers,
)
from tipbot.consult.migration import migration_handler
from tipbot.consult.relay import person_handlers, relay_handler
from tipbot.consult.service import has_open_request
from tipbot.consult.staff_side import (
    REMINDER_CHECK_SECONDS,
    REMINDER_JOB_NAME,
    reminder_job,
    staff_handlers,
)
from tipbot.core.erasure import Eraser
from tipbot.core.runtime import Deps

__all__ = [
    "button_handlers",
    "form_step_handlers",
    "migration_handler",
    "relay_handler",
    "schedule",
]


def button_handlers(deps: Deps) -> list[BaseHandler]:
    """The person's buttons, the cards' buttons and staff replies to cards."""
    return person_handlers() + staff_handlers(deps.staff)


def schedule(application: Application, deps: Deps) -> None:
    """The outbox, form expiry and reminder jobs, and what /forget and the flood guard ask."""
    outbox_worker.schedule(application)
    application.job_queue.run_repeating(
        expiry_job, interval=EXPIRY_CHECK_SECONDS, first=EXPIRY_CHECK_SECONDS, name=EXPIRY_JOB_NAME
    )
    application.job_queue.run_repeating(
        reminder_job,
        interval=REMINDER_CHECK_SECONDS,
        first=REMINDER_CHECK_SECONDS,
        name=REMINDER_JOB_NAME,
    )
    # /forget (run by the subscriber area) deletes the person's requests too.
    deps.erasers.append(Eraser(forget_requests, after_commit=outbox.kick))
    # The flood guard (subscriber area) never drops what a person writes to the clinic.
    deps.writes_to_clinic.append(has_open_request)
