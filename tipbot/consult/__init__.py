"""Consultation handoff: the form, the staff group's cards and actions, the outbox."""

from __future__ import annotations

from telegram.ext import Application

MIGRATION_GROUP = -3  # before the flood guard (-2): never throttled


def register_form(application: Application) -> None:
    """The form goes first: while it is open, its answers (a contact, a location, text)
    must not reach the other areas' handlers (its steps run in a group before theirs)."""
    from tipbot.consult.form import form_handlers, media_relay_handler

    for group, handlers in form_handlers().items():
        application.add_handlers(handlers, group=group)
    application.add_handler(media_relay_handler())


def register(application: Application) -> None:
    """Handlers (before the generic fallbacks) and the outbox and reminder jobs."""
    from tipbot.consult import outbox
    from tipbot.consult.form import (
        EXPIRY_CHECK_SECONDS,
        EXPIRY_JOB_NAME,
        expiry_job,
        person_handlers,
    )
    from tipbot.consult.migration import migration_handler
    from tipbot.consult.staff_side import (
        REMINDER_CHECK_SECONDS,
        REMINDER_JOB_NAME,
        reminder_job,
        staff_handlers,
    )
    from tipbot.core.runtime import deps_of

    deps = deps_of(application)
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
