"""Consultation handoff: the form, the staff group's cards and actions, the outbox."""

from __future__ import annotations

from telegram.ext import Application

from tipbot.consult import outbox
from tipbot.consult.form import (
    EXPIRY_CHECK_SECONDS,
    EXPIRY_JOB_NAME,
    RELAY_GROUP,
    expiry_job,
    form_handlers,
    person_handlers,
    relay_handler,
)
from tipbot.consult.migration import migration_handler
from tipbot.consult.service import forget_requests, has_open_request
from tipbot.consult.staff_side import (
    REMINDER_CHECK_SECONDS,
    REMINDER_JOB_NAME,
    reminder_job,
    staff_handlers,
)
from tipbot.core.erasure import Eraser
from tipbot.core.runtime import deps_of

MIGRATION_GROUP = -4  # before the flood guard (-3): never throttled


def register(application: Application) -> None:
    """The form's steps, the person's media, buttons and relay, the staff group's handlers,
    the migration handler, the outbox, expiry and reminder jobs, and the eraser /forget runs.

    The form's steps run in a group before every other area's (-2): while a draft is open,
    its answers (text, a contact, a location) must not reach them. Then the relay (-1): while
    a request is open, the person's messages (a location too) go to the clinic; without one,
    the other areas answer them (group 0).
    """
    deps = deps_of(application)
    for group, handlers in form_handlers().items():
        application.add_handlers(handlers, group=group)
    application.add_handler(relay_handler(), group=RELAY_GROUP)
    for handler in person_handlers() + staff_handlers(deps.staff):
        application.add_handler(handler)
    # Its own group: a service message must reach it whatever else matches the update.
    application.add_handler(migration_handler(), group=MIGRATION_GROUP)
    outbox.schedule(application)
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
